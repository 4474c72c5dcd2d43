// SPDX-License-Identifier: GPL-2.0
/*
 * The source side: capture at the switch, not at the vif.
 *
 * xl takes the source vif's carrier down and deletes it before the
 * destination's carrier comes on, and the bridge then stops forwarding to that
 * port and flushes its FDB, so a hook on the vif goes blind exactly when it
 * matters. The hook here sits at the bridge's PRE_ROUTING, where every frame
 * enters the switch from any port, before the FDB decides anything. It sees
 * frames for a paused guest as well as for a deleted vif.
 *
 * While armed, frames for the VM (its MACs, and broadcast and multicast) are
 * copied to the destination and still delivered here, so a failed migration
 * that resumes the source loses nothing it could hold (with HANDOFF_F_DIVERT,
 * unicast is kept here instead: divert.c). Once stopped, unicast
 * for the VM is forwarded to the destination instead of delivered here.
 *
 * Frames the guest sends through its vif teach the session the MACs behind
 * the vif (a bridge inside the guest has several) and the addresses the
 * guest claims in ARP and ND with its own MAC as sender.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/ipv6.h>
#include <linux/netfilter_bridge.h>
#include <linux/rtnetlink.h>
#include <net/ndisc.h>
#include <net/ip.h>

#include "handoff.h"

static u32 mac_hash(const u8 *mac)
{
	return jhash(mac, ETH_ALEN, 0);
}

static struct handoff_session *capture_lookup(struct handoff_net *hn,
					      const u8 *mac)
{
	struct handoff_capture_mac *c;

	hash_for_each_possible_rcu(hn->capture, c, node, mac_hash(mac))
		if (ether_addr_equal(c->mac, mac))
			return c->s;
	return NULL;
}

/* Called with capture_lock held. */
static bool capture_add(struct handoff_session *s, const u8 *mac, u16 vlan)
{
	struct handoff_capture_mac *c;
	unsigned int i;

	for (i = 0; i < s->ncapture; i++)
		if (ether_addr_equal(s->capture[i].mac, mac) &&
		    s->capture[i].vlan == vlan)
			return false;
	if (s->ncapture == HANDOFF_CAPTURE_MACS)
		return false;
	c = &s->capture[s->ncapture];
	c->s = s;
	c->vlan = vlan;
	ether_addr_copy(c->mac, mac);
	hash_add_rcu(s->hn->capture, &c->node, mac_hash(mac));
	/* Publish the entry before the count that bounds readers of it;
	 * pairs with smp_load_acquire() in the readers.
	 */
	smp_store_release(&s->ncapture, s->ncapture + 1);
	return true;
}

/*
 * A copy of @skb as the guest would see it: Ethernet header in front, VLAN
 * tag in the frame, checksums complete, and GSO split into real frames.
 * Sent to the destination, one message per frame, each with its own seq.
 */
static void capture_copy(struct handoff_session *s, struct sk_buff *skb)
{
	struct sk_buff *c, *segs, *next;
	struct handoff_wire_data d;

	c = skb_clone(skb, GFP_ATOMIC);
	if (!c)
		goto nomem;
	skb_push(c, skb->data - skb_mac_header(skb));
	if (skb_vlan_tag_present(c)) {
		c = __vlan_hwaccel_push_inside(c);
		if (!c)
			goto nomem;
	}
	if (skb_is_gso(c)) {
		segs = skb_gso_segment(c, 0);
		consume_skb(c);
		if (IS_ERR_OR_NULL(segs))
			goto nomem;
	} else {
		if (c->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(c)) {
			kfree_skb(c);
			goto nomem;
		}
		segs = c;
		segs->next = NULL;
	}
	skb_list_walk_safe(segs, c, next) {
		skb_mark_not_on_list(c);
		if (c->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(c)) {
			kfree_skb(c);
			handoff_count(s, HANDOFF_CTR_DROP_NOMEM);
			continue;
		}
		d.seq = cpu_to_be64(atomic64_inc_return(&s->seq));
		handoff_count(s, HANDOFF_CTR_CAPTURED);
		handoff_tunnel_send(s, HANDOFF_MSG_DATA, &d, sizeof(d), c);
		consume_skb(c);
	}
	return;
nomem:
	handoff_count(s, HANDOFF_CTR_DROP_NOMEM);
}

/* Add an address the guest claimed; capped, never a duplicate. */
static void learn_addr(struct handoff_session *s, u16 family, const void *a)
{
	spin_lock(&s->lock);
	if (handoff_addr_add(s, family, a)) {
		s->learn_dirty = true;
		handoff_count(s, HANDOFF_CTR_LEARNED);
	}
	spin_unlock(&s->lock);
}

static void learn_arp(struct handoff_session *s, struct sk_buff *skb,
		      const u8 *src)
{
	struct {
		struct arphdr hdr;
		u8 sha[ETH_ALEN];
		__be32 sip;
	} __packed _arp, *arp;

	arp = skb_header_pointer(skb, 0, sizeof(_arp), &_arp);
	if (!arp || arp->hdr.ar_hrd != htons(ARPHRD_ETHER) ||
	    arp->hdr.ar_pro != htons(ETH_P_IP) || arp->hdr.ar_hln != ETH_ALEN ||
	    arp->hdr.ar_pln != 4 || !ether_addr_equal(arp->sha, src) ||
	    ipv4_is_zeronet(arp->sip) || ipv4_is_multicast(arp->sip) ||
	    ipv4_is_lbcast(arp->sip))
		return;
	learn_addr(s, AF_INET, &arp->sip);
}

/*
 * ND from the guest: an NA's target, or an NS's source, counts only with a
 * link-layer option naming the guest's own MAC.
 */
static void learn_nd(struct handoff_session *s, struct sk_buff *skb,
		     const u8 *src)
{
	struct ipv6hdr _ip6, *ip6;
	struct {
		struct icmp6hdr icmp;
		struct in6_addr target;
		u8 opt_type, opt_len;
		u8 lladdr[ETH_ALEN];
	} __packed _nd, *nd;
	const struct in6_addr *addr;

	ip6 = skb_header_pointer(skb, 0, sizeof(_ip6), &_ip6);
	if (!ip6 || ip6->nexthdr != IPPROTO_ICMPV6 || ip6->hop_limit != 255)
		return;
	nd = skb_header_pointer(skb, sizeof(*ip6), sizeof(_nd), &_nd);
	if (!nd || nd->opt_len != 1 || !ether_addr_equal(nd->lladdr, src))
		return;
	if (nd->icmp.icmp6_type == NDISC_NEIGHBOUR_ADVERTISEMENT &&
	    nd->opt_type == ND_OPT_TARGET_LL_ADDR)
		addr = &nd->target;
	else if (nd->icmp.icmp6_type == NDISC_NEIGHBOUR_SOLICITATION &&
		 nd->opt_type == ND_OPT_SOURCE_LL_ADDR)
		addr = &ip6->saddr;
	else
		return;
	if (ipv6_addr_any(addr) || ipv6_addr_is_multicast(addr))
		return;
	learn_addr(s, AF_INET6, addr);
}

/*
 * A frame from the source vif: the guest speaking. Each (MAC, VLAN) it uses
 * is remembered, so the destination announces every MAC on every VLAN.
 */
static void learn_from_guest(struct handoff_session *s, struct sk_buff *skb)
{
	u16 vlan = skb_vlan_tag_present(skb) ? skb_vlan_tag_get_id(skb) : 0;
	const u8 *src = eth_hdr(skb)->h_source;
	bool known = false;
	/* Pairs with smp_store_release() in capture_add(). */
	unsigned int i, n = smp_load_acquire(&s->ncapture);

	for (i = 0; i < n; i++)
		if (ether_addr_equal(s->capture[i].mac, src) &&
		    s->capture[i].vlan == vlan)
			known = true;
	if (!known && is_valid_ether_addr(src)) {
		spin_lock(&s->hn->capture_lock);
		if (capture_add(s, src, vlan)) {
			s->learn_dirty = true;
			handoff_count(s, HANDOFF_CTR_LEARNED);
		}
		spin_unlock(&s->hn->capture_lock);
	}
	if (skb->protocol == htons(ETH_P_ARP))
		learn_arp(s, skb, src);
	else if (skb->protocol == htons(ETH_P_IPV6))
		learn_nd(s, skb, src);
	if (READ_ONCE(s->learn_dirty) && READ_ONCE(s->state) ==
	    HANDOFF_STATE_ARMED)
		handoff_control_kick(s, 0);
}

static struct handoff_session *vif_lookup(struct handoff_net *hn,
					  const struct net_device *dev)
{
	struct handoff_session *s;

	hash_for_each_possible_rcu(hn->vifs, s, vif_node, dev->ifindex)
		if (rcu_access_pointer(s->dev) == dev)
			return s;
	return NULL;
}

/* Whether @s captures for the switch @sw (NULL: any OVS datapath here). */
static bool switch_match(const struct handoff_session *s,
			 const struct net_device *sw)
{
	return sw ? s->bridge == sw : s->ovs;
}

/*
 * A frame entering the switch @sw through @port, before the switch decides
 * where it goes; the one per-packet path of both switches. @sw is NULL for a
 * frame the host sends into Open vSwitch through an internal port: the kernel
 * does not tell which datapath that is, so every OVS session here looks
 * (see ovs.c). Returns the netfilter verdict.
 */
unsigned int handoff_capture_frame(struct handoff_net *hn, struct sk_buff *skb,
				   const struct net_device *port,
				   const struct net_device *sw)
{
	const struct ethhdr *eth = eth_hdr(skb);
	struct handoff_session *s;

	s = vif_lookup(hn, port);
	if (s) {
		/* From the guest itself: learn, never copy back to it. */
		learn_from_guest(s, skb);
		return NF_ACCEPT;
	}

	if (is_multicast_ether_addr(eth->h_dest)) {
		list_for_each_entry_rcu(s, &hn->sources, source_node)
			if (switch_match(s, sw) &&
			    READ_ONCE(s->state) == HANDOFF_STATE_ARMED)
				capture_copy(s, skb);
		return NF_ACCEPT;
	}

	s = capture_lookup(hn, eth->h_dest);
	if (!s || !switch_match(s, sw))
		return NF_ACCEPT;
	switch (READ_ONCE(s->state)) {
	case HANDOFF_STATE_ARMED:
		capture_copy(s, skb);
		if ((s->flags & HANDOFF_F_DIVERT) && handoff_divert(s, skb))
			return NF_STOLEN;
		return NF_ACCEPT;
	case HANDOFF_STATE_ABORTED:
		/* Diverted frames go back to the vif first (divert.c). */
		if (READ_ONCE(s->redelivering) && handoff_divert(s, skb))
			return NF_STOLEN;
		return NF_ACCEPT;
	case HANDOFF_STATE_STOPPED:
		/* The VM lives at the destination now: forward, don't deliver. */
		capture_copy(s, skb);
		handoff_count(s, HANDOFF_CTR_FORWARDED);
		consume_skb(skb);
		return NF_STOLEN;
	}
	return NF_ACCEPT;
}

/* Linux bridge: every frame entering the bridge from any of its ports. */
static unsigned int capture_hook(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	struct handoff_net *hn = handoff_pernet(state->net);

	if (!READ_ONCE(hn->nsources))
		return NF_ACCEPT;
	return handoff_capture_frame(hn, skb, state->in,
				     netdev_master_upper_dev_get_rcu(state->in));
}

static const struct nf_hook_ops capture_ops = {
	.hook = capture_hook,
	.pf = NFPROTO_BRIDGE,
	.hooknum = NF_BR_PRE_ROUTING,
	.priority = NF_BR_PRI_FIRST,
};

/*
 * Under RTNL, at session creation: may sleep (hook registration). A vif on a
 * Linux bridge is captured at the bridge's PRE_ROUTING hook; a vif on Open
 * vSwitch at the netdev hooks of every port of its datapath (ovs.c).
 */
int handoff_capture_start(struct handoff_session *s,
			  struct netlink_ext_ack *extack)
{
	struct net_device *dev = rtnl_dereference(s->dev);
	struct handoff_net *hn = s->hn;
	struct net_device *br;
	unsigned int i;
	bool ovs;
	int err;

	br = netdev_master_upper_dev_get(dev);
	if (br && netif_is_bridge_master(br)) {
		ovs = false;
	} else if (br && netif_is_ovs_master(br)) {
		ovs = true;
	} else {
		NL_SET_ERR_MSG(extack,
			       "The source vif is not a port of a Linux bridge or of Open vSwitch");
		return -EOPNOTSUPP;
	}
	if (!ovs && !hn->nbridge) {
		err = nf_register_net_hook(hn->net, &capture_ops);
		if (err) {
			NL_SET_ERR_MSG(extack, "Cannot register the bridge hook");
			return err;
		}
	}
	netdev_hold(br, &s->bridge_tracker, GFP_KERNEL);
	s->bridge = br;
	s->ovs = ovs;
	if (ovs)
		hn->novs++;
	else
		hn->nbridge++;

	spin_lock_bh(&hn->capture_lock);
	for (i = 0; i < s->nmacs; i++)
		capture_add(s, s->macs[i], 0);
	list_add_tail_rcu(&s->source_node, &hn->sources);
	hash_add_rcu(hn->vifs, &s->vif_node, dev->ifindex);
	WRITE_ONCE(hn->nsources, hn->nsources + 1);
	spin_unlock_bh(&hn->capture_lock);

	if (ovs) {
		err = handoff_ovs_sync(hn);
		if (err) {
			NL_SET_ERR_MSG(extack,
				       "Cannot hook the ports of the Open vSwitch datapath");
			handoff_capture_stop(s);
			return err;
		}
	}
	return 0;
}

/* The source vif went away (xl deletes it mid-cutover): capture goes on. */
void handoff_capture_forget_vif(struct handoff_session *s)
{
	if (!hlist_unhashed(&s->vif_node))
		hash_del_rcu(&s->vif_node);
}

/* Under RTNL, when the session goes. Readers are done after a grace period. */
void handoff_capture_stop(struct handoff_session *s)
{
	struct handoff_net *hn = s->hn;
	unsigned int i;

	if (!s->bridge)
		return;
	spin_lock_bh(&hn->capture_lock);
	for (i = 0; i < s->ncapture; i++)
		hash_del_rcu(&s->capture[i].node);
	list_del_rcu(&s->source_node);
	handoff_capture_forget_vif(s);
	WRITE_ONCE(hn->nsources, hn->nsources - 1);
	spin_unlock_bh(&hn->capture_lock);
	if (s->ovs) {
		hn->novs--;
		/*
		 * Unhooks what no session wants any more; can only fail
		 * hooking a port an earlier sync had failed to hook.
		 */
		handoff_ovs_sync(hn);
	} else if (!--hn->nbridge) {
		nf_unregister_net_hook(hn->net, &capture_ops);
	}
	synchronize_net();
	netdev_put(s->bridge, &s->bridge_tracker);
	s->bridge = NULL;
	s->ovs = false;
}

/* The destination took over: stop delivering here, report the last seq. */
void handoff_source_stop(struct handoff_session *s)
{
	struct handoff_wire_marker m;
	bool first = false;

	spin_lock_bh(&s->lock);
	if (s->state == HANDOFF_STATE_ARMED) {
		s->state = HANDOFF_STATE_STOPPED;
		s->marker_seq = atomic64_read(&s->seq);
		s->times[HANDOFF_TIME_SOURCE_STOPPED] = ktime_get();
		first = true;
	} else if (s->state != HANDOFF_STATE_STOPPED &&
		   s->state != HANDOFF_STATE_DONE) {
		spin_unlock_bh(&s->lock);
		handoff_count(s, HANDOFF_CTR_DROP_STATE);
		return;
	}
	m.last_seq = cpu_to_be64(s->marker_seq);
	spin_unlock_bh(&s->lock);

	/* Every STOP is answered: the destination retries until it hears. */
	handoff_tunnel_send(s, HANDOFF_MSG_MARKER, &m, sizeof(m), NULL);
	if (first) {
		handoff_divert_purge(s);
		handoff_genl_event(s, HANDOFF_EVENT_SOURCE_STOPPED,
				   s->times[HANDOFF_TIME_SOURCE_STOPPED]);
		/* The grace period runs from here. */
		handoff_control_kick(s, msecs_to_jiffies(READ_ONCE(s->hn->sysctl.grace_ms)));
	}
}

/* LEARN: the MACs and addresses seen so far, for the destination to announce. */
void handoff_source_learn_send(struct handoff_session *s)
{
	struct handoff_wire_learn_entry *e;
	unsigned int i, n = 0;
	u8 *buf;

	buf = kzalloc(sizeof(__be16) + HANDOFF_MAX_LEARN * sizeof(*e),
		      GFP_KERNEL);
	if (!buf) {
		handoff_count(s, HANDOFF_CTR_DROP_NOMEM);
		return;
	}
	e = (void *)(buf + sizeof(__be16));
	spin_lock_bh(&s->lock);
	s->learn_dirty = false;
	/* capture_add() runs under capture_lock, not s->lock. */
	for (i = 0; i < smp_load_acquire(&s->ncapture) && n < HANDOFF_MAX_LEARN;
	     i++, n++) {
		e[n].kind = HANDOFF_LEARN_MAC;
		e[n].vlan = cpu_to_be16(s->capture[i].vlan);
		ether_addr_copy(e[n].addr, s->capture[i].mac);
	}
	for (i = 0; i < s->naddrs && n < HANDOFF_MAX_LEARN; i++, n++) {
		e[n].kind = s->addrs[i].family == AF_INET ? HANDOFF_LEARN_IN
							   : HANDOFF_LEARN_IN6;
		memcpy(e[n].addr, s->addrs[i].raw,
		       handoff_addr_len(s->addrs[i].family));
	}
	spin_unlock_bh(&s->lock);
	*(__be16 *)buf = cpu_to_be16(n);
	handoff_tunnel_send(s, HANDOFF_MSG_LEARN, buf,
			    sizeof(__be16) + n * sizeof(*e), NULL);
	kfree(buf);
}
