/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * handoff: zero-loss network cutover for Xen live migration.
 *
 * Documentation
 * =============
 *
 * The module is driven through generic netlink, family HANDOFF_GENL_NAME,
 * version HANDOFF_GENL_VERSION. The family is per network namespace: each
 * netns holds its own session table, tunnel socket and net.handoff.* sysctls,
 * so one kernel can host several "hosts" of a lab. Every command needs
 * CAP_NET_ADMIN (GENL_ADMIN_PERM), and so does joining the events group.
 * Attribute policies are strict: unknown attributes, wrong lengths and out of
 * range values are rejected with an extended ack naming the attribute.
 *
 * A session is the cutover of one VM vif. It is identified by the pair
 * (HANDOFF_A_SESSION_ID, HANDOFF_A_ROLE): both hosts use the same 64-bit id,
 * chosen by the agent, and a localhost migration holds both roles in one netns.
 *
 * HANDOFF_CMD_GET_INFO
 * --------------------
 *
 * No attributes. Replies with:
 *
 *    HANDOFF_A_VERSION: NLA_NUL_STRING, the module version
 *    HANDOFF_A_SESSION_COUNT: NLA_U32, sessions in this netns
 *    HANDOFF_A_PORT: NLA_U16 (host order), the tunnel's UDP port
 *    HANDOFF_A_COUNTERS: NLA_NESTED, tunnel packets of this netns that no
 *        session could take (HANDOFF_CTR_DROP_MALFORMED, _DROP_NOSESSION)
 *
 * HANDOFF_CMD_SESSION_NEW
 * -----------------------
 *
 * Creates a session. Netfilter hooks are registered here (this sleeps);
 * arming later only flips a flag. Accepts:
 *
 *    HANDOFF_A_SESSION_ID: NLA_U64, required, non-zero
 *    HANDOFF_A_ROLE: NLA_U8, required, enum handoff_role
 *    HANDOFF_A_IFINDEX: NLA_U32, or
 *    HANDOFF_A_IFNAME: NLA_NUL_STRING, maxlen IFNAMSIZ - 1
 *        the dom0 device of the vif. Required for a source session; optional
 *        for a destination session, which may be attached later.
 *    HANDOFF_A_MACS: NLA_NESTED, required, 1 to HANDOFF_MAX_MACS children,
 *        each (repeated, in order):
 *        HANDOFF_A_MAC: NLA_EXACT_LEN, ETH_ALEN, a unicast MAC of the VM
 *    HANDOFF_A_ADDRS: NLA_NESTED, optional, up to HANDOFF_MAX_ADDRS children,
 *        each (repeated, in any mix):
 *        HANDOFF_A_ADDR_IN: NLA_EXACT_LEN, struct in_addr, or
 *        HANDOFF_A_ADDR_IN6: NLA_EXACT_LEN, struct in6_addr
 *    HANDOFF_A_PEER: NLA_BINARY, required: a struct sockaddr_in (16 bytes) or
 *        struct sockaddr_in6 (28 bytes) of the peer host's tunnel, unicast,
 *        port non-zero (network order). An IPv6 peer (a link-local one with
 *        its sin6_scope_id) is refused with EAFNOSUPPORT only when the kernel
 *        has no IPv6 (ipv6.disable=1).
 *    HANDOFF_A_TX_KEY: NLA_EXACT_LEN, HANDOFF_KEY_LEN, required
 *    HANDOFF_A_RX_KEY: NLA_EXACT_LEN, HANDOFF_KEY_LEN, required
 *        per-direction AEAD keys; never returned by any command
 *    HANDOFF_A_FLAGS: NLA_U32, optional, enum handoff_session_flags
 *        (HANDOFF_F_DIVERT on a destination session: EINVAL)
 *
 * Fails with EEXIST if (id, role) exists, ENODEV if the named device does not
 * exist, ENOSPC past net.handoff.max_sessions.
 *
 * HANDOFF_CMD_SESSION_DEL
 * -----------------------
 *
 *    HANDOFF_A_SESSION_ID, HANDOFF_A_ROLE: required
 *
 * Tears the session down in any state: unhooks, frees held frames.
 *
 * HANDOFF_CMD_SESSION_GET
 * -----------------------
 *
 * With NLM_F_DUMP: every session of the netns. Otherwise
 * HANDOFF_A_SESSION_ID and HANDOFF_A_ROLE select one. Each reply carries:
 *
 *    HANDOFF_A_SESSION_ID: NLA_U64
 *    HANDOFF_A_ROLE: NLA_U8
 *    HANDOFF_A_STATE: NLA_U8, enum handoff_state
 *    HANDOFF_A_IFINDEX: NLA_U32, HANDOFF_A_IFNAME: string (when attached)
 *    HANDOFF_A_MACS, HANDOFF_A_ADDRS: as in SESSION_NEW (learned included)
 *    HANDOFF_A_PEER: sockaddr
 *    HANDOFF_A_FLAGS: NLA_U32
 *    HANDOFF_A_COUNTERS: NLA_NESTED of NLA_U64, enum handoff_counter
 *    HANDOFF_A_TIMES: NLA_NESTED of NLA_U64, enum handoff_time: ktime
 *        (CLOCK_MONOTONIC, ns) of each transition; absent if not reached
 *        (in both nests, type 0 is alignment padding for the u64s: skip it)
 *
 * HANDOFF_CMD_SESSION_ARM
 * -----------------------
 *
 *    HANDOFF_A_SESSION_ID: required; acts on the source session
 *
 * Starts capture: from now on every frame the host's switch would deliver to
 * the VM's MACs is copied to the peer (with HANDOFF_F_DIVERT, its untagged
 * unicast is sent there instead of delivered here).
 *
 * HANDOFF_CMD_SESSION_ATTACH
 * --------------------------
 *
 *    HANDOFF_A_SESSION_ID: required; acts on the destination session
 *    HANDOFF_A_IFINDEX or HANDOFF_A_IFNAME: required
 *
 * Binds the destination session to its vif. The first carrier-on of that vif
 * after attach activates the session.
 *
 * HANDOFF_CMD_SESSION_ACTIVATE
 * ----------------------------
 *
 *    HANDOFF_A_SESSION_ID: required; acts on the destination session
 *
 * Activates by command (delivers held frames, announces, stops the source).
 *
 * HANDOFF_CMD_SESSION_ABORT
 * -------------------------
 *
 *    HANDOFF_A_SESSION_ID, HANDOFF_A_ROLE: required
 *
 * The migration failed: the destination drops what it held, the source stops
 * copying; the peer is told through the tunnel.
 *
 * HANDOFF_CMD_EVENT
 * -----------------
 *
 * Sent by the kernel on multicast group HANDOFF_MCGRP_EVENTS at every
 * transition, never accepted from userspace:
 *
 *    HANDOFF_A_EVENT: NLA_U8, enum handoff_event
 *    HANDOFF_A_SESSION_ID, HANDOFF_A_ROLE, HANDOFF_A_STATE
 *    HANDOFF_A_TIMESTAMP: NLA_U64, ktime (CLOCK_MONOTONIC, ns)
 *    HANDOFF_A_IFINDEX: NLA_U32, when the session has a device
 */

#ifndef _UAPI_LINUX_HANDOFF_H
#define _UAPI_LINUX_HANDOFF_H

#define HANDOFF_GENL_NAME "handoff"
#define HANDOFF_GENL_VERSION 1
#define HANDOFF_MCGRP_EVENTS "events"

#define HANDOFF_KEY_LEN 32
#define HANDOFF_MAX_MACS 16
#define HANDOFF_MAX_ADDRS 32

enum handoff_cmd {
	HANDOFF_CMD_UNSPEC,
	HANDOFF_CMD_GET_INFO,
	HANDOFF_CMD_SESSION_NEW,
	HANDOFF_CMD_SESSION_DEL,
	HANDOFF_CMD_SESSION_GET,
	HANDOFF_CMD_SESSION_ARM,
	HANDOFF_CMD_SESSION_ATTACH,
	HANDOFF_CMD_SESSION_ACTIVATE,
	HANDOFF_CMD_SESSION_ABORT,
	HANDOFF_CMD_EVENT,
	__HANDOFF_CMD_MAX
};
#define HANDOFF_CMD_MAX (__HANDOFF_CMD_MAX - 1)

enum handoff_role {
	HANDOFF_ROLE_UNSPEC,
	HANDOFF_ROLE_SOURCE,
	HANDOFF_ROLE_DEST,
	__HANDOFF_ROLE_MAX
};
#define HANDOFF_ROLE_MAX (__HANDOFF_ROLE_MAX - 1)

/*
 * Session states. Source: NEW -> ARMED -> STOPPED (told by the destination;
 * forwards stragglers for the grace period) -> DONE. Destination: NEW ->
 * ATTACHED -> ACTIVE (delivering held frames, then live, and what the source
 * forwards during net.handoff.grace_ms) -> DONE. Either may
 * end in ABORTED (command or peer) or EXPIRED (net.handoff.session_timeout_ms
 * passed without activation).
 */
enum handoff_state {
	HANDOFF_STATE_NEW,
	HANDOFF_STATE_ARMED,
	HANDOFF_STATE_ATTACHED,
	HANDOFF_STATE_ACTIVE,
	HANDOFF_STATE_STOPPED,
	HANDOFF_STATE_DONE,
	HANDOFF_STATE_ABORTED,
	HANDOFF_STATE_EXPIRED,
	__HANDOFF_STATE_MAX
};
#define HANDOFF_STATE_MAX (__HANDOFF_STATE_MAX - 1)

enum handoff_session_flags {
	/* Do not send RARP/GARP/NA at activation (the guest announces). */
	HANDOFF_F_NO_ANNOUNCE = 1U << 0,
	/* Destination: do not activate on carrier-on, only by frame or command. */
	HANDOFF_F_NO_CARRIER_ACTIVATE = 1U << 1,
	/*
	 * Source only: while armed, unicast frames for the VM's MACs (untagged)
	 * go to the destination only, no longer to this vif as well. Armed at
	 * the suspend request, the guest then consumes nothing that is also
	 * delivered after it resumes: no duplicates at the suspend boundary;
	 * what arrives until the guest suspends waits at the destination
	 * instead. The frames are kept here too (bounded by hold_max_frames and
	 * hold_max_bytes; past that they are delivered here as well) and given
	 * to this vif if the migration does not complete: on abort, expiry or
	 * deletion before the destination took over.
	 */
	HANDOFF_F_DIVERT = 1U << 2,
	__HANDOFF_F_ALL = (1U << 3) - 1
};

enum handoff_attr {
	HANDOFF_A_UNSPEC,
	HANDOFF_A_PAD,
	HANDOFF_A_VERSION,
	HANDOFF_A_SESSION_COUNT,
	HANDOFF_A_PORT,
	HANDOFF_A_SESSION_ID,
	HANDOFF_A_ROLE,
	HANDOFF_A_STATE,
	HANDOFF_A_IFINDEX,
	HANDOFF_A_IFNAME,
	HANDOFF_A_MACS,
	HANDOFF_A_ADDRS,
	HANDOFF_A_PEER,
	HANDOFF_A_TX_KEY,
	HANDOFF_A_RX_KEY,
	HANDOFF_A_FLAGS,
	HANDOFF_A_COUNTERS,
	HANDOFF_A_TIMES,
	HANDOFF_A_EVENT,
	HANDOFF_A_TIMESTAMP,
	__HANDOFF_A_MAX
};
#define HANDOFF_A_MAX (__HANDOFF_A_MAX - 1)

/* Entries of HANDOFF_A_MACS. */
enum handoff_mac_attr {
	HANDOFF_A_MAC_UNSPEC,
	HANDOFF_A_MAC,
	__HANDOFF_A_MAC_MAX
};
#define HANDOFF_A_MAC_MAX (__HANDOFF_A_MAC_MAX - 1)

/* Entries of HANDOFF_A_ADDRS. */
enum handoff_addr_attr {
	HANDOFF_A_ADDR_UNSPEC,
	HANDOFF_A_ADDR_IN,
	HANDOFF_A_ADDR_IN6,
	__HANDOFF_A_ADDR_MAX
};
#define HANDOFF_A_ADDR_MAX (__HANDOFF_A_ADDR_MAX - 1)

/* Attributes of HANDOFF_A_COUNTERS, each NLA_U64. */
enum handoff_counter {
	HANDOFF_CTR_UNSPEC,
	HANDOFF_CTR_CAPTURED,		/* source: frames copied at capture */
	HANDOFF_CTR_TX_PACKETS,		/* tunnel packets sent */
	HANDOFF_CTR_RX_PACKETS,		/* tunnel packets accepted */
	HANDOFF_CTR_HELD,		/* destination: frames queued */
	HANDOFF_CTR_DELIVERED,		/* destination: frames given to the vif */
	HANDOFF_CTR_DROP_OVERFLOW,	/* hold bound (bytes/frames) hit */
	HANDOFF_CTR_DROP_AGED,		/* held longer than hold_max_age_ms */
	HANDOFF_CTR_DROP_AUTH,		/* failed AEAD authentication */
	HANDOFF_CTR_DROP_REPLAY,	/* outside or already in replay window */
	HANDOFF_CTR_DROP_MALFORMED,	/* truncated, oversized, bad header */
	HANDOFF_CTR_DROP_NOMEM,		/* allocation failed */
	HANDOFF_CTR_DUP_SUPPRESSED,	/* seen both ways, delivered once */
	HANDOFF_CTR_STRAGGLERS,		/* arrived after the last-seq marker */
	HANDOFF_CTR_ANNOUNCES,		/* RARP/GARP/NA frames injected */
	HANDOFF_CTR_FORWARDED,		/* source: unicast forwarded after stop */
	HANDOFF_CTR_DROP_PEER,		/* sent from an address not the peer's */
	HANDOFF_CTR_DROP_NOSESSION,	/* netns only: no such session */
	HANDOFF_CTR_DROP_STATE,		/* message not valid in this state */
	HANDOFF_CTR_TX_ERRORS,		/* could not build or route a packet */
	HANDOFF_CTR_LIVE_HELD,		/* live frames queued behind held ones */
	HANDOFF_CTR_LEARNED,		/* MACs and addresses learned */
	HANDOFF_CTR_VIF_DROPPED,	/* deliveries the vif dropped (then resent) */
	HANDOFF_CTR_DIVERTED,		/* source: kept from the vif (F_DIVERT) */
	HANDOFF_CTR_REDELIVERED,	/* source: diverted, then given to the vif */
	__HANDOFF_CTR_MAX
};
#define HANDOFF_CTR_MAX (__HANDOFF_CTR_MAX - 1)

/* Attributes of HANDOFF_A_TIMES, each NLA_U64 ktime in ns. */
enum handoff_time {
	HANDOFF_TIME_UNSPEC,
	HANDOFF_TIME_CREATED,
	HANDOFF_TIME_ARMED,
	HANDOFF_TIME_ATTACHED,
	HANDOFF_TIME_FIRST_HELD,
	HANDOFF_TIME_ACTIVATED,
	HANDOFF_TIME_FIRST_DELIVERED,
	HANDOFF_TIME_LAST_DELIVERED,
	HANDOFF_TIME_FIRST_ANNOUNCE,
	HANDOFF_TIME_SOURCE_STOPPED,
	HANDOFF_TIME_ENDED,
	HANDOFF_TIME_VIF_READY,	/* dest: the vif first took frames (carrier on) */
	__HANDOFF_TIME_MAX
};
#define HANDOFF_TIME_MAX (__HANDOFF_TIME_MAX - 1)

/* Values of HANDOFF_A_EVENT. */
enum handoff_event {
	HANDOFF_EVENT_UNSPEC,
	HANDOFF_EVENT_CREATED,
	HANDOFF_EVENT_ARMED,
	HANDOFF_EVENT_ATTACHED,
	HANDOFF_EVENT_DETACHED,		/* the destination vif went away */
	HANDOFF_EVENT_ACTIVATED,
	HANDOFF_EVENT_DELIVERED,	/* last held frame delivered */
	HANDOFF_EVENT_SOURCE_STOPPED,
	HANDOFF_EVENT_DONE,
	HANDOFF_EVENT_ABORTED,
	HANDOFF_EVENT_EXPIRED,
	HANDOFF_EVENT_DELETED,
	__HANDOFF_EVENT_MAX
};
#define HANDOFF_EVENT_MAX (__HANDOFF_EVENT_MAX - 1)

#endif /* _UAPI_LINUX_HANDOFF_H */
