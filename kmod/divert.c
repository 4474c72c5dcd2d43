// SPDX-License-Identifier: GPL-2.0
/*
 * The source with HANDOFF_F_DIVERT: while armed, unicast for the VM goes to
 * the destination only.
 *
 * Armed at the suspend request, a copying source still delivers to the vif
 * while the guest runs on towards its suspend; the guest consumes some of
 * those frames and the destination delivers them again after the resume
 * (the duplicates of DESIGN.md's suspend boundary). Diverted, the guest
 * sees nothing from arming on: what it would have consumed waits at the
 * destination, what netback had queued before arming it drains while still
 * running. The frames are kept here as well, so that a migration that does
 * not complete (abort, expiry, deletion before the destination took over)
 * gives them to the source vif, in order, before live traffic flows again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>

#include "handoff.h"

/* Frames given back per run of the control work. */
#define DIVERT_BATCH 64

/*
 * From the capture hook, for unicast to the VM while armed (or aborted and
 * still giving back): true if @skb was kept here instead of delivered. A
 * tagged frame is delivered as before: the bridge's VLAN egress policy
 * decides what the vif gets, which a redelivery could not reproduce.
 */
bool handoff_divert(struct handoff_session *s, struct sk_buff *skb)
{
	struct handoff_sysctl *sc = &s->hn->sysctl;
	bool kept = false;

	if (skb_vlan_tag_present(skb) || eth_type_vlan(skb->protocol))
		return false;
	spin_lock(&s->lock);
	if ((s->state == HANDOFF_STATE_ARMED && !s->divert_closed) ||
	    s->redelivering) {
		/* Past the bounds the vif gets it too: a duplicate, not a loss. */
		kept = s->diverted.qlen < READ_ONCE(sc->hold_max_frames) &&
		       s->diverted_bytes + skb->len + ETH_HLEN <=
		       READ_ONCE(sc->hold_max_bytes);
	}
	if (kept) {
		skb_push(skb, skb->data - skb_mac_header(skb));
		skb_scrub_packet(skb, false);
		skb_orphan(skb);
		skb->dev = NULL;
		__skb_queue_tail(&s->diverted, skb);
		s->diverted_bytes += skb->len;
	}
	spin_unlock(&s->lock);
	if (kept)
		handoff_count(s, HANDOFF_CTR_DIVERTED);
	return kept;
}

/*
 * Give up to @max kept frames to the source vif (dropped if it is gone).
 * The lock is held across the transmit so that a frame arriving meanwhile
 * queues behind them rather than overtakes them; the vif's transmit does
 * not come back into the capture hook on this CPU (the bridge is not on
 * that path). Returns whether frames remain.
 */
static bool divert_give_back(struct handoff_session *s, unsigned int max)
{
	struct net_device *dev;
	struct sk_buff *skb;
	bool more;

	rcu_read_lock();
	dev = rcu_dereference(s->dev);
	spin_lock_bh(&s->lock);
	while (max-- && (skb = __skb_dequeue(&s->diverted))) {
		s->diverted_bytes -= skb->len;
		if (!dev) {
			kfree_skb(skb);
			continue;
		}
		skb->dev = dev;
		dev_queue_xmit(skb);
		handoff_count(s, HANDOFF_CTR_REDELIVERED);
	}
	more = !skb_queue_empty(&s->diverted);
	if (!more)
		s->redelivering = false;
	spin_unlock_bh(&s->lock);
	rcu_read_unlock();
	return more;
}

/* Control work of an aborted source: ms until the next batch, or -1. */
s64 handoff_divert_redeliver(struct handoff_session *s)
{
	if (!READ_ONCE(s->redelivering))
		return -1;
	return divert_give_back(s, DIVERT_BATCH) ? 1 : -1;
}

/*
 * Under RTNL, at unlink, before capture stops and the vif is released:
 * whatever is still kept goes to the vif (unless the destination took over:
 * then it was purged at the stop), what arrives meanwhile queues behind it,
 * and from then on nothing is kept.
 */
void handoff_divert_flush(struct handoff_session *s)
{
	spin_lock_bh(&s->lock);
	s->divert_closed = true;
	s->redelivering = !skb_queue_empty(&s->diverted);
	spin_unlock_bh(&s->lock);
	while (divert_give_back(s, DIVERT_BATCH))
		cond_resched();
}

/* The destination took over: it delivers what was diverted. */
void handoff_divert_purge(struct handoff_session *s)
{
	struct sk_buff_head q;

	__skb_queue_head_init(&q);
	spin_lock_bh(&s->lock);
	skb_queue_splice_init(&s->diverted, &q);
	s->diverted_bytes = 0;
	spin_unlock_bh(&s->lock);
	__skb_queue_purge(&q);
}
