// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/handoff.h>

#include "check.h"
#include "decode.h"
#include "nlbuf.h"

static const uint8_t mac1[6] = { 0x00, 0x16, 0x3e, 0, 0, 1 };
static const uint8_t mac2[6] = { 0x00, 0x16, 0x3e, 0, 0, 2 };

/* A session as the module sends it, with knobs to break it. */
enum { BREAK_NONE, BREAK_NO_ID, BREAK_MAC_LEN, BREAK_PEER_SHORT, BREAK_PEER_FAMILY,
       BREAK_COUNTER_LEN, BREAK_IFNAME };

static void build_session(struct nlbuf *b, int brk)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(6657) };
	struct in_addr in = { htonl(0x0a000005) };
	size_t nest;

	inet_pton(AF_INET6, "2001:db8::2", &sin6.sin6_addr);
	nb_init(b);
	if (brk != BREAK_NO_ID)
		nb_u64(b, HANDOFF_A_SESSION_ID, 0x1234);
	nb_u8(b, HANDOFF_A_ROLE, HANDOFF_ROLE_SOURCE);
	nb_u8(b, HANDOFF_A_STATE, HANDOFF_STATE_ARMED);
	nb_u32(b, HANDOFF_A_IFINDEX, 7);
	if (brk == BREAK_IFNAME)
		nb_put(b, HANDOFF_A_IFNAME, "vif1.0", 6);	/* unterminated */
	else
		nb_str(b, HANDOFF_A_IFNAME, "vif1.0");
	nb_u32(b, HANDOFF_A_FLAGS, HANDOFF_F_NO_ANNOUNCE);
	if (brk == BREAK_PEER_SHORT)
		nb_put(b, HANDOFF_A_PEER, &sin6, sizeof(struct sockaddr_in));
	else if (brk == BREAK_PEER_FAMILY)
		nb_put(b, HANDOFF_A_PEER, &(struct sockaddr_in){ .sin_family = AF_UNIX },
		       sizeof(struct sockaddr_in));
	else
		nb_put(b, HANDOFF_A_PEER, &sin6, sizeof(sin6));
	nest = nb_nest_start(b, HANDOFF_A_MACS);
	nb_put(b, HANDOFF_A_MAC, mac1, brk == BREAK_MAC_LEN ? 5 : 6);
	nb_u32(b, 77, 0);	/* an entry type from a newer module: skipped */
	nb_put(b, HANDOFF_A_MAC, mac2, 6);
	nb_nest_end(b, nest);
	nest = nb_nest_start(b, HANDOFF_A_ADDRS);
	nb_put(b, HANDOFF_A_ADDR_IN, &in, sizeof(in));
	nb_put(b, HANDOFF_A_ADDR_IN6, &sin6.sin6_addr, sizeof(sin6.sin6_addr));
	nb_nest_end(b, nest);
	nest = nb_nest_start(b, HANDOFF_A_COUNTERS);
	nb_put(b, HANDOFF_CTR_UNSPEC, NULL, 0);	/* alignment pad, as nla_put_u64_64bit adds */
	nb_u64(b, HANDOFF_CTR_CAPTURED, 3);
	if (brk == BREAK_COUNTER_LEN)
		nb_u32(b, HANDOFF_CTR_TX_PACKETS, 3);
	else
		nb_u64(b, HANDOFF_CTR_TX_PACKETS, 3);
	nb_u64(b, HANDOFF_CTR_DROP_AUTH, 0);
	nb_u64(b, 40, 9);	/* unknown to this build, kept */
	nb_u64(b, 64, 9);	/* beyond what we store, ignored */
	nb_nest_end(b, nest);
	nest = nb_nest_start(b, HANDOFF_A_TIMES);
	nb_u64(b, HANDOFF_TIME_CREATED, 1000000000ULL);
	nb_u64(b, HANDOFF_TIME_ARMED, 1012345678ULL);
	nb_nest_end(b, nest);
	nb_u32(b, 250, 1);	/* unknown top-level attribute: ignored */
}

TEST(decode_session_full)
{
	struct hc_session s;
	struct nlbuf b;
	const char *why = NULL;

	build_session(&b, BREAK_NONE);
	CHECK_INT(hc_decode_session(b.data, b.len, &s, &why), 0);
	CHECK(s.id == 0x1234);
	CHECK_INT(s.role, HANDOFF_ROLE_SOURCE);
	CHECK(s.has_state) && CHECK_INT(s.state, HANDOFF_STATE_ARMED);
	CHECK(s.has_ifindex) && CHECK_INT(s.ifindex, 7);
	CHECK(s.has_ifname) && CHECK_STR(s.ifname, "vif1.0");
	CHECK(s.has_flags) && CHECK_INT(s.flags, HANDOFF_F_NO_ANNOUNCE);
	CHECK(s.has_peer) && CHECK_INT(s.peer_len, sizeof(struct sockaddr_in6)) &&
		CHECK_INT(s.peer.ss_family, AF_INET6);
	CHECK_INT(s.nmacs, 2) && CHECK_MEM(s.macs[0], mac1, 6) && CHECK_MEM(s.macs[1], mac2, 6);
	CHECK_INT(s.naddrs, 2) && CHECK_INT(s.addrs[0].family, AF_INET) &&
		CHECK_INT(s.addrs[1].family, AF_INET6);
	CHECK(s.ctr_present == (1ULL << HANDOFF_CTR_CAPTURED | 1ULL << HANDOFF_CTR_TX_PACKETS |
				1ULL << HANDOFF_CTR_DROP_AUTH | 1ULL << 40));
	CHECK_INT(s.ctr[HANDOFF_CTR_CAPTURED], 3);
	CHECK_INT(s.ctr[40], 9);
	CHECK(s.time_present == (1ULL << HANDOFF_TIME_CREATED | 1ULL << HANDOFF_TIME_ARMED));
	CHECK_INT(s.times[HANDOFF_TIME_ARMED], 1012345678);
}

TEST(decode_session_rejects_malformed)
{
	static const struct {
		int brk;
		const char *why;
	} cases[] = {
		{ BREAK_NO_ID, "missing or bad HANDOFF_A_SESSION_ID" },
		{ BREAK_MAC_LEN, "bad HANDOFF_A_MAC length" },
		{ BREAK_PEER_SHORT, "HANDOFF_A_PEER too short for IPv6" },
		{ BREAK_PEER_FAMILY, "HANDOFF_A_PEER has an unknown family" },
		{ BREAK_COUNTER_LEN, "bad counter in HANDOFF_A_COUNTERS" },
		{ BREAK_IFNAME, "bad HANDOFF_A_IFNAME" },
	};
	struct hc_session s;
	struct nlbuf b;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = NULL;

		build_session(&b, cases[i].brk);
		CHECK_INT(hc_decode_session(b.data, b.len, &s, &why), -EINVAL);
		CHECK_STR(why, cases[i].why);
	}
	build_session(&b, BREAK_NONE);
	{
		const char *why = NULL;

		CHECK_INT(hc_decode_session(b.data, b.len - 3, &s, &why), -EINVAL);
		CHECK_STR(why, "truncated attributes");
	}
}

TEST(decode_session_caps_macs)
{
	struct hc_session s;
	struct nlbuf b;
	const char *why;
	size_t nest;
	int i;

	nb_init(&b);
	nb_u64(&b, HANDOFF_A_SESSION_ID, 1);
	nb_u8(&b, HANDOFF_A_ROLE, HANDOFF_ROLE_DEST);
	nest = nb_nest_start(&b, HANDOFF_A_MACS);
	for (i = 0; i < HANDOFF_MAX_MACS + 3; i++)
		nb_put(&b, HANDOFF_A_MAC, mac1, 6);
	nb_nest_end(&b, nest);
	CHECK_INT(hc_decode_session(b.data, b.len, &s, &why), 0);
	CHECK_INT(s.nmacs, HANDOFF_MAX_MACS);
	CHECK_INT(s.macs_dropped, 3);
	CHECK(!s.has_state && !s.has_peer && !s.has_ifindex);
}

TEST(decode_event)
{
	struct hc_event ev;
	struct nlbuf b;
	const char *why = NULL;

	nb_init(&b);
	nb_u8(&b, HANDOFF_A_EVENT, HANDOFF_EVENT_ACTIVATED);
	nb_put(&b, HANDOFF_A_PAD, NULL, 0);
	nb_u64(&b, HANDOFF_A_SESSION_ID, 0xdeadbeefcafeULL);
	nb_u8(&b, HANDOFF_A_ROLE, HANDOFF_ROLE_DEST);
	nb_u8(&b, HANDOFF_A_STATE, HANDOFF_STATE_ACTIVE);
	nb_u32(&b, HANDOFF_A_IFINDEX, 9);
	nb_u64(&b, HANDOFF_A_TIMESTAMP, 5000000001ULL);
	CHECK_INT(hc_decode_event(b.data, b.len, &ev, &why), 0);
	CHECK_INT(ev.event, HANDOFF_EVENT_ACTIVATED);
	CHECK(ev.id == 0xdeadbeefcafeULL);
	CHECK(ev.has_role && ev.has_state && ev.has_ifindex && ev.has_timestamp);
	CHECK_INT(ev.ifindex, 9);
	CHECK(ev.timestamp == 5000000001ULL);

	nb_init(&b);
	nb_u64(&b, HANDOFF_A_SESSION_ID, 1);
	CHECK_INT(hc_decode_event(b.data, b.len, &ev, &why), -EINVAL);
	CHECK_STR(why, "missing or bad HANDOFF_A_EVENT");
	nb_init(&b);
	nb_u8(&b, HANDOFF_A_EVENT, 1);
	nb_u64(&b, HANDOFF_A_SESSION_ID, 1);
	nb_u32(&b, HANDOFF_A_TIMESTAMP, 1);
	CHECK_INT(hc_decode_event(b.data, b.len, &ev, &why), -EINVAL);
	CHECK_STR(why, "bad HANDOFF_A_TIMESTAMP");
}

TEST(decode_info)
{
	struct hc_info info;
	struct nlbuf b;
	const char *why = NULL;
	size_t nest;

	nb_init(&b);
	nb_str(&b, HANDOFF_A_VERSION, "0.1.0");
	nb_u32(&b, HANDOFF_A_SESSION_COUNT, 2);
	nb_u16(&b, HANDOFF_A_PORT, 6657);
	nest = nb_nest_start(&b, HANDOFF_A_COUNTERS);
	nb_u64(&b, HANDOFF_CTR_DROP_MALFORMED, 4);
	nb_nest_end(&b, nest);
	CHECK_INT(hc_decode_info(b.data, b.len, &info, &why), 0);
	CHECK(info.has_version) && CHECK_STR(info.version, "0.1.0");
	CHECK(info.has_sessions) && CHECK_INT(info.sessions, 2);
	CHECK(info.has_port) && CHECK_INT(info.port, 6657);
	CHECK(info.ctr_present == 1ULL << HANDOFF_CTR_DROP_MALFORMED);
	CHECK_INT(info.ctr[HANDOFF_CTR_DROP_MALFORMED], 4);

	nb_init(&b);
	nb_u32(&b, HANDOFF_A_PORT, 6657);	/* u16 expected */
	CHECK_INT(hc_decode_info(b.data, b.len, &info, &why), -EINVAL);
	CHECK_STR(why, "bad HANDOFF_A_PORT");
}

static void put_group(struct nlbuf *b, uint16_t idx, const char *name, uint32_t id)
{
	size_t g = nb_nest_start(b, idx);

	nb_u32(b, CTRL_ATTR_MCAST_GRP_ID, id);
	nb_str(b, CTRL_ATTR_MCAST_GRP_NAME, name);
	nb_nest_end(b, g);
}

TEST(decode_family)
{
	struct hc_family fam;
	struct nlbuf b;
	const char *why = NULL;
	size_t groups;

	nb_init(&b);
	nb_u16(&b, CTRL_ATTR_FAMILY_ID, 0x1d);
	nb_str(&b, CTRL_ATTR_FAMILY_NAME, "handoff");
	nb_u32(&b, CTRL_ATTR_VERSION, 1);
	groups = nb_nest_start(&b, CTRL_ATTR_MCAST_GROUPS);
	put_group(&b, 1, "other", 11);
	put_group(&b, 2, "events", 12);
	nb_nest_end(&b, groups);

	CHECK_INT(hc_decode_family(b.data, b.len, "events", &fam, &why), 0);
	CHECK_INT(fam.id, 0x1d);
	CHECK_INT(fam.version, 1);
	CHECK_INT(fam.group, 12);
	CHECK_INT(hc_decode_family(b.data, b.len, "nope", &fam, &why), 0);
	CHECK_INT(fam.group, 0);
	CHECK_INT(hc_decode_family(b.data, b.len, NULL, &fam, &why), 0);
	CHECK_INT(fam.id, 0x1d);

	nb_init(&b);
	nb_u32(&b, CTRL_ATTR_FAMILY_ID, 0x1d);	/* u16 expected */
	CHECK_INT(hc_decode_family(b.data, b.len, NULL, &fam, &why), -EINVAL);
}
