/* SPDX-License-Identifier: GPL-2.0 */
/*
 * handoff-probe accounting: pure logic, no I/O, no clock. The program feeds
 * arrivals (a sequence number and the time it was seen) and reads results.
 *
 * Counting rules (also in tests/lab/probe.md). A flow is a stream of
 * sequence numbers 0..sent-1 issued once each by one sender; the receiver
 * sees "arrivals" in some order.
 *
 *   received   distinct sequence numbers that arrived at least once.
 *   lost       sent - received.
 *   dup        arrivals of a sequence number that had already arrived.
 *   reordered  first arrivals whose sequence number is lower than the
 *              highest one that arrived before it (RFC 4737 "reordered":
 *              s < NextExp). A duplicate is never counted as reordered, and
 *              each reordered packet counts once however late it is.
 *   max_gap    largest interval between two consecutive arrivals (all
 *              arrivals, duplicates included), with the time it started
 *              relative to the flow's time origin.
 *   max_loss_run  longest run of consecutive sequence numbers that never
 *              arrived (a blackout of N packets).
 *   tail_lost  lost sequence numbers above the highest one received: losses
 *              at the very end, which no gap between arrivals shows.
 *
 * Flows of handoff-probe send:
 *   icmp     by the 64-bit sequence carried in the echo payload (its low 16
 *            bits are the ICMP echo sequence); arrival = reply at the client.
 *   udp_rev  responder -> client, by the responder's reply_seq (1-based).
 *            sent = the responder's total for this run: the highest reply_seq
 *            seen, or the count the responder states at the end of the run
 *            (PW_STATR), whichever is higher; arrivals = replies at the
 *            client, in the client's order and clock.
 *   udp_fwd  client -> responder, reconstructed from the replies (struct
 *            ps_fwd): reply_seq r numbers the responder's receptions in its
 *            own order; each reply tells which request seq was reception r
 *            and when (responder clock). Replies are taken in reply_seq
 *            order: a request seq seen at an earlier r is a dup; a first
 *            seen seq below the highest earlier one is reordered; gaps are
 *            between the responder's timestamps of consecutive known r.
 *            Receptions whose reply was lost (reply_seq holes below the
 *            total) are "unknown": counted as received (the responder got
 *            something), assumed not duplicates, and a gap spanning them is
 *            measured between the known neighbours (an upper bound).
 *            received = distinct known request seqs + unknown;
 *            lost = sent - received (0 if unknown receptions were in fact
 *            duplicates and push received above sent).
 *            max_loss_run and tail_lost for udp_fwd treat unknown as
 *            missing, so they are upper bounds when unknown > 0.
 *
 * Ranges say which sequence numbers were lost, duplicated or reordered and
 * when they were sent: maximal runs of consecutive numbers of one class, in
 * ascending order, the first PS_RANGES_MAX of them. Send times come from
 * the client (udp_fwd, icmp: what it recorded when sending); a udp_rev
 * reply is timed by the request it answered, known only if the reply
 * arrived: a lost run of replies is bracketed by the requests answered by
 * the nearest replies that arrived below and above it. udp_fwd lost ranges
 * treat unknown receptions as missing (an upper bound, lost_exact false).
 */
#ifndef HANDOFF_PROBE_STATS_H
#define HANDOFF_PROBE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growable set of sequence numbers: one bit each, sized by the largest. */
struct ps_bitmap {
	uint64_t *w;
	uint64_t nbits;		/* capacity, a multiple of 64 */
};

/* 0, or -1 when memory runs out. Never shrinks. */
int ps_bitmap_reserve(struct ps_bitmap *b, uint64_t nbits);
bool ps_bitmap_test(const struct ps_bitmap *b, uint64_t i);
/* Sets bit i (which must be reserved); returns its previous value. */
bool ps_bitmap_test_and_set(struct ps_bitmap *b, uint64_t i);
/* Set bits in [0, n). */
uint64_t ps_bitmap_count(const struct ps_bitmap *b, uint64_t n);
/* Longest run of clear bits in [0, n); its first index in *start if any. */
uint64_t ps_bitmap_longest_clear(const struct ps_bitmap *b, uint64_t n, uint64_t *start);
void ps_bitmap_free(struct ps_bitmap *b);

/* A growable array of 64-bit values. */
struct ps_vec {
	uint64_t *v;
	uint64_t n, cap;
};

/* Appends x: 0, or -1 when memory runs out. */
int ps_vec_push(struct ps_vec *a, uint64_t x);
void ps_vec_free(struct ps_vec *a);

#define PS_NO_TIME	UINT64_MAX	/* a send time nobody knows */

/*
 * Send times by sequence number (a ps_vec indexed by seq), in ns from the
 * run's origin. Numbers are issued in order, so seq must be the next one:
 * after a failed allocation (-1) every later seq is unknown, never wrong.
 */
int ps_times_set(struct ps_vec *t, uint64_t seq, uint64_t ns);
/* The send time of seq, or PS_NO_TIME. */
uint64_t ps_times_get(const struct ps_vec *t, uint64_t seq);

struct ps_rtt {
	uint64_t n, min_ns, max_ns, sum_ns;
};

void ps_rtt_add(struct ps_rtt *r, uint64_t ns);

/* Inter-arrival gap tracking over a stream of arrival times. */
struct ps_gap {
	bool any;
	uint64_t first_ns, last_ns;
	uint64_t max_ns, max_start_ns;	/* the largest interval and its start */
};

void ps_gap_add(struct ps_gap *g, uint64_t t_ns);

enum ps_arrival {
	PS_NEW = 0,		/* first arrival, in order */
	PS_REORDERED = 1,	/* first arrival, below the highest seen before */
	PS_DUP = 2,		/* arrived before */
	PS_BAD = -1,		/* sequence number >= the flow's limit: ignored */
	PS_NOMEM = -2,
};

/* A flow observed directly at the receiver (udp_rev, icmp, a sink). */
struct ps_flow {
	struct ps_bitmap seen;
	struct ps_vec dups;	/* seq of each duplicate arrival */
	struct ps_vec reos;	/* seq of each reordered (first) arrival */
	uint64_t limit;		/* seq >= limit is PS_BAD (garbage guard) */
	uint64_t arrivals, distinct, dup, reordered;
	uint64_t max_seq;	/* valid when distinct > 0 */
	struct ps_gap gap;
	struct ps_rtt rtt;
};

void ps_flow_init(struct ps_flow *f, uint64_t limit);
/* Raises the limit (e.g. as the sender issues more sequence numbers). */
void ps_flow_set_limit(struct ps_flow *f, uint64_t limit);
/* One arrival of seq at now_ns (any monotonic clock); enum ps_arrival. */
int ps_flow_arrive(struct ps_flow *f, uint64_t seq, uint64_t now_ns);
void ps_flow_free(struct ps_flow *f);

/* The forward flow, indexed by the responder's reply_seq. */
struct ps_fwd_ent {
	uint64_t seq1;		/* request seq + 1; 0 = no reply with this r yet */
	uint64_t rx_ns;
};

struct ps_fwd {
	struct ps_fwd_ent *ent;
	uint64_t cap;		/* entries allocated */
	uint64_t limit;		/* reply_seq > limit is PS_BAD */
	uint64_t known;		/* distinct reply_seqs recorded */
	uint64_t max_r;		/* highest reply_seq recorded */
	uint64_t conflicts;	/* same r, different request seq: ignored */
};

void ps_fwd_init(struct ps_fwd *t, uint64_t limit);
void ps_fwd_set_limit(struct ps_fwd *t, uint64_t limit);
/*
 * Reply r (1-based) said: reception r was request seq at rx_ns. PS_NEW the
 * first time, PS_DUP for a repeat of the same reply, PS_BAD for r == 0,
 * r > limit or a conflicting repeat, PS_NOMEM.
 */
int ps_fwd_record(struct ps_fwd *t, uint64_t r, uint64_t seq, uint64_t rx_ns);
void ps_fwd_free(struct ps_fwd *t);

#define PS_RANGES_MAX	256	/* ranges kept per class: the first ones */

/* An inclusive run of consecutive sequence numbers of one class. */
struct ps_range {
	uint64_t first, last;
	uint64_t count;		/* dup: duplicate arrivals; else last - first + 1 */
	uint64_t first_ns, last_ns;	/* send times from the origin, or PS_NO_TIME */
};

struct ps_ranges {
	unsigned int n;
	bool truncated;		/* more runs existed than PS_RANGES_MAX */
	struct ps_range r[PS_RANGES_MAX];
};

struct ps_result {
	uint64_t sent, received, lost, dup, reordered;
	uint64_t unknown;	/* udp_fwd only: receptions whose reply was lost */
	uint64_t max_loss_run, tail_lost;
	uint64_t max_gap_ns;
	uint64_t max_gap_at_ns;	/* start of that gap, from the flow's origin */
	struct ps_rtt rtt;
	/* Never-received, arrived 2+ times, arrived reordered. lost_exact is
	 * false when lost ranges are an upper bound (udp_fwd, unknown > 0). */
	struct ps_ranges lost_r, dup_r, reo_r;
	bool lost_exact;
};

/*
 * Result of a directly observed flow of `sent` sequence numbers; gap times
 * are reported relative to origin_ns (e.g. the start of sending). Range
 * times: sent_at by seq (NULL: none known); with `via` (udp_rev), seq is a
 * reply index (reply_seq - 1), ranges are numbered by reply_seq and timed
 * by the requests the replies answered, looked up in via then sent_at.
 * 0, or -1 when memory runs out.
 */
int ps_flow_result(const struct ps_flow *f, uint64_t sent, uint64_t origin_ns,
		   const struct ps_vec *sent_at, const struct ps_fwd *via,
		   struct ps_result *out);
/*
 * Result of the forward flow: `sent` requests, `total` receptions at the
 * responder (its final count: >= every recorded r), range times from
 * sent_at (may be NULL). Gap times relative to the first known reception.
 * 0, or -1 when memory runs out.
 */
int ps_fwd_result(const struct ps_fwd *t, uint64_t sent, uint64_t total,
		  const struct ps_vec *sent_at, struct ps_result *out);

/* Everything handoff-probe send reports. */
struct ps_report {
	uint64_t run_id;
	uint64_t start_realtime_ns;	/* CLOCK_REALTIME of the send times' origin */
	const char *target;
	unsigned int port;
	uint64_t rate_pps;
	unsigned int payload;
	uint64_t duration_ns;	/* first to last send slot */
	uint64_t drain_ns;	/* time actually spent draining */
	uint64_t send_errors;
	uint64_t pace_late_max_ns;	/* worst lateness of a send vs. its slot */
	uint64_t malformed;	/* garbage: bad header, checksum, seq range */
	uint64_t foreign;	/* valid probe packets of another run */
	uint64_t other_responder;	/* replies from a second echo_id */
	uint64_t sock_drops;	/* the client's own socket drops */
	uint64_t echo_sock_drops;	/* the responder's (as it reported) */
	bool echo_seen;
	uint64_t echo_id;
	bool stat_answered;	/* the responder answered an end-of-run query */
	struct ps_result fwd, rev, icmp;
	bool icmp_on;
	const char *icmp_mode;	/* "ping" (unprivileged socket) or "raw" */
	unsigned int ping_id;
};

/*
 * Formats the report as text (a table) or as one JSON object, each ending
 * in a newline. Returns the length it needs, like snprintf.
 */
int ps_format_report(char *buf, size_t len, const struct ps_report *r, bool json);

#endif
