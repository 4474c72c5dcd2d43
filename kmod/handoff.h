/* SPDX-License-Identifier: GPL-2.0 */
/*
 * handoff: internal declarations shared by the module's files.
 */
#ifndef _HANDOFF_H
#define _HANDOFF_H

#include <linux/if_ether.h>
#include <linux/in6.h>
#include <linux/hashtable.h>
#include <linux/ktime.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/socket.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <uapi/linux/handoff.h>

#define HANDOFF_SESSION_HASH_BITS 8
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
	/* The schedule is read and written as a whole under announce_lock. */
	spinlock_t announce_lock;
	int announce_count;
	int announce_ms[HANDOFF_ANNOUNCE_SLOTS];
};

struct handoff_net {
	struct net *net;
	/* Sessions keyed by (id, role). Writers hold RTNL; readers use RCU. */
	DECLARE_HASHTABLE(sessions, HANDOFF_SESSION_HASH_BITS);
	unsigned int nsessions;
	struct handoff_sysctl sysctl;
	struct ctl_table_header *sysctl_hdr;
};

struct handoff_stats {
	u64 ctr[__HANDOFF_CTR_MAX];
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
	struct {
		u16 family;
		union {
			struct in_addr in;
			struct in6_addr in6;
		};
	} addrs[HANDOFF_MAX_ADDRS];
	unsigned int naddrs;

	struct sockaddr_storage peer;
	u8 tx_key[HANDOFF_KEY_LEN];
	u8 rx_key[HANDOFF_KEY_LEN];

	struct handoff_stats __percpu *stats;
	ktime_t times[__HANDOFF_TIME_MAX];

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
void handoff_session_activate(struct handoff_session *s);
int handoff_session_attach(struct handoff_session *s, struct net_device *dev,
			   struct netlink_ext_ack *extack);
void handoff_session_detach(struct handoff_session *s);
void handoff_session_transition(struct handoff_session *s, u8 state,
				enum handoff_time t, enum handoff_event ev);
void handoff_session_stats(const struct handoff_session *s,
			   struct handoff_stats *sum);
void handoff_sessions_flush(struct handoff_net *hn);
int handoff_device_init(void);
void handoff_device_exit(void);
void handoff_wq_exit(void);

extern struct workqueue_struct *handoff_wq;

/* netlink.c */
int handoff_genl_init(void);
void handoff_genl_exit(void);
void handoff_genl_event(struct handoff_session *s, enum handoff_event ev,
			ktime_t when);

#endif /* _HANDOFF_H */
