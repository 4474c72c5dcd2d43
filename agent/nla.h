/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounds-checked reading of netlink attributes in a raw buffer. Pure (only
 * <linux/netlink.h>), so reply decoding and extended-ack parsing are unit
 * tested without a kernel. Prefixed hc_ to stay clear of libnl's nla_*.
 */
#ifndef HC_NLA_H
#define HC_NLA_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline unsigned int hc_nla_type(const struct nlattr *a)
{
	return a->nla_type & NLA_TYPE_MASK;
}

static inline const void *hc_nla_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static inline size_t hc_nla_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

/* The attribute at buf if a whole one fits in len, else NULL. */
const struct nlattr *hc_nla_first(const void *buf, size_t len);
/* The attribute after a within [buf, buf + len), else NULL. */
const struct nlattr *hc_nla_next(const void *buf, size_t len, const struct nlattr *a);

#define hc_nla_for_each(a, buf, len) \
	for ((a) = hc_nla_first(buf, len); (a); (a) = hc_nla_next(buf, len, a))

/*
 * Fills tb[0..maxtype] with the last attribute of each type (others
 * ignored). Returns 0, or -EINVAL if the buffer does not end on a whole
 * attribute.
 */
int hc_nla_parse(const struct nlattr **tb, unsigned int maxtype, const void *buf, size_t len);
#define hc_nla_parse_nested(tb, maxtype, nest) \
	hc_nla_parse(tb, maxtype, hc_nla_data(nest), hc_nla_len(nest))

/* Typed getters: false if a is NULL or its length is wrong. */
bool hc_nla_u8(const struct nlattr *a, uint8_t *v);
bool hc_nla_u16(const struct nlattr *a, uint16_t *v);
bool hc_nla_u32(const struct nlattr *a, uint32_t *v);
bool hc_nla_u64(const struct nlattr *a, uint64_t *v);
/* NUL-terminated within the attribute and shorter than bufsz. */
bool hc_nla_str(const struct nlattr *a, char *buf, size_t bufsz);

#endif
