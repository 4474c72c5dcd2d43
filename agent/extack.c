// SPDX-License-Identifier: GPL-2.0
#include "extack.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "nla.h"

#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif

/* ABI values (enum nlmsgerr_attrs, netlink_policy_type_attr), so old headers build. */
enum {
	ERR_MSG = 1, ERR_OFFS = 2, ERR_COOKIE = 3, ERR_POLICY = 4,
	ERR_MISS_TYPE = 5, ERR_MISS_NEST = 6, ERR_MAX = ERR_MISS_NEST,
};
enum {
	POL_TYPE = 1, POL_MIN_S = 2, POL_MAX_S = 3, POL_MIN_U = 4, POL_MAX_U = 5,
	POL_MIN_LEN = 6, POL_MAX_LEN = 7, POL_BITFIELD32_MASK = 10, POL_MASK = 12,
	POL_MAX = 12,
};
/* enum netlink_attribute_type */
enum { T_U8 = 2, T_U16 = 3, T_U32 = 4, T_S8 = 6, T_S16 = 7, T_S32 = 8 };

static const char *const policy_types[] = {
	"invalid", "flag", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
	"binary", "string", "nul-string", "nested", "nested-array", "bitfield32",
	"sint", "uint",
};

static void appendf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void appendf(char *buf, size_t len, const char *fmt, ...)
{
	size_t off = strnlen(buf, len);
	va_list ap;

	if (off + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + off, len - off, fmt, ap);
	va_end(ap);
}

/* Largest value of an integer policy type (signed types: of its unsigned twin). */
static uint64_t natural_umax(uint32_t type)
{
	switch (type) {
	case T_U8: case T_S8: return UINT8_MAX;
	case T_U16: case T_S16: return UINT16_MAX;
	case T_U32: case T_S32: return UINT32_MAX;
	default: return UINT64_MAX;
	}
}

static void describe_policy(const struct nlattr *nest, char *buf, size_t len)
{
	const struct nlattr *tb[POL_MAX + 1];
	uint32_t type = 0, minlen = 0, maxlen = 0, mask32;
	uint64_t umin, umax, mask;
	int64_t smin, smax;
	bool has_minlen, has_maxlen;

	buf[0] = '\0';
	if (hc_nla_parse_nested(tb, POL_MAX, nest))
		return;
	if (hc_nla_u32(tb[POL_TYPE], &type) &&
	    type < sizeof(policy_types) / sizeof(policy_types[0]))
		appendf(buf, len, "%s", policy_types[type]);
	else
		appendf(buf, len, "type %" PRIu32, type);
	/* The kernel reports a type's natural range too; only a narrower one says something. */
	if (hc_nla_u64(tb[POL_MIN_U], &umin) && hc_nla_u64(tb[POL_MAX_U], &umax) &&
	    !(umin == 0 && umax == natural_umax(type)))
		appendf(buf, len, ", range %" PRIu64 "..%" PRIu64, umin, umax);
	if (hc_nla_u64(tb[POL_MIN_S], (uint64_t *)&smin) &&
	    hc_nla_u64(tb[POL_MAX_S], (uint64_t *)&smax) &&
	    !(smax == (int64_t)(natural_umax(type) >> 1) && smin == -smax - 1))
		appendf(buf, len, ", range %" PRId64 "..%" PRId64, smin, smax);
	has_minlen = hc_nla_u32(tb[POL_MIN_LEN], &minlen);
	has_maxlen = hc_nla_u32(tb[POL_MAX_LEN], &maxlen);
	if (has_minlen && has_maxlen && minlen == maxlen)
		appendf(buf, len, ", length %" PRIu32, minlen);
	else if (has_minlen && has_maxlen)
		appendf(buf, len, ", length %" PRIu32 "..%" PRIu32, minlen, maxlen);
	else if (has_minlen)
		appendf(buf, len, ", length >= %" PRIu32, minlen);
	else if (has_maxlen)
		appendf(buf, len, ", length <= %" PRIu32, maxlen);
	if (hc_nla_u64(tb[POL_MASK], &mask))
		appendf(buf, len, ", mask 0x%" PRIx64, mask);
	if (hc_nla_u32(tb[POL_BITFIELD32_MASK], &mask32))
		appendf(buf, len, ", mask 0x%" PRIx32, mask32);
}

int hc_extack_parse(const struct nlmsghdr *nlh, size_t len, struct hc_extack *ext)
{
	const struct nlattr *tb[ERR_MAX + 1];
	size_t tlv;
	int32_t error;

	memset(ext, 0, sizeof(*ext));
	if (len < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > len)
		return -EINVAL;
	len = nlh->nlmsg_len;

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = (const void *)((const char *)nlh + NLMSG_HDRLEN);

		if (len < NLMSG_HDRLEN + sizeof(*e))
			return -EINVAL;
		error = e->error;
		tlv = NLMSG_HDRLEN + sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len >= NLMSG_HDRLEN)
			tlv += e->msg.nlmsg_len - NLMSG_HDRLEN;
	} else if (nlh->nlmsg_type == NLMSG_DONE) {
		/* A dump's end carries its status; older kernels may omit it. */
		if (len < NLMSG_HDRLEN + sizeof(error)) {
			error = 0;
			tlv = len;
		} else {
			memcpy(&error, (const char *)nlh + NLMSG_HDRLEN, sizeof(error));
			tlv = NLMSG_HDRLEN + sizeof(error);
		}
	} else {
		return -EINVAL;
	}
	ext->error = error < 0 ? -error : error;
	tlv = NLMSG_ALIGN(tlv);
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || tlv >= len)
		return 0;
	if (hc_nla_parse(tb, ERR_MAX, (const char *)nlh + tlv, len - tlv))
		return -EINVAL;

	if (tb[ERR_MSG] && hc_nla_len(tb[ERR_MSG]) > 0) {
		size_t n = strnlen(hc_nla_data(tb[ERR_MSG]), hc_nla_len(tb[ERR_MSG]));
		size_t i;

		if (n >= sizeof(ext->msg))
			n = sizeof(ext->msg) - 1;
		memcpy(ext->msg, hc_nla_data(tb[ERR_MSG]), n);
		ext->msg[n] = '\0';
		/* It goes to a terminal. */
		for (i = 0; i < n; i++)
			if ((unsigned char)ext->msg[i] < 0x20 || ext->msg[i] == 0x7f)
				ext->msg[i] = '?';
		ext->has_msg = n > 0;
	}
	ext->has_offs = hc_nla_u32(tb[ERR_OFFS], &ext->offs);
	ext->has_miss_type = hc_nla_u32(tb[ERR_MISS_TYPE], &ext->miss_type);
	ext->has_miss_nest = hc_nla_u32(tb[ERR_MISS_NEST], &ext->miss_nest);
	if (tb[ERR_POLICY]) {
		describe_policy(tb[ERR_POLICY], ext->policy, sizeof(ext->policy));
		ext->has_policy = ext->policy[0] != '\0';
	}
	return 0;
}

static void name_attr(unsigned int parent, unsigned int type, char *buf, size_t len)
{
	const char *name = hc_attr_name(parent, type);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "type %u", type);
}

/*
 * Walks [start, end) of req at depth 0 (top level) or 1 (inside a nest
 * of type parent). Sets *type_out to the matched attribute's type.
 */
static int walk(const char *req, size_t start, size_t end, uint32_t offs, unsigned int parent,
		char *buf, size_t len, unsigned int *type_out)
{
	const struct nlattr *a;
	unsigned int entry = 0;

	hc_nla_for_each(a, req + start, end - start) {
		size_t pos = (size_t)((const char *)a - req);
		unsigned int type = hc_nla_type(a);
		char name[64];

		entry++;
		if (offs < pos || offs >= pos + a->nla_len)
			continue;
		name_attr(parent, type, name, sizeof(name));
		*type_out = type;
		if (offs != pos && !parent && hc_attr_is_nest(type) &&
		    !walk(req, pos + NLA_HDRLEN, pos + a->nla_len, offs, type, buf, len, type_out))
			return 0;
		if (parent) {
			char pname[64];

			name_attr(0, parent, pname, sizeof(pname));
			snprintf(buf, len, "%s (entry %u of %s)", name, entry, pname);
		} else {
			snprintf(buf, len, "%s", name);
		}
		if (offs != pos)
			appendf(buf, len, " at byte %zu", (size_t)offs - pos);
		return 0;
	}
	return -ENOENT;
}

int hc_extack_attr_at(const void *req, size_t reqlen, size_t hdrlen, uint32_t offs,
		      char *buf, size_t len)
{
	size_t start = NLMSG_HDRLEN + hdrlen;
	unsigned int type;

	if (len)
		buf[0] = '\0';
	if (!req || reqlen <= start || offs < start || offs >= reqlen)
		return -ENOENT;
	return walk(req, start, reqlen, offs, 0, buf, len, &type);
}

void hc_extack_format(const struct hc_extack *ext, const void *req, size_t reqlen,
		      size_t hdrlen, char *buf, size_t len)
{
	char name[128];

	if (!len)
		return;
	buf[0] = '\0';
	appendf(buf, len, "%s", ext->error ? strerror(ext->error) : "Success");
	if (ext->has_offs) {
		if (hc_extack_attr_at(req, reqlen, hdrlen, ext->offs, name, sizeof(name)))
			snprintf(name, sizeof(name), "at offset %" PRIu32, ext->offs);
		appendf(buf, len, ": attribute %s", name);
	}
	if (ext->has_miss_type) {
		unsigned int parent = 0;

		if (ext->has_miss_nest) {
			char nest[128];
			unsigned int type = 0;

			if (req && reqlen > NLMSG_HDRLEN + hdrlen &&
			    !walk(req, NLMSG_HDRLEN + hdrlen, reqlen, ext->miss_nest, 0, nest,
				  sizeof(nest), &type))
				parent = type;
			name_attr(parent, ext->miss_type, name, sizeof(name));
			if (parent)
				appendf(buf, len, ": missing attribute %s in %s", name, nest);
			else
				appendf(buf, len, ": missing attribute %s in the nest at offset %" PRIu32,
					name, ext->miss_nest);
		} else {
			name_attr(0, ext->miss_type, name, sizeof(name));
			appendf(buf, len, ": missing attribute %s", name);
		}
	}
	if (ext->has_msg)
		appendf(buf, len, ": %s", ext->msg);
	if (ext->has_policy)
		appendf(buf, len, " (expected %s)", ext->policy);
}
