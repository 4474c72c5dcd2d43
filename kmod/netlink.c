// SPDX-License-Identifier: GPL-2.0
/*
 * The "handoff" generic netlink family: strict policies, admin permission,
 * per-netns, and an "events" multicast group. The commands are documented in
 * include/uapi/linux/handoff.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/ipv6.h>

#include "handoff.h"

static struct genl_family handoff_family;

enum handoff_mcgrp { HANDOFF_MCGRP_EVENTS_IDX };

static const struct genl_multicast_group handoff_mcgrps[] = {
	[HANDOFF_MCGRP_EVENTS_IDX] = {
		.name = HANDOFF_MCGRP_EVENTS,
		HANDOFF_MCGRP_PERM,
	},
};

static int validate_peer(const struct nlattr *attr,
			 struct netlink_ext_ack *extack)
{
	const struct sockaddr_in6 *sin6 = nla_data(attr);
	const struct sockaddr_in *sin = nla_data(attr);
	int len = nla_len(attr);

	switch (sin->sin_family) {
	case AF_INET:
		if (len != sizeof(*sin))
			break;
		if (!sin->sin_port) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "Peer port is 0");
			return -EINVAL;
		}
		if (ipv4_is_zeronet(sin->sin_addr.s_addr) ||
		    ipv4_is_multicast(sin->sin_addr.s_addr) ||
		    ipv4_is_lbcast(sin->sin_addr.s_addr)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "Peer address is not unicast");
			return -EINVAL;
		}
		return 0;
	case AF_INET6:
		if (len != sizeof(*sin6))
			break;
		if (!sin6->sin6_port) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "Peer port is 0");
			return -EINVAL;
		}
		if (ipv6_addr_any(&sin6->sin6_addr) ||
		    ipv6_addr_is_multicast(&sin6->sin6_addr)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "Peer address is not unicast");
			return -EINVAL;
		}
		return 0;
	}
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "Peer must be a sockaddr_in or sockaddr_in6");
	return -EINVAL;
}

static const struct nla_policy handoff_mac_policy[HANDOFF_A_MAC_MAX + 1] = {
	[HANDOFF_A_MAC] = NLA_POLICY_ETH_ADDR,
};

static const struct nla_policy handoff_addr_policy[HANDOFF_A_ADDR_MAX + 1] = {
	[HANDOFF_A_ADDR_IN] = NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[HANDOFF_A_ADDR_IN6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
};

/* Attributes the kernel only sends are rejected on input. */
static const struct nla_policy handoff_policy[HANDOFF_A_MAX + 1] = {
	[HANDOFF_A_PAD] = { .type = NLA_REJECT },
	[HANDOFF_A_VERSION] = { .type = NLA_REJECT },
	[HANDOFF_A_SESSION_COUNT] = { .type = NLA_REJECT },
	[HANDOFF_A_PORT] = { .type = NLA_REJECT },
	[HANDOFF_A_SESSION_ID] = NLA_POLICY_MIN(NLA_U64, 1),
	[HANDOFF_A_ROLE] = NLA_POLICY_RANGE(NLA_U8, HANDOFF_ROLE_SOURCE,
					    HANDOFF_ROLE_MAX),
	[HANDOFF_A_STATE] = { .type = NLA_REJECT },
	[HANDOFF_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[HANDOFF_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[HANDOFF_A_MACS] = NLA_POLICY_NESTED(handoff_mac_policy),
	[HANDOFF_A_ADDRS] = NLA_POLICY_NESTED(handoff_addr_policy),
	[HANDOFF_A_PEER] = NLA_POLICY_VALIDATE_FN(NLA_BINARY, validate_peer,
						  sizeof(struct sockaddr_in6)),
	[HANDOFF_A_TX_KEY] = NLA_POLICY_EXACT_LEN(HANDOFF_KEY_LEN),
	[HANDOFF_A_RX_KEY] = NLA_POLICY_EXACT_LEN(HANDOFF_KEY_LEN),
	[HANDOFF_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, __HANDOFF_F_ALL),
	[HANDOFF_A_COUNTERS] = { .type = NLA_REJECT },
	[HANDOFF_A_TIMES] = { .type = NLA_REJECT },
	[HANDOFF_A_EVENT] = { .type = NLA_REJECT },
	[HANDOFF_A_TIMESTAMP] = { .type = NLA_REJECT },
};

static struct handoff_net *info_hn(struct genl_info *info)
{
	return handoff_pernet(genl_info_net(info));
}

/* Resolve HANDOFF_A_IFINDEX or HANDOFF_A_IFNAME (exactly one) under RTNL. */
static struct net_device *lookup_dev(struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct nlattr **a = info->attrs;
	struct net_device *dev;

	if (a[HANDOFF_A_IFINDEX] && a[HANDOFF_A_IFNAME]) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[HANDOFF_A_IFNAME],
				    "Give either an ifindex or an ifname");
		return ERR_PTR(-EINVAL);
	}
	if (a[HANDOFF_A_IFINDEX]) {
		dev = __dev_get_by_index(net, nla_get_u32(a[HANDOFF_A_IFINDEX]));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(info->extack, a[HANDOFF_A_IFINDEX],
					    "No device with this ifindex");
			return ERR_PTR(-ENODEV);
		}
		return dev;
	}
	if (a[HANDOFF_A_IFNAME]) {
		dev = __dev_get_by_name(net, nla_data(a[HANDOFF_A_IFNAME]));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(info->extack, a[HANDOFF_A_IFNAME],
					    "No device with this name");
			return ERR_PTR(-ENODEV);
		}
		return dev;
	}
	return NULL;
}

static int parse_macs(struct handoff_session *s, struct genl_info *info)
{
	struct nlattr *mac, *macs = info->attrs[HANDOFF_A_MACS];
	int rem;

	nla_for_each_nested(mac, macs, rem) {
		if (nla_type(mac) != HANDOFF_A_MAC)
			continue;	/* policy already refused others */
		if (!is_valid_ether_addr(nla_data(mac))) {
			NL_SET_ERR_MSG_ATTR(info->extack, mac,
					    "MAC must be unicast and non-zero");
			return -EINVAL;
		}
		if (s->nmacs == HANDOFF_MAX_MACS) {
			NL_SET_ERR_MSG_ATTR(info->extack, mac,
					    "Too many MACs");
			return -E2BIG;
		}
		ether_addr_copy(s->macs[s->nmacs++], nla_data(mac));
	}
	if (!s->nmacs) {
		NL_SET_ERR_MSG_ATTR(info->extack, macs, "No MAC given");
		return -EINVAL;
	}
	return 0;
}

static int parse_addrs(struct handoff_session *s, struct genl_info *info)
{
	struct nlattr *addr, *addrs = info->attrs[HANDOFF_A_ADDRS];
	int rem;

	if (!addrs)
		return 0;
	nla_for_each_nested(addr, addrs, rem) {
		if (s->naddrs == HANDOFF_MAX_ADDRS) {
			NL_SET_ERR_MSG_ATTR(info->extack, addr,
					    "Too many addresses");
			return -E2BIG;
		}
		switch (nla_type(addr)) {
		case HANDOFF_A_ADDR_IN:
			s->addrs[s->naddrs].family = AF_INET;
			memcpy(&s->addrs[s->naddrs++].in, nla_data(addr),
			       sizeof(struct in_addr));
			break;
		case HANDOFF_A_ADDR_IN6:
			s->addrs[s->naddrs].family = AF_INET6;
			memcpy(&s->addrs[s->naddrs++].in6, nla_data(addr),
			       sizeof(struct in6_addr));
			break;
		}
	}
	return 0;
}

static int handoff_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct handoff_net *hn = info_hn(info);
	struct nlattr **a = info->attrs;
	struct handoff_session *s;
	struct net_device *dev;
	u8 role;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, HANDOFF_A_SESSION_ID) ||
	    GENL_REQ_ATTR_CHECK(info, HANDOFF_A_ROLE) ||
	    GENL_REQ_ATTR_CHECK(info, HANDOFF_A_MACS) ||
	    GENL_REQ_ATTR_CHECK(info, HANDOFF_A_PEER) ||
	    GENL_REQ_ATTR_CHECK(info, HANDOFF_A_TX_KEY) ||
	    GENL_REQ_ATTR_CHECK(info, HANDOFF_A_RX_KEY))
		return -EINVAL;
	role = nla_get_u8(a[HANDOFF_A_ROLE]);

	s = handoff_session_alloc(hn, nla_get_u64(a[HANDOFF_A_SESSION_ID]),
				  role, GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	err = parse_macs(s, info);
	if (!err)
		err = parse_addrs(s, info);
	if (err)
		goto err_free;
	nla_memcpy(&s->peer, a[HANDOFF_A_PEER], sizeof(s->peer));
	nla_memcpy(s->tx_key, a[HANDOFF_A_TX_KEY], HANDOFF_KEY_LEN);
	nla_memcpy(s->rx_key, a[HANDOFF_A_RX_KEY], HANDOFF_KEY_LEN);
	if (a[HANDOFF_A_FLAGS])
		s->flags = nla_get_u32(a[HANDOFF_A_FLAGS]);
	if ((s->flags & HANDOFF_F_DIVERT) && role != HANDOFF_ROLE_SOURCE) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[HANDOFF_A_FLAGS],
				    "Divert applies to a source session");
		err = -EINVAL;
		goto err_free;
	}

	rtnl_lock();
	dev = lookup_dev(info);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		goto err_unlock;
	}
	if (!dev && role == HANDOFF_ROLE_SOURCE) {
		NL_SET_ERR_MSG(info->extack,
			       "A source session needs its vif (ifindex or ifname)");
		err = -EINVAL;
		goto err_unlock;
	}
	if (dev) {
		err = handoff_session_attach(s, dev, info->extack);
		if (err)
			goto err_unlock;
		if (role == HANDOFF_ROLE_DEST) {
			s->state = HANDOFF_STATE_ATTACHED;
			s->times[HANDOFF_TIME_ATTACHED] = ktime_get();
		}
	}
	err = handoff_session_insert(s, info->extack);
	if (err) {
		handoff_session_detach(s);
		goto err_unlock;
	}
	rtnl_unlock();
	return 0;

err_unlock:
	rtnl_unlock();
err_free:
	handoff_session_free(s);
	return err;
}

/* Find the session named by SESSION_ID and ROLE (or @role if non-zero). */
static struct handoff_session *lookup_session(struct genl_info *info, u8 role)
{
	struct nlattr **a = info->attrs;
	struct handoff_session *s;

	if (GENL_REQ_ATTR_CHECK(info, HANDOFF_A_SESSION_ID))
		return ERR_PTR(-EINVAL);
	if (!role) {
		if (GENL_REQ_ATTR_CHECK(info, HANDOFF_A_ROLE))
			return ERR_PTR(-EINVAL);
		role = nla_get_u8(a[HANDOFF_A_ROLE]);
	} else if (a[HANDOFF_A_ROLE] && nla_get_u8(a[HANDOFF_A_ROLE]) != role) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[HANDOFF_A_ROLE],
				    "Command does not apply to this role");
		return ERR_PTR(-EINVAL);
	}
	s = handoff_session_find(info_hn(info),
				 nla_get_u64(a[HANDOFF_A_SESSION_ID]), role);
	if (!s) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[HANDOFF_A_SESSION_ID],
				    "No such session");
		return ERR_PTR(-ENOENT);
	}
	return s;
}

static int handoff_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct handoff_session *s;

	rtnl_lock();
	s = lookup_session(info, 0);
	if (IS_ERR(s)) {
		rtnl_unlock();
		return PTR_ERR(s);
	}
	handoff_session_unlink(s, HANDOFF_EVENT_DELETED);
	rtnl_unlock();
	handoff_session_release(s);
	return 0;
}

static int handoff_arm_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct handoff_session *s;
	int err = 0;

	rtnl_lock();
	s = lookup_session(info, HANDOFF_ROLE_SOURCE);
	if (IS_ERR(s)) {
		err = PTR_ERR(s);
	} else if (s->state != HANDOFF_STATE_NEW) {
		NL_SET_ERR_MSG(info->extack, "Session is not in state new");
		err = -EBUSY;
	} else {
		handoff_session_transition(s, HANDOFF_STATE_ARMED,
					   HANDOFF_TIME_ARMED,
					   HANDOFF_EVENT_ARMED);
		/* Tell the destination what to announce. */
		WRITE_ONCE(s->learn_dirty, true);
		handoff_control_kick(s, 0);
	}
	rtnl_unlock();
	return err;
}

static int handoff_attach_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct handoff_session *s;
	struct net_device *dev;
	int err;

	rtnl_lock();
	s = lookup_session(info, HANDOFF_ROLE_DEST);
	if (IS_ERR(s)) {
		err = PTR_ERR(s);
		goto out;
	}
	dev = lookup_dev(info);
	if (IS_ERR_OR_NULL(dev)) {
		if (!dev)
			NL_SET_ERR_MSG(info->extack,
				       "Give the vif (ifindex or ifname)");
		err = dev ? PTR_ERR(dev) : -EINVAL;
		goto out;
	}
	if (s->state != HANDOFF_STATE_NEW) {
		NL_SET_ERR_MSG(info->extack, "Session is not in state new");
		err = -EBUSY;
		goto out;
	}
	err = handoff_session_attach_dest(s, dev, info->extack);
	if (!err)
		handoff_session_transition(s, HANDOFF_STATE_ATTACHED,
					   HANDOFF_TIME_ATTACHED,
					   HANDOFF_EVENT_ATTACHED);
out:
	rtnl_unlock();
	return err;
}

static int handoff_activate_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct handoff_session *s;
	int err = 0;

	rtnl_lock();
	s = lookup_session(info, HANDOFF_ROLE_DEST);
	if (IS_ERR(s)) {
		err = PTR_ERR(s);
	} else if (s->state != HANDOFF_STATE_ATTACHED) {
		NL_SET_ERR_MSG(info->extack,
			       "Only an attached session can be activated");
		err = -EBUSY;
	} else {
		handoff_dest_activate(s);
	}
	rtnl_unlock();
	return err;
}

static int handoff_abort_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct handoff_session *s;
	int err = 0;

	rtnl_lock();
	s = lookup_session(info, 0);
	if (IS_ERR(s)) {
		err = PTR_ERR(s);
	} else if (s->state >= HANDOFF_STATE_ABORTED) {
		NL_SET_ERR_MSG(info->extack, "Session has already ended");
		err = -EBUSY;
	} else {
		handoff_session_abort(s, false, false);
	}
	rtnl_unlock();
	return err;
}

static int put_macs(struct sk_buff *skb, const struct handoff_session *s)
{
	struct nlattr *nest = nla_nest_start(skb, HANDOFF_A_MACS);
	unsigned int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < s->nmacs; i++)
		if (nla_put(skb, HANDOFF_A_MAC, ETH_ALEN, s->macs[i]))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_addrs(struct sk_buff *skb, struct handoff_session *s)
{
	struct nlattr *nest;
	unsigned int i;
	int err;

	if (!s->naddrs)
		return 0;
	nest = nla_nest_start(skb, HANDOFF_A_ADDRS);
	if (!nest)
		return -EMSGSIZE;
	/* Learning adds entries from softirq under the session lock. */
	spin_lock_bh(&s->lock);
	for (i = 0, err = 0; i < s->naddrs && !err; i++) {
		if (s->addrs[i].family == AF_INET)
			err = nla_put_in_addr(skb, HANDOFF_A_ADDR_IN,
					      s->addrs[i].in.s_addr);
		else
			err = nla_put_in6_addr(skb, HANDOFF_A_ADDR_IN6,
					       &s->addrs[i].in6);
	}
	spin_unlock_bh(&s->lock);
	if (err)
		return err;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_stats(struct sk_buff *skb, struct handoff_stats __percpu *st)
{
	struct handoff_stats sum;
	struct nlattr *nest;
	int i;

	handoff_stats_sum(st, &sum);
	nest = nla_nest_start(skb, HANDOFF_A_COUNTERS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 1; i < __HANDOFF_CTR_MAX; i++)
		if (nla_put_u64_64bit(skb, i, sum.ctr[i], HANDOFF_CTR_UNSPEC))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_times(struct sk_buff *skb, const struct handoff_session *s)
{
	struct nlattr *nest = nla_nest_start(skb, HANDOFF_A_TIMES);
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 1; i < __HANDOFF_TIME_MAX; i++)
		if (s->times[i] &&
		    nla_put_u64_64bit(skb, i, ktime_to_ns(s->times[i]),
				      HANDOFF_TIME_UNSPEC))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_session_id(struct sk_buff *skb, const struct handoff_session *s)
{
	if (nla_put_u64_64bit(skb, HANDOFF_A_SESSION_ID, s->id, HANDOFF_A_PAD) ||
	    nla_put_u8(skb, HANDOFF_A_ROLE, s->role) ||
	    nla_put_u8(skb, HANDOFF_A_STATE, s->state))
		return -EMSGSIZE;
	if (s->ifindex && nla_put_u32(skb, HANDOFF_A_IFINDEX, s->ifindex))
		return -EMSGSIZE;
	return 0;
}

/* Keys are never put in any message. */
static int fill_session(struct sk_buff *skb, struct handoff_session *s,
			u32 portid, u32 seq, int flags)
{
	int plen = s->peer.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						  : sizeof(struct sockaddr_in);
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &handoff_family, flags,
			  HANDOFF_CMD_SESSION_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (put_session_id(skb, s) ||
	    (s->ifname[0] && nla_put_string(skb, HANDOFF_A_IFNAME, s->ifname)) ||
	    nla_put_u32(skb, HANDOFF_A_FLAGS, s->flags) ||
	    nla_put(skb, HANDOFF_A_PEER, plen, &s->peer) ||
	    put_macs(skb, s) || put_addrs(skb, s) || put_stats(skb, s->stats) ||
	    put_times(skb, s)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int handoff_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct handoff_session *s;
	struct sk_buff *msg;
	int err;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rtnl_lock();
	s = lookup_session(info, 0);
	if (IS_ERR(s))
		err = PTR_ERR(s);
	else
		err = fill_session(msg, s, info->snd_portid, info->snd_seq, 0);
	rtnl_unlock();
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * Dump under RTNL, resuming by bucket and position: the table may change
 * between calls, which at worst repeats or skips a session, as other dumps.
 */
static int handoff_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct handoff_net *hn = handoff_pernet(sock_net(skb->sk));
	unsigned int bkt = cb->args[0], idx, skip = cb->args[1];
	struct handoff_session *s;
	int err = 0;

	rtnl_lock();
	for (; bkt < HASH_SIZE(hn->sessions); bkt++, skip = 0) {
		idx = 0;
		hlist_for_each_entry(s, &hn->sessions[bkt], node) {
			if (idx++ < skip)
				continue;
			err = fill_session(skb, s, NETLINK_CB(cb->skb).portid,
					   cb->nlh->nlmsg_seq, NLM_F_MULTI);
			if (err) {
				skip = idx - 1;
				goto out;
			}
		}
	}
out:
	rtnl_unlock();
	cb->args[0] = bkt;
	cb->args[1] = skip;
	return err && !skb->len ? err : skb->len;
}

static int handoff_info_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct handoff_net *hn = info_hn(info);
	struct sk_buff *msg;
	void *hdr;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &handoff_family, 0,
				HANDOFF_CMD_GET_INFO);
	if (!hdr ||
	    nla_put_string(msg, HANDOFF_A_VERSION, HANDOFF_VERSION) ||
	    nla_put_u32(msg, HANDOFF_A_SESSION_COUNT,
			READ_ONCE(hn->nsessions)) ||
	    nla_put_u16(msg, HANDOFF_A_PORT, READ_ONCE(hn->sysctl.port)) ||
	    put_stats(msg, hn->stats)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

void handoff_genl_event(struct handoff_session *s, enum handoff_event ev,
			ktime_t when)
{
	struct net *net = s->hn->net;
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&handoff_family, net, HANDOFF_MCGRP_EVENTS_IDX))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &handoff_family, 0, HANDOFF_CMD_EVENT);
	if (!hdr || nla_put_u8(msg, HANDOFF_A_EVENT, ev) ||
	    put_session_id(msg, s) ||
	    nla_put_u64_64bit(msg, HANDOFF_A_TIMESTAMP, ktime_to_ns(when),
			      HANDOFF_A_PAD)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&handoff_family, net, msg, 0,
				HANDOFF_MCGRP_EVENTS_IDX, GFP_ATOMIC);
}

static const struct genl_ops handoff_ops[] = {
	{
		.cmd = HANDOFF_CMD_GET_INFO,
		.doit = handoff_info_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = HANDOFF_CMD_SESSION_NEW,
		.doit = handoff_new_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = HANDOFF_CMD_SESSION_DEL,
		.doit = handoff_del_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = HANDOFF_CMD_SESSION_GET,
		.doit = handoff_get_doit,
		.dumpit = handoff_get_dumpit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = HANDOFF_CMD_SESSION_ARM,
		.doit = handoff_arm_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = HANDOFF_CMD_SESSION_ATTACH,
		.doit = handoff_attach_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = HANDOFF_CMD_SESSION_ACTIVATE,
		.doit = handoff_activate_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = HANDOFF_CMD_SESSION_ABORT,
		.doit = handoff_abort_doit,
		.flags = GENL_ADMIN_PERM,
	},
};

static struct genl_family handoff_family __ro_after_init = {
	.name = HANDOFF_GENL_NAME,
	.version = HANDOFF_GENL_VERSION,
	.maxattr = HANDOFF_A_MAX,
	.policy = handoff_policy,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = handoff_ops,
	.n_ops = ARRAY_SIZE(handoff_ops),
	.mcgrps = handoff_mcgrps,
	.n_mcgrps = ARRAY_SIZE(handoff_mcgrps),
};

int __init handoff_genl_init(void)
{
	return genl_register_family(&handoff_family);
}

void handoff_genl_exit(void)
{
	genl_unregister_family(&handoff_family);
}
