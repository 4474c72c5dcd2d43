// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <linux/handoff.h>

#include "check.h"
#include "extack.h"
#include "nlbuf.h"

#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif

static const uint8_t mac[6] = { 0x00, 0x16, 0x3e, 0, 0, 1 };

struct req {
	struct nlbuf b;
	size_t id, role, macs, mac1, mac2, peer;
};

static void build_req(struct req *r)
{
	size_t nest;

	nb_msg(&r->b, 0x1d, NLM_F_REQUEST | NLM_F_ACK, 1);
	r->id = nb_u64(&r->b, HANDOFF_A_SESSION_ID, 0x1234);
	r->role = nb_u8(&r->b, HANDOFF_A_ROLE, 7);
	r->macs = nest = nb_nest_start(&r->b, HANDOFF_A_MACS);
	r->mac1 = nb_put(&r->b, HANDOFF_A_MAC, mac, 6);
	r->mac2 = nb_put(&r->b, HANDOFF_A_MAC, mac, 6);
	nb_nest_end(&r->b, nest);
	r->peer = nb_put(&r->b, HANDOFF_A_PEER, "0123456789abcdef", 16);
	nb_msg_end(&r->b);
}

static const char *attr_at(const struct req *r, size_t off, char *buf, size_t len)
{
	if (hc_extack_attr_at(r->b.data, r->b.len, GENL_HDRLEN, (uint32_t)off, buf, len))
		return "(none)";
	return buf;
}

TEST(extack_names_attribute_at_offset)
{
	struct req r;
	char buf[128];

	build_req(&r);
	CHECK_STR(attr_at(&r, r.id, buf, sizeof(buf)), "HANDOFF_A_SESSION_ID");
	CHECK_STR(attr_at(&r, r.role, buf, sizeof(buf)), "HANDOFF_A_ROLE");
	CHECK_STR(attr_at(&r, r.macs, buf, sizeof(buf)), "HANDOFF_A_MACS");
	CHECK_STR(attr_at(&r, r.mac1, buf, sizeof(buf)), "HANDOFF_A_MAC (entry 1 of HANDOFF_A_MACS)");
	CHECK_STR(attr_at(&r, r.mac2, buf, sizeof(buf)), "HANDOFF_A_MAC (entry 2 of HANDOFF_A_MACS)");
	CHECK_STR(attr_at(&r, r.mac2 + 5, buf, sizeof(buf)),
		  "HANDOFF_A_MAC (entry 2 of HANDOFF_A_MACS) at byte 5");
	CHECK_STR(attr_at(&r, r.peer, buf, sizeof(buf)), "HANDOFF_A_PEER");
	CHECK_STR(attr_at(&r, r.role + 4, buf, sizeof(buf)), "HANDOFF_A_ROLE at byte 4");
	CHECK_STR(attr_at(&r, 4, buf, sizeof(buf)), "(none)");		/* in the nlmsghdr */
	CHECK_STR(attr_at(&r, NLMSG_HDRLEN, buf, sizeof(buf)), "(none)");	/* genl header */
	CHECK_STR(attr_at(&r, r.b.len, buf, sizeof(buf)), "(none)");
	CHECK_STR(attr_at(&r, 100000, buf, sizeof(buf)), "(none)");
	CHECK_INT(hc_extack_attr_at(NULL, 0, GENL_HDRLEN, 20, buf, sizeof(buf)), -ENOENT);
	/* A small buffer truncates, never overflows. */
	CHECK_STR(attr_at(&r, r.mac2, buf, 8), "HANDOFF");
}

/* An NLMSG_ERROR answering req: capped (NETLINK_CAP_ACK) or echoing it. */
static void error_msg(struct nlbuf *e, const struct req *r, int error, int capped)
{
	struct nlmsgerr err = { .error = error };

	memcpy(&err.msg, r->b.data, sizeof(err.msg));
	nb_msg(e, NLMSG_ERROR, (capped ? NLM_F_CAPPED : 0) | NLM_F_ACK_TLVS, 0);
	nb_raw(e, &err, sizeof(err));
	if (!capped)
		nb_raw(e, r->b.data + NLMSG_HDRLEN, r->b.len - NLMSG_HDRLEN);
}

static void policy_u8_range(struct nlbuf *e, uint64_t min, uint64_t max)
{
	size_t nest = nb_nest_start(e, 4 /* NLMSGERR_ATTR_POLICY */);

	nb_u32(e, 1 /* TYPE */, 2 /* NL_ATTR_TYPE_U8 */);
	nb_u64(e, 4 /* MIN_VALUE_U */, min);
	nb_u64(e, 5 /* MAX_VALUE_U */, max);
	nb_nest_end(e, nest);
}

static void check_format(const char *file, int line, const struct nlbuf *e, const struct req *r,
			 const char *want)
{
	struct hc_extack ext;
	char buf[512];

	if (hc_extack_parse((const struct nlmsghdr *)e->data, e->len, &ext)) {
		hc_check_fail(file, line, "parse failed");
		return;
	}
	hc_extack_format(&ext, r ? r->b.data : NULL, r ? r->b.len : 0, GENL_HDRLEN, buf,
			 sizeof(buf));
	hc_check_str(file, line, "format", buf, want);
}

#define FORMAT(e, r, want) check_format(__FILE__, __LINE__, e, r, want)

TEST(extack_capped_error_with_msg_offset_policy)
{
	struct hc_extack ext;
	struct nlbuf e;
	struct req r;

	build_req(&r);
	error_msg(&e, &r, -EINVAL, 1);
	nb_str(&e, 1 /* MSG */, "integer out of range");
	nb_u32(&e, 2 /* OFFS */, (uint32_t)r.role);
	policy_u8_range(&e, 1, 2);
	nb_msg_end(&e);

	CHECK_INT(hc_extack_parse((const struct nlmsghdr *)e.data, e.len, &ext), 0);
	CHECK_INT(ext.error, EINVAL);
	CHECK(ext.has_msg) && CHECK_STR(ext.msg, "integer out of range");
	CHECK(ext.has_offs) && CHECK_INT(ext.offs, r.role);
	CHECK(ext.has_policy) && CHECK_STR(ext.policy, "u8, range 1..2");
	CHECK(!ext.has_miss_type);
	FORMAT(&e, &r, "Invalid argument: attribute HANDOFF_A_ROLE: integer out of range "
		       "(expected u8, range 1..2)");
	FORMAT(&e, NULL, "Invalid argument: attribute at offset 32: integer out of range "
			 "(expected u8, range 1..2)");
}

TEST(extack_uncapped_error_skips_echoed_request)
{
	struct nlbuf e;
	struct req r;

	build_req(&r);
	error_msg(&e, &r, -EINVAL, 0);
	nb_str(&e, 1, "MAC must be unicast and non-zero");
	nb_u32(&e, 2, (uint32_t)r.mac2);
	nb_msg_end(&e);
	FORMAT(&e, &r, "Invalid argument: attribute HANDOFF_A_MAC (entry 2 of HANDOFF_A_MACS): "
		       "MAC must be unicast and non-zero");
}

TEST(extack_missing_attribute)
{
	struct nlbuf e;
	struct req r;

	build_req(&r);
	error_msg(&e, &r, -EINVAL, 1);
	nb_u32(&e, 5 /* MISS_TYPE */, HANDOFF_A_TX_KEY);
	nb_msg_end(&e);
	FORMAT(&e, &r, "Invalid argument: missing attribute HANDOFF_A_TX_KEY");

	error_msg(&e, &r, -EINVAL, 1);
	nb_u32(&e, 5, HANDOFF_A_MAC);
	nb_u32(&e, 6 /* MISS_NEST */, (uint32_t)r.macs);
	nb_msg_end(&e);
	FORMAT(&e, &r, "Invalid argument: missing attribute HANDOFF_A_MAC in HANDOFF_A_MACS");

	error_msg(&e, &r, -EINVAL, 1);
	nb_u32(&e, 5, 1);
	nb_u32(&e, 6, 3);	/* points nowhere */
	nb_msg_end(&e);
	FORMAT(&e, &r, "Invalid argument: missing attribute HANDOFF_A_PAD in the nest at offset 3");
}

TEST(extack_plain_errors)
{
	struct nlbuf e;
	struct req r;

	build_req(&r);
	error_msg(&e, &r, -ENOENT, 1);
	nb_msg_end(&e);
	FORMAT(&e, &r, "No such file or directory");

	/* Without NLM_F_ACK_TLVS, trailing bytes are not TLVs. */
	error_msg(&e, &r, -EPERM, 1);
	nb_str(&e, 1, "ignored");
	nb_msg_end(&e);
	((struct nlmsghdr *)e.data)->nlmsg_flags = NLM_F_CAPPED;
	FORMAT(&e, &r, "Operation not permitted");
}

TEST(extack_ack_with_warning_and_done)
{
	struct hc_extack ext;
	struct nlbuf e;
	struct req r;
	int32_t err = -ENOBUFS;

	build_req(&r);
	error_msg(&e, &r, 0, 1);
	nb_str(&e, 1, "deprecated attribute");
	nb_msg_end(&e);
	CHECK_INT(hc_extack_parse((const struct nlmsghdr *)e.data, e.len, &ext), 0);
	CHECK_INT(ext.error, 0);
	CHECK(ext.has_msg) && CHECK_STR(ext.msg, "deprecated attribute");

	nb_msg(&e, NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS, 0);
	nb_raw(&e, &err, sizeof(err));
	nb_str(&e, 1, "dump failed");
	nb_msg_end(&e);
	CHECK_INT(hc_extack_parse((const struct nlmsghdr *)e.data, e.len, &ext), 0);
	CHECK_INT(ext.error, ENOBUFS);
	CHECK(ext.has_msg) && CHECK_STR(ext.msg, "dump failed");

	nb_msg(&e, NLMSG_DONE, NLM_F_MULTI, 0);	/* old kernels: no status */
	nb_msg_end(&e);
	CHECK_INT(hc_extack_parse((const struct nlmsghdr *)e.data, e.len, &ext), 0);
	CHECK_INT(ext.error, 0);
}

TEST(extack_policy_descriptions)
{
	struct hc_extack ext;
	struct nlbuf e;
	struct req r;
	size_t nest;

	build_req(&r);
	error_msg(&e, &r, -EINVAL, 1);
	nest = nb_nest_start(&e, 4);
	nb_u32(&e, 1, 10 /* BINARY */);
	nb_u32(&e, 6 /* MIN_LENGTH */, 6);
	nb_u32(&e, 7 /* MAX_LENGTH */, 6);
	nb_nest_end(&e, nest);
	nb_msg_end(&e);
	CHECK_INT(hc_extack_parse((const struct nlmsghdr *)e.data, e.len, &ext), 0);
	CHECK_STR(ext.policy, "binary, length 6");

	error_msg(&e, &r, -EINVAL, 1);
	nest = nb_nest_start(&e, 4);
	nb_u32(&e, 1, 4 /* U32 */);
	nb_u64(&e, 4, 0);
	nb_u64(&e, 5, UINT32_MAX);	/* the natural range says nothing */
	nb_u64(&e, 12 /* MASK */, 3);
	nb_nest_end(&e, nest);
	nb_msg_end(&e);
	CHECK_INT(hc_extack_parse((const struct nlmsghdr *)e.data, e.len, &ext), 0);
	CHECK_STR(ext.policy, "u32, mask 0x3");

	error_msg(&e, &r, -EINVAL, 1);
	nest = nb_nest_start(&e, 4);
	nb_u32(&e, 1, 12 /* NUL_STRING */);
	nb_u32(&e, 7, 15);
	nb_nest_end(&e, nest);
	nb_msg_end(&e);
	CHECK_INT(hc_extack_parse((const struct nlmsghdr *)e.data, e.len, &ext), 0);
	CHECK_STR(ext.policy, "nul-string, length <= 15");

	error_msg(&e, &r, -EINVAL, 1);
	nest = nb_nest_start(&e, 4);
	nb_u32(&e, 1, 999);
	nb_nest_end(&e, nest);
	nb_msg_end(&e);
	CHECK_INT(hc_extack_parse((const struct nlmsghdr *)e.data, e.len, &ext), 0);
	CHECK_STR(ext.policy, "type 999");
}

TEST(extack_sanitizes_and_bounds_msg)
{
	struct hc_extack ext;
	struct nlbuf e;
	struct req r;
	char longmsg[400];

	build_req(&r);
	error_msg(&e, &r, -EINVAL, 1);
	nb_put(&e, 1, "bad\x1b[31mred\n", 13);	/* escape sequence, no NUL */
	nb_msg_end(&e);
	CHECK_INT(hc_extack_parse((const struct nlmsghdr *)e.data, e.len, &ext), 0);
	CHECK_STR(ext.msg, "bad?[31mred?");

	memset(longmsg, 'x', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	error_msg(&e, &r, -EINVAL, 1);
	nb_str(&e, 1, longmsg);
	nb_msg_end(&e);
	CHECK_INT(hc_extack_parse((const struct nlmsghdr *)e.data, e.len, &ext), 0);
	CHECK_INT(strlen(ext.msg), sizeof(ext.msg) - 1);
}

TEST(extack_rejects_malformed)
{
	struct hc_extack ext;
	struct nlbuf e;
	struct req r;

	build_req(&r);
	error_msg(&e, &r, -EINVAL, 1);
	nb_str(&e, 1, "msg");
	nb_msg_end(&e);
	/* nlmsg_len beyond what was received */
	CHECK_INT(hc_extack_parse((const struct nlmsghdr *)e.data, e.len - 4, &ext), -EINVAL);
	/* a TLV running past the message */
	((struct nlattr *)(e.data + e.len - 8))->nla_len = 40;
	CHECK_INT(hc_extack_parse((const struct nlmsghdr *)e.data, e.len, &ext), -EINVAL);
	/* too short for struct nlmsgerr */
	nb_msg(&e, NLMSG_ERROR, 0, 0);
	nb_raw(&e, "\xea\xff\xff\xff", 4);
	nb_msg_end(&e);
	CHECK_INT(hc_extack_parse((const struct nlmsghdr *)e.data, e.len, &ext), -EINVAL);
	/* not an error or done message */
	nb_msg(&e, 0x1d, 0, 1);
	nb_msg_end(&e);
	CHECK_INT(hc_extack_parse((const struct nlmsghdr *)e.data, e.len, &ext), -EINVAL);
	CHECK_INT(hc_extack_parse((const struct nlmsghdr *)e.data, 3, &ext), -EINVAL);
}
