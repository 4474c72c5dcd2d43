// SPDX-License-Identifier: GPL-2.0
#include "proto.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#define BIT(a) (1u << (a))

/* Which attributes each message type requires and allows (the table in proto.h). */
static const struct {
	unsigned int required, allowed;
} rules[] = {
	[HD_MSG_AUTH] = { BIT(HD_ATTR_NONCE), BIT(HD_ATTR_NONCE) },
	[HD_MSG_OFFER] = {
		BIT(HD_ATTR_UUID) | BIT(HD_ATTR_NONCE) | BIT(HD_ATTR_PORT) | BIT(HD_ATTR_VIF),
		BIT(HD_ATTR_UUID) | BIT(HD_ATTR_NONCE) | BIT(HD_ATTR_PORT) | BIT(HD_ATTR_VIF) |
			BIT(HD_ATTR_NAME) | BIT(HD_ATTR_ADDR) },
	[HD_MSG_ACCEPT] = {
		BIT(HD_ATTR_UUID) | BIT(HD_ATTR_NONCE) | BIT(HD_ATTR_PORT) | BIT(HD_ATTR_VIF),
		BIT(HD_ATTR_UUID) | BIT(HD_ATTR_NONCE) | BIT(HD_ATTR_PORT) | BIT(HD_ATTR_VIF) },
	[HD_MSG_REJECT] = { BIT(HD_ATTR_UUID) | BIT(HD_ATTR_STATUS),
			    BIT(HD_ATTR_UUID) | BIT(HD_ATTR_STATUS) | BIT(HD_ATTR_REASON) },
	[HD_MSG_ABORT] = { BIT(HD_ATTR_UUID) | BIT(HD_ATTR_STATUS),
			   BIT(HD_ATTR_UUID) | BIT(HD_ATTR_STATUS) | BIT(HD_ATTR_REASON) },
	[HD_MSG_DONE] = { BIT(HD_ATTR_UUID) | BIT(HD_ATTR_STATUS),
			  BIT(HD_ATTR_UUID) | BIT(HD_ATTR_STATUS) },
	[HD_MSG_WANT] = { BIT(HD_ATTR_UUID), BIT(HD_ATTR_UUID) },
};

static const char *const type_names[] = {
	[HD_MSG_AUTH] = "AUTH", [HD_MSG_OFFER] = "OFFER", [HD_MSG_ACCEPT] = "ACCEPT",
	[HD_MSG_REJECT] = "REJECT", [HD_MSG_ABORT] = "ABORT", [HD_MSG_DONE] = "DONE",
	[HD_MSG_WANT] = "WANT",
};

/* Reasons are static strings (the caller keeps *why), one per attribute. */
#define PER_ATTR(prefix)							\
	{ [HD_ATTR_UUID] = prefix " UUID attribute",				\
	  [HD_ATTR_NAME] = prefix " NAME attribute",				\
	  [HD_ATTR_NONCE] = prefix " NONCE attribute",				\
	  [HD_ATTR_PORT] = prefix " PORT attribute",				\
	  [HD_ATTR_VIF] = prefix " VIF attribute",				\
	  [HD_ATTR_ADDR] = prefix " ADDR attribute",				\
	  [HD_ATTR_STATUS] = prefix " STATUS attribute",			\
	  [HD_ATTR_REASON] = prefix " REASON attribute" }
static const char *const why_len[] = PER_ATTR("wrong length of the");
static const char *const why_dup[] = PER_ATTR("duplicate");
static const char *const why_missing[] = PER_ATTR("missing");
static const char *const why_unused[] = PER_ATTR("this message type has no");

const char *hd_msg_type_name(uint8_t type)
{
	if (type >= HD_MSG_AUTH && type <= HD_MSG_LAST)
		return type_names[type];
	return "unknown";
}

static bool valid_type(uint8_t type)
{
	return type >= HD_MSG_AUTH && type <= HD_MSG_LAST;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* s holds n characters: non-empty, printable, no NUL (callers check the terminator). */
static const char *check_chars(const char *s, size_t n)
{
	size_t i;

	if (!n)
		return "empty string";
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!c)
			return "NUL inside a string";
		if (c < 0x20 || c == 0x7f)
			return "control character in a string";
	}
	return NULL;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* The checks on values that encoding and decoding share, for the attributes of m->type. */
static const char *check_values(const struct hd_msg *m)
{
	unsigned int allowed = rules[m->type].allowed, i, j;

	if ((allowed & BIT(HD_ATTR_UUID)) && all_zero(m->uuid, sizeof(m->uuid)))
		return "all-zero UUID";
	if ((allowed & BIT(HD_ATTR_PORT)) && !m->tunnel_port)
		return "tunnel port 0";
	if (allowed & BIT(HD_ATTR_VIF)) {
		if (m->nvifs > HD_MAX_VIFS)
			return "too many VIF attributes";
		if (!m->nvifs)
			return why_missing[HD_ATTR_VIF];
		for (i = 0; i < m->nvifs; i++) {
			const struct hd_vif_offer *v = &m->vifs[i];

			if (!v->session_id)
				return "session id 0";
			if ((v->mac[0] & 1) || all_zero(v->mac, sizeof(v->mac)))
				return "VIF MAC not unicast";
			for (j = 0; j < i; j++)
				if (m->vifs[j].session_id == v->session_id)
					return "duplicate session id";
		}
	}
	if (allowed & BIT(HD_ATTR_ADDR)) {
		if (m->naddrs > HD_MAX_MSG_ADDRS)
			return "too many ADDR attributes";
		for (i = 0; i < m->naddrs; i++) {
			const struct hd_msg_addr *a = &m->addrs[i];

			if (a->family == AF_INET) {
				if (!all_zero(a->addr + 4, sizeof(a->addr) - 4))
					return "IPv4 address with bytes beyond the fourth";
			} else if (a->family != AF_INET6) {
				return "address family neither AF_INET nor AF_INET6";
			}
		}
	}
	if ((allowed & BIT(HD_ATTR_STATUS)) && (m->status < 0 || m->status > HD_MSG_STATUS_MAX))
		return "status not 0 or a positive errno";
	return NULL;
}

/* An optional string field of the struct: "" (left out) or valid. */
static const char *check_field(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		return "string field not NUL-terminated";
	return n ? check_chars(s, n) : NULL;
}

struct enc {
	uint8_t *buf;
	size_t cap, len;
	bool full;
};

static uint8_t *enc_attr(struct enc *e, uint16_t type, uint16_t len)
{
	uint8_t *p;

	if (e->full || e->cap - e->len < (size_t)4 + len) {
		e->full = true;
		return NULL;
	}
	p = e->buf + e->len;
	put16(p, type);
	put16(p + 2, len);
	e->len += (size_t)4 + len;
	return p + 4;
}

static void enc_bytes(struct enc *e, uint16_t type, const void *data, uint16_t len)
{
	uint8_t *p = enc_attr(e, type, len);

	if (p)
		memcpy(p, data, len);
}

static void enc_string(struct enc *e, uint16_t type, const char *s)
{
	if (*s)
		enc_bytes(e, type, s, (uint16_t)(strlen(s) + 1));
}

int hd_msg_encode(const struct hd_msg *m, uint8_t *buf, size_t cap, size_t *len)
{
	struct enc e = { .buf = buf, .cap = cap };
	unsigned int allowed, i;
	uint8_t *p;

	if (!valid_type(m->type) || check_values(m))
		return -EINVAL;
	allowed = rules[m->type].allowed;
	if ((allowed & BIT(HD_ATTR_NAME)) && check_field(m->name, sizeof(m->name)))
		return -EINVAL;
	if ((allowed & BIT(HD_ATTR_REASON)) && check_field(m->reason, sizeof(m->reason)))
		return -EINVAL;
	if (cap < HD_MSG_HDR_LEN)
		return -EMSGSIZE;
	buf[0] = HD_PROTO_VERSION;
	buf[1] = m->type;
	put16(buf + 2, 0);
	e.len = HD_MSG_HDR_LEN;

	/* Ascending attribute order: one canonical encoding per message. */
	if (allowed & BIT(HD_ATTR_UUID))
		enc_bytes(&e, HD_ATTR_UUID, m->uuid, sizeof(m->uuid));
	if (allowed & BIT(HD_ATTR_NAME))
		enc_string(&e, HD_ATTR_NAME, m->name);
	if (allowed & BIT(HD_ATTR_NONCE))
		enc_bytes(&e, HD_ATTR_NONCE, m->nonce, sizeof(m->nonce));
	if (allowed & BIT(HD_ATTR_PORT)) {
		p = enc_attr(&e, HD_ATTR_PORT, 2);
		if (p)
			put16(p, m->tunnel_port);
	}
	for (i = 0; (allowed & BIT(HD_ATTR_VIF)) && i < m->nvifs; i++) {
		p = enc_attr(&e, HD_ATTR_VIF, HD_VIF_ATTR_LEN);
		if (!p)
			break;
		put64(p, m->vifs[i].session_id);
		put32(p + 8, m->vifs[i].devid);
		memcpy(p + 12, m->vifs[i].mac, 6);
	}
	for (i = 0; (allowed & BIT(HD_ATTR_ADDR)) && i < m->naddrs; i++)
		enc_bytes(&e, HD_ATTR_ADDR, m->addrs[i].addr, m->addrs[i].family == AF_INET ? 4 : 16);
	if (allowed & BIT(HD_ATTR_STATUS)) {
		p = enc_attr(&e, HD_ATTR_STATUS, 4);
		if (p)
			put32(p, (uint32_t)m->status);
	}
	if (allowed & BIT(HD_ATTR_REASON))
		enc_string(&e, HD_ATTR_REASON, m->reason);
	if (e.full || e.len > HD_MSG_MAX)
		return -EMSGSIZE;
	*len = e.len;
	return 0;
}

/* A string attribute into a field of cap bytes. */
static const char *dec_string(char *dst, size_t cap, const uint8_t *p, uint16_t alen)
{
	const char *why;

	if (alen > cap)
		return "overlong string";
	if (!alen || p[alen - 1])
		return "string not NUL-terminated";
	why = check_chars((const char *)p, (size_t)alen - 1);
	if (why)
		return why;
	memcpy(dst, p, alen);
	return NULL;
}

/* One attribute of a known, allowed type; seen tells duplicates. */
static const char *dec_attr(struct hd_msg *m, uint16_t type, const uint8_t *p, uint16_t alen)
{
	static const uint16_t fixed[HD_ATTR_MAX + 1] = {
		[HD_ATTR_UUID] = 16, [HD_ATTR_NONCE] = HD_NONCE_LEN, [HD_ATTR_PORT] = 2,
		[HD_ATTR_VIF] = HD_VIF_ATTR_LEN, [HD_ATTR_STATUS] = 4,
	};
	struct hd_vif_offer *v;
	struct hd_msg_addr *a;

	if (fixed[type] && alen != fixed[type])
		return why_len[type];
	switch (type) {
	case HD_ATTR_UUID:
		memcpy(m->uuid, p, 16);
		return NULL;
	case HD_ATTR_NAME:
		return dec_string(m->name, sizeof(m->name), p, alen);
	case HD_ATTR_NONCE:
		memcpy(m->nonce, p, HD_NONCE_LEN);
		return NULL;
	case HD_ATTR_PORT:
		m->tunnel_port = get16(p);
		return NULL;
	case HD_ATTR_VIF:
		if (m->nvifs == HD_MAX_VIFS)
			return "too many VIF attributes";
		v = &m->vifs[m->nvifs++];
		v->session_id = get64(p);
		v->devid = get32(p + 8);
		memcpy(v->mac, p + 12, 6);
		return NULL;
	case HD_ATTR_ADDR:
		if (alen != 4 && alen != 16)
			return why_len[type];
		if (m->naddrs == HD_MAX_MSG_ADDRS)
			return "too many ADDR attributes";
		a = &m->addrs[m->naddrs++];
		a->family = alen == 4 ? AF_INET : AF_INET6;
		memcpy(a->addr, p, alen);
		return NULL;
	case HD_ATTR_STATUS:
		m->status = (int32_t)get32(p);
		return NULL;
	case HD_ATTR_REASON:
		return dec_string(m->reason, sizeof(m->reason), p, alen);
	}
	return "unknown attribute";	/* not reached: the caller checks the type */
}

static const char *decode(struct hd_msg *m, const uint8_t *buf, size_t len)
{
	unsigned int seen = 0, attr, last = 0;
	size_t off = HD_MSG_HDR_LEN;
	const char *why;

	if (len > HD_MSG_MAX)
		return "message too long";
	if (len < HD_MSG_HDR_LEN)
		return "truncated header";
	if (buf[0] != HD_PROTO_VERSION)
		return "unsupported protocol version";
	if (!valid_type(buf[1]))
		return "unknown message type";
	if (get16(buf + 2))
		return "reserved header bytes not zero";
	m->type = buf[1];

	while (off < len) {
		uint16_t type, alen;

		if (len - off < 4)
			return "trailing bytes shorter than an attribute header";
		type = get16(buf + off);
		alen = get16(buf + off + 2);
		off += 4;
		if (alen > len - off)
			return "truncated attribute";
		if (type == 0 || type > HD_ATTR_MAX)
			return "unknown attribute";
		if (!(rules[m->type].allowed & BIT(type)))
			return why_unused[type];
		if ((seen & BIT(type)) && type != HD_ATTR_VIF && type != HD_ATTR_ADDR)
			return why_dup[type];
		if (type < last)
			return "attributes out of order";
		last = type;
		seen |= BIT(type);
		why = dec_attr(m, type, buf + off, alen);
		if (why)
			return why;
		off += alen;
	}
	for (attr = 1; attr <= HD_ATTR_MAX; attr++)
		if ((rules[m->type].required & BIT(attr)) && !(seen & BIT(attr)))
			return why_missing[attr];
	return check_values(m);
}

int hd_msg_decode(struct hd_msg *m, const uint8_t *buf, size_t len, const char **why)
{
	const char *w;

	memset(m, 0, sizeof(*m));
	w = decode(m, buf, len);
	if (w) {
		memset(m, 0, sizeof(*m));
		*why = w;
		return -EBADMSG;
	}
	return 0;
}
