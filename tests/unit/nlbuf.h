/* SPDX-License-Identifier: GPL-2.0 */
/* Building netlink messages by hand, for decode and extack tests. */
#ifndef HC_NLBUF_H
#define HC_NLBUF_H

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <string.h>

struct nlbuf {
	_Alignas(8) unsigned char data[4096];
	size_t len;
};

static inline void nb_init(struct nlbuf *b)
{
	memset(b, 0, sizeof(*b));
}

/* Appends an attribute; returns its offset. */
static inline size_t nb_put(struct nlbuf *b, uint16_t type, const void *data, size_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len), .nla_type = type };
	size_t off = b->len;

	memcpy(b->data + off, &a, sizeof(a));
	if (len)
		memcpy(b->data + off + NLA_HDRLEN, data, len);
	b->len = off + NLA_ALIGN(NLA_HDRLEN + len);
	return off;
}

static inline size_t nb_u8(struct nlbuf *b, uint16_t type, uint8_t v) { return nb_put(b, type, &v, 1); }
static inline size_t nb_u16(struct nlbuf *b, uint16_t type, uint16_t v) { return nb_put(b, type, &v, 2); }
static inline size_t nb_u32(struct nlbuf *b, uint16_t type, uint32_t v) { return nb_put(b, type, &v, 4); }
static inline size_t nb_u64(struct nlbuf *b, uint16_t type, uint64_t v) { return nb_put(b, type, &v, 8); }
static inline size_t nb_str(struct nlbuf *b, uint16_t type, const char *s)
{
	return nb_put(b, type, s, strlen(s) + 1);
}

static inline size_t nb_nest_start(struct nlbuf *b, uint16_t type)
{
	return nb_put(b, type | NLA_F_NESTED, NULL, 0);
}

static inline void nb_nest_end(struct nlbuf *b, size_t off)
{
	uint16_t len = (uint16_t)(b->len - off);

	memcpy(b->data + off, &len, sizeof(len));
}

/* Starts a message: nlmsghdr (+ genlmsghdr if genl). */
static inline void nb_msg(struct nlbuf *b, uint16_t type, uint16_t flags, int genl)
{
	struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_flags = flags };

	nb_init(b);
	memcpy(b->data, &h, sizeof(h));
	b->len = NLMSG_HDRLEN;
	if (genl)
		b->len += GENL_HDRLEN;
}

/* Appends raw bytes (aligned to 4). */
static inline void nb_raw(struct nlbuf *b, const void *data, size_t len)
{
	memcpy(b->data + b->len, data, len);
	b->len += NLMSG_ALIGN(len);
}

static inline void nb_msg_end(struct nlbuf *b)
{
	uint32_t len = (uint32_t)b->len;

	memcpy(b->data, &len, sizeof(len));
}

#endif
