// SPDX-License-Identifier: GPL-2.0
#include "decode.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <netinet/in.h>
#include <string.h>

#include "nla.h"

#define FAIL(msg) do { *why = (msg); return -EINVAL; } while (0)

static int decode_u64_table(const struct nlattr *nest, uint64_t *vals, uint64_t *present,
			    const char *what, const char **why);

int hc_decode_info(const void *attrs, size_t len, struct hc_info *out, const char **why)
{
	const struct nlattr *tb[HANDOFF_A_MAX + 1];

	memset(out, 0, sizeof(*out));
	if (hc_nla_parse(tb, HANDOFF_A_MAX, attrs, len))
		FAIL("truncated attributes");
	if (tb[HANDOFF_A_VERSION]) {
		if (!hc_nla_str(tb[HANDOFF_A_VERSION], out->version, sizeof(out->version)))
			FAIL("bad HANDOFF_A_VERSION");
		out->has_version = true;
	}
	if (tb[HANDOFF_A_SESSION_COUNT]) {
		if (!hc_nla_u32(tb[HANDOFF_A_SESSION_COUNT], &out->sessions))
			FAIL("bad HANDOFF_A_SESSION_COUNT");
		out->has_sessions = true;
	}
	if (tb[HANDOFF_A_PORT]) {
		if (!hc_nla_u16(tb[HANDOFF_A_PORT], &out->port))
			FAIL("bad HANDOFF_A_PORT");
		out->has_port = true;
	}
	if (tb[HANDOFF_A_COUNTERS])
		return decode_u64_table(tb[HANDOFF_A_COUNTERS], out->ctr, &out->ctr_present,
					"bad counter in HANDOFF_A_COUNTERS", why);
	return 0;
}

static int decode_macs(const struct nlattr *nest, struct hc_session *s, const char **why)
{
	const struct nlattr *a;

	hc_nla_for_each(a, hc_nla_data(nest), hc_nla_len(nest)) {
		if (hc_nla_type(a) != HANDOFF_A_MAC)
			continue;	/* newer module: skip what we do not know */
		if (hc_nla_len(a) != HC_ETH_ALEN)
			FAIL("bad HANDOFF_A_MAC length");
		if (s->nmacs == HANDOFF_MAX_MACS) {
			s->macs_dropped++;
			continue;
		}
		memcpy(s->macs[s->nmacs++], hc_nla_data(a), HC_ETH_ALEN);
	}
	return 0;
}

static int decode_addrs(const struct nlattr *nest, struct hc_session *s, const char **why)
{
	const struct nlattr *a;

	hc_nla_for_each(a, hc_nla_data(nest), hc_nla_len(nest)) {
		struct hc_addr addr = { 0 };

		switch (hc_nla_type(a)) {
		case HANDOFF_A_ADDR_IN:
			if (hc_nla_len(a) != sizeof(addr.in))
				FAIL("bad HANDOFF_A_ADDR_IN length");
			addr.family = AF_INET;
			memcpy(&addr.in, hc_nla_data(a), sizeof(addr.in));
			break;
		case HANDOFF_A_ADDR_IN6:
			if (hc_nla_len(a) != sizeof(addr.in6))
				FAIL("bad HANDOFF_A_ADDR_IN6 length");
			addr.family = AF_INET6;
			memcpy(&addr.in6, hc_nla_data(a), sizeof(addr.in6));
			break;
		default:
			continue;
		}
		if (s->naddrs == HANDOFF_MAX_ADDRS) {
			s->addrs_dropped++;
			continue;
		}
		s->addrs[s->naddrs++] = addr;
	}
	return 0;
}

/* A nest of NLA_U64 keyed by enum value. */
static int decode_u64_table(const struct nlattr *nest, uint64_t *vals, uint64_t *present,
			    const char *what, const char **why)
{
	const struct nlattr *a;

	hc_nla_for_each(a, hc_nla_data(nest), hc_nla_len(nest)) {
		unsigned int t = hc_nla_type(a);
		uint64_t v;

		/* Type 0 is the kernel's 64-bit alignment padding. */
		if (t == 0)
			continue;
		if (!hc_nla_u64(a, &v)) {
			*why = what;
			return -EINVAL;
		}
		if (t >= HC_MAX_STATS)
			continue;
		vals[t] = v;
		*present |= 1ULL << t;
	}
	return 0;
}

static int decode_peer(const struct nlattr *a, struct hc_session *s, const char **why)
{
	size_t len = hc_nla_len(a);
	sa_family_t family;

	if (len < sizeof(struct sockaddr_in))
		FAIL("HANDOFF_A_PEER too short");
	memcpy(&family, hc_nla_data(a), sizeof(family));
	if (family == AF_INET6 && len < sizeof(struct sockaddr_in6))
		FAIL("HANDOFF_A_PEER too short for IPv6");
	if (family != AF_INET && family != AF_INET6)
		FAIL("HANDOFF_A_PEER has an unknown family");
	if (len > sizeof(s->peer))
		len = sizeof(s->peer);
	memcpy(&s->peer, hc_nla_data(a), len);
	s->peer_len = len;
	s->has_peer = true;
	return 0;
}

int hc_decode_session(const void *attrs, size_t len, struct hc_session *s, const char **why)
{
	const struct nlattr *tb[HANDOFF_A_MAX + 1];
	int err;

	memset(s, 0, sizeof(*s));
	if (hc_nla_parse(tb, HANDOFF_A_MAX, attrs, len))
		FAIL("truncated attributes");
	if (!hc_nla_u64(tb[HANDOFF_A_SESSION_ID], &s->id))
		FAIL("missing or bad HANDOFF_A_SESSION_ID");
	if (!hc_nla_u8(tb[HANDOFF_A_ROLE], &s->role))
		FAIL("missing or bad HANDOFF_A_ROLE");
	if (tb[HANDOFF_A_STATE]) {
		if (!hc_nla_u8(tb[HANDOFF_A_STATE], &s->state))
			FAIL("bad HANDOFF_A_STATE");
		s->has_state = true;
	}
	if (tb[HANDOFF_A_IFINDEX]) {
		if (!hc_nla_u32(tb[HANDOFF_A_IFINDEX], &s->ifindex))
			FAIL("bad HANDOFF_A_IFINDEX");
		s->has_ifindex = true;
	}
	if (tb[HANDOFF_A_IFNAME]) {
		if (!hc_nla_str(tb[HANDOFF_A_IFNAME], s->ifname, sizeof(s->ifname)))
			FAIL("bad HANDOFF_A_IFNAME");
		s->has_ifname = true;
	}
	if (tb[HANDOFF_A_FLAGS]) {
		if (!hc_nla_u32(tb[HANDOFF_A_FLAGS], &s->flags))
			FAIL("bad HANDOFF_A_FLAGS");
		s->has_flags = true;
	}
	if (tb[HANDOFF_A_PEER] && (err = decode_peer(tb[HANDOFF_A_PEER], s, why)))
		return err;
	if (tb[HANDOFF_A_MACS] && (err = decode_macs(tb[HANDOFF_A_MACS], s, why)))
		return err;
	if (tb[HANDOFF_A_ADDRS] && (err = decode_addrs(tb[HANDOFF_A_ADDRS], s, why)))
		return err;
	if (tb[HANDOFF_A_COUNTERS] &&
	    (err = decode_u64_table(tb[HANDOFF_A_COUNTERS], s->ctr, &s->ctr_present,
				    "bad counter in HANDOFF_A_COUNTERS", why)))
		return err;
	if (tb[HANDOFF_A_TIMES] &&
	    (err = decode_u64_table(tb[HANDOFF_A_TIMES], s->times, &s->time_present,
				    "bad time in HANDOFF_A_TIMES", why)))
		return err;
	return 0;
}

int hc_decode_event(const void *attrs, size_t len, struct hc_event *ev, const char **why)
{
	const struct nlattr *tb[HANDOFF_A_MAX + 1];

	memset(ev, 0, sizeof(*ev));
	if (hc_nla_parse(tb, HANDOFF_A_MAX, attrs, len))
		FAIL("truncated attributes");
	if (!hc_nla_u8(tb[HANDOFF_A_EVENT], &ev->event))
		FAIL("missing or bad HANDOFF_A_EVENT");
	if (!hc_nla_u64(tb[HANDOFF_A_SESSION_ID], &ev->id))
		FAIL("missing or bad HANDOFF_A_SESSION_ID");
	if (tb[HANDOFF_A_ROLE]) {
		if (!hc_nla_u8(tb[HANDOFF_A_ROLE], &ev->role))
			FAIL("bad HANDOFF_A_ROLE");
		ev->has_role = true;
	}
	if (tb[HANDOFF_A_STATE]) {
		if (!hc_nla_u8(tb[HANDOFF_A_STATE], &ev->state))
			FAIL("bad HANDOFF_A_STATE");
		ev->has_state = true;
	}
	if (tb[HANDOFF_A_TIMESTAMP]) {
		if (!hc_nla_u64(tb[HANDOFF_A_TIMESTAMP], &ev->timestamp))
			FAIL("bad HANDOFF_A_TIMESTAMP");
		ev->has_timestamp = true;
	}
	if (tb[HANDOFF_A_IFINDEX]) {
		if (!hc_nla_u32(tb[HANDOFF_A_IFINDEX], &ev->ifindex))
			FAIL("bad HANDOFF_A_IFINDEX");
		ev->has_ifindex = true;
	}
	return 0;
}

int hc_decode_family(const void *attrs, size_t len, const char *group,
		     struct hc_family *out, const char **why)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	const struct nlattr *g;

	memset(out, 0, sizeof(*out));
	if (hc_nla_parse(tb, CTRL_ATTR_MAX, attrs, len))
		FAIL("truncated controller attributes");
	if (!hc_nla_u16(tb[CTRL_ATTR_FAMILY_ID], &out->id) || !out->id)
		FAIL("missing or bad CTRL_ATTR_FAMILY_ID");
	if (tb[CTRL_ATTR_VERSION] && !hc_nla_u32(tb[CTRL_ATTR_VERSION], &out->version))
		FAIL("bad CTRL_ATTR_VERSION");
	if (!group || !tb[CTRL_ATTR_MCAST_GROUPS])
		return 0;
	hc_nla_for_each(g, hc_nla_data(tb[CTRL_ATTR_MCAST_GROUPS]),
			hc_nla_len(tb[CTRL_ATTR_MCAST_GROUPS])) {
		const struct nlattr *gb[CTRL_ATTR_MCAST_GRP_MAX + 1];
		char name[GENL_NAMSIZ];
		uint32_t id;

		if (hc_nla_parse_nested(gb, CTRL_ATTR_MCAST_GRP_MAX, g))
			FAIL("truncated CTRL_ATTR_MCAST_GROUPS");
		if (!hc_nla_str(gb[CTRL_ATTR_MCAST_GRP_NAME], name, sizeof(name)) ||
		    !hc_nla_u32(gb[CTRL_ATTR_MCAST_GRP_ID], &id))
			FAIL("bad multicast group entry");
		if (!strcmp(name, group)) {
			out->group = id;
			break;
		}
	}
	return 0;
}
