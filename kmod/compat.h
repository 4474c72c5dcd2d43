/* SPDX-License-Identifier: GPL-2.0 */
/*
 * handoff: every kernel version difference, in one place.
 *
 * The module is written against Linux 6.1 (Debian 12). This file lets it
 * build and run on older kernels down to 5.10 (Debian 11), tested in QEMU by
 * `make check-compat`. Nothing else in the module tests LINUX_VERSION_CODE.
 *
 * The one behavioural difference: the netfilter netdev egress hook
 * (NF_NETDEV_EGRESS) exists from 5.16 (HANDOFF_HAVE_NF_EGRESS). Without it:
 *  - the destination vif's egress (hold.c: live traffic waits behind held
 *    frames) is hooked at the Linux bridge's NF_BR_POST_ROUTING instead,
 *    where the bridge hands every frame for a port to that port (both
 *    forwarded and locally sent, br_forward.c). A destination vif on Open
 *    vSwitch is not held back there: live frames may overtake held ones.
 *  - Open vSwitch capture (ovs.c) sees what enters the datapath from its
 *    netdev ports but not what the host sends through internal ports.
 *
 * A tc clsact egress filter (sch_handle_egress() runs before the qdisc on
 * every kernel) would cover those two as well, but it needs a filter or
 * action kind of our own installed by rtnetlink from userspace: tc(8) refuses
 * an action kind it has no plugin for, so the agent would have to build the
 * request. The bridge hook needs nothing from userspace; the OVS cases on
 * old kernels are left for when someone needs them.
 */
#ifndef _HANDOFF_COMPAT_H
#define _HANDOFF_COMPAT_H

#include <linux/version.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 16, 0)
#define HANDOFF_HAVE_NF_EGRESS 1
#define HANDOFF_NF_NETDEV_EGRESS NF_NETDEV_EGRESS
#include <linux/netfilter_netdev.h>
#else
#define HANDOFF_HAVE_NF_EGRESS 0
#define HANDOFF_NF_NETDEV_EGRESS (-1)	/* never registered (ovs.c) */
#include <linux/netfilter_bridge.h>
#endif

/* Reference tracking of net_device holders: 5.17, renamed in 6.0. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 17, 0)
typedef struct {} netdevice_tracker;
#endif
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 0, 0)
static inline void handoff_netdev_hold(struct net_device *dev,
				       netdevice_tracker *tracker, gfp_t gfp)
{
	dev_hold(dev);
}

static inline void handoff_netdev_put(struct net_device *dev,
				      netdevice_tracker *tracker)
{
	dev_put(dev);
}

#define netdev_hold handoff_netdev_hold
#define netdev_put handoff_netdev_put
#endif

/*
 * Who may listen to the event group: CAP_NET_ADMIN in the netns (backported
 * to Debian's 6.1), else the older CAP_SYS_ADMIN-only flag (stricter).
 */
#ifdef GENL_MCAST_CAP_NET_ADMIN
#define HANDOFF_MCGRP_PERM .flags = GENL_MCAST_CAP_NET_ADMIN
#else
#define HANDOFF_MCGRP_PERM .cap_sys_admin = 1
#endif

/*
 * A required attribute of a generic netlink request: 6.0, which also names
 * it in the ack (NLMSGERR_ATTR_MISS_TYPE). Before, the message names it.
 */
#ifndef GENL_REQ_ATTR_CHECK
#define GENL_REQ_ATTR_CHECK(info, attr) ({				\
	struct genl_info *__info = (info);				\
	int __missing = !__info->attrs[(attr)];				\
									\
	if (__missing)							\
		NL_SET_ERR_MSG(__info->extack,				\
			       "Missing attribute " #attr);		\
	__missing;							\
})
#endif

/*
 * A bridge port's STP state: exported from 5.14. Before, "up with carrier"
 * stands in for forwarding, which is what a bridge without STP (the usual
 * dom0 bridge) does at carrier-on; the announce schedule repeats anyway.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 14, 0)
#include <linux/if_bridge.h>
static inline u8 handoff_br_port_state(const struct net_device *dev)
{
	return netif_oper_up(dev) ? BR_STATE_FORWARDING : BR_STATE_DISABLED;
}

#define br_port_get_stp_state handoff_br_port_state
#endif

#endif /* _HANDOFF_COMPAT_H */
