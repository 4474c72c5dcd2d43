// SPDX-License-Identifier: GPL-2.0
/*
 * The tunnel between the two halves of a session: one UDP socket per netns,
 * ChaCha20-Poly1305 on every message with one key per direction, a 64-bit
 * counter as nonce and a replay window. Everything a receiver cannot
 * authenticate, or that does not fit the session's state, is counted and
 * dropped; nothing unauthenticated changes any state.
 *
 * IPv4 or IPv6 underlay (a second socket on the same port, when the kernel
 * has IPv6). The outer packet may be fragmented (IPv4: DF clear; both:
 * ignore_df), so a full-size frame that no longer fits the underlay MTU is
 * fragmented by the sender, not dropped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/chacha20poly1305.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>

#include "handoff.h"

#define TUNNEL_HEADROOM (LL_MAX_HEADER + sizeof(struct ipv6hdr) + \
			 sizeof(struct udphdr))

/* With rcu_read_lock_bh held. 0, or the skb is freed and -errno returned. */
static int xmit4(struct handoff_net *hn, const struct sockaddr_in *peer, struct sk_buff *skb)
{
	struct socket *sock = rcu_dereference_bh(hn->sock);
	struct flowi4 fl4;
	struct rtable *rt;

	if (!sock)
		goto drop;
	memset(&fl4, 0, sizeof(fl4));
	fl4.daddr = peer->sin_addr.s_addr;
	fl4.flowi4_proto = IPPROTO_UDP;
	fl4.fl4_dport = peer->sin_port;
	fl4.fl4_sport = htons(hn->sock_port);
	rt = ip_route_output_key(hn->net, &fl4);
	if (IS_ERR(rt))
		goto drop;
	/* Owned by the socket, fragments too: capture knows its own (ovs.c). */
	skb_set_owner_w(skb, sock->sk);
	udp_tunnel_xmit_skb(rt, sock->sk, skb, fl4.saddr, fl4.daddr, 0,
			    ip4_dst_hoplimit(&rt->dst), 0, fl4.fl4_sport,
			    fl4.fl4_dport, false, false);
	return 0;
drop:
	kfree_skb(skb);
	return -ENETUNREACH;
}

static int xmit6(struct handoff_net *hn, const struct sockaddr_in6 *peer, struct sk_buff *skb)
{
	struct socket *sock = rcu_dereference_bh(hn->sock6);
	struct dst_entry *dst;
	struct flowi6 fl6;

	if (!sock)
		goto drop;
	memset(&fl6, 0, sizeof(fl6));
	fl6.daddr = peer->sin6_addr;
	fl6.flowi6_oif = peer->sin6_scope_id;
	fl6.flowi6_proto = IPPROTO_UDP;
	fl6.fl6_dport = peer->sin6_port;
	fl6.fl6_sport = htons(hn->sock_port);
	dst = ipv6_stub->ipv6_dst_lookup_flow(hn->net, sock->sk, &fl6, NULL);
	if (IS_ERR(dst))
		goto drop;
	skb_set_owner_w(skb, sock->sk);
	udp_tunnel6_xmit_skb(dst, sock->sk, skb, NULL, &fl6.saddr, &fl6.daddr, 0,
			     ip6_dst_hoplimit(dst), 0, fl6.fl6_sport, fl6.fl6_dport,
			     false);
	return 0;
drop:
	kfree_skb(skb);
	return -ENETUNREACH;
}

int handoff_tunnel_send(struct handoff_session *s, enum handoff_msg type,
			const void *pre, unsigned int pre_len,
			struct sk_buff *frame)
{
	unsigned int len = pre_len + (frame ? frame->len : 0);
	struct handoff_net *hn = s->hn;
	struct handoff_wire_hdr *hdr;
	struct sk_buff *skb;
	u64 counter;
	int err;
	u8 *p;

	if (len > HANDOFF_MAX_FRAME + sizeof(struct handoff_wire_data))
		goto err;
	skb = alloc_skb(TUNNEL_HEADROOM + sizeof(*hdr) + len + HANDOFF_TAG_LEN,
			GFP_ATOMIC);
	if (!skb)
		goto err;
	skb_reserve(skb, TUNNEL_HEADROOM);

	counter = atomic64_inc_return(&s->tx_counter);
	hdr = skb_put(skb, sizeof(*hdr));
	hdr->version = HANDOFF_WIRE_VERSION;
	hdr->type = type;
	hdr->role = handoff_is_source(s) ? HANDOFF_ROLE_DEST
					 : HANDOFF_ROLE_SOURCE;
	hdr->reserved = 0;
	hdr->session_id = cpu_to_be64(s->id);
	hdr->counter = cpu_to_le64(counter);

	p = skb_put(skb, len + HANDOFF_TAG_LEN);
	if (pre_len)
		memcpy(p, pre, pre_len);
	if (frame && skb_copy_bits(frame, 0, p + pre_len, frame->len))
		goto err_free;
	chacha20poly1305_encrypt(p, p, len, (u8 *)hdr, sizeof(*hdr), counter,
				 s->tx_key);

	skb->mark = 0;
	skb->ignore_df = 1;
	rcu_read_lock_bh();
	if (s->peer.ss_family == AF_INET6)
		err = xmit6(hn, (const struct sockaddr_in6 *)&s->peer, skb);
	else
		err = xmit4(hn, (const struct sockaddr_in *)&s->peer, skb);
	rcu_read_unlock_bh();
	if (err)
		goto err;
	handoff_count(s, HANDOFF_CTR_TX_PACKETS);
	return 0;

err_free:
	kfree_skb(skb);
err:
	handoff_count(s, HANDOFF_CTR_TX_ERRORS);
	return -ENOBUFS;
}

static bool from_peer(const struct handoff_session *s, const struct sk_buff *skb)
{
	const struct sockaddr_in6 *peer6 = (const struct sockaddr_in6 *)&s->peer;
	const struct sockaddr_in *peer = (const struct sockaddr_in *)&s->peer;

	if (s->peer.ss_family == AF_INET6)
		return ip_hdr(skb)->version == 6 &&
		       ipv6_addr_equal(&ipv6_hdr(skb)->saddr, &peer6->sin6_addr) &&
		       udp_hdr(skb)->source == peer6->sin6_port;
	return ip_hdr(skb)->version == 4 &&
	       ip_hdr(skb)->saddr == peer->sin_addr.s_addr &&
	       udp_hdr(skb)->source == peer->sin_port;
}

/* Which messages each role may receive. */
static bool msg_for_role(u8 type, u8 role)
{
	switch (type) {
	case HANDOFF_MSG_DATA:
	case HANDOFF_MSG_MARKER:
	case HANDOFF_MSG_LEARN:
	case HANDOFF_MSG_DONE:
		return role == HANDOFF_ROLE_DEST;
	case HANDOFF_MSG_STOP:
		return role == HANDOFF_ROLE_SOURCE;
	case HANDOFF_MSG_ABORT:
	case HANDOFF_MSG_ABORT_ACK:
		return true;
	}
	return false;
}

static void dispatch(struct handoff_session *s, u8 type, struct sk_buff *skb)
{
	const struct handoff_wire_marker *m;
	const struct handoff_wire_abort *a;
	u64 seq;

	switch (type) {
	case HANDOFF_MSG_DATA:
		if (skb->len < sizeof(struct handoff_wire_data) + ETH_HLEN)
			break;
		seq = be64_to_cpu(((struct handoff_wire_data *)skb->data)->seq);
		__skb_pull(skb, sizeof(struct handoff_wire_data));
		handoff_dest_enqueue(s, skb, seq);
		return;
	case HANDOFF_MSG_MARKER:
		if (skb->len != sizeof(*m))
			break;
		m = (const void *)skb->data;
		handoff_dest_marker(s, be64_to_cpu(m->last_seq));
		consume_skb(skb);
		return;
	case HANDOFF_MSG_LEARN:
		handoff_dest_learn(s, skb->data, skb->len);
		consume_skb(skb);
		return;
	case HANDOFF_MSG_DONE:
		if (skb->len)
			break;
		handoff_dest_source_done(s);
		consume_skb(skb);
		return;
	case HANDOFF_MSG_STOP:
		if (skb->len)
			break;
		handoff_source_stop(s);
		consume_skb(skb);
		return;
	case HANDOFF_MSG_ABORT:
		if (skb->len != sizeof(*a))
			break;
		a = (const void *)skb->data;
		handoff_session_abort(s, true, a->announced);
		handoff_tunnel_send(s, HANDOFF_MSG_ABORT_ACK, NULL, 0, NULL);
		consume_skb(skb);
		return;
	case HANDOFF_MSG_ABORT_ACK:
		if (skb->len)
			break;
		WRITE_ONCE(s->abort_acked, true);
		consume_skb(skb);
		return;
	}
	handoff_count(s, HANDOFF_CTR_DROP_MALFORMED);
	kfree_skb(skb);
}

/* UDP encap_rcv: returns 0, the skb is always consumed here. */
static int handoff_udp_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct handoff_net *hn = rcu_dereference_sk_user_data(sk);
	const unsigned int off = sizeof(struct udphdr);
	struct handoff_wire_hdr hdr;
	struct handoff_session *s;
	unsigned int len;
	bool fresh;
	u64 ctr;
	u8 *p;

	if (!hn)
		goto drop;
	/* Decryption is in place: taps may share the data, so unshare it. */
	if (skb_linearize(skb) || skb_ensure_writable(skb, skb->len) ||
	    skb->len < off + sizeof(hdr) + HANDOFF_TAG_LEN ||
	    skb->len > off + sizeof(hdr) + sizeof(struct handoff_wire_data) +
		       HANDOFF_MAX_FRAME + HANDOFF_TAG_LEN) {
		handoff_net_count(hn, HANDOFF_CTR_DROP_MALFORMED);
		goto drop;
	}
	memcpy(&hdr, skb->data + off, sizeof(hdr));
	if (hdr.version != HANDOFF_WIRE_VERSION || hdr.reserved ||
	    hdr.role < HANDOFF_ROLE_SOURCE || hdr.role > HANDOFF_ROLE_MAX ||
	    !msg_for_role(hdr.type, hdr.role)) {
		handoff_net_count(hn, HANDOFF_CTR_DROP_MALFORMED);
		goto drop;
	}
	s = handoff_session_find(hn, be64_to_cpu(hdr.session_id), hdr.role);
	if (!s) {
		handoff_net_count(hn, HANDOFF_CTR_DROP_NOSESSION);
		goto drop;
	}
	if (!from_peer(s, skb)) {
		handoff_count(s, HANDOFF_CTR_DROP_PEER);
		goto drop;
	}
	p = skb->data + off + sizeof(hdr);
	len = skb->len - off - sizeof(hdr);
	ctr = le64_to_cpu(hdr.counter);
	if (!chacha20poly1305_decrypt(p, p, len, (u8 *)&hdr, sizeof(hdr), ctr,
				      s->rx_key)) {
		handoff_count(s, HANDOFF_CTR_DROP_AUTH);
		goto drop;
	}
	/* Only after authentication may the window move. */
	spin_lock(&s->lock);
	fresh = handoff_replay_check(&s->replay, ctr);
	spin_unlock(&s->lock);
	if (!fresh) {
		handoff_count(s, HANDOFF_CTR_DROP_REPLAY);
		goto drop;
	}
	handoff_count(s, HANDOFF_CTR_RX_PACKETS);

	/* Leave the plaintext payload alone in a clean skb. */
	__skb_pull(skb, off + sizeof(hdr));
	skb_trim(skb, len - HANDOFF_TAG_LEN);
	skb_scrub_packet(skb, true);
	dispatch(s, hdr.type, skb);
	return 0;

drop:
	kfree_skb(skb);
	return 0;
}

static int open_sock(struct handoff_net *hn, struct udp_port_cfg *cfg,
		     struct socket **sockp)
{
	struct udp_tunnel_sock_cfg tcfg = {
		.sk_user_data = hn,
		.encap_type = 1,
		.encap_rcv = handoff_udp_rcv,
	};
	int err = udp_sock_create(hn->net, cfg, sockp);

	if (!err)
		setup_udp_tunnel_sock(hn->net, *sockp, &tcfg);
	return err;
}

int handoff_tunnel_open(struct handoff_net *hn, struct netlink_ext_ack *extack)
{
	struct udp_port_cfg cfg = {
		.family = AF_INET,
		.local_ip.s_addr = htonl(INADDR_ANY),
	};
	struct udp_port_cfg cfg6 = {
		.family = AF_INET6,
		.local_ip6 = IN6ADDR_ANY_INIT,
		.ipv6_v6only = 1,
	};
	struct socket *sock, *sock6 = NULL;
	int err;

	ASSERT_RTNL();
	if (rtnl_dereference(hn->sock))
		return 0;
	hn->sock_port = READ_ONCE(hn->sysctl.port);
	cfg.local_udp_port = htons(hn->sock_port);
	cfg6.local_udp_port = cfg.local_udp_port;
	err = open_sock(hn, &cfg, &sock);
	if (err) {
		NL_SET_ERR_MSG(extack,
			       "Cannot bind the tunnel's UDP port (net.handoff.port)");
		return err;
	}
	/* Without IPv6 in the kernel (ipv6.disable=1), IPv4 peers only. */
	if (ipv6_mod_enabled()) {
		err = open_sock(hn, &cfg6, &sock6);
		if (err) {
			udp_tunnel_sock_release(sock);
			NL_SET_ERR_MSG(extack,
				       "Cannot bind the tunnel's UDP port for IPv6 (net.handoff.port)");
			return err;
		}
	}
	rcu_assign_pointer(hn->sock6, sock6);
	rcu_assign_pointer(hn->sock, sock);
	return 0;
}

int handoff_tunnel_peer_ok(struct handoff_net *hn, const struct handoff_session *s,
			   struct netlink_ext_ack *extack)
{
	ASSERT_RTNL();
	if (s->peer.ss_family == AF_INET6 && !rtnl_dereference(hn->sock6)) {
		NL_SET_ERR_MSG(extack, "IPv6 is disabled in this kernel: the peer must be IPv4");
		return -EAFNOSUPPORT;
	}
	return 0;
}

void handoff_tunnel_close(struct handoff_net *hn)
{
	struct socket *sock = rtnl_dereference(hn->sock);
	struct socket *sock6 = rtnl_dereference(hn->sock6);

	if (!sock)
		return;
	RCU_INIT_POINTER(hn->sock, NULL);
	RCU_INIT_POINTER(hn->sock6, NULL);
	/* Waits for readers: senders hold rcu_read_lock_bh. */
	udp_tunnel_sock_release(sock);
	if (sock6)
		udp_tunnel_sock_release(sock6);
}
