// SPDX-License-Identifier: GPL-2.0
/*
 * The destination side: hold what the source copied, in sequence order,
 * within bounds; at activation deliver it to the vif in order, paced, from a
 * worker; live traffic for the vif waits behind it until the source's marker
 * says nothing older is on its way.
 *
 * Pacing matters: netback drops what overflows its queue yet returns
 * NETDEV_TX_OK, and a veth burst overflows the receiver's backlog. So frames
 * go out in batches of net.handoff.deliver_batch, with bottom halves enabled
 * between batches (the receiver drains), and the worker backs off while the
 * device's queue is stopped or its qdisc holds a batch's worth. What the
 * guest drops itself (a socket or its own transmit queue overflowing under a
 * burst) we cannot see: net.handoff.deliver_max_pps caps the rate for guests
 * that cannot take a backlog at line rate (see pace_wait()).
 *
 * And the guest must be able to answer: see neigh_kind().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/jhash.h>
#include <linux/rtnetlink.h>
#include <net/checksum.h>
#include <net/dst.h>
#include <net/ipv6.h>
#include <net/ndisc.h>
#include <net/sch_generic.h>

#include "handoff.h"

/* A gap in the sequence is waited for this long, then skipped. */
#define HANDOFF_GAP_WAIT_NS (20 * NSEC_PER_MSEC)
/*
 * After catching up, duplicates are still looked for this long: a frame the
 * source copied while another CPU handled its STOP may reach the vif both
 * ways just after the marker.
 */
#define HANDOFF_DEDUP_TAIL_NS (100 * NSEC_PER_MSEC)
/* Until the vif takes frames, the worker looks again this often (jiffies). */
#define HANDOFF_READY_POLL max(1UL, msecs_to_jiffies(10))

/*
 * The guest's neighbour cache is empty after the move: netfront's carrier-off
 * at resume evicts it (arp_evict_nocarrier), and an ARP entry may just have
 * aged out. What the guest then sends to an unresolved neighbour waits in a
 * queue of unres_qlen_bytes (about 200 KiB: ~270 small UDP replies), whose
 * oldest entries are discarded without a trace beyond that (only the
 * unresolved_discards of /proc/net/stat/arp_cache). Its replies to a burst
 * of held frames overflow it (the lab lost ~1000 of 2500). So while the guest
 * waits for an answer, delivery waits too, bounded; and ARP and neighbour
 * discovery frames for the guest pass at once, not behind held frames: they
 * belong to no ordered flow, and the answer the guest waits for is one.
 */
#define HANDOFF_RESOLVE_WAIT_NS (100 * NSEC_PER_MSEC)

enum { NEIGH_NONE, NEIGH_ASK, NEIGH_ANSWER, NEIGH_OTHER };

/* Which kind of ARP or ND frame @skb is (VLAN tags in band are skipped). */
static int neigh_kind(const struct sk_buff *skb)
{
	int off = skb_mac_offset(skb) + ETH_HLEN, depth = 0;
	__be16 proto = eth_hdr(skb)->h_proto, *p, pbuf;
	struct arphdr _ah, *ah;
	struct { struct ipv6hdr ip; u8 type; } _nd, *nd;
	__be32 addr[2], *a;

	while (eth_type_vlan(proto) && depth++ < 2) {
		p = skb_header_pointer(skb, off + 2, sizeof(pbuf), &pbuf);
		if (!p)
			return NEIGH_NONE;
		proto = *p;
		off += VLAN_HLEN;
	}
	if (proto == htons(ETH_P_ARP)) {
		ah = skb_header_pointer(skb, off, sizeof(_ah), &_ah);
		if (!ah || ah->ar_hln != ETH_ALEN || ah->ar_pln != 4)
			return NEIGH_OTHER;
		if (ah->ar_op == htons(ARPOP_REPLY))
			return NEIGH_ANSWER;
		if (ah->ar_op != htons(ARPOP_REQUEST))
			return NEIGH_OTHER;
		/* sender and target IP: equal (gratuitous) or 0 (probe) ask nobody */
		a = skb_header_pointer(skb, off + sizeof(_ah) + ETH_ALEN, 4, &addr[0]);
		if (!a)
			return NEIGH_OTHER;
		addr[0] = *a;
		a = skb_header_pointer(skb, off + sizeof(_ah) + 2 * ETH_ALEN + 4, 4,
				       &addr[1]);
		if (!a || !addr[0] || addr[0] == *a)
			return NEIGH_OTHER;
		return NEIGH_ASK;
	}
	if (proto != htons(ETH_P_IPV6))
		return NEIGH_NONE;
	nd = skb_header_pointer(skb, off, sizeof(_nd), &_nd);
	if (!nd || nd->ip.nexthdr != IPPROTO_ICMPV6)
		return NEIGH_NONE;
	switch (nd->type) {
	case NDISC_NEIGHBOUR_SOLICITATION:
		/* from :: it is duplicate address detection: nobody answers */
		return ipv6_addr_any(&nd->ip.saddr) ? NEIGH_OTHER : NEIGH_ASK;
	case NDISC_NEIGHBOUR_ADVERTISEMENT:
		return NEIGH_ANSWER;
	}
	return NEIGH_NONE;
}

/* Set while this CPU's worker transmits: our own egress hook lets it pass. */
static DEFINE_PER_CPU(bool, handoff_delivering);

/*
 * The checksum skb_checksum_help() would write, put into @buf (the frame's
 * first @n bytes): a live frame from a local sender behind a veth still has
 * a partial one, while its tunnel copy was completed at capture.
 */
static void csum_fill(const struct sk_buff *skb, u8 *buf, unsigned int n)
{
	int start = skb_checksum_start_offset(skb);
	unsigned int at;
	__sum16 sum;

	if (start < 0 || start >= skb->len)
		return;
	at = start + skb->csum_offset;
	if (at + sizeof(sum) > n)
		return;
	sum = csum_fold(skb_checksum(skb, start, skb->len - start, 0)) ?:
	      CSUM_MANGLED_0;
	memcpy(buf + at, &sum, sizeof(sum));
}

/*
 * The frame as the guest would get it (checksums complete), hashed: the two
 * copies of one frame must match whichever path they took. A GSO frame is
 * captured as segments and never matches (TCP copes with duplicates).
 */
static u32 frame_hash(const struct sk_buff *skb)
{
	u8 buf[128];
	unsigned int n = min_t(unsigned int, skb->len, sizeof(buf));

	if (skb_copy_bits(skb, 0, buf, n))
		return 0;
	if (skb->ip_summed == CHECKSUM_PARTIAL && !skb_is_gso(skb))
		csum_fill(skb, buf, n);
	return jhash(buf, n, skb->len);
}

/*
 * A frame flooded to both hosts (broadcast, or one bridge flooding to both
 * vifs on localhost) may reach the vif twice while held frames drain: once
 * through the tunnel, once directly. Recent hashes of each path are kept, the
 * low bit telling which; the second arrival is suppressed. Under s->lock.
 */
#define DEDUP_TUNNEL 0
#define DEDUP_LIVE 1

/* Whether arrivals are still compared: while draining, and a while after. */
/* Under s->lock: drop the frame hashing to @h from the live queue, if any. */
static bool live_drop(struct handoff_session *s, u32 h)
{
	struct sk_buff *skb;

	skb_queue_walk(&s->live, skb) {
		if (frame_hash(skb) == h) {
			__skb_unlink(skb, &s->live);
			kfree_skb(skb);
			return true;
		}
	}
	return false;
}

/*
 * While draining; once caught up, for as long as the source may still copy
 * (no marker yet: its STOP is late, and on localhost the bridge delivers each
 * frame here as well), and HANDOFF_DEDUP_TAIL_NS after. Also read without
 * s->lock by the egress fast path: a stale answer only takes the slow path.
 */
static bool dedup_active(const struct handoff_session *s, ktime_t now)
{
	enum handoff_drain drain = READ_ONCE(s->drain);
	ktime_t last;

	if (drain == HANDOFF_DRAIN_RUNNING)
		return true;
	if (drain != HANDOFF_DRAIN_LIVE)
		return false;
	if (!READ_ONCE(s->have_marker))
		return true;
	last = max(READ_ONCE(s->times[HANDOFF_TIME_LAST_DELIVERED]),
		   READ_ONCE(s->times[HANDOFF_TIME_SOURCE_STOPPED]));
	return ktime_to_ns(ktime_sub(now, last)) < HANDOFF_DEDUP_TAIL_NS;
}

static bool dedup_check(struct handoff_session *s, u32 h, u32 kind)
{
	u32 other = (h & ~1U) | (kind ^ 1), mine = (h & ~1U) | kind;
	unsigned int i;

	for (i = 0; i < HANDOFF_DEDUP_SLOTS; i++) {
		if (s->dedup[i] == other) {
			s->dedup[i] = 0;	/* each copy suppresses one */
			return true;
		}
	}
	s->dedup[s->dedup_pos++ % HANDOFF_DEDUP_SLOTS] = mine;
	return false;
}

static void drop_aged(struct handoff_session *s, ktime_t now)
{
	s64 max_ns = (s64)READ_ONCE(s->hn->sysctl.hold_max_age_ms) *
		     NSEC_PER_MSEC;
	struct sk_buff *skb;

	while ((skb = skb_peek(&s->held)) &&
	       ktime_to_ns(ktime_sub(now, HANDOFF_CB(skb)->arrived)) > max_ns) {
		__skb_unlink(skb, &s->held);
		s->held_bytes -= skb->len;
		if (HANDOFF_CB(skb)->seq >= s->next_seq)
			s->next_seq = HANDOFF_CB(skb)->seq + 1;
		handoff_count(s, HANDOFF_CTR_DROP_AGED);
		kfree_skb(skb);
	}
}

/* From the tunnel, in softirq: one frame the source captured. */
void handoff_dest_enqueue(struct handoff_session *s, struct sk_buff *skb,
			  u64 seq)
{
	const struct handoff_sysctl *sc = &s->hn->sysctl;
	struct sk_buff *pos;
	ktime_t now = ktime_get();
	bool kick = false;
	u32 h;

	if (skb->len > HANDOFF_MAX_FRAME) {
		handoff_count(s, HANDOFF_CTR_DROP_MALFORMED);
		kfree_skb(skb);
		return;
	}
	/*
	 * A frame out of the tunnel, ready for dev_queue_xmit(): its checksums
	 * were completed at capture. Live frames queued by the egress hook
	 * keep their own metadata (GSO, CHECKSUM_PARTIAL).
	 */
	skb->ip_summed = CHECKSUM_NONE;
	/*
	 * The outer packet's hash and rx queue would pick the vif's tx queue:
	 * forget them, so the inner flow does, as for live frames of the same
	 * flow (a multiqueue vif reorders across queues).
	 */
	skb_clear_hash(skb);
	skb->queue_mapping = 0;
	skb_reset_mac_header(skb);
	skb_set_network_header(skb, ETH_HLEN);
	skb->protocol = eth_hdr(skb)->h_proto;
	HANDOFF_CB(skb)->seq = seq;
	HANDOFF_CB(skb)->arrived = now;
	h = frame_hash(skb);

	spin_lock_bh(&s->lock);
	if (s->state > HANDOFF_STATE_DONE) {
		handoff_count(s, HANDOFF_CTR_DROP_STATE);
		goto drop;
	}
	if (dedup_active(s, now) && dedup_check(s, h, DEDUP_TUNNEL)) {
		handoff_count(s, HANDOFF_CTR_DUP_SUPPRESSED);
		/*
		 * The switch's own copy came first (the source host floods
		 * it here once the vif is gone; sent by the host or another
		 * of its VMs). If it still waits in the live queue, it goes
		 * and this copy takes its place in sequence: kept, the live
		 * one would be delivered after every held frame, reordered.
		 */
		if (!live_drop(s, h))
			goto drop;
	}
	if (s->drain == HANDOFF_DRAIN_LIVE &&
	    (!s->have_marker || seq <= s->last_seq)) {
		/* Caught up already: older than the marker means late. */
		handoff_count(s, HANDOFF_CTR_STRAGGLERS);
	} else if (seq < s->next_seq) {
		/* Its gap was skipped or its bound hit: late, deliver next. */
		handoff_count(s, HANDOFF_CTR_STRAGGLERS);
	}
	if (s->held.qlen >= READ_ONCE(sc->hold_max_frames) ||
	    s->held_bytes + skb->len > READ_ONCE(sc->hold_max_bytes)) {
		/* Keep what is older: drop the newest arrival, and count it. */
		handoff_count(s, HANDOFF_CTR_DROP_OVERFLOW);
		goto drop;
	}
	/* Senders on several CPUs reorder a little: walk back from the tail. */
	skb_queue_reverse_walk(&s->held, pos)
		if (HANDOFF_CB(pos)->seq <= seq)
			break;
	if (pos != (struct sk_buff *)&s->held && HANDOFF_CB(pos)->seq == seq) {
		handoff_count(s, HANDOFF_CTR_DUP_SUPPRESSED);
		goto drop;
	}
	__skb_queue_after(&s->held, pos, skb);
	s->held_bytes += skb->len;
	if (!s->times[HANDOFF_TIME_FIRST_HELD])
		s->times[HANDOFF_TIME_FIRST_HELD] = now;
	handoff_count(s, HANDOFF_CTR_HELD);
	kick = s->drain != HANDOFF_DRAIN_IDLE;
	spin_unlock_bh(&s->lock);
	if (kick)
		handoff_deliver_kick(s, 0);
	return;
drop:
	spin_unlock_bh(&s->lock);
	kfree_skb(skb);
}

void handoff_dest_marker(struct handoff_session *s, u64 last_seq)
{
	bool first;

	spin_lock_bh(&s->lock);
	first = !s->have_marker;
	if (first) {
		s->have_marker = true;
		s->last_seq = last_seq;
		if (!s->times[HANDOFF_TIME_SOURCE_STOPPED])
			s->times[HANDOFF_TIME_SOURCE_STOPPED] = ktime_get();
	}
	spin_unlock_bh(&s->lock);
	if (first) {
		handoff_genl_event(s, HANDOFF_EVENT_SOURCE_STOPPED,
				   s->times[HANDOFF_TIME_SOURCE_STOPPED]);
		handoff_deliver_kick(s, 0);
	}
}

/*
 * The next frame to deliver, or NULL. Held frames go in seq order; a gap is
 * waited for, then skipped; once the marker's seq is reached (or its wait
 * timed out) the live frames that queued meanwhile follow, and then the
 * session is live: its egress hook lets traffic straight through.
 */
static struct sk_buff *next_frame(struct handoff_session *s, ktime_t now,
				  bool *wait, struct sk_buff_head **from)
{
	s64 marker_ns = (s64)READ_ONCE(s->hn->sysctl.marker_timeout_ms) *
			NSEC_PER_MSEC;
	struct sk_buff *skb;
	u64 seq;

	*wait = false;
	drop_aged(s, now);
	if (s->resolving_since) {
		if (ktime_to_ns(ktime_sub(now, s->resolving_since)) <
		    HANDOFF_RESOLVE_WAIT_NS) {
			*wait = true;
			return NULL;
		}
		s->resolving_since = 0;	/* no answer: go on */
	}
	skb = skb_peek(&s->held);
	if (skb) {
		seq = HANDOFF_CB(skb)->seq;
		if (seq > s->next_seq) {
			/* A gap: senders on other CPUs may still fill it. */
			if (!s->gap_since)
				s->gap_since = now;
			if (ktime_to_ns(ktime_sub(now, s->gap_since)) <
			    HANDOFF_GAP_WAIT_NS) {
				*wait = true;
				return NULL;
			}
		}
		__skb_unlink(skb, &s->held);
		*from = &s->held;
		s->held_bytes -= skb->len;
		if (seq >= s->next_seq)
			s->next_seq = seq + 1;
		s->gap_since = 0;
		return skb;
	}
	if (s->drain == HANDOFF_DRAIN_LIVE)
		return NULL;
	/* Held frames are out: wait for the marker, then release live ones. */
	if (!(s->have_marker && s->next_seq > s->last_seq) &&
	    ktime_to_ns(ktime_sub(now, s->times[HANDOFF_TIME_ACTIVATED])) <
	    marker_ns) {
		*wait = true;
		return NULL;
	}
	skb = __skb_dequeue(&s->live);
	if (skb) {
		*from = &s->live;
		return skb;
	}
	s->drain = HANDOFF_DRAIN_LIVE;
	if (!s->times[HANDOFF_TIME_LAST_DELIVERED])
		s->times[HANDOFF_TIME_LAST_DELIVERED] = now;
	return NULL;
}

/* Kick the worker now (from any context), or after @delay jiffies. */
void handoff_deliver_kick(struct handoff_session *s, unsigned long delay)
{
	if (READ_ONCE(s->dead))
		return;
	if (delay)
		queue_delayed_work(handoff_wq, &s->deliver, delay);
	else
		mod_delayed_work(handoff_wq, &s->deliver, 0);
}

/*
 * Whether the receiver is behind: netback stops its queue (and the qdisc
 * fills); a veth peer queues on a CPU's backlog (this one's, or the one RPS
 * steers to), which is drained by softirqs that may have been pushed to
 * ksoftirqd. Called with BHs off.
 */
static bool backpressure(struct net_device *dev, unsigned int batch)
{
	struct netdev_queue *txq = netdev_get_tx_queue(dev, 0);
	struct Qdisc *q = rcu_dereference_bh(txq->qdisc);
	unsigned int cpu;

	if (netif_xmit_stopped(txq) || (q && qdisc_qlen(q) >= batch))
		return true;
	for_each_online_cpu(cpu) {
		struct softnet_data *sd = &per_cpu(softnet_data, cpu);

		if (skb_queue_len_lockless(&sd->input_pkt_queue) +
		    skb_queue_len_lockless(&sd->process_queue) >= batch)
			return true;
	}
	return false;
}

/*
 * Whether the vif takes frames. netfront transmits as soon as it connects
 * (and may activate the session), a second or more before netback's rx side
 * reports "Guest Rx ready" and linkwatch swaps the noop qdisc for the real
 * one; what is sent to the vif until then is dropped (on real Xen, every one
 * of 1800 held frames was). Called with BHs off.
 */
static bool vif_ready(struct net_device *dev)
{
	struct netdev_queue *txq = netdev_get_tx_queue(dev, 0);

	return netif_running(dev) && netif_carrier_ok(dev) &&
	       rcu_access_pointer(txq->qdisc) != &noop_qdisc;
}

/* Drops the vif reports: netback counts what it drops in tx_dropped only. */
static u64 vif_dropped(struct net_device *dev)
{
	struct rtnl_link_stats64 st;

	dev_get_stats(dev, &st);
	return st.tx_dropped;
}

static unsigned int data_refs(const struct sk_buff *skb)
{
	return atomic_read(&skb_shinfo(skb)->dataref) & SKB_DATAREF_MASK;
}

/*
 * Whether the vif still holds the frame whose clone is @copy (@refs: the
 * references to their shared data before the transmit). netback, like veth,
 * frees what it drops before returning, which takes one off; counted, not
 * tested for "still cloned": a bridge's flooded frame shares its data with
 * the copies on other ports too. tx_dropped alone also counts drops of other
 * frames at the same time (the bridge floods multicast that netback filters
 * for the guest): resending ours for those made duplicates. Without a clone
 * we cannot tell: taken as dropped (vif_refused() counts it lost).
 */
static bool vif_kept(const struct sk_buff *copy, unsigned int refs)
{
	return copy && data_refs(copy) >= refs;
}

/*
 * netback dropped a frame we gave it (it says NETDEV_TX_OK all the same):
 * put the copy back in front, to be sent again after a pause. Once per
 * session, say in what state the vif was (a stopped queue means its
 * internal queue was full; a running one, that it was not connected).
 */
static void vif_refused(struct handoff_session *s, struct net_device *dev,
			struct sk_buff *copy, struct sk_buff_head *from)
{
	struct netdev_queue *txq = netdev_get_tx_queue(dev, 0);

	handoff_count(s, HANDOFF_CTR_VIF_DROPPED);
	if (!s->vif_warned) {
		s->vif_warned = true;
		netdev_warn(dev, "session %llx: the vif dropped a delivered frame (carrier %d, queue %s, %u/%u tx queues); resending\n",
			    s->id, netif_carrier_ok(dev),
			    netif_xmit_stopped(txq) ? "stopped" : "running",
			    dev->real_num_tx_queues, dev->num_tx_queues);
	}
	if (!copy)
		return;		/* no memory for the copy: that frame is lost */
	spin_lock(&s->lock);
	__skb_queue_head(from, copy);
	if (from == &s->held)
		s->held_bytes += copy->len;
	spin_unlock(&s->lock);
}

/*
 * deliver_max_pps as a virtual schedule (GCRA): each frame takes the next
 * slot, one interval after the previous one; a worker that slept longer may
 * catch up by at most a batch. The ns to wait for the next slot, or 0 when a
 * frame may go now (pace_charge() then takes the slot). Worker only.
 */
static s64 pace_wait(struct handoff_session *s, ktime_t now,
		     unsigned int pps, unsigned int batch)
{
	s64 t = ktime_to_ns(now), interval;

	if (!pps)
		return 0;
	interval = div_u64(NSEC_PER_SEC, pps);
	if (s->pace_next < t - interval * batch)
		s->pace_next = t - interval * batch;
	return max_t(s64, s->pace_next - t, 0);
}

static void pace_charge(struct handoff_session *s, unsigned int pps)
{
	if (pps)
		s->pace_next += div_u64(NSEC_PER_SEC, pps);
}

void handoff_deliver_work(struct work_struct *work)
{
	struct handoff_session *s = container_of(to_delayed_work(work),
						 struct handoff_session,
						 deliver);
	unsigned int batch = READ_ONCE(s->hn->sysctl.deliver_batch), n;
	unsigned int pps = READ_ONCE(s->hn->sysctl.deliver_max_pps), refs;
	bool wait = false, was_live, live = false;
	unsigned long delay = 1;
	struct sk_buff *skb, *copy;
	struct sk_buff_head *from;
	struct net_device *dev;
	s64 pace_ns;
	u64 dropped;

	rcu_read_lock_bh();
	dev = rcu_dereference_bh(s->dev);
	was_live = READ_ONCE(s->drain) == HANDOFF_DRAIN_LIVE;
	if (!dev || READ_ONCE(s->drain) == HANDOFF_DRAIN_IDLE) {
		rcu_read_unlock_bh();
		return;
	}
	if (!vif_ready(dev)) {
		/* NETDEV_CHANGE kicks us at carrier-on; this is the fallback. */
		rcu_read_unlock_bh();
		handoff_deliver_kick(s, HANDOFF_READY_POLL);
		return;
	}
	if (!s->times[HANDOFF_TIME_VIF_READY])
		s->times[HANDOFF_TIME_VIF_READY] = ktime_get();
	for (n = 0; n < batch; n++) {
		ktime_t now = ktime_get();

		pace_ns = pace_wait(s, now, pps, batch);
		if (pace_ns) {
			delay = max(1UL, nsecs_to_jiffies(pace_ns));
			wait = true;
			break;
		}
		spin_lock(&s->lock);
		skb = next_frame(s, now, &wait, &from);
		if (skb && !s->times[HANDOFF_TIME_FIRST_DELIVERED])
			s->times[HANDOFF_TIME_FIRST_DELIVERED] = now;
		live = s->drain == HANDOFF_DRAIN_LIVE;
		spin_unlock(&s->lock);
		if (!skb)
			break;
		skb->dev = dev;
		/*
		 * Kept until the vif took the frame: the qdisc is empty (we
		 * back off otherwise), so netback sees it within this call.
		 */
		copy = skb_clone(skb, GFP_ATOMIC);
		refs = copy ? data_refs(copy) : 0;
		dropped = vif_dropped(dev);
		__this_cpu_write(handoff_delivering, true);
		dev_queue_xmit(skb);
		__this_cpu_write(handoff_delivering, false);
		if (vif_dropped(dev) != dropped && !vif_kept(copy, refs)) {
			vif_refused(s, dev, copy, from);
			wait = true;
			break;
		}
		consume_skb(copy);
		pace_charge(s, pps);
		handoff_count(s, HANDOFF_CTR_DELIVERED);
	}
	rcu_read_unlock_bh();
	/* Bottom halves ran again: the receiver had its chance to drain. */
	if (n == batch && !wait) {
		rcu_read_lock_bh();
		dev = rcu_dereference_bh(s->dev);
		wait = dev && backpressure(dev, batch);
		rcu_read_unlock_bh();
	}

	if (live && !was_live)
		handoff_genl_event(s, HANDOFF_EVENT_DELIVERED,
				   s->times[HANDOFF_TIME_LAST_DELIVERED]);
	else if (wait)
		handoff_deliver_kick(s, delay);
	else if (n == batch)
		handoff_deliver_kick(s, 0);
	if (live && !was_live)
		handoff_control_kick(s, 0);	/* may be done now */
}

/*
 * Egress of the destination vif: while held frames drain, live traffic for
 * the VM queues behind them (bounded). Our own deliveries pass.
 */
static unsigned int dest_egress(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	struct handoff_session *s = priv;
	const struct handoff_sysctl *sc = &s->hn->sysctl;
	unsigned int verdict = NF_ACCEPT;
	bool kick = false;
	ktime_t now;
	int neigh;
	u32 h;

	if (__this_cpu_read(handoff_delivering))
		return NF_ACCEPT;
	if (READ_ONCE(s->drain) == HANDOFF_DRAIN_IDLE) {
		/*
		 * The bridge forwards to the vif once its carrier is on, before
		 * our own NETDEV_CHANGE handler runs (a localhost bridge floods
		 * at once): that frame must not overtake the held ones.
		 */
		if (READ_ONCE(s->state) != HANDOFF_STATE_ATTACHED ||
		    (s->flags & HANDOFF_F_NO_CARRIER_ACTIVATE) ||
		    !netif_carrier_ok(state->out))
			return NF_ACCEPT;
		handoff_dest_activate(s);
	}
	now = ktime_get();
	if (READ_ONCE(s->drain) == HANDOFF_DRAIN_LIVE && !dedup_active(s, now))
		return NF_ACCEPT;	/* the common case: no work at all */
	h = frame_hash(skb);
	neigh = neigh_kind(skb);
	spin_lock_bh(&s->lock);
	if (!dedup_active(s, now))
		goto out;
	if (dedup_check(s, h, DEDUP_LIVE)) {
		/* Flooded to both hosts: the tunnel copy is delivered. */
		handoff_count(s, HANDOFF_CTR_DUP_SUPPRESSED);
		kfree_skb(skb);
		verdict = NF_STOLEN;
		goto out;
	}
	if (s->drain == HANDOFF_DRAIN_LIVE)
		goto out;	/* caught up: only duplicates were looked for */
	if (neigh != NEIGH_NONE) {
		/* ARP/ND passes: the guest may be waiting for it. */
		if (neigh == NEIGH_ANSWER && s->resolving_since) {
			s->resolving_since = 0;
			kick = true;
		}
		goto out;
	}
	if (s->live.qlen >= READ_ONCE(sc->hold_max_frames)) {
		handoff_count(s, HANDOFF_CTR_DROP_OVERFLOW);
		kfree_skb(skb);
		verdict = NF_STOLEN;
		goto out;
	}
	skb_dst_drop(skb);
	__skb_queue_tail(&s->live, skb);
	handoff_count(s, HANDOFF_CTR_LIVE_HELD);
	verdict = NF_STOLEN;
	kick = true;
out:
	spin_unlock_bh(&s->lock);
	if (kick)
		handoff_deliver_kick(s, 0);
	return verdict;
}

/*
 * Ingress of the destination vif: the guest's first frame activates; its
 * neighbour requests pause delivery (neigh_kind()).
 */
static unsigned int dest_ingress(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	struct handoff_session *s = priv;

	if (READ_ONCE(s->state) == HANDOFF_STATE_ATTACHED)
		handoff_dest_activate(s);
	/* The guest asks for a neighbour: held frames wait for the answer. */
	if (READ_ONCE(s->drain) == HANDOFF_DRAIN_RUNNING &&
	    neigh_kind(skb) == NEIGH_ASK) {
		spin_lock_bh(&s->lock);
		if (s->drain == HANDOFF_DRAIN_RUNNING && !s->resolving_since)
			s->resolving_since = ktime_get();
		spin_unlock_bh(&s->lock);
	}
	return NF_ACCEPT;
}

#if !HANDOFF_HAVE_NF_EGRESS
/*
 * Before 5.16 (compat.h): the frames a Linux bridge hands to the vif, at the
 * bridge's POST_ROUTING, where the frame starts at its network header.
 */
static unsigned int dest_br_out(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	struct handoff_session *s = priv;
	unsigned int off, verdict;

	if (state->out != rcu_access_pointer(s->dev))
		return NF_ACCEPT;
	off = skb->data - skb_mac_header(skb);
	__skb_push(skb, off);
	verdict = dest_egress(priv, skb, state);
	if (verdict == NF_ACCEPT)
		__skb_pull(skb, off);
	return verdict;
}
#endif

/* Under RTNL, at attach: registration sleeps. */
int handoff_dest_hook(struct handoff_session *s)
{
	struct net_device *dev = rtnl_dereference(s->dev);
	int err;

#if HANDOFF_HAVE_NF_EGRESS
	s->dev_hooks[0] = (struct nf_hook_ops) {
		.hook = dest_egress,
		.pf = NFPROTO_NETDEV,
		.hooknum = NF_NETDEV_EGRESS,
		.priority = INT_MIN,
		.dev = dev,
		.priv = s,
	};
#else
	s->dev_hooks[0] = (struct nf_hook_ops) {
		.hook = dest_br_out,
		.pf = NFPROTO_BRIDGE,
		.hooknum = NF_BR_POST_ROUTING,
		.priority = NF_BR_PRI_FIRST,
		.priv = s,
	};
#endif
	s->dev_hooks[1] = (struct nf_hook_ops) {
		.hook = dest_ingress,
		.pf = NFPROTO_NETDEV,
		.hooknum = NF_NETDEV_INGRESS,
		.priority = INT_MIN,
		.dev = dev,
		.priv = s,
	};
	err = nf_register_net_hooks(s->hn->net, s->dev_hooks, 2);
	if (!err)
		s->hooked = true;
	return err;
}

void handoff_dest_unhook(struct handoff_session *s)
{
	if (!s->hooked)
		return;
	nf_unregister_net_hooks(s->hn->net, s->dev_hooks, 2);
	s->hooked = false;
}

/*
 * Carrier-on, the guest's first frame, or a command: from here on held frames
 * are delivered, the source is told to stop, and the VM is announced. Safe
 * from any context; only the first call does anything.
 */
bool handoff_dest_activate(struct handoff_session *s)
{
	ktime_t now = ktime_get();

	spin_lock_bh(&s->lock);
	if (s->state != HANDOFF_STATE_ATTACHED) {
		spin_unlock_bh(&s->lock);
		return false;
	}
	s->state = HANDOFF_STATE_ACTIVE;
	s->times[HANDOFF_TIME_ACTIVATED] = now;
	s->drain = HANDOFF_DRAIN_RUNNING;
	s->announce_idx = 0;
	spin_unlock_bh(&s->lock);

	handoff_deliver_kick(s, 0);
	handoff_control_kick(s, 0);
	handoff_genl_event(s, HANDOFF_EVENT_ACTIVATED, now);
	return true;
}

/* Abort or teardown: nothing held is delivered any more. */
void handoff_dest_purge(struct handoff_session *s)
{
	spin_lock_bh(&s->lock);
	__skb_queue_purge(&s->held);
	__skb_queue_purge(&s->live);
	s->held_bytes = 0;
	if (s->drain == HANDOFF_DRAIN_RUNNING)
		s->drain = HANDOFF_DRAIN_LIVE;
	spin_unlock_bh(&s->lock);
}

/* LEARN from the source: MACs (with VLAN) and addresses to announce. */
void handoff_dest_learn(struct handoff_session *s, const void *data,
			unsigned int len)
{
	const struct handoff_wire_learn_entry *e = data + sizeof(__be16);
	unsigned int n, i, j;

	if (len < sizeof(__be16))
		goto bad;
	n = be16_to_cpup(data);
	if (n > HANDOFF_MAX_LEARN || len != sizeof(__be16) + n * sizeof(*e))
		goto bad;
	spin_lock_bh(&s->lock);
	for (i = 0; i < n; i++, e++) {
		switch (e->kind) {
		case HANDOFF_LEARN_MAC: {
			u16 vlan = be16_to_cpu(e->vlan) & VLAN_VID_MASK;

			if (!is_valid_ether_addr(e->addr))
				break;
			for (j = 0; j < s->ncapture; j++)
				if (ether_addr_equal(s->capture[j].mac, e->addr) &&
				    s->capture[j].vlan == vlan)
					break;
			if (j < s->ncapture || j == HANDOFF_CAPTURE_MACS)
				break;
			ether_addr_copy(s->capture[j].mac, e->addr);
			s->capture[j].vlan = vlan;
			s->ncapture++;
			break;
		}
		case HANDOFF_LEARN_IN:
			handoff_addr_add(s, AF_INET, e->addr);
			break;
		case HANDOFF_LEARN_IN6:
			handoff_addr_add(s, AF_INET6, e->addr);
			break;
		}
	}
	spin_unlock_bh(&s->lock);
	return;
bad:
	handoff_count(s, HANDOFF_CTR_DROP_MALFORMED);
}
