// SPDX-License-Identifier: GPL-2.0
#include "nla.h"

#include <errno.h>
#include <string.h>

const struct nlattr *hc_nla_first(const void *buf, size_t len)
{
	const struct nlattr *a = buf;

	if (len < NLA_HDRLEN || a->nla_len < NLA_HDRLEN || a->nla_len > len)
		return NULL;
	return a;
}

const struct nlattr *hc_nla_next(const void *buf, size_t len, const struct nlattr *a)
{
	size_t off = (size_t)((const char *)a - (const char *)buf) + NLA_ALIGN(a->nla_len);

	if (off >= len)
		return NULL;
	return hc_nla_first((const char *)buf + off, len - off);
}

int hc_nla_parse(const struct nlattr **tb, unsigned int maxtype, const void *buf, size_t len)
{
	const struct nlattr *a;
	size_t end = 0;

	memset(tb, 0, ((size_t)maxtype + 1) * sizeof(const struct nlattr *));
	hc_nla_for_each(a, buf, len) {
		if (hc_nla_type(a) <= maxtype)
			tb[hc_nla_type(a)] = a;
		end = (size_t)((const char *)a - (const char *)buf) + NLA_ALIGN(a->nla_len);
	}
	/* The last attribute's padding may be omitted. */
	if (end < len || (end > len && end - len >= NLA_ALIGNTO))
		return -EINVAL;
	return 0;
}

#define GETTER(name, type)						\
bool name(const struct nlattr *a, type *v)				\
{									\
	if (!a || hc_nla_len(a) != sizeof(type))			\
		return false;						\
	memcpy(v, hc_nla_data(a), sizeof(type));			\
	return true;							\
}

GETTER(hc_nla_u8, uint8_t)
GETTER(hc_nla_u16, uint16_t)
GETTER(hc_nla_u32, uint32_t)
GETTER(hc_nla_u64, uint64_t)

bool hc_nla_str(const struct nlattr *a, char *buf, size_t bufsz)
{
	const char *s;
	size_t n;

	if (!a || hc_nla_len(a) == 0)
		return false;
	s = hc_nla_data(a);
	n = strnlen(s, hc_nla_len(a));
	if (n == hc_nla_len(a) || n >= bufsz)
		return false;
	memcpy(buf, s, n + 1);
	return true;
}
