// SPDX-License-Identifier: GPL-2.0
#include "names.h"

#include <linux/handoff.h>
#include <stdio.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/*
 * Tables are indexed by enum value. A value added to the header without a
 * name here prints as a number; tests/unit/test_names.c catches the gap.
 */

static const char *const role_names[] = {
	[HANDOFF_ROLE_SOURCE] = "source",
	[HANDOFF_ROLE_DEST] = "dest",
};

static const char *const state_names[] = {
	[HANDOFF_STATE_NEW] = "new",
	[HANDOFF_STATE_ARMED] = "armed",
	[HANDOFF_STATE_ATTACHED] = "attached",
	[HANDOFF_STATE_ACTIVE] = "active",
	[HANDOFF_STATE_STOPPED] = "stopped",
	[HANDOFF_STATE_DONE] = "done",
	[HANDOFF_STATE_ABORTED] = "aborted",
	[HANDOFF_STATE_EXPIRED] = "expired",
};

static const char *const event_names[] = {
	[HANDOFF_EVENT_CREATED] = "created",
	[HANDOFF_EVENT_ARMED] = "armed",
	[HANDOFF_EVENT_ATTACHED] = "attached",
	[HANDOFF_EVENT_DETACHED] = "detached",
	[HANDOFF_EVENT_ACTIVATED] = "activated",
	[HANDOFF_EVENT_DELIVERED] = "delivered",
	[HANDOFF_EVENT_SOURCE_STOPPED] = "source_stopped",
	[HANDOFF_EVENT_DONE] = "done",
	[HANDOFF_EVENT_ABORTED] = "aborted",
	[HANDOFF_EVENT_EXPIRED] = "expired",
	[HANDOFF_EVENT_DELETED] = "deleted",
};

static const char *const counter_names[] = {
	[HANDOFF_CTR_CAPTURED] = "captured",
	[HANDOFF_CTR_TX_PACKETS] = "tx",
	[HANDOFF_CTR_RX_PACKETS] = "rx",
	[HANDOFF_CTR_HELD] = "held",
	[HANDOFF_CTR_DELIVERED] = "delivered",
	[HANDOFF_CTR_DROP_OVERFLOW] = "drop_overflow",
	[HANDOFF_CTR_DROP_AGED] = "drop_aged",
	[HANDOFF_CTR_DROP_AUTH] = "drop_auth",
	[HANDOFF_CTR_DROP_REPLAY] = "drop_replay",
	[HANDOFF_CTR_DROP_MALFORMED] = "drop_malformed",
	[HANDOFF_CTR_DROP_NOMEM] = "drop_nomem",
	[HANDOFF_CTR_DUP_SUPPRESSED] = "dup_suppressed",
	[HANDOFF_CTR_STRAGGLERS] = "stragglers",
	[HANDOFF_CTR_ANNOUNCES] = "announces",
	[HANDOFF_CTR_FORWARDED] = "forwarded",
	[HANDOFF_CTR_DROP_PEER] = "drop_peer",
	[HANDOFF_CTR_DROP_NOSESSION] = "drop_nosession",
	[HANDOFF_CTR_DROP_STATE] = "drop_state",
	[HANDOFF_CTR_TX_ERRORS] = "tx_errors",
	[HANDOFF_CTR_LIVE_HELD] = "live_held",
	[HANDOFF_CTR_LEARNED] = "learned",
	[HANDOFF_CTR_VIF_DROPPED] = "vif_dropped",
	[HANDOFF_CTR_DIVERTED] = "diverted",
	[HANDOFF_CTR_REDELIVERED] = "redelivered",
};

static const char *const time_names[] = {
	[HANDOFF_TIME_CREATED] = "created",
	[HANDOFF_TIME_ARMED] = "armed",
	[HANDOFF_TIME_ATTACHED] = "attached",
	[HANDOFF_TIME_FIRST_HELD] = "first_held",
	[HANDOFF_TIME_ACTIVATED] = "activated",
	[HANDOFF_TIME_FIRST_DELIVERED] = "first_delivered",
	[HANDOFF_TIME_LAST_DELIVERED] = "last_delivered",
	[HANDOFF_TIME_FIRST_ANNOUNCE] = "first_announce",
	[HANDOFF_TIME_SOURCE_STOPPED] = "source_stopped",
	[HANDOFF_TIME_ENDED] = "ended",
	[HANDOFF_TIME_VIF_READY] = "vif_ready",
};

#define N(x) [x] = #x
static const char *const attr_names[] = {
	N(HANDOFF_A_UNSPEC), N(HANDOFF_A_PAD), N(HANDOFF_A_VERSION),
	N(HANDOFF_A_SESSION_COUNT), N(HANDOFF_A_PORT), N(HANDOFF_A_SESSION_ID),
	N(HANDOFF_A_ROLE), N(HANDOFF_A_STATE), N(HANDOFF_A_IFINDEX),
	N(HANDOFF_A_IFNAME), N(HANDOFF_A_MACS), N(HANDOFF_A_ADDRS),
	N(HANDOFF_A_PEER), N(HANDOFF_A_TX_KEY), N(HANDOFF_A_RX_KEY),
	N(HANDOFF_A_FLAGS), N(HANDOFF_A_COUNTERS), N(HANDOFF_A_TIMES),
	N(HANDOFF_A_EVENT), N(HANDOFF_A_TIMESTAMP),
};

static const char *const mac_attr_names[] = {
	N(HANDOFF_A_MAC_UNSPEC), N(HANDOFF_A_MAC),
};

static const char *const addr_attr_names[] = {
	N(HANDOFF_A_ADDR_UNSPEC), N(HANDOFF_A_ADDR_IN), N(HANDOFF_A_ADDR_IN6),
};

static const char *const ctr_attr_names[] = {
	N(HANDOFF_CTR_UNSPEC), N(HANDOFF_CTR_CAPTURED), N(HANDOFF_CTR_TX_PACKETS),
	N(HANDOFF_CTR_RX_PACKETS), N(HANDOFF_CTR_HELD), N(HANDOFF_CTR_DELIVERED),
	N(HANDOFF_CTR_DROP_OVERFLOW), N(HANDOFF_CTR_DROP_AGED),
	N(HANDOFF_CTR_DROP_AUTH), N(HANDOFF_CTR_DROP_REPLAY),
	N(HANDOFF_CTR_DROP_MALFORMED), N(HANDOFF_CTR_DROP_NOMEM),
	N(HANDOFF_CTR_DUP_SUPPRESSED), N(HANDOFF_CTR_STRAGGLERS),
	N(HANDOFF_CTR_ANNOUNCES), N(HANDOFF_CTR_FORWARDED),
	N(HANDOFF_CTR_DROP_PEER), N(HANDOFF_CTR_DROP_NOSESSION),
	N(HANDOFF_CTR_DROP_STATE), N(HANDOFF_CTR_TX_ERRORS),
	N(HANDOFF_CTR_LIVE_HELD), N(HANDOFF_CTR_LEARNED), N(HANDOFF_CTR_VIF_DROPPED),
	N(HANDOFF_CTR_DIVERTED), N(HANDOFF_CTR_REDELIVERED),
};

static const char *const time_attr_names[] = {
	N(HANDOFF_TIME_UNSPEC), N(HANDOFF_TIME_CREATED), N(HANDOFF_TIME_ARMED),
	N(HANDOFF_TIME_ATTACHED), N(HANDOFF_TIME_FIRST_HELD),
	N(HANDOFF_TIME_ACTIVATED), N(HANDOFF_TIME_FIRST_DELIVERED),
	N(HANDOFF_TIME_LAST_DELIVERED), N(HANDOFF_TIME_FIRST_ANNOUNCE),
	N(HANDOFF_TIME_SOURCE_STOPPED), N(HANDOFF_TIME_ENDED), N(HANDOFF_TIME_VIF_READY),
};
#undef N

static const char *lookup(const char *const *table, size_t n, unsigned int v)
{
	return v < n ? table[v] : NULL;
}

#define LOOKUP(table, v) lookup(table, ARRAY_SIZE(table), v)

const char *hc_role_name(unsigned int role) { return LOOKUP(role_names, role); }
const char *hc_state_name(unsigned int state) { return LOOKUP(state_names, state); }
const char *hc_event_name(unsigned int event) { return LOOKUP(event_names, event); }
const char *hc_counter_name(unsigned int ctr) { return LOOKUP(counter_names, ctr); }
const char *hc_time_name(unsigned int t) { return LOOKUP(time_names, t); }

int hc_role_parse(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(role_names); i++)
		if (role_names[i] && !strcmp(s, role_names[i]))
			return (int)i;
	return -1;
}

static const struct {
	uint32_t bit;
	const char *name;
} flag_names[] = {
	{ HANDOFF_F_NO_ANNOUNCE, "no-announce" },
	{ HANDOFF_F_NO_CARRIER_ACTIVATE, "no-carrier-activate" },
	{ HANDOFF_F_DIVERT, "divert" },
};

const char *hc_flag_name(uint32_t bit)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(flag_names); i++)
		if (flag_names[i].bit == bit)
			return flag_names[i].name;
	return NULL;
}

uint32_t hc_flag_parse(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(flag_names); i++)
		if (!strcmp(s, flag_names[i].name))
			return flag_names[i].bit;
	return 0;
}

void hc_fmt_flags(char *buf, size_t len, uint32_t flags)
{
	size_t off = 0;
	uint32_t bit;

	if (!len)
		return;
	buf[0] = '\0';
	if (!flags) {
		snprintf(buf, len, "none");
		return;
	}
	for (bit = 1; bit; bit <<= 1) {
		const char *name;
		int n;

		if (!(flags & bit))
			continue;
		name = hc_flag_name(bit);
		if (name)
			n = snprintf(buf + off, len - off, "%s%s", off ? "," : "", name);
		else
			n = snprintf(buf + off, len - off, "%s0x%x", off ? "," : "", bit);
		if (n < 0 || (size_t)n >= len - off)
			return;	/* truncated, still terminated */
		off += (size_t)n;
	}
}

const char *hc_attr_name(unsigned int parent, unsigned int type)
{
	switch (parent) {
	case 0:
		return LOOKUP(attr_names, type);
	case HANDOFF_A_MACS:
		return LOOKUP(mac_attr_names, type);
	case HANDOFF_A_ADDRS:
		return LOOKUP(addr_attr_names, type);
	case HANDOFF_A_COUNTERS:
		return LOOKUP(ctr_attr_names, type);
	case HANDOFF_A_TIMES:
		return LOOKUP(time_attr_names, type);
	default:
		return NULL;
	}
}

int hc_attr_is_nest(unsigned int type)
{
	return type == HANDOFF_A_MACS || type == HANDOFF_A_ADDRS ||
	       type == HANDOFF_A_COUNTERS || type == HANDOFF_A_TIMES;
}
