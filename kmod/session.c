// SPDX-License-Identifier: GPL-2.0
/*
 * The per-netns session table and each session's lifecycle.
 *
 * Writers hold RTNL, which also serialises against the netdevice notifier;
 * the datapath looks sessions up under RCU. A session is owned by whoever
 * unlinks it from the table: the command that deletes it, the expiry work, or
 * namespace teardown. Unlinking happens under RTNL; freeing after an RCU grace
 * period, once the expiry work can no longer run.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "handoff.h"

struct workqueue_struct *handoff_wq;

static u64 session_key(u64 id, u8 role)
{
	return id ^ ((u64)role << 56);
}

static void session_expire_work(struct work_struct *work);

struct handoff_session *handoff_session_alloc(struct handoff_net *hn, u64 id,
					      u8 role, gfp_t gfp)
{
	struct handoff_session *s;

	s = kzalloc(sizeof(*s), gfp);
	if (!s)
		return NULL;
	s->stats = alloc_percpu_gfp(struct handoff_stats, gfp);
	if (!s->stats) {
		kfree(s);
		return NULL;
	}
	s->hn = hn;
	s->id = id;
	s->role = role;
	s->state = HANDOFF_STATE_NEW;
	s->times[HANDOFF_TIME_CREATED] = ktime_get();
	spin_lock_init(&s->lock);
	handoff_replay_init(&s->replay);
	INIT_LIST_HEAD(&s->source_node);
	INIT_HLIST_NODE(&s->vif_node);
	skb_queue_head_init(&s->held);
	skb_queue_head_init(&s->live);
	skb_queue_head_init(&s->diverted);
	s->next_seq = 1;
	INIT_DELAYED_WORK(&s->deliver, handoff_deliver_work);
	INIT_DELAYED_WORK(&s->control, handoff_control_work);
	INIT_DELAYED_WORK(&s->expire, session_expire_work);
	return s;
}

static void session_free_rcu(struct rcu_head *rcu)
{
	struct handoff_session *s = container_of(rcu, struct handoff_session,
						 rcu);

	free_percpu(s->stats);
	kfree_sensitive(s);	/* holds the tunnel keys */
}

/* For a session that was never inserted, or that its owner has unlinked. */
void handoff_session_free(struct handoff_session *s)
{
	call_rcu(&s->rcu, session_free_rcu);
}

struct handoff_session *handoff_session_find(struct handoff_net *hn, u64 id,
					     u8 role)
{
	struct handoff_session *s;

	hash_for_each_possible_rcu(hn->sessions, s, node, session_key(id, role),
				   lockdep_rtnl_is_held())
		if (s->id == id && s->role == role)
			return s;
	return NULL;
}

int handoff_session_insert(struct handoff_session *s,
			   struct netlink_ext_ack *extack)
{
	struct handoff_net *hn = s->hn;
	unsigned int timeout;
	int err = 0;

	ASSERT_RTNL();
	if (handoff_session_find(hn, s->id, s->role)) {
		NL_SET_ERR_MSG(extack, "A session with this id and role exists");
		return -EEXIST;
	}
	if (hn->nsessions >= READ_ONCE(hn->sysctl.max_sessions)) {
		NL_SET_ERR_MSG(extack, "net.handoff.max_sessions reached");
		return -ENOSPC;
	}
	err = handoff_tunnel_open(hn, extack);
	if (err)
		return err;
	err = handoff_tunnel_peer_ok(hn, s, extack);
	if (!err && handoff_is_source(s))
		err = handoff_capture_start(s, extack);
	else if (!err && rtnl_dereference(s->dev))
		err = handoff_dest_hook(s);
	if (err) {
		if (!hn->nsessions)
			handoff_tunnel_close(hn);
		return err;
	}
	hash_add_rcu(hn->sessions, &s->node, session_key(s->id, s->role));
	hn->nsessions++;
	s->linked = true;

	timeout = READ_ONCE(hn->sysctl.session_timeout_ms);
	queue_delayed_work(handoff_wq, &s->expire, msecs_to_jiffies(timeout));
	handoff_genl_event(s, HANDOFF_EVENT_CREATED,
			   s->times[HANDOFF_TIME_CREATED]);
	return 0;
}

/* Under RTNL: take @s out of the table and release what it holds. */
void handoff_session_unlink(struct handoff_session *s, enum handoff_event why)
{
	ASSERT_RTNL();
	WRITE_ONCE(s->dead, true);
	hash_del_rcu(&s->node);
	s->hn->nsessions--;
	s->linked = false;
	if (handoff_is_source(s)) {
		handoff_divert_flush(s);
		handoff_capture_stop(s);
	}
	handoff_session_detach(s);
	if (!s->hn->nsessions)
		handoff_tunnel_close(s->hn);
	if (!s->times[HANDOFF_TIME_ENDED])
		s->times[HANDOFF_TIME_ENDED] = ktime_get();
	handoff_genl_event(s, why, ktime_get());
}

/* After unlink: no hook, lookup or timer can reach @s once this returns. */
static void session_quiesce(struct handoff_session *s)
{
	synchronize_net();
	cancel_delayed_work_sync(&s->control);
	cancel_delayed_work_sync(&s->deliver);
	skb_queue_purge(&s->held);
	skb_queue_purge(&s->live);
	skb_queue_purge(&s->diverted);
}

/*
 * Without RTNL (the expiry work takes it): wait out the expiry work, then free
 * once RCU readers are done.
 */
void handoff_session_release(struct handoff_session *s)
{
	session_quiesce(s);
	cancel_delayed_work_sync(&s->expire);
	handoff_session_free(s);
}

static void session_expire_work(struct work_struct *work)
{
	struct handoff_session *s = container_of(to_delayed_work(work),
						 struct handoff_session,
						 expire);

	rtnl_lock();
	if (!s->linked) {
		/* Its owner is waiting in cancel_delayed_work_sync(). */
		rtnl_unlock();
		return;
	}
	if (s->state > HANDOFF_STATE_ATTACHED) {
		/* Activated in time, or ended: the timeout no longer applies. */
		rtnl_unlock();
		return;
	}
	pr_info("session %llx (%s) expired in state %u\n", s->id,
		s->role == HANDOFF_ROLE_SOURCE ? "source" : "dest", s->state);
	s->state = HANDOFF_STATE_EXPIRED;
	handoff_session_unlink(s, HANDOFF_EVENT_EXPIRED);
	rtnl_unlock();
	session_quiesce(s);
	/* Freeing a work item from its own function is allowed. */
	handoff_session_free(s);
}

int handoff_session_attach(struct handoff_session *s, struct net_device *dev,
			   struct netlink_ext_ack *extack)
{
	ASSERT_RTNL();
	if (rtnl_dereference(s->dev)) {
		NL_SET_ERR_MSG(extack, "Session already has a device");
		return -EBUSY;
	}
	if (dev->reg_state != NETREG_REGISTERED) {
		NL_SET_ERR_MSG(extack, "Device is going away");
		return -ENODEV;
	}
	netdev_hold(dev, &s->dev_tracker, GFP_KERNEL);
	s->ifindex = dev->ifindex;
	strscpy(s->ifname, dev->name, sizeof(s->ifname));
	rcu_assign_pointer(s->dev, dev);
	return 0;
}

/* Attach a destination session that is already in the table: hook too. */
int handoff_session_attach_dest(struct handoff_session *s,
				struct net_device *dev,
				struct netlink_ext_ack *extack)
{
	int err = handoff_session_attach(s, dev, extack);

	if (err)
		return err;
	err = handoff_dest_hook(s);
	if (err) {
		NL_SET_ERR_MSG(extack, "Cannot hook the vif");
		handoff_session_detach(s);
	}
	return err;
}

void handoff_session_detach(struct handoff_session *s)
{
	struct net_device *dev = rtnl_dereference(s->dev);

	if (!dev)
		return;
	if (handoff_is_source(s))
		handoff_capture_forget_vif(s);
	else
		handoff_dest_unhook(s);
	RCU_INIT_POINTER(s->dev, NULL);
	s->ifindex = 0;
	s->ifname[0] = '\0';
	/* Readers under RCU may still see it; the netdev core waits for them. */
	netdev_put(dev, &s->dev_tracker);
}

/*
 * Add an address of the VM unless known; false if known or the list is full
 * (HANDOFF_MAX_ADDRS bounds it). Caller holds s->lock.
 */
bool handoff_addr_add(struct handoff_session *s, u16 family, const void *a)
{
	unsigned int i, len = handoff_addr_len(family);

	for (i = 0; i < s->naddrs; i++)
		if (s->addrs[i].family == family &&
		    !memcmp(s->addrs[i].raw, a, len))
			return false;
	if (s->naddrs == HANDOFF_MAX_ADDRS)
		return false;
	s->addrs[s->naddrs].family = family;
	memcpy(s->addrs[s->naddrs].raw, a, len);
	s->naddrs++;
	return true;
}

void handoff_session_transition(struct handoff_session *s, u8 state,
				enum handoff_time t, enum handoff_event ev)
{
	ktime_t now = ktime_get();

	spin_lock_bh(&s->lock);
	WRITE_ONCE(s->state, state);
	if (t != HANDOFF_TIME_UNSPEC && !s->times[t])
		s->times[t] = now;
	spin_unlock_bh(&s->lock);
	handoff_genl_event(s, ev, now);
}

void handoff_stats_sum(struct handoff_stats __percpu *stats,
		       struct handoff_stats *sum)
{
	int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct handoff_stats *st = per_cpu_ptr(stats, cpu);

		for (i = 0; i < __HANDOFF_CTR_MAX; i++)
			sum->ctr[i] += READ_ONCE(st->ctr[i]);
	}
}

/* Namespace teardown: every session goes, whatever its state. */
void handoff_sessions_flush(struct handoff_net *hn)
{
	struct handoff_session *s, *tmp;
	struct hlist_node *n;
	LIST_HEAD(gone);
	int bkt;

	rtnl_lock();
	hash_for_each_safe(hn->sessions, bkt, n, s, node) {
		handoff_session_unlink(s, HANDOFF_EVENT_DELETED);
		list_add(&s->gc, &gone);
	}
	rtnl_unlock();
	list_for_each_entry_safe(s, tmp, &gone, gc)
		handoff_session_release(s);
}

/*
 * Device events. A destination session loses its vif and waits for the next
 * attach; a source session keeps capturing at the switch without it.
 */
static int handoff_netdev_event(struct notifier_block *nb, unsigned long event,
				void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct handoff_net *hn = handoff_pernet(dev_net(dev));
	struct handoff_session *s;
	int bkt;

	if (!hn->nsessions)
		return NOTIFY_DONE;
	if (hn->novs)
		handoff_ovs_netdev_event(hn, dev, event);

	hash_for_each(hn->sessions, bkt, s, node) {
		if (s->bridge == dev && event == NETDEV_UNREGISTER) {
			/* The switch itself is gone: nothing left to capture. */
			handoff_capture_stop(s);
			continue;
		}
		if (rtnl_dereference(s->dev) != dev)
			continue;
		switch (event) {
		case NETDEV_UNREGISTER:
			handoff_session_detach(s);
			if (s->state == HANDOFF_STATE_ATTACHED)
				WRITE_ONCE(s->state, HANDOFF_STATE_NEW);
			handoff_genl_event(s, HANDOFF_EVENT_DETACHED,
					   ktime_get());
			break;
		case NETDEV_CHANGENAME:
			strscpy(s->ifname, dev->name, sizeof(s->ifname));
			break;
		case NETDEV_CHANGE:
			/* netback's "Guest Rx ready", through linkwatch */
			if (s->role != HANDOFF_ROLE_DEST || !netif_carrier_ok(dev))
				break;
			if (!(s->flags & HANDOFF_F_NO_CARRIER_ACTIVATE))
				handoff_dest_activate(s);
			/* Activated by the guest's first frame: delivery waited. */
			handoff_deliver_kick(s, 0);
			break;
		}
	}
	return NOTIFY_DONE;
}

static struct notifier_block handoff_netdev_nb = {
	.notifier_call = handoff_netdev_event,
};

int handoff_device_init(void)
{
	int err;

	handoff_wq = alloc_workqueue("handoff", WQ_UNBOUND, 0);
	if (!handoff_wq)
		return -ENOMEM;
	err = register_netdevice_notifier(&handoff_netdev_nb);
	if (err)
		destroy_workqueue(handoff_wq);
	return err;
}

void handoff_device_exit(void)
{
	unregister_netdevice_notifier(&handoff_netdev_nb);
}

/* After every netns has flushed its sessions. */
void handoff_wq_exit(void)
{
	destroy_workqueue(handoff_wq);
}
