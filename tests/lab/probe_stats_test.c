// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of handoff-probe's pure logic (probe_stats.c, probe_wire.h):
 * loss, duplicates, reordering, gaps, end-of-run loss, the forward flow
 * rebuilt from replies, garbage. Prints each failed check and ends with
 * "N passed, N failed" (test functions); exits non-zero on failure.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_stats.h"
#include "probe_wire.h"

static int failed_checks;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			failed_checks++;				\
		}							\
	} while (0)

#define CHECK_EQ(got, want)						\
	do {								\
		unsigned long long g_ = (got), w_ = (want);		\
		if (g_ != w_) {						\
			printf("FAIL %s:%d: %s is %llu, want %llu\n",	\
			       __FILE__, __LINE__, #got, g_, w_);	\
			failed_checks++;				\
		}							\
	} while (0)

#define MS 1000000ull

/* Feeds seqs in the given order, one every ms from t=1 s. */
static void feed(struct ps_flow *f, const uint64_t *seqs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ps_flow_arrive(f, seqs[i], 1000 * MS + i * MS);
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Sum of a class's ranges: lengths, or duplicate arrivals for dup ranges. */
static uint64_t range_sum(const struct ps_ranges *rs)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < rs->n; i++)
		n += rs->r[i].count;
	return n;
}

/* One class: ascending, maximal runs (a gap between two), counts sane. */
static void check_class(const struct ps_ranges *rs, bool dup)
{
	CHECK(rs->n <= PS_RANGES_MAX);
	CHECK(!rs->truncated || rs->n == PS_RANGES_MAX);
	for (unsigned int i = 0; i < rs->n; i++) {
		const struct ps_range *x = &rs->r[i];

		CHECK(x->first <= x->last);
		CHECK(i == 0 || x->first > rs->r[i - 1].last + 1);
		if (dup)
			CHECK(x->count >= x->last - x->first + 1);
		else
			CHECK_EQ(x->count, x->last - x->first + 1);
	}
}

/* The ranges agree with the counts (the rules of probe.md). */
static void check_ranges(const struct ps_result *r)
{
	check_class(&r->lost_r, false);
	check_class(&r->dup_r, true);
	check_class(&r->reo_r, false);
	if (!r->lost_r.truncated && r->lost_exact)
		CHECK_EQ(range_sum(&r->lost_r), r->lost);
	if (!r->lost_r.truncated && !r->lost_exact)
		CHECK(range_sum(&r->lost_r) >= r->lost);
	if (!r->dup_r.truncated)
		CHECK_EQ(range_sum(&r->dup_r), r->dup);
	if (!r->reo_r.truncated)
		CHECK_EQ(range_sum(&r->reo_r), r->reordered);
}

#define CHECK_RANGE(rs, i, f, l, c, t1, t2)				\
	do {								\
		CHECK((rs).n > (i));					\
		if ((rs).n > (i)) {					\
			CHECK_EQ((rs).r[i].first, f);			\
			CHECK_EQ((rs).r[i].last, l);			\
			CHECK_EQ((rs).r[i].count, c);			\
			CHECK_EQ((rs).r[i].first_ns, t1);		\
			CHECK_EQ((rs).r[i].last_ns, t2);		\
		}							\
	} while (0)

/* Send times of a 1 kpps schedule, each a little late: seq k at k ms + 7 us. */
#define SENT(k) ((k) * MS + 7000)

static void times_1kpps(struct ps_vec *t, uint64_t n)
{
	for (uint64_t k = 0; k < n; k++)
		CHECK_EQ(ps_times_set(t, k, SENT(k)), 0);
}

static void test_wire_roundtrip(void)
{
	uint8_t buf[200];
	struct pw_hdr h = { .type = PW_REPLY, .run_id = 0x0123456789abcdefull,
			    .seq = 0xfffffffffffffffeull, .tx_ns = 42, .reply_seq = 7,
			    .rx_ns = 1ull << 63, .echo_id = 9, .echo_drops = 3 }, d;

	pw_fill_padding(buf, sizeof(buf), h.seq);
	pw_encode(buf, sizeof(buf), &h);
	CHECK(!memcmp(buf, "HOPR\x01\x02\x00\x40", 8));	/* network order */
	CHECK_EQ(buf[8], 0x01);
	CHECK_EQ(buf[15], 0xef);
	CHECK_EQ(pw_decode(buf, sizeof(buf), &d), PW_OK);
	CHECK_EQ(d.type, PW_REPLY);
	CHECK_EQ(d.run_id, h.run_id);
	CHECK_EQ(d.seq, h.seq);
	CHECK_EQ(d.tx_ns, 42);
	CHECK_EQ(d.reply_seq, 7);
	CHECK_EQ(d.rx_ns, 1ull << 63);
	CHECK_EQ(d.echo_id, 9);
	CHECK_EQ(d.echo_drops, 3);
	/* Exactly the header is valid too. */
	pw_encode(buf, PW_HDR_LEN, &h);
	CHECK_EQ(pw_decode(buf, PW_HDR_LEN, &d), PW_OK);
}

static void test_wire_garbage(void)
{
	uint8_t buf[PW_HDR_LEN + 37], bad[sizeof(buf)];
	struct pw_hdr h = { .type = PW_REQ, .run_id = 1, .seq = 5 }, d;
	uint64_t x = 88172645463325252ull;
	int ok = 0;

	pw_fill_padding(buf, sizeof(buf), 5);
	pw_encode(buf, sizeof(buf), &h);
	CHECK_EQ(pw_decode(buf, PW_HDR_LEN - 1, &d), PW_ESHORT);
	/* A cut datagram fails the checksum. */
	CHECK_EQ(pw_decode(buf, sizeof(buf) - 1, &d), PW_ECHECK);
	memcpy(bad, buf, sizeof(buf));
	bad[0] ^= 1;
	CHECK_EQ(pw_decode(bad, sizeof(bad), &d), PW_EMAGIC);
	memcpy(bad, buf, sizeof(buf));
	bad[4] = 2;
	CHECK_EQ(pw_decode(bad, sizeof(bad), &d), PW_EVERSION);
	memcpy(bad, buf, sizeof(buf));
	bad[7] = 63;
	CHECK_EQ(pw_decode(bad, sizeof(bad), &d), PW_EHDRLEN);
	memcpy(bad, buf, sizeof(buf));
	bad[6] = 1;	/* hdr_len 320 > datagram */
	CHECK_EQ(pw_decode(bad, sizeof(bad), &d), PW_EHDRLEN);
	memcpy(bad, buf, sizeof(buf));
	bad[5] = 0;
	CHECK_EQ(pw_decode(bad, sizeof(bad), &d), PW_ETYPE);
	bad[5] = 7;
	CHECK_EQ(pw_decode(bad, sizeof(bad), &d), PW_ETYPE);
	/* Any single flipped bit outside the check field is caught. */
	for (size_t i = 0; i < sizeof(buf); i++) {
		if (i >= PW_OFF_CHECK && i < PW_OFF_CHECK + 4)
			continue;
		for (int bit = 0; bit < 8; bit++) {
			memcpy(bad, buf, sizeof(buf));
			bad[i] ^= (uint8_t)(1 << bit);
			if (pw_decode(bad, sizeof(bad), &d) == PW_OK)
				ok++;
		}
	}
	CHECK_EQ(ok, 0);
	/* Random datagrams, even with a right magic and version, never pass. */
	ok = 0;
	for (int n = 0; n < 20000; n++) {
		for (size_t i = 0; i < sizeof(bad); i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			bad[i] = (uint8_t)x;
		}
		if (n & 1)
			memcpy(bad, "HOPR\x01\x01\x00\x40", 8);
		if (pw_decode(bad, sizeof(bad), &d) == PW_OK)
			ok++;
	}
	CHECK_EQ(ok, 0);
}

static void test_bitmap(void)
{
	struct ps_bitmap b = { 0 };
	uint64_t start = 0;

	CHECK_EQ(ps_bitmap_count(&b, 100), 0);
	CHECK_EQ(ps_bitmap_longest_clear(&b, 100, &start), 100);
	CHECK_EQ(start, 0);
	CHECK_EQ(ps_bitmap_longest_clear(&b, 0, NULL), 0);
	CHECK_EQ(ps_bitmap_reserve(&b, 3000), 0);
	CHECK(b.nbits >= 3000 && b.nbits % 64 == 0);
	for (uint64_t i = 0; i < 3000; i++)
		if (i < 100 || i >= 1100)	/* clear: [100, 1100) */
			CHECK(!ps_bitmap_test_and_set(&b, i));
	CHECK(ps_bitmap_test_and_set(&b, 5));
	CHECK(ps_bitmap_test(&b, 99));
	CHECK(!ps_bitmap_test(&b, 100));
	CHECK(!ps_bitmap_test(&b, 1ull << 40));	/* beyond capacity */
	CHECK_EQ(ps_bitmap_count(&b, 3000), 2000);
	CHECK_EQ(ps_bitmap_count(&b, 150), 100);
	CHECK_EQ(ps_bitmap_longest_clear(&b, 3000, &start), 1000);
	CHECK_EQ(start, 100);
	/* Restricted to n: the run is cut at n; bits past capacity are clear. */
	CHECK_EQ(ps_bitmap_longest_clear(&b, 130, &start), 30);
	CHECK_EQ(ps_bitmap_longest_clear(&b, b.nbits + 500, &start), 1000);
	CHECK_EQ(ps_bitmap_longest_clear(&b, b.nbits + 1500, &start), b.nbits + 1500 - 3000);
	CHECK_EQ(start, 3000);
	/* A single clear bit inside a word. */
	ps_bitmap_test_and_set(&b, 100);
	for (uint64_t i = 101; i < 1100; i++)
		ps_bitmap_test_and_set(&b, i);
	b.w[20] &= ~(1ull << 7);	/* bit 1287 */
	CHECK_EQ(ps_bitmap_longest_clear(&b, 3000, &start), 1);
	CHECK_EQ(start, 1287);
	ps_bitmap_free(&b);
}

static void test_in_order(void)
{
	struct ps_flow f;
	struct ps_result r;

	ps_flow_init(&f, 1000);
	for (uint64_t i = 0; i < 1000; i++)
		CHECK_EQ(ps_flow_arrive(&f, i, 1000 * MS + i * MS), PS_NEW);
	CHECK_EQ(ps_flow_result(&f, 1000, 1000 * MS, NULL, NULL, &r), 0);
	check_ranges(&r);
	CHECK_EQ(r.sent, 1000);
	CHECK_EQ(r.received, 1000);
	CHECK_EQ(r.lost, 0);
	CHECK_EQ(r.dup, 0);
	CHECK_EQ(r.reordered, 0);
	CHECK_EQ(r.max_gap_ns, MS);
	CHECK_EQ(r.max_loss_run, 0);
	CHECK_EQ(r.tail_lost, 0);
	ps_flow_free(&f);
}

static void test_loss_window(void)
{
	struct ps_flow f;
	struct ps_result r;

	/* 2000 sent at 1 kpps; [700, 1200) dropped: a 500 ms blackout. */
	ps_flow_init(&f, 2000);
	for (uint64_t i = 0; i < 2000; i++)
		if (i < 700 || i >= 1200)
			ps_flow_arrive(&f, i, 1000 * MS + i * MS);
	CHECK_EQ(ps_flow_result(&f, 2000, 1000 * MS, NULL, NULL, &r), 0);
	check_ranges(&r);
	CHECK_EQ(r.received, 1500);
	CHECK_EQ(r.lost, 500);
	CHECK_EQ(r.dup, 0);
	CHECK_EQ(r.reordered, 0);
	CHECK_EQ(r.max_loss_run, 500);
	CHECK_EQ(r.max_gap_ns, 501 * MS);	/* from 699 to 1200 */
	CHECK_EQ(r.max_gap_at_ns, 699 * MS);
	CHECK_EQ(r.tail_lost, 0);
	ps_flow_free(&f);

	/* Scattered single losses: run 1, count exact. */
	ps_flow_init(&f, 1000);
	for (uint64_t i = 0; i < 1000; i++)
		if (i % 10 != 3)
			ps_flow_arrive(&f, i, i * MS);
	CHECK_EQ(ps_flow_result(&f, 1000, 0, NULL, NULL, &r), 0);
	check_ranges(&r);
	CHECK_EQ(r.lost, 100);
	CHECK_EQ(r.max_loss_run, 1);
	CHECK_EQ(r.max_gap_ns, 2 * MS);
	ps_flow_free(&f);
}

static void test_end_of_run_loss(void)
{
	struct ps_flow f;
	struct ps_result r;

	/* The last 50 never arrive: no gap between arrivals shows it. */
	ps_flow_init(&f, 1000);
	for (uint64_t i = 0; i < 950; i++)
		ps_flow_arrive(&f, i, i * MS);
	CHECK_EQ(ps_flow_result(&f, 1000, 0, NULL, NULL, &r), 0);
	check_ranges(&r);
	CHECK_EQ(r.lost, 50);
	CHECK_EQ(r.tail_lost, 50);
	CHECK_EQ(r.max_loss_run, 50);
	CHECK_EQ(r.max_gap_ns, MS);
	ps_flow_free(&f);

	/* Nothing arrives at all. */
	ps_flow_init(&f, 10);
	CHECK_EQ(ps_flow_result(&f, 10, 0, NULL, NULL, &r), 0);
	check_ranges(&r);
	CHECK_EQ(r.received, 0);
	CHECK_EQ(r.lost, 10);
	CHECK_EQ(r.tail_lost, 10);
	CHECK_EQ(r.max_loss_run, 10);
	CHECK_EQ(r.max_gap_ns, 0);
	ps_flow_free(&f);

	/* Nothing sent. */
	ps_flow_init(&f, 0);
	CHECK_EQ(ps_flow_arrive(&f, 0, 0), PS_BAD);
	CHECK_EQ(ps_flow_result(&f, 0, 0, NULL, NULL, &r), 0);
	check_ranges(&r);
	CHECK_EQ(r.sent + r.received + r.lost + r.tail_lost + r.max_loss_run, 0);
	ps_flow_free(&f);
}

static void test_duplicates(void)
{
	static const uint64_t seqs[] = { 0, 1, 1, 2, 3, 3, 3, 4, 0 };
	struct ps_flow f;
	struct ps_result r;

	ps_flow_init(&f, 5);
	feed(&f, seqs, sizeof(seqs) / sizeof(seqs[0]));
	CHECK_EQ(ps_flow_result(&f, 5, 0, NULL, NULL, &r), 0);
	check_ranges(&r);
	CHECK_EQ(r.received, 5);
	CHECK_EQ(r.lost, 0);
	CHECK_EQ(r.dup, 4);
	CHECK_EQ(r.reordered, 0);	/* a late duplicate is not reordered */
	CHECK_EQ(f.arrivals, 9);
	ps_flow_free(&f);
}

static void test_reorder(void)
{
	static const uint64_t swaps[] = { 0, 1, 3, 2, 4, 6, 5, 7 };
	static const uint64_t late[] = { 0, 1, 2, 3, 4, 6, 7, 8, 9, 5 };
	static const uint64_t early[] = { 9, 0, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint64_t mixed[] = { 0, 2, 1, 1, 2, 4, 3 };
	struct ps_flow f;
	struct ps_result r;

	ps_flow_init(&f, 8);
	feed(&f, swaps, 8);
	CHECK_EQ(ps_flow_result(&f, 8, 0, NULL, NULL, &r), 0);
	check_ranges(&r);
	CHECK_EQ(r.reordered, 2);
	CHECK_EQ(r.lost + r.dup, 0);
	ps_flow_free(&f);

	/* One packet very late counts once. */
	ps_flow_init(&f, 10);
	feed(&f, late, 10);
	CHECK_EQ(ps_flow_result(&f, 10, 0, NULL, NULL, &r), 0);
	check_ranges(&r);
	CHECK_EQ(r.reordered, 1);
	ps_flow_free(&f);

	/* One packet very early makes all the others "reordered" (RFC 4737). */
	ps_flow_init(&f, 10);
	feed(&f, early, 10);
	CHECK_EQ(ps_flow_result(&f, 10, 0, NULL, NULL, &r), 0);
	check_ranges(&r);
	CHECK_EQ(r.reordered, 9);
	ps_flow_free(&f);

	/* Duplicates of reordered packets: counted as dup only. */
	ps_flow_init(&f, 5);
	CHECK_EQ(ps_flow_arrive(&f, 0, 0), PS_NEW);
	CHECK_EQ(ps_flow_arrive(&f, 2, 1), PS_NEW);
	CHECK_EQ(ps_flow_arrive(&f, 1, 2), PS_REORDERED);
	CHECK_EQ(ps_flow_arrive(&f, 1, 3), PS_DUP);
	ps_flow_free(&f);
	ps_flow_init(&f, 5);
	feed(&f, mixed, 7);
	CHECK_EQ(ps_flow_result(&f, 5, 0, NULL, NULL, &r), 0);
	check_ranges(&r);
	CHECK_EQ(r.reordered, 2);
	CHECK_EQ(r.dup, 2);
	CHECK_EQ(r.received, 5);
	ps_flow_free(&f);
}

static void test_gaps(void)
{
	struct ps_flow f;
	struct ps_result r;

	/* Gaps count arrivals, duplicates too; the largest and where it began. */
	ps_flow_init(&f, 10);
	ps_flow_arrive(&f, 0, 100 * MS);
	ps_flow_arrive(&f, 1, 101 * MS);
	ps_flow_arrive(&f, 2, 150 * MS);	/* 49 ms */
	ps_flow_arrive(&f, 2, 170 * MS);	/* dup, 20 ms */
	ps_flow_arrive(&f, 3, 250 * MS);	/* 80 ms */
	ps_flow_arrive(&f, 4, 251 * MS);
	CHECK_EQ(ps_flow_result(&f, 5, 90 * MS, NULL, NULL, &r), 0);
	check_ranges(&r);
	CHECK_EQ(r.max_gap_ns, 80 * MS);
	CHECK_EQ(r.max_gap_at_ns, 80 * MS);	/* 170 - 90 */
	ps_flow_free(&f);

	/* A clock that goes backwards opens no gap. */
	ps_flow_init(&f, 10);
	ps_flow_arrive(&f, 0, 100 * MS);
	ps_flow_arrive(&f, 1, 50 * MS);
	ps_flow_arrive(&f, 2, 52 * MS);
	CHECK_EQ(ps_flow_result(&f, 3, 0, NULL, NULL, &r), 0);
	check_ranges(&r);
	CHECK_EQ(r.max_gap_ns, 2 * MS);
	ps_flow_free(&f);
}

static void test_garbage_seq(void)
{
	struct ps_flow f;
	struct ps_result r;

	ps_flow_init(&f, 100);
	CHECK_EQ(ps_flow_arrive(&f, 100, 0), PS_BAD);
	CHECK_EQ(ps_flow_arrive(&f, UINT64_MAX, 0), PS_BAD);
	CHECK_EQ(ps_flow_arrive(&f, 1ull << 62, 0), PS_BAD);
	CHECK_EQ(f.arrivals, 0);
	CHECK(f.seen.nbits < 100000);	/* garbage allocated nothing big */
	CHECK_EQ(ps_flow_arrive(&f, 99, 0), PS_NEW);
	ps_flow_set_limit(&f, 50);	/* never lowers */
	CHECK_EQ(ps_flow_arrive(&f, 98, 0), PS_REORDERED);
	ps_flow_set_limit(&f, 200);
	CHECK_EQ(ps_flow_arrive(&f, 150, 0), PS_NEW);
	CHECK_EQ(ps_flow_result(&f, 200, 0, NULL, NULL, &r), 0);
	check_ranges(&r);
	CHECK_EQ(r.received, 3);
	ps_flow_free(&f);

	/* 64-bit sequence numbers far from 0 (a sink of a long run). */
	ps_flow_init(&f, 1ull << 33);
	CHECK_EQ(ps_flow_arrive(&f, (1ull << 32) + 5, 0), PS_NEW);
	CHECK_EQ(ps_flow_arrive(&f, (1ull << 32) + 4, 0), PS_REORDERED);
	CHECK_EQ(ps_flow_arrive(&f, 5, 0), PS_REORDERED);	/* no 32-bit wrap */
	ps_flow_free(&f);
}

static void test_rtt(void)
{
	struct ps_rtt r = { 0 };

	ps_rtt_add(&r, 5);
	ps_rtt_add(&r, 2);
	ps_rtt_add(&r, 11);
	CHECK_EQ(r.n, 3);
	CHECK_EQ(r.min_ns, 2);
	CHECK_EQ(r.max_ns, 11);
	CHECK_EQ(r.sum_ns, 18);
}

static void test_fwd_perfect(void)
{
	struct ps_fwd t;
	struct ps_result r;

	ps_fwd_init(&t, 2000);
	/* Replies arrive in any order; the responder's order is r. */
	for (uint64_t i = 1000; i-- > 0;)
		CHECK_EQ(ps_fwd_record(&t, i + 1, i, 5000 * MS + i * MS), PS_NEW);
	CHECK_EQ(ps_fwd_result(&t, 1000, 1000, NULL, &r), 0);
	check_ranges(&r);
	CHECK_EQ(r.sent, 1000);
	CHECK_EQ(r.received, 1000);
	CHECK_EQ(r.lost + r.dup + r.reordered + r.unknown, 0);
	CHECK_EQ(r.max_gap_ns, MS);
	CHECK_EQ(r.max_gap_at_ns, 0);
	ps_fwd_free(&t);
}

static void test_fwd_request_loss(void)
{
	struct ps_fwd t;
	struct ps_result r;
	uint64_t n = 0;

	/* Requests [300, 800) never reached the responder; its clock shows it. */
	ps_fwd_init(&t, 4000);
	for (uint64_t i = 0; i < 2000; i++)
		if (i < 300 || i >= 800)
			ps_fwd_record(&t, ++n, i, i * MS);
	CHECK_EQ(ps_fwd_result(&t, 2000, n, NULL, &r), 0);
	check_ranges(&r);
	CHECK_EQ(r.received, 1500);
	CHECK_EQ(r.lost, 500);
	CHECK_EQ(r.unknown, 0);
	CHECK_EQ(r.max_loss_run, 500);
	CHECK_EQ(r.max_gap_ns, 501 * MS);
	CHECK_EQ(r.max_gap_at_ns, 299 * MS);
	CHECK_EQ(r.tail_lost, 0);
	ps_fwd_free(&t);

	/* The last 100 requests lost: tail. */
	ps_fwd_init(&t, 4000);
	for (uint64_t i = 0; i < 900; i++)
		ps_fwd_record(&t, i + 1, i, i * MS);
	CHECK_EQ(ps_fwd_result(&t, 1000, 900, NULL, &r), 0);
	check_ranges(&r);
	CHECK_EQ(r.lost, 100);
	CHECK_EQ(r.tail_lost, 100);
	ps_fwd_free(&t);
}

static void test_fwd_reply_loss(void)
{
	struct ps_fwd t;
	struct ps_result r;

	/*
	 * All 100 requests arrived; the replies r=41..50 and the last five
	 * (r=96..100) were lost on the way back. The responder's final count
	 * (100) says the last five happened: nothing is lost forward.
	 */
	ps_fwd_init(&t, 1000);
	for (uint64_t i = 0; i < 100; i++)
		if ((i < 40 || i >= 50) && i < 95)
			ps_fwd_record(&t, i + 1, i, i * MS);
	CHECK_EQ(ps_fwd_result(&t, 100, 100, NULL, &r), 0);
	check_ranges(&r);
	CHECK_EQ(r.received, 100);
	CHECK_EQ(r.unknown, 15);
	CHECK_EQ(r.lost, 0);
	CHECK_EQ(r.dup, 0);
	CHECK_EQ(r.max_gap_ns, 11 * MS);	/* 39 -> 50, an upper bound */
	/* Without the final count, the last five look lost forward. */
	CHECK_EQ(ps_fwd_result(&t, 100, 0, NULL, &r), 0);
	check_ranges(&r);
	CHECK_EQ(r.received, 95);
	CHECK_EQ(r.lost, 5);
	CHECK_EQ(r.unknown, 10);
	ps_fwd_free(&t);
}

static void test_fwd_dup_reorder(void)
{
	/* Responder order: request seqs as received, r = index + 1. */
	static const uint64_t got[] = { 0, 1, 2, 2, 4, 3, 5, 1, 6 };
	struct ps_fwd t;
	struct ps_result r;
	size_t n = sizeof(got) / sizeof(got[0]);

	ps_fwd_init(&t, 100);
	for (size_t i = n; i-- > 0;)	/* replies come back reversed */
		CHECK_EQ(ps_fwd_record(&t, i + 1, got[i], i * MS), PS_NEW);
	/* The same reply twice is a udp_rev duplicate, not a forward one. */
	CHECK_EQ(ps_fwd_record(&t, 3, 2, 2 * MS), PS_DUP);
	/* A reply contradicting an earlier one with the same r is garbage. */
	CHECK_EQ(ps_fwd_record(&t, 3, 7, 2 * MS), PS_BAD);
	CHECK_EQ(t.conflicts, 1);
	CHECK_EQ(ps_fwd_record(&t, 0, 1, 0), PS_BAD);
	CHECK_EQ(ps_fwd_record(&t, 101, 1, 0), PS_BAD);
	CHECK_EQ(ps_fwd_result(&t, 7, n, NULL, &r), 0);
	check_ranges(&r);
	CHECK_EQ(r.received, 7);
	CHECK_EQ(r.lost, 0);
	CHECK_EQ(r.dup, 2);		/* 2 at r=4, 1 at r=8 */
	CHECK_EQ(r.reordered, 1);	/* 3 after 4 */
	CHECK_EQ(r.unknown, 0);
	ps_fwd_free(&t);

	/* Replies naming a request seq never sent are ignored (unknown). */
	ps_fwd_init(&t, 100);
	ps_fwd_record(&t, 1, 0, 0);
	ps_fwd_record(&t, 2, 50, MS);
	CHECK_EQ(ps_fwd_result(&t, 2, 2, NULL, &r), 0);
	check_ranges(&r);
	CHECK_EQ(r.unknown, 1);
	ps_fwd_free(&t);
}

static void test_report_format(void)
{
	struct ps_report rep = { .run_id = 0xabcull, .target = "10.9.0.2\"x", .port = 7047,
				 .rate_pps = 1000, .payload = 64, .duration_ns = 3000 * MS,
				 .icmp_on = true, .icmp_mode = "raw", .ping_id = 77 };
	char buf[4096], small[16];
	int n;

	rep.fwd.sent = 3000;
	rep.fwd.received = 2500;
	rep.fwd.lost = 500;
	rep.fwd.max_gap_ns = 501 * MS;
	rep.fwd.unknown = 2;
	n = ps_format_report(buf, sizeof(buf), &rep, true);
	CHECK(n > 0 && (size_t)n < sizeof(buf));
	CHECK(starts_with(buf, "{\"run_id\":\"0000000000000abc\",\"start_realtime_ns\":0,"
			  "\"target\":\"10.9.0.2\\\"x\","));
	CHECK(strstr(buf, "\"udp_fwd\":{\"sent\":3000,\"received\":2500,\"lost\":500,"));
	CHECK(strstr(buf, "\"max_gap_ms\":501.000"));
	CHECK(strstr(buf, "\"unknown\":2,\"lost_ranges_exact\":false,"));
	CHECK(strstr(buf, "\"mode\":\"raw\",\"id\":77,\"lost_ranges_exact\""));
	CHECK(strstr(buf, "\"reordered_ranges\":[]}}\n"));
	CHECK(strstr(buf, "\"echo_id\":null"));
	CHECK_EQ(strlen(buf), (size_t)n);
	/* Truncation: NUL-terminated, full length returned. */
	CHECK_EQ(ps_format_report(small, sizeof(small), &rep, true), n);
	CHECK_EQ(strlen(small), sizeof(small) - 1);
	n = ps_format_report(buf, sizeof(buf), &rep, false);
	CHECK(n > 0 && strstr(buf, "udp_fwd       3000      2500     500"));
	CHECK(strstr(buf, "icmp "));
	rep.icmp_on = false;
	ps_format_report(buf, sizeof(buf), &rep, true);
	CHECK(strstr(buf, "\"mode\":\"off\""));
	ps_format_report(buf, sizeof(buf), &rep, false);
	CHECK(!strstr(buf, "\nicmp "));
}

static void test_send_times(void)
{
	struct ps_vec t = { 0 };

	CHECK_EQ(ps_times_get(NULL, 0), PS_NO_TIME);
	CHECK_EQ(ps_times_get(&t, 0), PS_NO_TIME);
	times_1kpps(&t, 3000);		/* grows past the first allocation */
	CHECK_EQ(t.n, 3000);
	CHECK_EQ(ps_times_get(&t, 0), SENT(0));
	CHECK_EQ(ps_times_get(&t, 2999), SENT(2999));
	CHECK_EQ(ps_times_get(&t, 3000), PS_NO_TIME);
	/* Only the next seq: a hole (a failed allocation) stays unknown. */
	CHECK_EQ(ps_times_set(&t, 3001, 1), -1);
	CHECK_EQ(ps_times_set(&t, 5, 1), -1);
	CHECK_EQ(ps_times_get(&t, 5), SENT(5));
	CHECK_EQ(ps_times_get(&t, 3001), PS_NO_TIME);
	ps_vec_free(&t);
	CHECK(!t.v && !t.n && !t.cap);
}

static void test_ranges_none(void)
{
	struct ps_vec t = { 0 };
	struct ps_flow f;
	struct ps_result r;

	times_1kpps(&t, 1000);
	ps_flow_init(&f, 1000);
	for (uint64_t i = 0; i < 1000; i++)
		ps_flow_arrive(&f, i, i * MS);
	CHECK_EQ(ps_flow_result(&f, 1000, 0, &t, NULL, &r), 0);
	CHECK_EQ(r.lost_r.n + r.dup_r.n + r.reo_r.n, 0);
	CHECK(r.lost_exact);
	CHECK(!r.lost_r.truncated && !r.dup_r.truncated && !r.reo_r.truncated);
	check_ranges(&r);
	ps_flow_free(&f);
	ps_vec_free(&t);
}

static void test_ranges_lost(void)
{
	/* Lost: 3, 10-12, 20, 62-65 (across a bitmap word), 127-130, 990-999. */
	static const uint64_t lost[][2] = { { 3, 3 }, { 10, 12 }, { 20, 20 }, { 62, 65 },
					    { 127, 130 }, { 990, 999 } };
	struct ps_vec t = { 0 };
	struct ps_flow f;
	struct ps_result r;

	/* One run: [700, 1200) of 2000, the numbers and when they left. */
	times_1kpps(&t, 2000);
	ps_flow_init(&f, 2000);
	for (uint64_t i = 0; i < 2000; i++)
		if (i < 700 || i >= 1200)
			ps_flow_arrive(&f, i, 1000 * MS + i * MS);
	CHECK_EQ(ps_flow_result(&f, 2000, 1000 * MS, &t, NULL, &r), 0);
	CHECK_EQ(r.lost_r.n, 1);
	CHECK_RANGE(r.lost_r, 0, 700, 1199, 500, SENT(700), SENT(1199));
	CHECK_EQ(r.dup_r.n + r.reo_r.n, 0);
	check_ranges(&r);
	/* Without send times the numbers stand, the times are unknown. */
	CHECK_EQ(ps_flow_result(&f, 2000, 1000 * MS, NULL, NULL, &r), 0);
	CHECK_RANGE(r.lost_r, 0, 700, 1199, 500, PS_NO_TIME, PS_NO_TIME);
	ps_flow_free(&f);

	/* Several runs, the last one at the tail. */
	ps_flow_init(&f, 1000);
	for (uint64_t i = 0; i < 1000; i++) {
		bool gone = false;

		for (size_t k = 0; k < sizeof(lost) / sizeof(lost[0]); k++)
			gone |= i >= lost[k][0] && i <= lost[k][1];
		if (!gone)
			ps_flow_arrive(&f, i, i * MS);
	}
	CHECK_EQ(ps_flow_result(&f, 1000, 0, &t, NULL, &r), 0);
	CHECK_EQ(r.lost_r.n, sizeof(lost) / sizeof(lost[0]));
	for (unsigned int k = 0; k < sizeof(lost) / sizeof(lost[0]); k++)
		CHECK_RANGE(r.lost_r, k, lost[k][0], lost[k][1], lost[k][1] - lost[k][0] + 1,
			    SENT(lost[k][0]), SENT(lost[k][1]));
	CHECK_EQ(r.lost, 1 + 3 + 1 + 4 + 4 + 10);
	CHECK_EQ(r.tail_lost, 10);
	check_ranges(&r);
	ps_flow_free(&f);
	ps_vec_free(&t);
}

static void test_ranges_tail(void)
{
	struct ps_vec t = { 0 };
	struct ps_flow f;
	struct ps_result r;

	/* The last 50 never arrive (sent 1000, limit above it). */
	times_1kpps(&t, 1000);
	ps_flow_init(&f, 4000);
	for (uint64_t i = 0; i < 950; i++)
		ps_flow_arrive(&f, i, i * MS);
	CHECK_EQ(ps_flow_result(&f, 1000, 0, &t, NULL, &r), 0);
	CHECK_EQ(r.lost_r.n, 1);
	CHECK_RANGE(r.lost_r, 0, 950, 999, 50, SENT(950), SENT(999));
	check_ranges(&r);
	ps_flow_free(&f);

	/* Nothing arrives: one range, all of it. Nothing sent: none. */
	ps_flow_init(&f, 10);
	CHECK_EQ(ps_flow_result(&f, 10, 0, &t, NULL, &r), 0);
	CHECK_EQ(r.lost_r.n, 1);
	CHECK_RANGE(r.lost_r, 0, 0, 9, 10, SENT(0), SENT(9));
	check_ranges(&r);
	CHECK_EQ(ps_flow_result(&f, 0, 0, &t, NULL, &r), 0);
	CHECK_EQ(r.lost_r.n, 0);
	ps_flow_free(&f);
	ps_vec_free(&t);
}

static void test_ranges_dup(void)
{
	/* 5 arrives 3 times (2 duplicates); 7 and 8 twice each: one range. */
	static const uint64_t seqs[] = { 0, 1, 2, 3, 4, 5, 5, 6, 7, 8, 7, 5, 9, 8 };
	struct ps_vec t = { 0 };
	struct ps_flow f;
	struct ps_result r;

	times_1kpps(&t, 10);
	ps_flow_init(&f, 10);
	feed(&f, seqs, sizeof(seqs) / sizeof(seqs[0]));
	CHECK_EQ(ps_flow_result(&f, 10, 0, &t, NULL, &r), 0);
	CHECK_EQ(r.dup, 4);
	CHECK_EQ(r.dup_r.n, 2);
	CHECK_RANGE(r.dup_r, 0, 5, 5, 2, SENT(5), SENT(5));
	CHECK_RANGE(r.dup_r, 1, 7, 8, 2, SENT(7), SENT(8));
	CHECK_EQ(r.lost_r.n + r.reo_r.n, 0);
	check_ranges(&r);
	/* The flow's own list is left as it was (the result sorts a copy). */
	CHECK_EQ(f.dups.n, 4);
	CHECK_EQ(f.dups.v[0], 5);
	CHECK_EQ(f.dups.v[1], 7);
	ps_flow_free(&f);
	ps_vec_free(&t);
}

static void test_ranges_reorder(void)
{
	static const uint64_t swaps[] = { 0, 1, 3, 2, 4, 6, 5, 7 };
	static const uint64_t early[] = { 9, 0, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint64_t mixed[] = { 0, 3, 1, 1, 2, 4, 6, 5, 5 };
	struct ps_vec t = { 0 };
	struct ps_flow f;
	struct ps_result r;

	times_1kpps(&t, 10);
	ps_flow_init(&f, 8);
	feed(&f, swaps, 8);
	CHECK_EQ(ps_flow_result(&f, 8, 0, &t, NULL, &r), 0);
	CHECK_EQ(r.reo_r.n, 2);
	CHECK_RANGE(r.reo_r, 0, 2, 2, 1, SENT(2), SENT(2));
	CHECK_RANGE(r.reo_r, 1, 5, 5, 1, SENT(5), SENT(5));
	check_ranges(&r);
	ps_flow_free(&f);

	/* One early packet: all the others, one range. */
	ps_flow_init(&f, 10);
	feed(&f, early, 10);
	CHECK_EQ(ps_flow_result(&f, 10, 0, &t, NULL, &r), 0);
	CHECK_EQ(r.reo_r.n, 1);
	CHECK_RANGE(r.reo_r, 0, 0, 8, 9, SENT(0), SENT(8));
	check_ranges(&r);
	ps_flow_free(&f);

	/* Reordered 1, 2, 5; duplicates of reordered ones are dups only. */
	ps_flow_init(&f, 7);
	feed(&f, mixed, sizeof(mixed) / sizeof(mixed[0]));
	CHECK_EQ(ps_flow_result(&f, 7, 0, &t, NULL, &r), 0);
	CHECK_EQ(r.reordered, 3);
	CHECK_EQ(r.reo_r.n, 2);
	CHECK_RANGE(r.reo_r, 0, 1, 2, 2, SENT(1), SENT(2));
	CHECK_RANGE(r.reo_r, 1, 5, 5, 1, SENT(5), SENT(5));
	CHECK_EQ(r.dup_r.n, 2);
	CHECK_RANGE(r.dup_r, 0, 1, 1, 1, SENT(1), SENT(1));
	CHECK_RANGE(r.dup_r, 1, 5, 5, 1, SENT(5), SENT(5));
	check_ranges(&r);
	ps_flow_free(&f);
	ps_vec_free(&t);
}

static void test_ranges_truncated(void)
{
	struct ps_vec t = { 0 };
	struct ps_flow f;
	struct ps_result r;
	char *buf;
	int n;

	/* Every even seq lost: 1000 runs, the first 256 kept. */
	times_1kpps(&t, 2000);
	ps_flow_init(&f, 2000);
	for (uint64_t i = 1; i < 2000; i += 2)
		ps_flow_arrive(&f, i, i * MS);
	/* ...and every odd one below 1200 duplicated: 600 runs of one. */
	for (uint64_t i = 1; i < 1200; i += 2)
		ps_flow_arrive(&f, i, 2000 * MS + i * MS);
	CHECK_EQ(ps_flow_result(&f, 2000, 0, &t, NULL, &r), 0);
	CHECK_EQ(r.lost, 1000);
	CHECK_EQ(r.lost_r.n, PS_RANGES_MAX);
	CHECK(r.lost_r.truncated);
	CHECK_RANGE(r.lost_r, 0, 0, 0, 1, SENT(0), SENT(0));
	CHECK_RANGE(r.lost_r, 255, 510, 510, 1, SENT(510), SENT(510));
	CHECK_EQ(range_sum(&r.lost_r), PS_RANGES_MAX);
	CHECK_EQ(r.dup, 600);
	CHECK_EQ(r.dup_r.n, PS_RANGES_MAX);
	CHECK(r.dup_r.truncated);
	CHECK_RANGE(r.dup_r, 255, 511, 511, 1, SENT(511), SENT(511));
	CHECK(!r.reo_r.truncated);
	check_ranges(&r);
	/* Exactly 256 runs is not truncated. */
	CHECK_EQ(ps_flow_result(&f, 512, 0, &t, NULL, &r), 0);
	CHECK_EQ(r.lost_r.n, PS_RANGES_MAX);
	CHECK(!r.lost_r.truncated);
	check_ranges(&r);
	/* The report says so, per flow. */
	{
		struct ps_report rep = { .target = "x", .icmp_mode = "ping" };

		CHECK_EQ(ps_flow_result(&f, 2000, 0, &t, NULL, &rep.rev), 0);
		n = ps_format_report(NULL, 0, &rep, true);
		buf = malloc((size_t)n + 1);
		CHECK(buf != NULL);
		if (buf) {
			ps_format_report(buf, (size_t)n + 1, &rep, true);
			CHECK(strstr(buf, "\"udp_rev\":{") && strstr(strstr(buf, "\"udp_rev\":{"),
								  "\"ranges_truncated\":true"));
			CHECK(strstr(buf, "\"udp_fwd\":{") && strstr(buf, "\"ranges_truncated\":false"));
			CHECK(strstr(buf, "[510,510,510.007,510.007]],\"dup_ranges\":[[1,1,1.007,1.007,1],"));
			free(buf);
		}
	}
	ps_flow_free(&f);
	ps_vec_free(&t);
}

static void test_ranges_fwd(void)
{
	/* Responder order of request seqs (r = index + 1): dups 1, 2; 3 late. */
	static const uint64_t got[] = { 0, 1, 2, 2, 4, 3, 5, 1, 6 };
	struct ps_vec t = { 0 };
	struct ps_fwd fw;
	struct ps_result r;
	uint64_t n = 0;

	times_1kpps(&t, 2000);
	ps_fwd_init(&fw, 100);
	for (size_t i = 0; i < sizeof(got) / sizeof(got[0]); i++)
		ps_fwd_record(&fw, i + 1, got[i], i * MS);
	CHECK_EQ(ps_fwd_result(&fw, 7, 9, &t, &r), 0);
	CHECK(r.lost_exact);
	CHECK_EQ(r.lost_r.n, 0);
	CHECK_EQ(r.dup_r.n, 1);
	CHECK_RANGE(r.dup_r, 0, 1, 2, 2, SENT(1), SENT(2));
	CHECK_EQ(r.reo_r.n, 1);
	CHECK_RANGE(r.reo_r, 0, 3, 3, 1, SENT(3), SENT(3));
	check_ranges(&r);
	ps_fwd_free(&fw);

	/*
	 * Requests [300, 800) never reached the responder; the replies to
	 * receptions 41..50 (requests 40..49) were lost: unknown = 10, and
	 * lost ranges are an upper bound that includes 40..49.
	 */
	ps_fwd_init(&fw, 4000);
	for (uint64_t i = 0; i < 2000; i++) {
		if (i >= 300 && i < 800)
			continue;
		n++;
		if (i < 40 || i >= 50)
			ps_fwd_record(&fw, n, i, i * MS);
	}
	CHECK_EQ(ps_fwd_result(&fw, 2000, n, &t, &r), 0);
	CHECK_EQ(r.unknown, 10);
	CHECK_EQ(r.lost, 500);
	CHECK(!r.lost_exact);
	CHECK_EQ(r.lost_r.n, 2);
	CHECK_RANGE(r.lost_r, 0, 40, 49, 10, SENT(40), SENT(49));
	CHECK_RANGE(r.lost_r, 1, 300, 799, 500, SENT(300), SENT(799));
	CHECK_EQ(range_sum(&r.lost_r), r.lost + r.unknown);
	check_ranges(&r);
	ps_fwd_free(&fw);
	ps_vec_free(&t);
}

static void test_ranges_rev(void)
{
	struct ps_vec t = { 0 };
	struct ps_fwd fw;
	struct ps_flow rev;
	struct ps_result r;

	/*
	 * 100 requests, all received in order: reply r answered request r - 1.
	 * Replies 1..3 (the head), 41..50 and 96..100 (the tail) were lost;
	 * reply 60 arrived twice, reply 71 after 72.
	 */
	times_1kpps(&t, 100);
	ps_fwd_init(&fw, 1000);
	ps_flow_init(&rev, 1000);
	for (uint64_t rs = 1; rs <= 100; rs++) {
		uint64_t x = rs == 71 ? 72 : rs == 72 ? 71 : rs;

		if (x <= 3 || (x >= 41 && x <= 50) || x >= 96)
			continue;
		CHECK_EQ(ps_flow_arrive(&rev, x - 1, x * MS), x == 71 ? PS_REORDERED : PS_NEW);
		ps_fwd_record(&fw, x, x - 1, x * MS);
		if (x == 60)
			CHECK_EQ(ps_flow_arrive(&rev, x - 1, x * MS), PS_DUP);
	}
	CHECK_EQ(ps_flow_result(&rev, 100, 0, &t, &fw, &r), 0);
	/* Numbered by reply_seq; lost runs bracketed by their neighbours. */
	CHECK_EQ(r.lost, 18);
	CHECK_EQ(r.lost_r.n, 3);
	CHECK_RANGE(r.lost_r, 0, 1, 3, 3, PS_NO_TIME, SENT(3));
	CHECK_RANGE(r.lost_r, 1, 41, 50, 10, SENT(39), SENT(50));
	CHECK_RANGE(r.lost_r, 2, 96, 100, 5, SENT(94), PS_NO_TIME);
	/* Replies that arrived: the exact time of their request. */
	CHECK_EQ(r.dup_r.n, 1);
	CHECK_RANGE(r.dup_r, 0, 60, 60, 1, SENT(59), SENT(59));
	CHECK_EQ(r.reo_r.n, 1);
	CHECK_RANGE(r.reo_r, 0, 71, 71, 1, SENT(70), SENT(70));
	check_ranges(&r);
	ps_flow_free(&rev);
	ps_fwd_free(&fw);
	ps_vec_free(&t);
}

static void test_report_ranges(void)
{
	struct ps_report rep = { .run_id = 1, .target = "t", .start_realtime_ns =
				 1700000000123456789ull, .icmp_on = true, .icmp_mode = "ping" };
	struct ps_range lost = { 1000, 1499, 500, 1000 * MS + 12000, 1499 * MS + 20000 };
	struct ps_range dup = { 7, 7, 3, 7 * MS, 7 * MS };
	struct ps_range rlost = { 2001, 2300, 300, 2499 * MS, PS_NO_TIME };
	char buf[8192];

	rep.fwd.lost_r.r[0] = lost;
	rep.fwd.lost_r.n = 1;
	rep.fwd.dup_r.r[0] = dup;
	rep.fwd.dup_r.n = 1;
	rep.rev.lost_r.r[0] = rlost;
	rep.rev.lost_r.n = 1;
	rep.rev.lost_exact = rep.icmp.lost_exact = true;
	CHECK(ps_format_report(buf, sizeof(buf), &rep, true) < (int)sizeof(buf));
	CHECK(starts_with(buf, "{\"run_id\":\"0000000000000001\",\"start_realtime_ns\":"
			  "1700000000123456789,\"target\":\"t\","));
	CHECK(strstr(buf, "\"unknown\":0,\"lost_ranges_exact\":false,\"ranges_truncated\":false,"
		      "\"lost_ranges\":[[1000,1499,1000.012,1499.020]],"
		      "\"dup_ranges\":[[7,7,7.000,7.000,3]],\"reordered_ranges\":[]}"));
	CHECK(strstr(buf, "\"lost_ranges_exact\":true,\"ranges_truncated\":false,"
		      "\"lost_ranges\":[[2001,2300,2499.000,null]],\"dup_ranges\":[]"));
	CHECK(strstr(buf, "\"id\":0,\"lost_ranges_exact\":true,\"ranges_truncated\":false,"
		      "\"lost_ranges\":[],\"dup_ranges\":[],\"reordered_ranges\":[]}}\n"));
	ps_format_report(buf, sizeof(buf), &rep, false);
	CHECK(strstr(buf, "\nstart_realtime_ns 1700000000123456789 "
		      "(2023-11-14T22:13:20.123456789Z)"));
	CHECK(strstr(buf, "\nudp_fwd lost 1000-1499 (1000.012-1499.020 ms)"
		      " [upper bound: unknown receptions]\n"));
	CHECK(strstr(buf, "\nudp_fwd dup 7 x3 (7.000 ms)\n"));
	CHECK(strstr(buf, "\nudp_rev lost 2001-2300 (2499.000-? ms)\n"));
	CHECK(!strstr(buf, "\nudp_fwd reordered") && !strstr(buf, "\nicmp lost"));
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
#define T(x) { #x, x }
	T(test_wire_roundtrip), T(test_wire_garbage), T(test_bitmap), T(test_in_order),
	T(test_loss_window), T(test_end_of_run_loss), T(test_duplicates), T(test_reorder),
	T(test_gaps), T(test_garbage_seq), T(test_rtt), T(test_fwd_perfect),
	T(test_fwd_request_loss), T(test_fwd_reply_loss), T(test_fwd_dup_reorder),
	T(test_report_format), T(test_send_times), T(test_ranges_none), T(test_ranges_lost),
	T(test_ranges_tail), T(test_ranges_dup), T(test_ranges_reorder),
	T(test_ranges_truncated), T(test_ranges_fwd), T(test_ranges_rev),
	T(test_report_ranges),
#undef T
};

int main(void)
{
	int passed = 0, failed = 0;

	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		int before = failed_checks;

		tests[i].fn();
		if (failed_checks == before) {
			passed++;
		} else {
			printf("FAILED %s\n", tests[i].name);
			failed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
