/* SPDX-License-Identifier: GPL-2.0 */
/*
 * handoff: internal declarations shared by the module's files.
 */
#ifndef _HANDOFF_H
#define _HANDOFF_H

#include "compat.h"

#include <linux/if_ether.h>
#include <linux/in6.h>
#include <linux/hashtable.h>
#include <linux/ktime.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/percpu.h>
#include <linux/socket.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <uapi/linux/handoff.h>

#include "replay.h"
#include "wire.h"

#define HANDOFF_SESSION_HASH_BITS 8
#define HANDOFF_MAC_HASH_BITS 8
#define HANDOFF_MAX_LEARNED_MACS 16
#define HANDOFF_CAPTURE_MACS (HANDOFF_MAX_MACS + HANDOFF_MAX_LEARNED_MACS)
#define HANDOFF_DEDUP_SLOTS 64
#define HANDOFF_ANNOUNCE_SLOTS 8

/* net.handoff.* knobs, one copy per netns. Ranges live in sysctl.c. */
struct handoff_sysctl {
	int port;
	int max_sessions;
	int session_timeout_ms;
	int hold_max_frames;
	int hold_max_bytes;
	int hold_max_age_ms;
	int marker_timeout_ms;
	int grace_ms;
	int deliver_batch;
	int deliver_max_pps;		/* 0: as fast as the vif takes them */
	/* The schedule is read and written as a whole under announce_lock. */
	spinlock_t announce_lock;
	int announce_count;
	int announce_ms[HANDOFF_ANNOUNCE_SLOTS];
};

struct handoff_stats {
	u64 ctr[__HANDOFF_CTR_MAX];
};

struct handoff_net {
	struct net *net;
	/* Sessions keyed by (id, role). Writers hold RTNL; readers use RCU. */
	DECLARE_HASHTABLE(sessions, HANDOFF_SESSION_HASH_BITS);
	unsigned int nsessions;
	struct handoff_sysctl sysctl;
	struct ctl_table_header *sysctl_hdr;

	/*
	 * The tunnel: one UDP socket per address family on the same port, open
	 * while any session exists (sock6 is NULL without IPv6 in the kernel).
	 */
	struct socket __rcu *sock;
	struct socket __rcu *sock6;
	u16 sock_port;
	struct handoff_stats __percpu *stats;	/* no session to charge */

	/*
	 * Capture: source sessions by the VM's MACs, and the list of source
	 * sessions for broadcast and learning. The bridge hook is registered
	 * while nbridge > 0 (sessions whose vif is on a Linux bridge); the
	 * Open vSwitch port hooks in ovs_ports while novs > 0 (see ovs.c).
	 */
	spinlock_t capture_lock;
	DECLARE_HASHTABLE(capture, HANDOFF_MAC_HASH_BITS);
	struct list_head sources;
	DECLARE_HASHTABLE(vifs, HANDOFF_MAC_HASH_BITS);	/* by ifindex */
	unsigned int nsources;
	unsigned int nbridge;		/* under RTNL */
	unsigned int novs;		/* under RTNL */
	struct list_head ovs_ports;	/* hooked OVS ports, under RTNL */
};

/* An address of the VM: configured, or learned from its own ARP/ND. */
struct handoff_addr {
	u16 family;
	union {
		struct in_addr in;
		struct in6_addr in6;
		u8 raw[16];
	};
};

static inline unsigned int handoff_addr_len(u16 family)
{
	return family == AF_INET ? sizeof(struct in_addr)
				 : sizeof(struct in6_addr);
}

/* A MAC a source session captures for: configured or learned. */
struct handoff_capture_mac {
	struct hlist_node node;
	struct handoff_session *s;
	u8 mac[ETH_ALEN];
	u16 vlan;
};

/* Destination's view of the flow it must deliver, under session lock. */
enum handoff_drain {
	HANDOFF_DRAIN_IDLE,	/* not activated: hold */
	HANDOFF_DRAIN_RUNNING,	/* delivering held frames, live ones wait */
	HANDOFF_DRAIN_LIVE,	/* caught up: live traffic passes */
};

struct handoff_session {
	struct hlist_node node;
	struct rcu_head rcu;
	struct handoff_net *hn;
	u64 id;
	u8 role;
	u8 state;
	bool linked;
	u32 flags;

	/* Device: the source vif, or the attached destination vif. */
	struct net_device __rcu *dev;
	netdevice_tracker dev_tracker;
	int ifindex;
	char ifname[IFNAMSIZ];

	u8 macs[HANDOFF_MAX_MACS][ETH_ALEN];
	unsigned int nmacs;
	struct handoff_addr addrs[HANDOFF_MAX_ADDRS];
	unsigned int naddrs;

	struct sockaddr_storage peer;
	u8 tx_key[HANDOFF_KEY_LEN];
	u8 rx_key[HANDOFF_KEY_LEN];

	struct handoff_stats __percpu *stats;
	ktime_t times[__HANDOFF_TIME_MAX];

	/* Datapath state; config changes hold RTNL as well. */
	spinlock_t lock;
	atomic64_t tx_counter;
	struct handoff_replay replay;	/* under lock */

	/* Source. */
	struct list_head source_node;	/* hn->sources, RCU */
	struct hlist_node vif_node;	/* hn->vifs while the vif exists */
	/*
	 * The vif's switch, held: a Linux bridge, or the Open vSwitch
	 * datapath device (ovs-system) the vif is a port of (ovs set).
	 */
	struct net_device *bridge;
	netdevice_tracker bridge_tracker;
	bool ovs;
	struct handoff_capture_mac capture[HANDOFF_CAPTURE_MACS];
	unsigned int ncapture;		/* entries in use */
	atomic64_t seq;			/* last data seq assigned */
	u64 marker_seq;
	bool learn_dirty;		/* learned something not yet sent */
	struct sk_buff_head diverted;	/* F_DIVERT: kept frames, under lock */
	unsigned int diverted_bytes;
	bool redelivering;		/* giving diverted frames back */
	bool divert_closed;		/* unlinking: keep nothing new */

	/* Destination. */
	bool hooked;			/* netdev hooks on dev registered */
	bool vif_warned;		/* said once that the vif drops frames */
	struct nf_hook_ops dev_hooks[2];
	enum handoff_drain drain;
	struct sk_buff_head held;	/* sorted by seq */
	unsigned int held_bytes;
	struct sk_buff_head live;	/* arrival order */
	u64 next_seq;			/* next seq to deliver */
	u64 last_seq;			/* from the marker */
	bool have_marker;
	ktime_t source_done;		/* when the source said its grace ended */
	bool announced;
	ktime_t gap_since;		/* head of held is not next_seq since */
	ktime_t resolving_since;	/* the guest asked for a neighbour */
	s64 pace_next;			/* deliver_max_pps: next frame's slot */
	u32 dedup[HANDOFF_DEDUP_SLOTS];	/* hashes of recent tunnel frames */
	unsigned int dedup_pos;
	struct delayed_work deliver;

	/* Both: retries of STOP and ABORT, announces, grace, timeouts. */
	struct delayed_work control;
	unsigned int announce_idx;
	unsigned int abort_tries;
	bool abort_acked;
	bool reannounce;		/* source: the peer had announced */
	bool dead;			/* unlinked: nothing may queue work */

	struct delayed_work expire;
	struct list_head gc;	/* teardown list, off the RCU table */
};

extern unsigned int handoff_net_id;

static inline struct handoff_net *handoff_pernet(const struct net *net)
{
	return net_generic(net, handoff_net_id);
}

static inline void handoff_count(struct handoff_session *s,
				 enum handoff_counter c)
{
	this_cpu_inc(s->stats->ctr[c]);
}

static inline void handoff_net_count(struct handoff_net *hn,
				     enum handoff_counter c)
{
	this_cpu_inc(hn->stats->ctr[c]);
}

static inline bool handoff_is_source(const struct handoff_session *s)
{
	return s->role == HANDOFF_ROLE_SOURCE;
}

/* skb->cb of held frames. */
struct handoff_skb_cb {
	u64 seq;
	ktime_t arrived;
};

#define HANDOFF_CB(skb) ((struct handoff_skb_cb *)(skb)->cb)

/* sysctl.c */
void handoff_sysctl_defaults(struct handoff_sysctl *sc);
int handoff_sysctl_register(struct handoff_net *hn);
void handoff_sysctl_unregister(struct handoff_net *hn);

/* session.c */
struct handoff_session *handoff_session_alloc(struct handoff_net *hn, u64 id,
					      u8 role, gfp_t gfp);
void handoff_session_free(struct handoff_session *s);
struct handoff_session *handoff_session_find(struct handoff_net *hn, u64 id,
					     u8 role);
int handoff_session_insert(struct handoff_session *s,
			   struct netlink_ext_ack *extack);
void handoff_session_unlink(struct handoff_session *s, enum handoff_event why);
void handoff_session_release(struct handoff_session *s);
int handoff_session_attach_dest(struct handoff_session *s,
				struct net_device *dev,
				struct netlink_ext_ack *extack);
int handoff_session_attach(struct handoff_session *s, struct net_device *dev,
			   struct netlink_ext_ack *extack);
void handoff_session_detach(struct handoff_session *s);
bool handoff_addr_add(struct handoff_session *s, u16 family, const void *a);
void handoff_session_transition(struct handoff_session *s, u8 state,
				enum handoff_time t, enum handoff_event ev);
void handoff_stats_sum(struct handoff_stats __percpu *stats,
		       struct handoff_stats *sum);
void handoff_sessions_flush(struct handoff_net *hn);
int handoff_device_init(void);
void handoff_device_exit(void);
void handoff_wq_exit(void);

extern struct workqueue_struct *handoff_wq;

/* tunnel.c */
int handoff_tunnel_open(struct handoff_net *hn, struct netlink_ext_ack *extack);
/* Whether the open tunnel can reach s's peer (its address family). */
int handoff_tunnel_peer_ok(struct handoff_net *hn, const struct handoff_session *s,
			   struct netlink_ext_ack *extack);
void handoff_tunnel_close(struct handoff_net *hn);
int handoff_tunnel_send(struct handoff_session *s, enum handoff_msg type,
			const void *pre, unsigned int pre_len,
			struct sk_buff *frame);

/* capture.c: the source side */
int handoff_capture_start(struct handoff_session *s,
			  struct netlink_ext_ack *extack);
void handoff_capture_stop(struct handoff_session *s);
void handoff_capture_forget_vif(struct handoff_session *s);
void handoff_source_stop(struct handoff_session *s);
void handoff_source_abort(struct handoff_session *s, bool reannounce);
void handoff_source_learn_send(struct handoff_session *s);
bool handoff_divert(struct handoff_session *s, struct sk_buff *skb);
s64 handoff_divert_redeliver(struct handoff_session *s);
void handoff_divert_flush(struct handoff_session *s);
void handoff_divert_purge(struct handoff_session *s);
unsigned int handoff_capture_frame(struct handoff_net *hn, struct sk_buff *skb,
				   const struct net_device *port,
				   const struct net_device *sw);

/* ovs.c: capture on Open vSwitch datapaths */
int handoff_ovs_sync(struct handoff_net *hn);
void handoff_ovs_netdev_event(struct handoff_net *hn, struct net_device *dev,
			      unsigned long event);

/* hold.c: the destination side */
int handoff_dest_hook(struct handoff_session *s);
void handoff_dest_unhook(struct handoff_session *s);
void handoff_dest_enqueue(struct handoff_session *s, struct sk_buff *skb,
			  u64 seq);
void handoff_dest_marker(struct handoff_session *s, u64 last_seq);
void handoff_dest_source_done(struct handoff_session *s);
void handoff_dest_learn(struct handoff_session *s, const void *data,
			unsigned int len);
bool handoff_dest_activate(struct handoff_session *s);
void handoff_dest_purge(struct handoff_session *s);
void handoff_deliver_work(struct work_struct *work);
void handoff_deliver_kick(struct handoff_session *s, unsigned long delay);

/* announce.c */
int handoff_announce(struct handoff_session *s, struct net_device *dev);

/* control.c: timers and retries */
void handoff_control_work(struct work_struct *work);
void handoff_control_kick(struct handoff_session *s, unsigned long delay);
void handoff_session_abort(struct handoff_session *s, bool from_peer,
			   bool peer_announced);

/* netlink.c */
int handoff_genl_init(void);
void handoff_genl_exit(void);
void handoff_genl_event(struct handoff_session *s, enum handoff_event ev,
			ktime_t when);

#endif /* _HANDOFF_H */
