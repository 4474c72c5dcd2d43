// SPDX-License-Identifier: GPL-2.0
/*
 * Each session's clockwork, in one delayed work: the destination's STOP
 * (repeated until the source's marker answers), its announce schedule, the
 * source's LEARN updates and grace period, and ABORT (repeated until
 * acknowledged). It computes what is due, does it, and sleeps until the next
 * deadline. Times are ktime: HZ is 250 here, jiffies are too coarse to measure.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "handoff.h"

#define STOP_RETRY_MS 20
#define ABORT_RETRY_MS 50
#define ABORT_TRIES 10
#define PORT_WAIT_MS 5
/*
 * The destination outlives the source's forwarding: after the source's DONE,
 * this long for DATA sent just before it on another CPU; without DONE (lost,
 * or the source's host gone), grace_ms after activation and this much more
 * (the source's grace starts at its STOP, and its timer may run late: 270 ms
 * was seen under nested emulation).
 */
#define SOURCE_DONE_TAIL_MS 100
#define SOURCE_DONE_WAIT_MS 2000

void handoff_control_kick(struct handoff_session *s, unsigned long delay)
{
	if (!READ_ONCE(s->dead))
		mod_delayed_work(handoff_wq, &s->control, delay);
}

/* The session's device with a reference, or NULL: announcing may sleep. */
static struct net_device *session_dev_get(struct handoff_session *s)
{
	struct net_device *dev;

	rcu_read_lock();
	dev = rcu_dereference(s->dev);
	dev_hold(dev);
	rcu_read_unlock();
	return dev;
}

static s64 ms_since(ktime_t now, ktime_t t)
{
	return ktime_ms_delta(now, t);
}

/* Announces due by now; returns ms until the next one, or -1. */
static s64 dest_announce(struct handoff_session *s, ktime_t now)
{
	struct handoff_sysctl *sc = &s->hn->sysctl;
	int sched[HANDOFF_ANNOUNCE_SLOTS], count, err;
	s64 since = ms_since(now, s->times[HANDOFF_TIME_ACTIVATED]);
	struct net_device *dev;

	if (s->flags & HANDOFF_F_NO_ANNOUNCE)
		return -1;
	spin_lock_bh(&sc->announce_lock);
	count = sc->announce_count;
	memcpy(sched, sc->announce_ms, sizeof(sched));
	spin_unlock_bh(&sc->announce_lock);

	while (s->announce_idx < count && since >= sched[s->announce_idx]) {
		dev = session_dev_get(s);
		err = dev ? handoff_announce(s, dev) : -ENODEV;
		dev_put(dev);
		if (err == -EAGAIN)
			return PORT_WAIT_MS;
		if (!s->times[HANDOFF_TIME_FIRST_ANNOUNCE] && !err) {
			s->times[HANDOFF_TIME_FIRST_ANNOUNCE] = ktime_get();
			WRITE_ONCE(s->announced, true);
		}
		s->announce_idx++;
	}
	if (s->announce_idx < count)
		return sched[s->announce_idx] - since;
	return -1;
}

static void finish(struct handoff_session *s, ktime_t now)
{
	bool done = false;

	spin_lock_bh(&s->lock);
	if (s->state == HANDOFF_STATE_ACTIVE || s->state == HANDOFF_STATE_STOPPED) {
		s->state = HANDOFF_STATE_DONE;
		s->times[HANDOFF_TIME_ENDED] = now;
		done = true;
	}
	spin_unlock_bh(&s->lock);
	if (!done)
		return;
	/* The source captures no more: the destination may finish. */
	if (s->role == HANDOFF_ROLE_SOURCE)
		handoff_tunnel_send(s, HANDOFF_MSG_DONE, NULL, 0, NULL);
	handoff_genl_event(s, HANDOFF_EVENT_DONE, now);
}

/* From the tunnel: the source's grace is over (SOURCE_DONE_TAIL_MS). */
void handoff_dest_source_done(struct handoff_session *s)
{
	spin_lock_bh(&s->lock);
	if (!s->source_done)
		s->source_done = ktime_get();
	spin_unlock_bh(&s->lock);
	handoff_control_kick(s, msecs_to_jiffies(SOURCE_DONE_TAIL_MS));
}

static s64 min_next(s64 a, s64 b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return min(a, b);
}

void handoff_control_work(struct work_struct *work)
{
	struct handoff_session *s = container_of(to_delayed_work(work),
						 struct handoff_session,
						 control);
	struct handoff_wire_abort ab;
	ktime_t now = ktime_get();
	s64 next = -1, grace;

	switch (READ_ONCE(s->state)) {
	case HANDOFF_STATE_ARMED:
		if (READ_ONCE(s->learn_dirty))
			handoff_source_learn_send(s);
		break;
	case HANDOFF_STATE_STOPPED:
		grace = READ_ONCE(s->hn->sysctl.grace_ms) -
			ms_since(now, s->times[HANDOFF_TIME_SOURCE_STOPPED]);
		if (grace > 0)
			next = grace;
		else
			finish(s, now);
		break;
	case HANDOFF_STATE_ACTIVE:
		if (!READ_ONCE(s->have_marker)) {
			handoff_tunnel_send(s, HANDOFF_MSG_STOP, NULL, 0, NULL);
			next = STOP_RETRY_MS;
		}
		next = min_next(next, dest_announce(s, now));
		/*
		 * The source forwards what still reaches it until its grace
		 * is over and it says DONE: be there to deliver it (on
		 * localhost, where one bridge feeds both, that is every
		 * unicast frame for the VM).
		 */
		if (READ_ONCE(s->source_done))
			grace = SOURCE_DONE_TAIL_MS -
				ms_since(now, READ_ONCE(s->source_done));
		else
			grace = READ_ONCE(s->hn->sysctl.grace_ms) +
				SOURCE_DONE_WAIT_MS -
				ms_since(now, s->times[HANDOFF_TIME_ACTIVATED]);
		if (grace > 0)
			next = min_next(next, grace);
		if (next < 0 && READ_ONCE(s->drain) == HANDOFF_DRAIN_LIVE)
			finish(s, now);
		else if (next < 0)
			next = STOP_RETRY_MS;	/* still delivering */
		break;
	case HANDOFF_STATE_ABORTED:
		if (handoff_is_source(s))
			next = handoff_divert_redeliver(s);
		if (s->reannounce) {
			struct net_device *dev = session_dev_get(s);

			s->reannounce = false;
			if (dev && handoff_announce(s, dev) == -EAGAIN)
				s->reannounce = true;
			dev_put(dev);
			if (s->reannounce)
				next = min_next(next, PORT_WAIT_MS);
		}
		if (s->abort_tries && !READ_ONCE(s->abort_acked) &&
		    s->abort_tries <= ABORT_TRIES) {
			ab.announced = READ_ONCE(s->announced);
			handoff_tunnel_send(s, HANDOFF_MSG_ABORT, &ab,
					    sizeof(ab), NULL);
			s->abort_tries++;
			next = min_next(next, ABORT_RETRY_MS);
		}
		break;
	}
	if (next >= 0)
		handoff_control_kick(s, max_t(unsigned long, 1,
					      msecs_to_jiffies(next)));
}

/*
 * The migration failed (command, or the peer's ABORT): the destination drops
 * what it held, the source stops copying; if the destination had announced,
 * the source announces the VM again where it still lives.
 */
void handoff_session_abort(struct handoff_session *s, bool from_peer,
			   bool peer_announced)
{
	ktime_t now = ktime_get();

	spin_lock_bh(&s->lock);
	/* A completed cutover may still be rolled back: the toolstack decides. */
	if (s->state >= HANDOFF_STATE_ABORTED) {
		spin_unlock_bh(&s->lock);
		return;
	}
	s->state = HANDOFF_STATE_ABORTED;
	s->times[HANDOFF_TIME_ENDED] = now;
	if (!from_peer)
		s->abort_tries = 1;	/* tell the peer, until it acks */
	if (handoff_is_source(s) && peer_announced)
		s->reannounce = true;
	/* The guest lives here still: it gets what was diverted (divert.c). */
	if (!skb_queue_empty(&s->diverted))
		s->redelivering = true;
	spin_unlock_bh(&s->lock);

	if (!handoff_is_source(s))
		handoff_dest_purge(s);
	handoff_genl_event(s, HANDOFF_EVENT_ABORTED, now);
	handoff_control_kick(s, 0);
}
