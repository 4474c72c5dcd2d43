// SPDX-License-Identifier: GPL-2.0
/*
 * Capture on Open vSwitch: where frames enter the datapath.
 *
 * Open vSwitch has no hook of its own for "a frame enters the switch", and
 * its flows live in userspace. But every way into a kernel datapath passes a
 * netdev hook first:
 *
 *  - A netdev port (a vif, the uplink, a vxlan_sys_* tunnel port) is linked
 *    under the datapath device ovs-system (netdev_master_upper_dev_link() in
 *    ovs_netdev_link(), net/openvswitch/vport-netdev.c) and receives through
 *    OVS's rx_handler, which __netif_receive_skb_core() calls after the
 *    netfilter ingress hook (nf_ingress(), net/core/dev.c). So an
 *    NF_NETDEV_INGRESS hook on every port of the datapath sees every frame
 *    that enters the switch from outside, before any flow decides anything,
 *    and whatever the destination port's state (carrier off, deleted).
 *  - What the host's own stack sends through an internal port (the bridge's
 *    local port, which usually carries the host's address) enters the
 *    datapath in internal_dev_xmit() (vport-internal_dev.c), reached through
 *    __dev_queue_xmit() after the NF_NETDEV_EGRESS hook. Internal ports carry
 *    IFF_OPENVSWITCH (netif_is_ovs_master()) but no upper link, so the kernel
 *    does not say which datapath they belong to: their frames are offered to
 *    every OVS session of the namespace. ovs-vswitchd puts all the bridges of
 *    a namespace in one datapath (ovs-system), so in practice that is exact.
 *
 * Scope is the kernel datapath, not the OVS bridge: ovs-vswitchd multiplexes
 * all its bridges onto ovs-system, so broadcast and multicast entering
 * another OVS bridge of the same host are copied too (extra frames, never
 * missing ones). The netdev hooks are on these ports only while a source
 * session captures on their datapath: no cost anywhere else.
 *
 * Hooks are registered under RTNL in process context (registration sleeps):
 * when a session is created, when a port joins the datapath
 * (NETDEV_CHANGEUPPER) or an internal port appears (NETDEV_REGISTER). They
 * go when the port leaves, is unregistered, or the last session goes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/sock.h>

#include "handoff.h"

struct handoff_ovs_port {
	struct list_head node;		/* hn->ovs_ports, under RTNL */
	struct net_device *dev;
	netdevice_tracker tracker;
	struct nf_hook_ops ops;
	struct rcu_head rcu;
};

/*
 * The tunnel's own UDP packets, sent by this module through the host: owned
 * by its socket (tunnel.c), whose sk_user_data is this namespace's state.
 * They are addressed to the peer host, so they only match a VM's MAC when
 * that VM is the host's next hop; then copying them would loop.
 */
static bool own_tunnel_skb(struct handoff_net *hn, const struct sk_buff *skb)
{
	struct sock *sk = skb->sk;

	return sk && sk_fullsock(sk) && sk->sk_protocol == IPPROTO_UDP &&
	       rcu_dereference_sk_user_data(sk) == hn;
}

static unsigned int ovs_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	struct handoff_net *hn = handoff_pernet(state->net);

	if (!READ_ONCE(hn->nsources))
		return NF_ACCEPT;
	if (HANDOFF_HAVE_NF_EGRESS && state->hook != NF_NETDEV_INGRESS) {
		/* The host sends into the datapath through an internal port. */
		if (own_tunnel_skb(hn, skb))
			return NF_ACCEPT;
		return handoff_capture_frame(hn, skb, state->out, NULL);
	}
	return handoff_capture_frame(hn, skb, state->in,
				     netdev_master_upper_dev_get_rcu(state->in));
}

/* Under RTNL: whether some source session captures on datapath @dp. */
static bool dp_captured(struct handoff_net *hn, const struct net_device *dp)
{
	struct handoff_session *s;

	list_for_each_entry(s, &hn->sources, source_node)
		if (s->ovs && s->bridge == dp)
			return true;
	return false;
}

/* What a port needs (not a hooknum: NF_NETDEV_INGRESS is 0). */
enum { WANT_NONE, WANT_INGRESS, WANT_EGRESS };

/* Under RTNL: which hook @dev wants now. */
static int port_wants(struct handoff_net *hn, struct net_device *dev)
{
	struct net_device *dp;

	if (!hn->novs || dev->reg_state != NETREG_REGISTERED)
		return WANT_NONE;
	if (netif_is_ovs_master(dev))	/* an internal port */
		return HANDOFF_HAVE_NF_EGRESS ? WANT_EGRESS : WANT_NONE;
	dp = netdev_master_upper_dev_get(dev);
	if (dp && netif_is_ovs_master(dp) && dp_captured(hn, dp))
		return WANT_INGRESS;
	return WANT_NONE;
}

static int port_has(const struct handoff_ovs_port *p)
{
	return p->ops.hooknum == NF_NETDEV_INGRESS ? WANT_INGRESS : WANT_EGRESS;
}

static struct handoff_ovs_port *port_find(struct handoff_net *hn,
					  const struct net_device *dev)
{
	struct handoff_ovs_port *p;

	list_for_each_entry(p, &hn->ovs_ports, node)
		if (p->dev == dev)
			return p;
	return NULL;
}

static int port_hook(struct handoff_net *hn, struct net_device *dev,
		     int want)
{
	struct handoff_ovs_port *p;
	int err;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->dev = dev;
	p->ops = (struct nf_hook_ops) {
		.hook = ovs_hook,
		.pf = NFPROTO_NETDEV,
		.hooknum = want == WANT_EGRESS ? HANDOFF_NF_NETDEV_EGRESS
					       : NF_NETDEV_INGRESS,
		.priority = INT_MIN,
		.dev = dev,
	};
	err = nf_register_net_hook(hn->net, &p->ops);
	if (err) {
		kfree(p);
		return err;
	}
	netdev_hold(dev, &p->tracker, GFP_KERNEL);
	list_add(&p->node, &hn->ovs_ports);
	return 0;
}

static void port_unhook(struct handoff_net *hn, struct handoff_ovs_port *p)
{
	nf_unregister_net_hook(hn->net, &p->ops);
	list_del(&p->node);
	netdev_put(p->dev, &p->tracker);
	/* A reader may still be in ovs_hook(): free after a grace period. */
	kfree_rcu(p, rcu);
}

/*
 * Under RTNL: make the hooked ports what the sessions want. Unhooking never
 * fails; on an error hooking, the ports hooked so far stay and the caller
 * decides (session creation fails and unwinds; a device event logs it).
 */
int handoff_ovs_sync(struct handoff_net *hn)
{
	struct handoff_ovs_port *p, *tmp;
	struct net_device *dev;
	int want, err;

	ASSERT_RTNL();
	list_for_each_entry_safe(p, tmp, &hn->ovs_ports, node)
		if (port_wants(hn, p->dev) != port_has(p))
			port_unhook(hn, p);
	if (!hn->novs)
		return 0;
	for_each_netdev(hn->net, dev) {
		want = port_wants(hn, dev);
		if (want == WANT_NONE || port_find(hn, dev))
			continue;
		err = port_hook(hn, dev, want);
		if (err)
			return err;
	}
	return 0;
}

/* Under RTNL, from the netdevice notifier, while an OVS session exists. */
void handoff_ovs_netdev_event(struct handoff_net *hn, struct net_device *dev,
			      unsigned long event)
{
	struct handoff_ovs_port *p;
	int want, err;

	switch (event) {
	case NETDEV_REGISTER:		/* a new internal port */
	case NETDEV_CHANGEUPPER:	/* a port joined or left a datapath */
	case NETDEV_UNREGISTER:
		break;
	default:
		return;
	}
	want = port_wants(hn, dev);
	p = port_find(hn, dev);
	if (p && port_has(p) != want) {
		port_unhook(hn, p);
		p = NULL;
	}
	if (want != WANT_NONE && !p) {
		err = port_hook(hn, dev, want);
		if (err)
			pr_warn("cannot hook Open vSwitch port %s: %d; frames entering there are not captured\n",
				dev->name, err);
	}
}
