// SPDX-License-Identifier: GPL-2.0
/*
 * handoff-probe accounting: the counting rules are in probe_stats.h. Pure:
 * memory is the only resource used, and failure to get it is reported.
 */
#include "probe_stats.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- growable arrays, send times ---- */

int ps_vec_push(struct ps_vec *a, uint64_t x)
{
	if (a->n == a->cap) {
		uint64_t cap = a->cap ? a->cap * 2 : 1024;
		uint64_t *v;

		if (cap > SIZE_MAX / sizeof(*v))
			return -1;
		v = realloc(a->v, (size_t)cap * sizeof(*v));
		if (!v)
			return -1;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = x;
	return 0;
}

void ps_vec_free(struct ps_vec *a)
{
	free(a->v);
	memset(a, 0, sizeof(*a));
}

int ps_times_set(struct ps_vec *t, uint64_t seq, uint64_t ns)
{
	/* Only the next seq: a hole left by a failure is never filled late. */
	return seq == t->n ? ps_vec_push(t, ns) : -1;
}

uint64_t ps_times_get(const struct ps_vec *t, uint64_t seq)
{
	return t && seq < t->n ? t->v[seq] : PS_NO_TIME;
}

/* ---- bitmap ---- */

int ps_bitmap_reserve(struct ps_bitmap *b, uint64_t nbits)
{
	uint64_t want, words, old;
	uint64_t *w;

	if (nbits <= b->nbits)
		return 0;
	/* Double, so growing one sequence number at a time stays linear. */
	want = b->nbits * 2 > nbits ? b->nbits * 2 : nbits;
	if (want < 1024)
		want = 1024;
	words = (want + 63) / 64;
	if (words > SIZE_MAX / sizeof(*w))
		return -1;
	w = realloc(b->w, (size_t)words * sizeof(*w));
	if (!w)
		return -1;
	old = b->nbits / 64;
	memset(w + old, 0, (size_t)(words - old) * sizeof(*w));
	b->w = w;
	b->nbits = words * 64;
	return 0;
}

bool ps_bitmap_test(const struct ps_bitmap *b, uint64_t i)
{
	return i < b->nbits && (b->w[i / 64] >> (i % 64) & 1);
}

bool ps_bitmap_test_and_set(struct ps_bitmap *b, uint64_t i)
{
	uint64_t m = 1ull << (i % 64);
	bool was = b->w[i / 64] & m;

	b->w[i / 64] |= m;
	return was;
}

/* Word k of the bitmap restricted to [0, n): unreserved bits read as 0. */
static uint64_t word_in(const struct ps_bitmap *b, uint64_t k, uint64_t n)
{
	uint64_t w = k < b->nbits / 64 ? b->w[k] : 0;

	if ((k + 1) * 64 > n)
		w &= (1ull << (n - k * 64)) - 1;	/* n - k*64 < 64 here */
	return w;
}

uint64_t ps_bitmap_count(const struct ps_bitmap *b, uint64_t n)
{
	uint64_t c = 0;

	for (uint64_t k = 0; k * 64 < n && k < b->nbits / 64; k++)
		c += (uint64_t)__builtin_popcountll(word_in(b, k, n));
	return c;
}

uint64_t ps_bitmap_longest_clear(const struct ps_bitmap *b, uint64_t n, uint64_t *start)
{
	uint64_t best = 0, best_start = 0, run = 0, run_start = 0;

	for (uint64_t k = 0; k * 64 < n; k++) {
		uint64_t w = word_in(b, k, n);
		uint64_t lo = k * 64, end = n - lo < 64 ? n : lo + 64;

		if (!w) {	/* all of [lo, end) clear */
			if (!run)
				run_start = lo;
			run += end - lo;
		} else {
			for (uint64_t i = lo; i < end; i++) {
				if (w >> (i - lo) & 1) {
					run = 0;
					continue;
				}
				if (!run++)
					run_start = i;
				if (run > best) {
					best = run;
					best_start = run_start;
				}
			}
		}
		if (run > best) {
			best = run;
			best_start = run_start;
		}
	}
	if (start && best)
		*start = best_start;
	return best;
}

/* The first index in [i, n) whose bit is `set`, or n. */
static uint64_t next_bit(const struct ps_bitmap *b, uint64_t i, uint64_t n, bool set)
{
	while (i < n) {
		uint64_t k = i / 64, w = word_in(b, k, n);

		if (!set)
			w = ~w;		/* bits past n turn 1: clamped below */
		w &= ~0ull << (i % 64);
		if (w) {
			i = k * 64 + (uint64_t)__builtin_ctzll(w);
			return i < n ? i : n;
		}
		i = (k + 1) * 64;
	}
	return n;
}

/* Highest set bit in [0, n) into *idx; false if none. */
static bool bitmap_highest(const struct ps_bitmap *b, uint64_t n, uint64_t *idx)
{
	for (uint64_t k = (n + 63) / 64; k-- > 0;) {
		uint64_t w = word_in(b, k, n);

		if (w) {
			*idx = k * 64 + 63 - (uint64_t)__builtin_clzll(w);
			return true;
		}
	}
	return false;
}

void ps_bitmap_free(struct ps_bitmap *b)
{
	free(b->w);
	b->w = NULL;
	b->nbits = 0;
}

/* ---- rtt and gaps ---- */

void ps_rtt_add(struct ps_rtt *r, uint64_t ns)
{
	if (!r->n || ns < r->min_ns)
		r->min_ns = ns;
	if (ns > r->max_ns)
		r->max_ns = ns;
	r->sum_ns += ns;
	r->n++;
}

void ps_gap_add(struct ps_gap *g, uint64_t t_ns)
{
	if (!g->any) {
		g->any = true;
		g->first_ns = g->last_ns = t_ns;
		return;
	}
	/* A clock going backwards (a restarted responder) opens no gap. */
	if (t_ns > g->last_ns && t_ns - g->last_ns > g->max_ns) {
		g->max_ns = t_ns - g->last_ns;
		g->max_start_ns = g->last_ns;
	}
	g->last_ns = t_ns;
}

/* ---- directly observed flows ---- */

void ps_flow_init(struct ps_flow *f, uint64_t limit)
{
	memset(f, 0, sizeof(*f));
	f->limit = limit;
}

void ps_flow_set_limit(struct ps_flow *f, uint64_t limit)
{
	if (limit > f->limit)
		f->limit = limit;
}

int ps_flow_arrive(struct ps_flow *f, uint64_t seq, uint64_t now_ns)
{
	int kind;

	if (seq >= f->limit)
		return PS_BAD;
	if (ps_bitmap_reserve(&f->seen, seq + 1))
		return PS_NOMEM;
	/* Classify, and allocate, before counting: PS_NOMEM changes nothing. */
	if (ps_bitmap_test(&f->seen, seq))
		kind = PS_DUP;
	else if (f->distinct && seq < f->max_seq)
		kind = PS_REORDERED;
	else
		kind = PS_NEW;
	if ((kind == PS_DUP && ps_vec_push(&f->dups, seq)) ||
	    (kind == PS_REORDERED && ps_vec_push(&f->reos, seq)))
		return PS_NOMEM;
	f->arrivals++;
	ps_gap_add(&f->gap, now_ns);
	if (kind == PS_DUP) {
		f->dup++;
		return kind;
	}
	ps_bitmap_test_and_set(&f->seen, seq);
	f->distinct++;
	if (kind == PS_REORDERED)
		f->reordered++;
	else
		f->max_seq = seq;
	return kind;
}

void ps_flow_free(struct ps_flow *f)
{
	ps_bitmap_free(&f->seen);
	ps_vec_free(&f->dups);
	ps_vec_free(&f->reos);
}

/* ---- ranges ---- */

/* Where range times come from (ps_flow_result). */
struct clock_src {
	const struct ps_vec *sent_at;
	const struct ps_fwd *via;	/* seq is a reply index, timed by its request */
	uint64_t base;			/* added to the numbers reported */
};

/* The request that reply index i answered, as seq + 1; 0 if unknown. */
static uint64_t answered(const struct ps_fwd *t, uint64_t i)
{
	return i < t->cap ? t->ent[i].seq1 : 0;
}

/*
 * The send time of seq. Via the forward table, a reply that never arrived
 * takes the time of the nearest one that did in direction dir (-1, +1):
 * the two ends of a lost run then bracket it instead of being unknown.
 */
static uint64_t time_of(const struct clock_src *c, uint64_t seq, int dir)
{
	uint64_t s1;

	if (!c->via)
		return ps_times_get(c->sent_at, seq);
	while (!(s1 = answered(c->via, seq))) {
		if (dir < 0 ? seq == 0 : seq + 1 >= c->via->max_r)
			return PS_NO_TIME;
		seq = dir < 0 ? seq - 1 : seq + 1;
	}
	return ps_times_get(c->sent_at, s1 - 1);
}

/* Appends a run; false once PS_RANGES_MAX are kept (then truncated). */
static bool range_add(struct ps_ranges *out, const struct clock_src *c, uint64_t first,
		      uint64_t last, uint64_t count)
{
	struct ps_range *r;

	if (out->n == PS_RANGES_MAX) {
		out->truncated = true;
		return false;
	}
	r = &out->r[out->n++];
	r->first = first + c->base;
	r->last = last + c->base;
	r->count = count;
	r->first_ns = time_of(c, first, -1);
	r->last_ns = time_of(c, last, 1);
	return true;
}

/* Runs of clear bits in [0, n): the numbers that never arrived. */
static void ranges_clear(const struct ps_bitmap *b, uint64_t n, const struct clock_src *c,
			 struct ps_ranges *out)
{
	for (uint64_t i = next_bit(b, 0, n, false); i < n;) {
		uint64_t end = next_bit(b, i, n, true);

		if (!range_add(out, c, i, end - 1, end - i))
			return;
		i = next_bit(b, end, n, false);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Runs of consecutive values in v (sorted here); count = entries in a run. */
static void ranges_values(uint64_t *v, uint64_t n, const struct clock_src *c,
			  struct ps_ranges *out)
{
	uint64_t j;

	if (!n)
		return;		/* v may be NULL */
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	for (uint64_t i = 0; i < n; i = j) {
		for (j = i + 1; j < n && v[j] - v[j - 1] <= 1; j++)
			;
		if (!range_add(out, c, v[i], v[j - 1], j - i))
			return;
	}
}

/* ranges_values of a copy: a flow's own lists stay as they are. */
static int ranges_values_copy(const struct ps_vec *a, const struct clock_src *c,
			      struct ps_ranges *out)
{
	uint64_t *v;

	if (!a->n)
		return 0;
	v = malloc((size_t)a->n * sizeof(*v));
	if (!v)
		return -1;
	memcpy(v, a->v, (size_t)a->n * sizeof(*v));
	ranges_values(v, a->n, c, out);
	free(v);
	return 0;
}

static void set_gap(struct ps_result *out, const struct ps_gap *g, uint64_t origin_ns)
{
	out->max_gap_ns = g->max_ns;
	out->max_gap_at_ns = g->max_ns && g->max_start_ns > origin_ns ?
			     g->max_start_ns - origin_ns : 0;
}

static void set_losses(struct ps_result *out, const struct ps_bitmap *seen, uint64_t sent)
{
	uint64_t hi;

	out->max_loss_run = ps_bitmap_longest_clear(seen, sent, NULL);
	out->tail_lost = bitmap_highest(seen, sent, &hi) ? sent - 1 - hi : sent;
}

int ps_flow_result(const struct ps_flow *f, uint64_t sent, uint64_t origin_ns,
		   const struct ps_vec *sent_at, const struct ps_fwd *via,
		   struct ps_result *out)
{
	struct clock_src c = { sent_at, via, via ? 1 : 0 };

	memset(out, 0, sizeof(*out));
	out->sent = sent;
	out->received = ps_bitmap_count(&f->seen, sent);
	out->lost = sent - out->received;
	out->dup = f->dup;
	out->reordered = f->reordered;
	set_losses(out, &f->seen, sent);
	set_gap(out, &f->gap, origin_ns);
	out->rtt = f->rtt;
	out->lost_exact = true;
	ranges_clear(&f->seen, sent, &c, &out->lost_r);
	if (ranges_values_copy(&f->dups, &c, &out->dup_r) ||
	    ranges_values_copy(&f->reos, &c, &out->reo_r))
		return -1;
	return 0;
}

/* ---- the forward flow ---- */

void ps_fwd_init(struct ps_fwd *t, uint64_t limit)
{
	memset(t, 0, sizeof(*t));
	t->limit = limit;
}

void ps_fwd_set_limit(struct ps_fwd *t, uint64_t limit)
{
	if (limit > t->limit)
		t->limit = limit;
}

int ps_fwd_record(struct ps_fwd *t, uint64_t r, uint64_t seq, uint64_t rx_ns)
{
	struct ps_fwd_ent *e;

	if (!r || r > t->limit || seq == UINT64_MAX)
		return PS_BAD;
	if (r > t->cap) {
		uint64_t cap = t->cap * 2 > r ? t->cap * 2 : r;

		if (cap < 1024)
			cap = 1024;
		if (cap > SIZE_MAX / sizeof(*e))
			return PS_NOMEM;
		e = realloc(t->ent, (size_t)cap * sizeof(*e));
		if (!e)
			return PS_NOMEM;
		memset(e + t->cap, 0, (size_t)(cap - t->cap) * sizeof(*e));
		t->ent = e;
		t->cap = cap;
	}
	e = &t->ent[r - 1];
	if (e->seq1) {
		if (e->seq1 == seq + 1)
			return PS_DUP;
		t->conflicts++;
		return PS_BAD;
	}
	e->seq1 = seq + 1;
	e->rx_ns = rx_ns;
	t->known++;
	if (r > t->max_r)
		t->max_r = r;
	return PS_NEW;
}

void ps_fwd_free(struct ps_fwd *t)
{
	free(t->ent);
	t->ent = NULL;
	t->cap = t->known = t->max_r = 0;
}

int ps_fwd_result(const struct ps_fwd *t, uint64_t sent, uint64_t total,
		  const struct ps_vec *sent_at, struct ps_result *out)
{
	struct clock_src c = { sent_at, NULL, 0 };
	struct ps_bitmap seen = { 0 };
	struct ps_vec dups = { 0 }, reos = { 0 };
	struct ps_gap gap = { 0 };
	uint64_t distinct = 0, max = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (total < t->max_r)
		total = t->max_r;
	if (ps_bitmap_reserve(&seen, sent ? sent : 1))
		return -1;
	/* Replay the responder's receptions in its own order. */
	for (uint64_t r = 1; r <= total; r++) {
		const struct ps_fwd_ent *e = r <= t->cap ? &t->ent[r - 1] : NULL;
		uint64_t s;

		if (!e || !e->seq1 || e->seq1 - 1 >= sent) {
			out->unknown++;
			continue;
		}
		s = e->seq1 - 1;
		ps_gap_add(&gap, e->rx_ns);
		if (ps_bitmap_test_and_set(&seen, s)) {
			out->dup++;
			if (ps_vec_push(&dups, s))
				goto out;
			continue;
		}
		if (distinct++ && s < max) {
			out->reordered++;
			if (ps_vec_push(&reos, s))
				goto out;
			continue;
		}
		max = s;
	}
	out->sent = sent;
	out->received = distinct + out->unknown;
	out->lost = out->received >= sent ? 0 : sent - out->received;
	set_losses(out, &seen, sent);
	set_gap(out, &gap, gap.first_ns);
	/* Unknown receptions are some of the clear bits: which, nobody knows. */
	out->lost_exact = !out->unknown;
	ranges_clear(&seen, sent, &c, &out->lost_r);
	ranges_values(dups.v, dups.n, &c, &out->dup_r);
	ranges_values(reos.v, reos.n, &c, &out->reo_r);
	rc = 0;
out:
	ps_bitmap_free(&seen);
	ps_vec_free(&dups);
	ps_vec_free(&reos);
	return rc;
}

/* ---- the report ---- */

struct sbuf {
	char *buf;
	size_t len, pos;	/* pos counts what is needed, even past len */
};

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(s->pos < s->len ? s->buf + s->pos : NULL,
		      s->pos < s->len ? s->len - s->pos : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->pos += (size_t)n;
}

static void sb_json_str(struct sbuf *s, const char *str)
{
	sb_printf(s, "\"");
	for (const unsigned char *p = (const unsigned char *)str; *p; p++) {
		if (*p == '"' || *p == '\\')
			sb_printf(s, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			sb_printf(s, "\\u%04x", *p);
		else
			sb_printf(s, "%c", *p);
	}
	sb_printf(s, "\"");
}

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

static void rtt_triplet(const struct ps_rtt *r, double *mn, double *avg, double *mx)
{
	*mn = r->n ? ms(r->min_ns) : 0;
	*avg = r->n ? ms(r->sum_ns / r->n) : 0;
	*mx = r->n ? ms(r->max_ns) : 0;
}

static void json_time(struct sbuf *s, uint64_t ns)
{
	if (ns == PS_NO_TIME)
		sb_printf(s, "null");
	else
		sb_printf(s, "%.3f", ms(ns));
}

/* [first, last, first_sent_ms, last_sent_ms(, dup arrivals)], ... */
static void json_ranges(struct sbuf *s, const char *name, const struct ps_ranges *rs,
			bool count)
{
	sb_printf(s, ",\"%s\":[", name);
	for (unsigned int i = 0; i < rs->n; i++) {
		const struct ps_range *r = &rs->r[i];

		sb_printf(s, "%s[%" PRIu64 ",%" PRIu64 ",", i ? "," : "", r->first, r->last);
		json_time(s, r->first_ns);
		sb_printf(s, ",");
		json_time(s, r->last_ns);
		if (count)
			sb_printf(s, ",%" PRIu64, r->count);
		sb_printf(s, "]");
	}
	sb_printf(s, "]");
}

static bool truncated(const struct ps_result *f)
{
	return f->lost_r.truncated || f->dup_r.truncated || f->reo_r.truncated;
}

static void json_flow(struct sbuf *s, const char *name, const struct ps_result *f,
		      bool fwd, bool rtt, const char *mode, unsigned int id)
{
	sb_printf(s, "\"%s\":{", name);
	sb_printf(s, "\"sent\":%" PRIu64 ",\"received\":%" PRIu64 ",\"lost\":%" PRIu64
		  ",\"dup\":%" PRIu64 ",\"reordered\":%" PRIu64 ",\"max_gap_ms\":%.3f"
		  ",\"max_gap_at_s\":%.3f,\"max_loss_run\":%" PRIu64 ",\"tail_lost\":%" PRIu64,
		  f->sent, f->received, f->lost, f->dup, f->reordered, ms(f->max_gap_ns),
		  (double)f->max_gap_at_ns / 1e9, f->max_loss_run, f->tail_lost);
	if (fwd)
		sb_printf(s, ",\"unknown\":%" PRIu64, f->unknown);
	if (rtt) {
		double mn, avg, mx;

		rtt_triplet(&f->rtt, &mn, &avg, &mx);
		sb_printf(s, ",\"rtt_min_ms\":%.3f,\"rtt_avg_ms\":%.3f,\"rtt_max_ms\":%.3f",
			  mn, avg, mx);
	}
	if (mode)
		sb_printf(s, ",\"mode\":\"%s\",\"id\":%u", mode, id);
	sb_printf(s, ",\"lost_ranges_exact\":%s,\"ranges_truncated\":%s",
		  f->lost_exact ? "true" : "false", truncated(f) ? "true" : "false");
	json_ranges(s, "lost_ranges", &f->lost_r, false);
	json_ranges(s, "dup_ranges", &f->dup_r, true);
	json_ranges(s, "reordered_ranges", &f->reo_r, false);
	sb_printf(s, "}");
}

static void text_time(struct sbuf *s, uint64_t ns)
{
	if (ns == PS_NO_TIME)
		sb_printf(s, "?");
	else
		sb_printf(s, "%.3f", ms(ns));
}

/* "udp_fwd lost 1000-1499 (1000.012-1499.020 ms), 2001 (2001.003 ms)" */
static void text_ranges(struct sbuf *s, const char *flow, const char *what,
			const struct ps_ranges *rs, bool count, const char *note)
{
	if (!rs->n)
		return;
	sb_printf(s, "%s %s", flow, what);
	for (unsigned int i = 0; i < rs->n; i++) {
		const struct ps_range *r = &rs->r[i];

		sb_printf(s, "%s %" PRIu64, i ? "," : "", r->first);
		if (r->last != r->first)
			sb_printf(s, "-%" PRIu64, r->last);
		if (count)
			sb_printf(s, " x%" PRIu64, r->count);
		sb_printf(s, " (");
		text_time(s, r->first_ns);
		if (r->last != r->first) {
			sb_printf(s, "-");
			text_time(s, r->last_ns);
		}
		sb_printf(s, " ms)");
	}
	if (rs->truncated)
		sb_printf(s, " [only the first %d ranges]", PS_RANGES_MAX);
	sb_printf(s, "%s\n", note);
}

static void text_flow_ranges(struct sbuf *s, const char *name, const struct ps_result *f)
{
	text_ranges(s, name, "lost", &f->lost_r, false,
		    f->lost_exact ? "" : " [upper bound: unknown receptions]");
	text_ranges(s, name, "dup", &f->dup_r, true, "");
	text_ranges(s, name, "reordered", &f->reo_r, false, "");
}

/* "1737000000123456789 (2025-01-16T04:00:00.123456789Z)" */
static void text_realtime(struct sbuf *s, uint64_t ns)
{
	time_t sec = (time_t)(ns / 1000000000u);
	struct tm tm;
	char iso[32];

	if (!gmtime_r(&sec, &tm) || !strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(iso, sizeof(iso), "?");
	sb_printf(s, "start_realtime_ns %" PRIu64 " (%s.%09" PRIu64 "Z): range times are ms"
		  " from it\n", ns, iso, ns % 1000000000u);
}

static void text_flow(struct sbuf *s, const char *name, const struct ps_result *f)
{
	sb_printf(s, "%-8s %9" PRIu64 " %9" PRIu64 " %7" PRIu64 " %5" PRIu64 " %9" PRIu64
		  " %10.3f %8.3f %8" PRIu64 " %9" PRIu64 "\n",
		  name, f->sent, f->received, f->lost, f->dup, f->reordered, ms(f->max_gap_ns),
		  (double)f->max_gap_at_ns / 1e9, f->max_loss_run, f->tail_lost);
}

int ps_format_report(char *buf, size_t len, const struct ps_report *r, bool json)
{
	struct sbuf s = { buf, len, 0 };
	const char *icmp_mode = r->icmp_on ? r->icmp_mode : "off";
	double mn, avg, mx;

	if (len)
		buf[0] = '\0';
	if (json) {
		sb_printf(&s, "{\"run_id\":\"%016" PRIx64 "\",\"start_realtime_ns\":%" PRIu64
			  ",\"target\":", r->run_id, r->start_realtime_ns);
		sb_json_str(&s, r->target ? r->target : "");
		sb_printf(&s, ",\"port\":%u,\"rate_pps\":%" PRIu64 ",\"payload\":%u"
			  ",\"duration_s\":%.3f,\"drain_s\":%.3f,\"send_errors\":%" PRIu64
			  ",\"pace_late_max_ms\":%.3f,\"malformed\":%" PRIu64 ",\"foreign\":%" PRIu64
			  ",\"other_responder\":%" PRIu64 ",\"sock_drops\":%" PRIu64
			  ",\"echo_sock_drops\":%" PRIu64 ",\"stat_answered\":%s,\"echo_id\":",
			  r->port, r->rate_pps, r->payload, (double)r->duration_ns / 1e9,
			  (double)r->drain_ns / 1e9, r->send_errors, ms(r->pace_late_max_ns),
			  r->malformed, r->foreign, r->other_responder, r->sock_drops,
			  r->echo_sock_drops, r->stat_answered ? "true" : "false");
		if (r->echo_seen)
			sb_printf(&s, "\"%016" PRIx64 "\",", r->echo_id);
		else
			sb_printf(&s, "null,");
		json_flow(&s, "udp_fwd", &r->fwd, true, false, NULL, 0);
		sb_printf(&s, ",");
		json_flow(&s, "udp_rev", &r->rev, false, true, NULL, 0);
		sb_printf(&s, ",");
		json_flow(&s, "icmp", &r->icmp, false, true, icmp_mode, r->ping_id);
		sb_printf(&s, "}\n");
		return (int)s.pos;
	}
	sb_printf(&s, "run %016" PRIx64 "  target %s port %u  %" PRIu64 " pps  %u B  %.3f s"
		  "  drain %.3f s\n", r->run_id, r->target ? r->target : "", r->port, r->rate_pps,
		  r->payload, (double)r->duration_ns / 1e9, (double)r->drain_ns / 1e9);
	text_realtime(&s, r->start_realtime_ns);
	sb_printf(&s, "%-8s %9s %9s %7s %5s %9s %10s %8s %8s %9s\n", "flow", "sent", "received",
		  "lost", "dup", "reordered", "max_gap_ms", "gap_at_s", "loss_run", "tail_lost");
	text_flow(&s, "udp_fwd", &r->fwd);
	text_flow(&s, "udp_rev", &r->rev);
	if (r->icmp_on)
		text_flow(&s, "icmp", &r->icmp);
	sb_printf(&s, "udp_fwd unknown (received, reply lost): %" PRIu64 "\n", r->fwd.unknown);
	rtt_triplet(&r->rev.rtt, &mn, &avg, &mx);
	sb_printf(&s, "rtt_ms udp min/avg/max %.3f/%.3f/%.3f", mn, avg, mx);
	if (r->icmp_on) {
		rtt_triplet(&r->icmp.rtt, &mn, &avg, &mx);
		sb_printf(&s, "  icmp %.3f/%.3f/%.3f (%s, id %u)", mn, avg, mx, icmp_mode,
			  r->ping_id);
	}
	sb_printf(&s, "\nsend_errors %" PRIu64 "  pace_late_max_ms %.3f  malformed %" PRIu64
		  "  foreign %" PRIu64 "  other_responder %" PRIu64 "  sock_drops %" PRIu64
		  "  echo_sock_drops %" PRIu64 "  stat_answered %s\n",
		  r->send_errors, ms(r->pace_late_max_ns), r->malformed, r->foreign,
		  r->other_responder, r->sock_drops, r->echo_sock_drops,
		  r->stat_answered ? "yes" : "no");
	text_flow_ranges(&s, "udp_fwd", &r->fwd);
	text_flow_ranges(&s, "udp_rev", &r->rev);
	if (r->icmp_on)
		text_flow_ranges(&s, "icmp", &r->icmp);
	return (int)s.pos;
}
