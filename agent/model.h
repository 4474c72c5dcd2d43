/* SPDX-License-Identifier: GPL-2.0 */
/* What the kernel reports, decoded (decode.c) and rendered (print.c). */
#ifndef HC_MODEL_H
#define HC_MODEL_H

#include <linux/handoff.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "parse.h"

/* Room for counters/times a newer module may add; unknown ones print by number. */
#define HC_MAX_STATS 64

struct hc_info {
	bool has_version, has_sessions, has_port;
	char version[64];
	uint32_t sessions;
	uint16_t port;
	uint32_t genl_version;	/* from the controller */
	uint64_t ctr_present;	/* netns-wide counters, as in hc_session */
	uint64_t ctr[HC_MAX_STATS];
};

struct hc_session {
	uint64_t id;
	uint8_t role;
	bool has_state, has_ifindex, has_ifname, has_peer, has_flags;
	uint8_t state;
	uint32_t ifindex;
	char ifname[IF_NAMESIZE];
	unsigned int nmacs, naddrs;
	unsigned int macs_dropped, addrs_dropped;	/* beyond our arrays */
	uint8_t macs[HANDOFF_MAX_MACS][HC_ETH_ALEN];
	struct hc_addr addrs[HANDOFF_MAX_ADDRS];
	struct sockaddr_storage peer;
	size_t peer_len;
	uint32_t flags;
	uint64_t ctr_present, time_present;	/* bit n: ctr[n] / times[n] valid */
	uint64_t ctr[HC_MAX_STATS];
	uint64_t times[HC_MAX_STATS];
};

struct hc_event {
	uint8_t event;
	uint64_t id;
	bool has_role, has_state, has_timestamp, has_ifindex;
	uint8_t role, state;
	uint64_t timestamp;
	uint32_t ifindex;
	char ifname[IF_NAMESIZE];	/* resolved locally, "" if not */
};

/* A generic netlink family as the controller describes it. */
struct hc_family {
	uint16_t id;
	uint32_t version;
	uint32_t group;		/* id of the requested multicast group, 0 if absent */
};

#endif
