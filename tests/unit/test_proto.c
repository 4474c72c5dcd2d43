// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>

#include "check.h"
#include "msgs.h"
#include "proto.h"

static bool msg_equal(const struct hd_msg *a, const struct hd_msg *b)
{
	unsigned int i;

	if (a->type != b->type || memcmp(a->uuid, b->uuid, 16) || strcmp(a->name, b->name) ||
	    memcmp(a->nonce, b->nonce, sizeof(a->nonce)) || a->tunnel_port != b->tunnel_port ||
	    a->nvifs != b->nvifs || a->naddrs != b->naddrs || a->status != b->status ||
	    strcmp(a->reason, b->reason))
		return false;
	for (i = 0; i < a->nvifs; i++)
		if (a->vifs[i].session_id != b->vifs[i].session_id ||
		    a->vifs[i].devid != b->vifs[i].devid || memcmp(a->vifs[i].mac, b->vifs[i].mac, 6))
			return false;
	for (i = 0; i < a->naddrs; i++)
		if (a->addrs[i].family != b->addrs[i].family ||
		    memcmp(a->addrs[i].addr, b->addrs[i].addr, 16))
			return false;
	return true;
}

TEST(proto_round_trip_every_type)
{
	uint8_t buf[HD_MSG_MAX], buf2[HD_MSG_MAX];
	struct hd_msg m, d;
	const char *why = NULL;
	size_t len, len2;
	uint8_t t;

	for (t = HD_MSG_AUTH; t <= HD_MSG_LAST; t++) {
		test_msg(&m, t);
		if (!CHECK_INT(hd_msg_encode(&m, buf, sizeof(buf), &len), 0))
			continue;
		CHECK_INT(buf[0], HD_PROTO_VERSION) && CHECK_INT(buf[1], t);
		if (!CHECK_INT(hd_msg_decode(&d, buf, len, &why), 0)) {
			printf("  %s: %s\n", hd_msg_type_name(t), why);
			continue;
		}
		CHECK(msg_equal(&m, &d));
		/* Canonical: re-encoding gives the same bytes. */
		CHECK_INT(hd_msg_encode(&d, buf2, sizeof(buf2), &len2), 0) &&
			CHECK_INT(len2, len) && CHECK_MEM(buf2, buf, len);
	}
}

TEST(proto_round_trip_limits)
{
	uint8_t buf[HD_MSG_MAX];
	struct hd_msg m, d;
	const char *why = NULL;
	unsigned int i;
	size_t len;

	test_msg(&m, HD_MSG_OFFER);
	m.nvifs = HD_MAX_VIFS;
	for (i = 0; i < HD_MAX_VIFS; i++) {
		m.vifs[i].session_id = i + 1;
		m.vifs[i].devid = i;
		memcpy(m.vifs[i].mac, "\x00\x16\x3e\x00\x00", 5);
		m.vifs[i].mac[5] = (uint8_t)i;
	}
	m.naddrs = HD_MAX_MSG_ADDRS;
	for (i = 0; i < HD_MAX_MSG_ADDRS; i++) {
		m.addrs[i].family = i % 2 ? AF_INET6 : AF_INET;
		memset(m.addrs[i].addr, 0, 16);
		m.addrs[i].addr[3] = (uint8_t)i;
	}
	memset(m.name, 'n', sizeof(m.name) - 1);
	m.name[sizeof(m.name) - 1] = '\0';
	CHECK_INT(hd_msg_encode(&m, buf, sizeof(buf), &len), 0) &&
		CHECK_INT(hd_msg_decode(&d, buf, len, &why), 0) && CHECK(msg_equal(&m, &d));

	test_msg(&m, HD_MSG_ABORT);
	memset(m.reason, 'r', sizeof(m.reason) - 1);
	m.reason[sizeof(m.reason) - 1] = '\0';
	m.status = HD_MSG_STATUS_MAX;
	CHECK_INT(hd_msg_encode(&m, buf, sizeof(buf), &len), 0) &&
		CHECK_INT(hd_msg_decode(&d, buf, len, &why), 0) && CHECK(msg_equal(&m, &d));

	/* An empty reason is left out, and optional. */
	m.reason[0] = '\0';
	CHECK_INT(hd_msg_encode(&m, buf, sizeof(buf), &len), 0) &&
		CHECK_INT(hd_msg_decode(&d, buf, len, &why), 0) && CHECK(msg_equal(&m, &d));
}

TEST(proto_encode_only_what_the_type_uses)
{
	uint8_t buf[HD_MSG_MAX];
	struct hd_msg m, d;
	const char *why = NULL;
	size_t len;

	test_msg(&m, HD_MSG_DONE);
	strcpy(m.name, "ignored");
	m.tunnel_port = 9;
	CHECK_INT(hd_msg_encode(&m, buf, sizeof(buf), &len), 0) &&
		CHECK_INT(len, 4 + 4 + 16 + 4 + 4) &&
		CHECK_INT(hd_msg_decode(&d, buf, len, &why), 0) && CHECK_STR(d.name, "") &&
		CHECK_INT(d.tunnel_port, 0);
}

TEST(proto_encode_rejects)
{
	uint8_t buf[HD_MSG_MAX];
	struct hd_msg m;
	size_t len;

	test_msg(&m, HD_MSG_OFFER);
	CHECK_INT(hd_msg_encode(&m, buf, 10, &len), -EMSGSIZE);
	CHECK_INT(hd_msg_encode(&m, buf, 3, &len), -EMSGSIZE);
	m.type = 0;
	CHECK_INT(hd_msg_encode(&m, buf, sizeof(buf), &len), -EINVAL);
	m.type = HD_MSG_LAST + 1;
	CHECK_INT(hd_msg_encode(&m, buf, sizeof(buf), &len), -EINVAL);
	test_msg(&m, HD_MSG_OFFER);
	m.nvifs = HD_MAX_VIFS + 1;
	CHECK_INT(hd_msg_encode(&m, buf, sizeof(buf), &len), -EINVAL);
	test_msg(&m, HD_MSG_OFFER);
	m.nvifs = 0;
	CHECK_INT(hd_msg_encode(&m, buf, sizeof(buf), &len), -EINVAL);
	test_msg(&m, HD_MSG_OFFER);
	m.naddrs = HD_MAX_MSG_ADDRS + 1;
	CHECK_INT(hd_msg_encode(&m, buf, sizeof(buf), &len), -EINVAL);
	test_msg(&m, HD_MSG_OFFER);
	m.addrs[0].family = 99;
	CHECK_INT(hd_msg_encode(&m, buf, sizeof(buf), &len), -EINVAL);
	test_msg(&m, HD_MSG_OFFER);
	m.addrs[0].addr[5] = 1;				/* IPv4 with junk beyond */
	CHECK_INT(hd_msg_encode(&m, buf, sizeof(buf), &len), -EINVAL);
	test_msg(&m, HD_MSG_OFFER);
	memset(m.name, 'x', sizeof(m.name));		/* not terminated */
	CHECK_INT(hd_msg_encode(&m, buf, sizeof(buf), &len), -EINVAL);
	test_msg(&m, HD_MSG_OFFER);
	strcpy(m.name, "a\nb");
	CHECK_INT(hd_msg_encode(&m, buf, sizeof(buf), &len), -EINVAL);
	test_msg(&m, HD_MSG_OFFER);
	m.vifs[1].session_id = m.vifs[0].session_id;
	CHECK_INT(hd_msg_encode(&m, buf, sizeof(buf), &len), -EINVAL);
	test_msg(&m, HD_MSG_OFFER);
	m.vifs[1].mac[0] = 1;				/* multicast */
	CHECK_INT(hd_msg_encode(&m, buf, sizeof(buf), &len), -EINVAL);
	test_msg(&m, HD_MSG_ACCEPT);
	m.tunnel_port = 0;
	CHECK_INT(hd_msg_encode(&m, buf, sizeof(buf), &len), -EINVAL);
	test_msg(&m, HD_MSG_REJECT);
	m.status = -5;
	CHECK_INT(hd_msg_encode(&m, buf, sizeof(buf), &len), -EINVAL);
	test_msg(&m, HD_MSG_DONE);
	memset(m.uuid, 0, sizeof(m.uuid));
	CHECK_INT(hd_msg_encode(&m, buf, sizeof(buf), &len), -EINVAL);
}

/* A raw message under construction. */
struct raw {
	uint8_t b[HD_MSG_MAX + 16];
	size_t len;
};

static void raw_start(struct raw *r, uint8_t version, uint8_t type)
{
	r->b[0] = version;
	r->b[1] = type;
	r->b[2] = r->b[3] = 0;
	r->len = 4;
}

static void raw_attr(struct raw *r, uint16_t type, uint16_t len, const void *data)
{
	r->b[r->len] = (uint8_t)type;
	r->b[r->len + 1] = (uint8_t)(type >> 8);
	r->b[r->len + 2] = (uint8_t)len;
	r->b[r->len + 3] = (uint8_t)(len >> 8);
	memcpy(r->b + r->len + 4, data, len);
	r->len += 4 + (size_t)len;
}

static const uint8_t uuid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const uint8_t zero32[32];
static const uint8_t status0[4];

/* A DONE without its STATUS: callers add it, or not. */
static void raw_done(struct raw *r)
{
	raw_start(r, HD_PROTO_VERSION, HD_MSG_DONE);
	raw_attr(r, HD_ATTR_UUID, 16, uuid);
}

static const char *reject(const struct raw *r)
{
	struct hd_msg m;
	const char *why = "(none)";
	int err;

	memset(&m, 0xff, sizeof(m));
	err = hd_msg_decode(&m, r->b, r->len, &why);
	if (err != -EBADMSG) {
		hc_check_fail(__FILE__, __LINE__, "decode returned %d, want -EBADMSG", err);
		return "(accepted)";
	}
	if (m.type || m.nvifs || m.status)
		hc_check_fail(__FILE__, __LINE__, "a rejected message is not zeroed");
	return why;
}

static int reject_or_accept(const struct raw *r)
{
	struct hd_msg m;
	const char *why = NULL;

	return hd_msg_decode(&m, r->b, r->len, &why);
}

TEST(proto_decode_rejects_out_of_order)
{
	struct raw r;

	raw_start(&r, HD_PROTO_VERSION, HD_MSG_DONE);
	raw_attr(&r, HD_ATTR_STATUS, 4, status0);
	raw_attr(&r, HD_ATTR_UUID, 16, uuid);
	CHECK_STR(reject(&r), "attributes out of order");
}

TEST(proto_decode_accepts_raw_done)
{
	struct raw r;
	struct hd_msg m;
	const char *why = NULL;

	raw_done(&r);
	raw_attr(&r, HD_ATTR_STATUS, 4, "\x6e\0\0\0");
	CHECK_INT(hd_msg_decode(&m, r.b, r.len, &why), 0) && CHECK_INT(m.type, HD_MSG_DONE) &&
		CHECK_INT(m.status, 110) && CHECK_MEM(m.uuid, uuid, 16);
}

TEST(proto_decode_rejects_header)
{
	struct raw r;

	r.len = 3;
	memset(r.b, 0, 3);
	CHECK_STR(reject(&r), "truncated header");
	raw_start(&r, HD_PROTO_VERSION + 1, HD_MSG_DONE);
	CHECK_STR(reject(&r), "unsupported protocol version");
	raw_start(&r, 0, HD_MSG_DONE);
	CHECK_STR(reject(&r), "unsupported protocol version");
	raw_start(&r, HD_PROTO_VERSION, 0);
	CHECK_STR(reject(&r), "unknown message type");
	raw_start(&r, HD_PROTO_VERSION, HD_MSG_LAST + 1);
	CHECK_STR(reject(&r), "unknown message type");
	raw_done(&r);
	raw_attr(&r, HD_ATTR_STATUS, 4, status0);
	r.b[3] = 1;
	CHECK_STR(reject(&r), "reserved header bytes not zero");
	raw_done(&r);
	raw_attr(&r, HD_ATTR_STATUS, 4, status0);
	memset(r.b + r.len, 0, sizeof(r.b) - r.len);
	r.len = HD_MSG_MAX + 1;
	CHECK_STR(reject(&r), "message too long");
}

TEST(proto_decode_rejects_framing)
{
	struct raw r;

	raw_done(&r);
	raw_attr(&r, HD_ATTR_STATUS, 4, status0);
	r.len--;						/* cut the value */
	CHECK_STR(reject(&r), "truncated attribute");
	raw_done(&r);
	raw_attr(&r, HD_ATTR_STATUS, 4, status0);
	r.len -= 5;						/* 3 bytes of a header */
	CHECK_STR(reject(&r), "trailing bytes shorter than an attribute header");
	raw_done(&r);
	raw_attr(&r, HD_ATTR_STATUS, 4, status0);
	r.b[r.len++] = 0;					/* trailing garbage */
	CHECK_STR(reject(&r), "trailing bytes shorter than an attribute header");
	raw_done(&r);
	raw_attr(&r, HD_ATTR_STATUS, 4, status0);
	raw_attr(&r, HD_ATTR_MAX + 1, 0, "");
	CHECK_STR(reject(&r), "unknown attribute");
	raw_done(&r);
	raw_attr(&r, 0, 0, "");
	CHECK_STR(reject(&r), "unknown attribute");
	raw_done(&r);
	raw_attr(&r, HD_ATTR_STATUS, 4, status0);
	raw_attr(&r, HD_ATTR_PORT, 2, "\1\0");			/* not a DONE attribute */
	CHECK_STR(reject(&r), "this message type has no PORT attribute");
}

TEST(proto_decode_rejects_attribute_values)
{
	struct raw r;
	uint8_t vif[HD_VIF_ATTR_LEN] = { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x16, 0x3e, 1, 2, 3 };
	unsigned int i;

	raw_done(&r);
	raw_attr(&r, HD_ATTR_STATUS, 3, status0);
	CHECK_STR(reject(&r), "wrong length of the STATUS attribute");
	raw_start(&r, HD_PROTO_VERSION, HD_MSG_DONE);
	raw_attr(&r, HD_ATTR_UUID, 15, uuid);
	CHECK_STR(reject(&r), "wrong length of the UUID attribute");
	raw_done(&r);
	raw_attr(&r, HD_ATTR_STATUS, 4, status0);
	raw_attr(&r, HD_ATTR_STATUS, 4, status0);
	CHECK_STR(reject(&r), "duplicate STATUS attribute");
	raw_done(&r);
	CHECK_STR(reject(&r), "missing STATUS attribute");
	raw_start(&r, HD_PROTO_VERSION, HD_MSG_DONE);
	raw_attr(&r, HD_ATTR_STATUS, 4, status0);
	CHECK_STR(reject(&r), "missing UUID attribute");
	raw_start(&r, HD_PROTO_VERSION, HD_MSG_DONE);
	raw_attr(&r, HD_ATTR_UUID, 16, zero32);
	raw_attr(&r, HD_ATTR_STATUS, 4, status0);
	CHECK_STR(reject(&r), "all-zero UUID");
	raw_done(&r);
	raw_attr(&r, HD_ATTR_STATUS, 4, "\xff\xff\xff\xff");
	CHECK_STR(reject(&r), "status not 0 or a positive errno");
	raw_done(&r);
	raw_attr(&r, HD_ATTR_STATUS, 4, "\0\x10\0\0");		/* 4096 */
	CHECK_STR(reject(&r), "status not 0 or a positive errno");

	/* OFFER: vifs, addresses, port, name. */
	raw_start(&r, HD_PROTO_VERSION, HD_MSG_OFFER);
	raw_attr(&r, HD_ATTR_UUID, 16, uuid);
	raw_attr(&r, HD_ATTR_NONCE, 32, zero32);
	raw_attr(&r, HD_ATTR_PORT, 2, "\1\0");
	CHECK_STR(reject(&r), "missing VIF attribute");
	for (i = 0; i < HD_MAX_VIFS + 1; i++) {
		vif[0] = (uint8_t)(i + 1);
		raw_attr(&r, HD_ATTR_VIF, sizeof(vif), vif);
	}
	CHECK_STR(reject(&r), "too many VIF attributes");
	r.len -= 4 + sizeof(vif);
	{
		struct hd_msg m;
		const char *why = NULL;

		CHECK_INT(hd_msg_decode(&m, r.b, r.len, &why), 0) && CHECK_INT(m.nvifs, HD_MAX_VIFS);
	}
	for (i = 0; i < HD_MAX_MSG_ADDRS + 1; i++)
		raw_attr(&r, HD_ATTR_ADDR, 4, "\x0a\0\0\x01");
	CHECK_STR(reject(&r), "too many ADDR attributes");
	r.len -= 8 * (HD_MAX_MSG_ADDRS + 1);
	raw_attr(&r, HD_ATTR_ADDR, 6, "\x0a\0\0\x01\0\0");
	CHECK_STR(reject(&r), "wrong length of the ADDR attribute");
	r.len -= 10;
	r.len -= 4 + sizeof(vif);				/* 7 vifs, sessions 1..7 */
	vif[0] = 1;
	raw_attr(&r, HD_ATTR_VIF, sizeof(vif), vif);		/* session 1 again */
	CHECK_STR(reject(&r), "duplicate session id");
	r.len -= 4 + sizeof(vif);
	raw_attr(&r, HD_ATTR_VIF, 17, vif);
	CHECK_STR(reject(&r), "wrong length of the VIF attribute");
	r.len -= 4 + 17;
	raw_attr(&r, HD_ATTR_PORT, 2, "\2\0");
	CHECK_STR(reject(&r), "duplicate PORT attribute");
	r.len -= 6;

	/* Strings: REASON is last in an ABORT, so each variant is appended. */
	raw_start(&r, HD_PROTO_VERSION, HD_MSG_ABORT);
	raw_attr(&r, HD_ATTR_UUID, 16, uuid);
	raw_attr(&r, HD_ATTR_STATUS, 4, status0);
	raw_attr(&r, HD_ATTR_REASON, 3, "ab");
	{
		struct hd_msg m;
		const char *why = NULL;

		CHECK_INT(hd_msg_decode(&m, r.b, r.len, &why), 0) && CHECK_STR(m.reason, "ab");
	}
	r.len -= 7;
	raw_attr(&r, HD_ATTR_REASON, 2, "ab");
	CHECK_STR(reject(&r), "string not NUL-terminated");
	r.len -= 6;
	raw_attr(&r, HD_ATTR_REASON, 1, "");
	CHECK_STR(reject(&r), "empty string");
	r.len -= 5;
	raw_attr(&r, HD_ATTR_REASON, 0, "");
	CHECK_STR(reject(&r), "string not NUL-terminated");
	r.len -= 4;
	raw_attr(&r, HD_ATTR_REASON, 4, "a\0b");
	CHECK_STR(reject(&r), "NUL inside a string");
	r.len -= 8;
	raw_attr(&r, HD_ATTR_REASON, 4, "a\x1b" "b");
	CHECK_STR(reject(&r), "control character in a string");
	r.len -= 8;
	raw_attr(&r, HD_ATTR_REASON, 4, "a\x7f" "b");
	CHECK_STR(reject(&r), "control character in a string");
	r.len -= 8;
	{
		char longstr[HD_MSG_REASON_LEN + 1];

		memset(longstr, 'x', sizeof(longstr) - 1);
		longstr[sizeof(longstr) - 1] = '\0';
		raw_attr(&r, HD_ATTR_REASON, sizeof(longstr), longstr);
		CHECK_STR(reject(&r), "overlong string");
		r.len -= 4 + sizeof(longstr);
		/* One byte less fits exactly. */
		longstr[sizeof(longstr) - 2] = '\0';
		raw_attr(&r, HD_ATTR_REASON, sizeof(longstr) - 1, longstr);
		CHECK_INT(reject_or_accept(&r), 0);
	}
	/* An OFFER's NAME has its own bound. */
	raw_start(&r, HD_PROTO_VERSION, HD_MSG_OFFER);
	raw_attr(&r, HD_ATTR_UUID, 16, uuid);
	{
		char longname[HD_MSG_NAME_LEN + 1];

		memset(longname, 'x', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		raw_attr(&r, HD_ATTR_NAME, sizeof(longname), longname);
		CHECK_STR(reject(&r), "overlong string");
	}
	/* Port 0, multicast and zero MACs, session 0: built on a fresh OFFER. */
	raw_start(&r, HD_PROTO_VERSION, HD_MSG_OFFER);
	raw_attr(&r, HD_ATTR_UUID, 16, uuid);
	raw_attr(&r, HD_ATTR_NONCE, 32, zero32);
	raw_attr(&r, HD_ATTR_PORT, 2, "\0\0");
	raw_attr(&r, HD_ATTR_VIF, sizeof(vif), vif);
	CHECK_STR(reject(&r), "tunnel port 0");
	r.b[4 + 20 + 36 + 4] = 1;
	vif[12] = 1;
	r.len -= 4 + sizeof(vif);
	raw_attr(&r, HD_ATTR_VIF, sizeof(vif), vif);
	CHECK_STR(reject(&r), "VIF MAC not unicast");
	vif[12] = 0;
	memset(vif + 12, 0, 6);
	r.len -= 4 + sizeof(vif);
	raw_attr(&r, HD_ATTR_VIF, sizeof(vif), vif);
	CHECK_STR(reject(&r), "VIF MAC not unicast");
	vif[13] = 0x16;
	memset(vif, 0, 8);
	r.len -= 4 + sizeof(vif);
	raw_attr(&r, HD_ATTR_VIF, sizeof(vif), vif);
	CHECK_STR(reject(&r), "session id 0");
}

TEST(proto_decode_auth_and_accept)
{
	struct raw r;

	raw_start(&r, HD_PROTO_VERSION, HD_MSG_AUTH);
	CHECK_STR(reject(&r), "missing NONCE attribute");
	raw_attr(&r, HD_ATTR_NONCE, 31, zero32);
	CHECK_STR(reject(&r), "wrong length of the NONCE attribute");
	raw_start(&r, HD_PROTO_VERSION, HD_MSG_AUTH);
	raw_attr(&r, HD_ATTR_UUID, 16, uuid);			/* AUTH has no VM */
	CHECK_STR(reject(&r), "this message type has no UUID attribute");
	raw_start(&r, HD_PROTO_VERSION, HD_MSG_ACCEPT);
	raw_attr(&r, HD_ATTR_UUID, 16, uuid);
	raw_attr(&r, HD_ATTR_NONCE, 32, zero32);
	raw_attr(&r, HD_ATTR_NAME, 2, "a");			/* only OFFER names the VM */
	CHECK_STR(reject(&r), "this message type has no NAME attribute");
}

TEST(proto_type_names)
{
	CHECK_STR(hd_msg_type_name(HD_MSG_AUTH), "AUTH");
	CHECK_STR(hd_msg_type_name(HD_MSG_OFFER), "OFFER");
	CHECK_STR(hd_msg_type_name(HD_MSG_DONE), "DONE");
	CHECK_STR(hd_msg_type_name(0), "unknown");
	CHECK_STR(hd_msg_type_name(HD_MSG_WANT), "WANT");
	CHECK_STR(hd_msg_type_name(HD_MSG_LAST + 1), "unknown");
}
