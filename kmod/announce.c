// SPDX-License-Identifier: GPL-2.0
/*
 * Announce the VM on the guest's behalf, as QEMU's announce-self does: a RARP
 * for every MAC behind the vif (per VLAN), a gratuitous ARP for each IPv4
 * address and an unsolicited NA for each IPv6 address. The frames enter the
 * vif's receive path as if the guest sent them, so the local bridge learns the
 * MACs on this port and anti-spoofing rules on the vif still apply.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/if_bridge.h>
#include <linux/if_vlan.h>
#include <linux/ipv6.h>
#include <linux/rtnetlink.h>
#include <net/addrconf.h>
#include <net/ip6_checksum.h>
#include <net/ndisc.h>

#include "handoff.h"

#define ANNOUNCE_LEN 128	/* room for the largest: an NA */

struct nd_na_lla {
	struct icmp6hdr icmp;
	struct in6_addr target;
	u8 opt_type, opt_len;
	u8 lladdr[ETH_ALEN];
} __packed;

struct arp_eth_ipv4 {
	struct arphdr hdr;
	u8 sha[ETH_ALEN];
	__be32 sip;
	u8 tha[ETH_ALEN];
	__be32 tip;
} __packed;

static struct sk_buff *announce_alloc(const u8 *src, const u8 *dst, u16 proto)
{
	struct sk_buff *skb = alloc_skb(NET_IP_ALIGN + ANNOUNCE_LEN,
					GFP_ATOMIC);
	struct ethhdr *eth;

	if (!skb)
		return NULL;
	skb_reserve(skb, NET_IP_ALIGN);
	eth = skb_put(skb, ETH_HLEN);
	ether_addr_copy(eth->h_dest, dst);
	ether_addr_copy(eth->h_source, src);
	eth->h_proto = htons(proto);
	return skb;
}

/* ARP opcode 3 (reverse request) for RARP, 1 (request) for gratuitous ARP. */
static struct sk_buff *build_arp(const u8 *mac, __be32 ip, bool rarp)
{
	struct sk_buff *skb;
	struct arp_eth_ipv4 *a;

	skb = announce_alloc(mac, (const u8 *)"\xff\xff\xff\xff\xff\xff",
			     rarp ? ETH_P_RARP : ETH_P_ARP);
	if (!skb)
		return NULL;
	a = skb_put_zero(skb, sizeof(*a));
	a->hdr.ar_hrd = htons(ARPHRD_ETHER);
	a->hdr.ar_pro = htons(ETH_P_IP);
	a->hdr.ar_hln = ETH_ALEN;
	a->hdr.ar_pln = 4;
	a->hdr.ar_op = htons(rarp ? ARPOP_RREQUEST : ARPOP_REQUEST);
	ether_addr_copy(a->sha, mac);
	if (rarp)
		ether_addr_copy(a->tha, mac);
	a->sip = ip;
	a->tip = ip;
	skb_put_zero(skb, ETH_ZLEN - skb->len);
	return skb;
}

/* Unsolicited NA to all-nodes, override set, target link-layer option. */
static struct sk_buff *build_na(const u8 *mac, const struct in6_addr *addr)
{
	static const u8 allnodes_mac[ETH_ALEN] = { 0x33, 0x33, 0, 0, 0, 1 };
	struct nd_na_lla *na;
	struct ipv6hdr *ip6;
	struct sk_buff *skb;

	skb = announce_alloc(mac, allnodes_mac, ETH_P_IPV6);
	if (!skb)
		return NULL;
	ip6 = skb_put_zero(skb, sizeof(*ip6));
	na = skb_put_zero(skb, sizeof(*na));
	ip6->version = 6;
	ip6->payload_len = htons(sizeof(*na));
	ip6->nexthdr = IPPROTO_ICMPV6;
	ip6->hop_limit = 255;
	ip6->saddr = *addr;
	ipv6_addr_set(&ip6->daddr, htonl(0xff020000), 0, 0, htonl(1));
	na->icmp.icmp6_type = NDISC_NEIGHBOUR_ADVERTISEMENT;
	na->icmp.icmp6_override = 1;
	na->target = *addr;
	na->opt_type = ND_OPT_TARGET_LL_ADDR;
	na->opt_len = 1;
	ether_addr_copy(na->lladdr, mac);
	na->icmp.icmp6_cksum = csum_ipv6_magic(&ip6->saddr, &ip6->daddr,
					       sizeof(*na), IPPROTO_ICMPV6,
					       csum_partial(na, sizeof(*na), 0));
	return skb;
}

static void inject(struct net_device *dev, struct sk_buff *skb, u16 vlan)
{
	if (vlan)
		__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), vlan);
	skb->dev = dev;
	skb->protocol = eth_type_trans(skb, dev);
	netif_rx(skb);
}

/*
 * One round of announcements on @dev, from process context (may sleep).
 * -EAGAIN while the bridge port does not forward yet (a frame sent then would
 * be dropped by the bridge).
 */
int handoff_announce(struct handoff_session *s, struct net_device *dev)
{
	struct {
		u8 mac[ETH_ALEN];
		u16 vlan;
	} macs[HANDOFF_MAX_MACS + HANDOFF_CAPTURE_MACS];
	struct handoff_addr addrs[HANDOFF_MAX_ADDRS];
	unsigned int nmacs = 0, naddrs, i, j;
	struct sk_buff *skb;
	int sent = 0;

	/* The port state is read under RTNL; never wait for it here. */
	if (netif_is_bridge_port(dev)) {
		bool fwd;

		if (!rtnl_trylock())
			return -EAGAIN;
		fwd = br_port_get_stp_state(dev) == BR_STATE_FORWARDING;
		rtnl_unlock();
		if (!fwd)
			return -EAGAIN;
	}

	/* Snapshot under the lock: learning may add entries meanwhile. */
	spin_lock_bh(&s->lock);
	for (i = 0; i < s->nmacs; i++, nmacs++) {
		ether_addr_copy(macs[nmacs].mac, s->macs[i]);
		macs[nmacs].vlan = 0;
	}
	for (i = 0; i < s->ncapture; i++) {
		for (j = 0; j < nmacs; j++)
			if (ether_addr_equal(macs[j].mac, s->capture[i].mac) &&
			    macs[j].vlan == s->capture[i].vlan)
				break;
		if (j < nmacs)
			continue;
		ether_addr_copy(macs[nmacs].mac, s->capture[i].mac);
		macs[nmacs++].vlan = s->capture[i].vlan;
	}
	naddrs = s->naddrs;
	memcpy(addrs, s->addrs, naddrs * sizeof(addrs[0]));
	spin_unlock_bh(&s->lock);

	for (i = 0; i < nmacs; i++) {
		skb = build_arp(macs[i].mac, 0, true);
		if (!skb)
			goto nomem;
		inject(dev, skb, macs[i].vlan);
		sent++;
	}
	/* Addresses are the VM's own: they go out with its first MAC. */
	for (i = 0; i < naddrs; i++) {
		if (addrs[i].family == AF_INET)
			skb = build_arp(macs[0].mac, addrs[i].in.s_addr, false);
		else
			skb = build_na(macs[0].mac, &addrs[i].in6);
		if (!skb)
			goto nomem;
		inject(dev, skb, 0);
		sent++;
	}
	this_cpu_add(s->stats->ctr[HANDOFF_CTR_ANNOUNCES], sent);
	return 0;
nomem:
	this_cpu_add(s->stats->ctr[HANDOFF_CTR_ANNOUNCES], sent);
	handoff_count(s, HANDOFF_CTR_DROP_NOMEM);
	return -ENOMEM;
}
