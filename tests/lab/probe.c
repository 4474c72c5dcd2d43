// SPDX-License-Identifier: GPL-2.0
/*
 * handoff-probe: measures what a live migration loses (tests/lab/probe.md).
 *
 *   echo   UDP responder (in the VM): echoes each probe request with its own
 *          reply sequence number and receive timestamp.
 *   send   client: paced UDP requests + ICMP echo; reports loss, duplicates,
 *          reordering and the longest gap of udp_fwd, udp_rev and icmp.
 *   sink   one-way receiver: one sequence number per line.
 *   blast  one-way sender, paced or as fast as possible.
 *
 * One thread per mode: sends are paced against absolute CLOCK_MONOTONIC
 * deadlines, and replies are read in the same ppoll() loop. SIGINT/SIGTERM
 * are blocked except inside ppoll(), so a stop request is never missed.
 * Counting rules: probe_stats.h. Wire format: probe_wire.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "probe_stats.h"
#include "probe_wire.h"

#ifndef ICMP_FILTER
#define ICMP_FILTER 1	/* <linux/icmp.h>: raw ICMP type filter */
#endif
#ifndef SO_RXQ_OVFL
#define SO_RXQ_OVFL 40
#endif
#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif
#define MEMINFO_DROPS 8		/* SK_MEMINFO_DROPS, <linux/sock_diag.h> */

#define NSEC	 1000000000ull
#define MSEC	 1000000ull
#define SOCKBUF	 (32 << 20)	/* asked for; root gets it (…BUFFORCE) */
#define RX_MAX	 65536
#define BURST	 64		/* sends per loop turn when catching up */
#define NRUNS	 64		/* runs a responder keeps counters for */

static volatile sig_atomic_t g_stop;
static sigset_t g_waitmask;	/* the mask inside ppoll(): stop signals open */
static uint8_t g_rxbuf[RX_MAX];

__attribute__((noreturn, format(printf, 1, 2)))
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("handoff-probe: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

__attribute__((format(printf, 1, 2)))
static void warn(const char *fmt, ...)
{
	va_list ap;

	fputs("handoff-probe: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC + (uint64_t)ts.tv_nsec;
}

/*
 * CLOCK_REALTIME at the CLOCK_MONOTONIC instant mono: the two clocks read
 * back to back (realtime between two monotonic reads, taken at their middle).
 */
static uint64_t realtime_at(uint64_t mono)
{
	struct timespec ts;
	uint64_t m0 = mono_ns(), m1, real;

	clock_gettime(CLOCK_REALTIME, &ts);
	m1 = mono_ns();
	real = (uint64_t)ts.tv_sec * NSEC + (uint64_t)ts.tv_nsec;
	return real + mono - (m0 + (m1 - m0) / 2);	/* mod 2^64: mono may be past */
}

static uint64_t random64(void)
{
	uint64_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = mono_ns() * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid() << 32;
	return v ? v : 1;
}

static void on_signal(int sig)
{
	(void)sig;
	g_stop = g_stop + 1;
}

static void setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	sigset_t stop;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, &g_waitmask);
	sigdelset(&g_waitmask, SIGINT);
	sigdelset(&g_waitmask, SIGTERM);
}

/* Waits for input on fds (may be none) until the absolute deadline. */
static int wait_until(struct pollfd *pfd, nfds_t n, uint64_t deadline_ns)
{
	uint64_t now = mono_ns(), d = deadline_ns > now ? deadline_ns - now : 0;
	struct timespec ts = { (time_t)(d / NSEC), (long)(d % NSEC) };
	int rc = ppoll(pfd, n, &ts, &g_waitmask);

	if (rc < 0 && errno != EINTR)
		die("ppoll: %s", strerror(errno));
	return rc;
}

/* ---- options ---- */

static uint64_t parse_u64(int opt, const char *s, uint64_t min, uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		die("-%c: want an integer in [%" PRIu64 ", %" PRIu64 "], got \"%s\"", opt, min,
		    max, s);
	return v;
}

static uint64_t parse_seconds(int opt, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 1e7)
		die("-%c: want seconds > 0 (fractions allowed), got \"%s\"", opt, s);
	return (uint64_t)(v * 1e9);
}

struct opts {
	const char *target, *bind, *out, *sigfile;
	unsigned int port;
	uint64_t rate, dur_ns, count, payload, icmp_ms, drain_ms;
	bool json, quiet;
};

/* The i-th slot of a schedule at `rate` per second from t0, exactly. */
static uint64_t slot_ns(uint64_t t0, uint64_t i, uint64_t rate)
{
	return t0 + i / rate * NSEC + i % rate * NSEC / rate;
}

/* ---- sockets ---- */

static void resolve(const char *host, unsigned int port, bool passive,
		    struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0) };
	struct addrinfo *ai;
	char ps[16];
	int rc;

	snprintf(ps, sizeof(ps), "%u", port);
	rc = getaddrinfo(host, ps, &hints, &ai);
	if (rc)
		die("%s: %s", host, gai_strerror(rc));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
}

static const char *addr_str(const struct sockaddr_storage *ss, socklen_t len, char *buf,
			    size_t blen)
{
	if (getnameinfo((const struct sockaddr *)ss, len, buf, (socklen_t)blen, NULL, 0,
			NI_NUMERICHOST))
		snprintf(buf, blen, "?");
	return buf;
}

/* Large buffers (the probe must never be what drops), drop counter, O_NONBLOCK. */
static void sock_tune(int fd, bool quiet)
{
	int sz = SOCKBUF, one = 1, got = 0;
	socklen_t gl = sizeof(got);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	sz = 8 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	if (!quiet && !getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &gl) && got < (4 << 20))
		warn("receive buffer is only %d KiB (net.core.rmem_max; root gets more): a burst"
		     " may overflow it, see sock_drops", got / 1024);
}

/*
 * Datagrams the kernel dropped at this socket (a full receive buffer). The
 * SO_RXQ_OVFL control message carries the same counter in band, but only
 * on a datagram queued after a drop: this reads it at any time.
 */
static uint32_t sock_drops(int fd, uint32_t fallback)
{
	uint32_t mi[16] = { 0 };
	socklen_t len = sizeof(mi);

	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mi, &len) ||
	    len <= MEMINFO_DROPS * sizeof(uint32_t))
		return fallback;
	return mi[MEMINFO_DROPS] > fallback ? mi[MEMINFO_DROPS] : fallback;
}

struct rx {
	ssize_t len;
	struct sockaddr_storage from;
	socklen_t fromlen;
	bool trunc;
	uint32_t drops;		/* the socket's drop counter, if it moved */
	bool has_pi4, has_pi6;
	struct in_pktinfo pi4;
	struct in6_pktinfo pi6;
};

/* One datagram into g_rxbuf: 1, 0 when none is waiting. */
static int rx_one(int fd, struct rx *r)
{
	union {
		char buf[CMSG_SPACE(sizeof(uint32_t)) + CMSG_SPACE(sizeof(struct in6_pktinfo)) +
			 CMSG_SPACE(sizeof(struct in_pktinfo)) + 64];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { g_rxbuf, sizeof(g_rxbuf) };
	struct msghdr msg = { .msg_name = &r->from, .msg_namelen = sizeof(r->from),
			      .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };

	r->len = recvmsg(fd, &msg, MSG_DONTWAIT);
	if (r->len < 0)
		return 0;	/* EAGAIN, or a queued error: nothing to read */
	r->fromlen = msg.msg_namelen;
	r->trunc = msg.msg_flags & MSG_TRUNC;
	r->has_pi4 = r->has_pi6 = false;
	r->drops = 0;	/* the kernel says only once something was dropped */
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
			memcpy(&r->drops, CMSG_DATA(c), sizeof(r->drops));
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			memcpy(&r->pi4, CMSG_DATA(c), sizeof(r->pi4));
			r->has_pi4 = true;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			memcpy(&r->pi6, CMSG_DATA(c), sizeof(r->pi6));
			r->has_pi6 = true;
		}
	}
	return 1;
}

/*
 * Listening sockets of echo and sink: the given address, or 0.0.0.0 and [::]
 * (IPv6-only, skipped where IPv6 is off). Returns how many.
 */
static int bind_sockets(const char *bindaddr, unsigned int port, int fds[2], int fams[2])
{
	struct sockaddr_storage ss[2];
	socklen_t len[2];
	int n = 0, want;

	if (bindaddr) {
		resolve(bindaddr, port, true, &ss[0], &len[0]);
		want = 1;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss[0];
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss[1];

		memset(ss, 0, sizeof(ss));
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		len[0] = sizeof(*s4);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		s6->sin6_addr = in6addr_any;
		len[1] = sizeof(*s6);
		want = 2;
	}
	for (int i = 0; i < want; i++) {
		int fam = ss[i].ss_family, one = 1;
		int fd = socket(fam, SOCK_DGRAM, IPPROTO_UDP);

		if (fd < 0) {
			if (i == 1 && !bindaddr)
				continue;	/* no IPv6 here */
			die("socket: %s", strerror(errno));
		}
		if (fam == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&ss[i], len[i])) {
			if (i == 1 && !bindaddr) {
				close(fd);
				continue;
			}
			die("bind port %u: %s", port, strerror(errno));
		}
		if (fam == AF_INET)
			setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
		else
			setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
		sock_tune(fd, false);
		fds[n] = fd;
		fams[n++] = fam;
	}
	return n;
}

/* ---- echo ---- */

struct run_ent {
	uint64_t run_id, count, used;
};

/* The counter of a run; the least recently used entry makes room. */
static struct run_ent *run_get(struct run_ent *t, uint64_t id, bool create, uint64_t *tick)
{
	struct run_ent *lru = &t[0];

	for (int i = 0; i < NRUNS; i++) {
		if (t[i].run_id == id && t[i].used) {
			t[i].used = ++*tick;
			return &t[i];
		}
		if (t[i].used < lru->used)
			lru = &t[i];
	}
	if (!create)
		return NULL;
	*lru = (struct run_ent){ .run_id = id, .used = ++*tick };
	return lru;
}

/* Replies from the address the request was sent to (multi-homed VMs). */
static ssize_t echo_send(int fd, int fam, const struct rx *r, size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { g_rxbuf, len };
	struct msghdr msg = { .msg_name = (void *)&r->from, .msg_namelen = r->fromlen,
			      .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	ssize_t rc;

	memset(&ctl, 0, sizeof(ctl));
	if (fam == AF_INET && r->has_pi4) {
		struct in_pktinfo pi = { .ipi_spec_dst = r->pi4.ipi_spec_dst };

		msg.msg_control = ctl.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(pi));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	} else if (fam == AF_INET6 && r->has_pi6 && !IN6_IS_ADDR_MULTICAST(&r->pi6.ipi6_addr)) {
		struct in6_pktinfo pi = { .ipi6_addr = r->pi6.ipi6_addr };

		if (IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr))
			pi.ipi6_ifindex = r->pi6.ipi6_ifindex;
		msg.msg_control = ctl.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(pi));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
	rc = sendmsg(fd, &msg, MSG_DONTWAIT);
	if (rc < 0 && errno == EINVAL && msg.msg_control) {
		msg.msg_control = NULL;
		msg.msg_controllen = 0;
		rc = sendmsg(fd, &msg, MSG_DONTWAIT);
	}
	return rc;
}

static int mode_echo(const struct opts *o)
{
	struct run_ent *runs = calloc(NRUNS, sizeof(*runs));
	uint64_t echo_id = random64(), tick = 0, nruns = 0;
	uint64_t reqs = 0, replies = 0, reply_err = 0, statq = 0, malformed = 0, ignored = 0;
	uint32_t drops[2] = { 0, 0 };
	struct pollfd pfd[2];
	int fds[2], fams[2], n;

	if (!runs)
		die("out of memory");
	n = bind_sockets(o->bind, o->port, fds, fams);
	for (int i = 0; i < n; i++)
		pfd[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	fprintf(stderr, "echo: port %u on %s, echo_id %016" PRIx64 "\n", o->port,
		o->bind ? o->bind : n == 2 ? "0.0.0.0 and [::]" : "0.0.0.0", echo_id);
	while (!g_stop) {
		if (ppoll(pfd, (nfds_t)n, NULL, &g_waitmask) < 0) {
			if (errno == EINTR)
				continue;
			die("ppoll: %s", strerror(errno));
		}
		for (int i = 0; i < n; i++) {
			struct rx r;

			if (!(pfd[i].revents & POLLIN))
				continue;
			for (int k = 0; k < 256 && rx_one(fds[i], &r) > 0; k++) {
				uint64_t now = mono_ns();
				struct run_ent *run;
				struct pw_hdr h;

				if (r.drops > drops[i])
					drops[i] = r.drops;
				if (r.trunc || pw_decode(g_rxbuf, (size_t)r.len, &h) != PW_OK) {
					malformed++;
					continue;
				}
				if (h.type == PW_REQ) {
					run = run_get(runs, h.run_id, false, &tick);
					if (!run) {
						run = run_get(runs, h.run_id, true, &tick);
						nruns++;
					}
					reqs++;
					/* Numbered when received: a reply that fails to
					 * leave is a udp_rev loss, not a udp_fwd one. */
					h.reply_seq = ++run->count;
					h.type = PW_REPLY;
				} else if (h.type == PW_STATQ) {
					for (int j = 0; j < n; j++)
						drops[j] = sock_drops(fds[j], drops[j]);
					run = run_get(runs, h.run_id, false, &tick);
					statq++;
					h.reply_seq = run ? run->count : 0;
					h.type = PW_STATR;
				} else {
					ignored++;
					continue;
				}
				h.rx_ns = now;
				h.echo_id = echo_id;
				h.echo_drops = drops[0] + drops[1];
				pw_encode(g_rxbuf, (size_t)r.len, &h);
				if (echo_send(fds[i], fams[i], &r, (size_t)r.len) < 0)
					reply_err++;
				else if (h.type == PW_REPLY)
					replies++;
			}
		}
	}
	for (int j = 0; j < n; j++)
		drops[j] = sock_drops(fds[j], drops[j]);
	fprintf(stderr, "echo: %" PRIu64 " requests from %" PRIu64 " runs, %" PRIu64
		" replies, %" PRIu64 " reply errors, %" PRIu64 " stat queries, %" PRIu64
		" malformed, %" PRIu64 " ignored, %u socket drops\n", reqs, nruns, replies,
		reply_err, statq, malformed, ignored, drops[0] + drops[1]);
	free(runs);
	return 0;
}

/* ---- sink ---- */

static int mode_sink(const struct opts *o)
{
	uint64_t written = 0, malformed = 0, other = 0, ignored = 0, run_id = 0;
	bool locked = false;
	uint32_t drops[2] = { 0, 0 };
	struct pollfd pfd[2];
	int fds[2], fams[2], n;
	FILE *out = stdout;

	if (o->out && !(out = fopen(o->out, "w")))
		die("%s: %s", o->out, strerror(errno));
	setvbuf(out, NULL, _IOFBF, 1 << 20);
	n = bind_sockets(o->bind, o->port, fds, fams);
	for (int i = 0; i < n; i++)
		pfd[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	for (;;) {
		/* Once told to stop, still write what the kernel already queued. */
		bool last = g_stop;
		int rc = last ? 1 : wait_until(pfd, (nfds_t)n, mono_ns() + NSEC);
		uint64_t got = 0;

		if (rc == 0) {
			fflush(out);	/* idle: let a reader see what came */
			continue;
		}
		for (int i = 0; rc > 0 && i < n; i++) {
			struct rx r;

			if (!last && !(pfd[i].revents & POLLIN))
				continue;
			for (int k = 0; k < 1024 && rx_one(fds[i], &r) > 0; k++) {
				struct pw_hdr h;

				got++;
				if (r.drops > drops[i])
					drops[i] = r.drops;
				if (r.trunc || pw_decode(g_rxbuf, (size_t)r.len, &h) != PW_OK) {
					malformed++;
					continue;
				}
				if (h.type != PW_ONEWAY && h.type != PW_REQ) {
					ignored++;
					continue;
				}
				if (!locked) {
					locked = true;
					run_id = h.run_id;
				} else if (h.run_id != run_id) {
					other++;
					continue;
				}
				fprintf(out, "%" PRIu64 "\n", h.seq);
				written++;
			}
		}
		if (last && !got)
			break;
	}
	if (fflush(out) || ferror(out) || (out != stdout && fclose(out)))
		die("writing %s: %s", o->out ? o->out : "stdout", strerror(errno));
	for (int j = 0; j < n; j++)
		drops[j] = sock_drops(fds[j], drops[j]);
	fprintf(stderr, "sink: %" PRIu64 " written (run %016" PRIx64 "), %" PRIu64
		" other runs, %" PRIu64 " malformed, %" PRIu64 " ignored, %u socket drops\n",
		written, run_id, other, malformed, ignored, drops[0] + drops[1]);
	return 0;
}

/* ---- send ---- */

struct sender {
	const struct opts *o;
	uint64_t run_id, t0;
	int fd, fam;
	struct sockaddr_storage dst;
	socklen_t dstlen;
	uint8_t *tx;
	uint64_t sent, send_errors, late_max;

	int icmp_fd;
	bool icmp_raw;
	uint16_t ping_id;
	struct sockaddr_storage idst;
	uint64_t icmp_sent, icmp_errors;

	struct ps_flow rev, icmp;
	struct ps_fwd fwd;
	struct ps_vec fwd_at, icmp_at;	/* send times by seq, from t0 */
	bool times_nomem;
	uint64_t stat_total;
	bool stat_answered, echo_seen;
	uint64_t echo_id, echo_drops, malformed, foreign, other_resp;
	uint32_t drops[2];
};

static void raise_limits(struct sender *s)
{
	/* A responder cannot number more receptions than requests it got;
	 * allow duplication on top, but not an arbitrary garbage number. */
	uint64_t lim = s->sent * 4 + 1024;

	ps_flow_set_limit(&s->rev, lim);
	ps_fwd_set_limit(&s->fwd, lim);
}

/* Records when seq left; without memory for it, its time is just unknown. */
static void note_sent(struct sender *s, struct ps_vec *t, uint64_t seq, uint64_t now)
{
	if (!ps_times_set(t, seq, now > s->t0 ? now - s->t0 : 0) || s->times_nomem)
		return;
	s->times_nomem = true;
	if (!s->o->quiet)
		warn("out of memory for send times: later ones are reported as null");
}

static void send_udp(struct sender *s, uint8_t type, uint64_t deadline)
{
	uint64_t now = mono_ns();
	size_t len = type == PW_REQ ? s->o->payload : PW_HDR_LEN;
	struct pw_hdr h = { .type = type, .run_id = s->run_id, .seq = s->sent, .tx_ns = now };

	if (type == PW_REQ && now > deadline && now - deadline > s->late_max)
		s->late_max = now - deadline;
	pw_fill_padding(s->tx, len, h.seq);
	pw_encode(s->tx, len, &h);
	if (sendto(s->fd, s->tx, len, 0, (struct sockaddr *)&s->dst, s->dstlen) < 0) {
		if (type == PW_REQ)
			s->send_errors++;
		return;
	}
	if (type == PW_REQ) {
		note_sent(s, &s->fwd_at, s->sent, now);	/* = the datagram's tx_ns */
		s->sent++;	/* sequence numbers stay contiguous */
		raise_limits(s);
	}
}

static void open_icmp(struct sender *s)
{
	int proto = s->fam == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	struct sockaddr_storage any = { .ss_family = (sa_family_t)s->fam };
	socklen_t al = sizeof(any);

	memcpy(&s->idst, &s->dst, sizeof(s->dst));
	if (s->fam == AF_INET)
		((struct sockaddr_in *)&s->idst)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&s->idst)->sin6_port = 0;
	/* An unprivileged ping socket if ping_group_range lets us. */
	s->icmp_fd = socket(s->fam, SOCK_DGRAM, proto);
	if (s->icmp_fd >= 0) {
		if (!bind(s->icmp_fd, (struct sockaddr *)&any,
			  s->fam == AF_INET ? sizeof(struct sockaddr_in) :
					      sizeof(struct sockaddr_in6)) &&
		    !getsockname(s->icmp_fd, (struct sockaddr *)&any, &al)) {
			s->ping_id = ntohs(s->fam == AF_INET ?
					   ((struct sockaddr_in *)&any)->sin_port :
					   ((struct sockaddr_in6 *)&any)->sin6_port);
			sock_tune(s->icmp_fd, s->o->quiet);
			return;
		}
		close(s->icmp_fd);
	}
	s->icmp_fd = socket(s->fam, SOCK_RAW, proto);
	if (s->icmp_fd < 0) {
		if (!s->o->quiet)
			warn("no ICMP: neither a ping socket (net.ipv4.ping_group_range) nor a"
			     " raw socket (root) is allowed: %s", strerror(errno));
		return;
	}
	s->icmp_raw = true;
	s->ping_id = (uint16_t)random64();
	if (s->fam == AF_INET) {
		uint32_t filt = ~(1u << ICMP_ECHOREPLY);	/* bits set = blocked */

		setsockopt(s->icmp_fd, SOL_RAW, ICMP_FILTER, &filt, sizeof(filt));
	} else {
		struct icmp6_filter f6;

		ICMP6_FILTER_SETBLOCKALL(&f6);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f6);
		setsockopt(s->icmp_fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f6, sizeof(f6));
	}
	sock_tune(s->icmp_fd, s->o->quiet);
}

static uint16_t inet_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void send_icmp(struct sender *s)
{
	uint8_t pkt[8 + PW_ICMP_LEN];
	struct pw_hdr h = { .type = PW_ICMP, .run_id = s->run_id, .seq = s->icmp_sent,
			    .tx_ns = mono_ns() };

	memset(pkt, 0, 8);
	pkt[0] = s->fam == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
	pw_put16(pkt + 4, s->ping_id);		/* a ping socket sets its own */
	pw_put16(pkt + 6, (uint16_t)h.seq);
	pw_encode(pkt + 8, PW_ICMP_LEN, &h);
	if (s->fam == AF_INET && s->icmp_raw)	/* others: the kernel sums */
		pw_put16(pkt + 2, inet_csum(pkt, sizeof(pkt)));
	if (sendto(s->icmp_fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&s->idst, s->dstlen) < 0) {
		s->icmp_errors++;
	} else {
		note_sent(s, &s->icmp_at, s->icmp_sent, h.tx_ns);
		s->icmp_sent++;
	}
	ps_flow_set_limit(&s->icmp, s->icmp_sent);
}

static void fail_nomem(int rc)
{
	if (rc == PS_NOMEM)
		die("out of memory for the sequence bitmaps");
}

static void on_udp(struct sender *s, const struct rx *r, uint64_t now)
{
	struct pw_hdr h;
	int rc;

	if (r->trunc || pw_decode(g_rxbuf, (size_t)r->len, &h) != PW_OK) {
		s->malformed++;
		return;
	}
	if (h.run_id != s->run_id) {
		s->foreign++;		/* an old or parallel run */
		return;
	}
	if (h.type != PW_REPLY && h.type != PW_STATR) {
		s->malformed++;
		return;
	}
	if (!s->echo_seen) {
		s->echo_seen = true;
		s->echo_id = h.echo_id;
	} else if (h.echo_id != s->echo_id) {
		s->other_resp++;	/* a restarted or second responder */
		return;
	}
	if (h.echo_drops > s->echo_drops)
		s->echo_drops = h.echo_drops;
	if (h.type == PW_STATR) {
		if (h.reply_seq > s->rev.limit) {
			s->malformed++;
			return;
		}
		if (h.reply_seq > s->stat_total)
			s->stat_total = h.reply_seq;
		s->stat_answered = true;
		return;
	}
	if (h.seq >= s->sent || !h.reply_seq) {
		s->malformed++;
		return;
	}
	rc = ps_flow_arrive(&s->rev, h.reply_seq - 1, now);
	fail_nomem(rc);
	if (rc == PS_BAD) {
		s->malformed++;
		return;
	}
	if (rc == PS_DUP)
		return;
	rc = ps_fwd_record(&s->fwd, h.reply_seq, h.seq, h.rx_ns);
	fail_nomem(rc);
	if (rc == PS_BAD)
		s->malformed++;
	if (h.tx_ns <= now)
		ps_rtt_add(&s->rev.rtt, now - h.tx_ns);
}

static void on_icmp(struct sender *s, const struct rx *r, uint64_t now)
{
	const uint8_t *p = g_rxbuf;
	size_t len = (size_t)r->len;
	struct pw_hdr h;
	int rc;

	if (s->fam == AF_INET && s->icmp_raw) {	/* raw IPv4: IP header first */
		size_t ihl = len ? (size_t)(p[0] & 15) * 4 : 0;

		if (len < 20 || ihl < 20 || ihl > len)
			return;
		p += ihl;
		len -= ihl;
	}
	if (len < 8 || p[0] != (s->fam == AF_INET ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY) ||
	    pw_get16(p + 4) != s->ping_id)
		return;			/* someone else's ping */
	if (len < 8 + PW_HDR_LEN || pw_decode(p + 8, len - 8, &h) != PW_OK ||
	    h.type != PW_ICMP) {
		s->malformed++;
		return;
	}
	if (h.run_id != s->run_id) {
		s->foreign++;
		return;
	}
	if ((uint16_t)h.seq != pw_get16(p + 6)) {
		s->malformed++;
		return;
	}
	rc = ps_flow_arrive(&s->icmp, h.seq, now);
	fail_nomem(rc);
	if (rc == PS_BAD)
		s->malformed++;
	else if (rc != PS_DUP && h.tx_ns <= now)
		ps_rtt_add(&s->icmp.rtt, now - h.tx_ns);
}

static void receive_all(struct sender *s, struct pollfd *pfd, nfds_t n)
{
	for (nfds_t i = 0; i < n; i++) {
		struct rx r;

		if (!(pfd[i].revents & POLLIN))
			continue;
		for (int k = 0; k < 1024 && rx_one(pfd[i].fd, &r) > 0; k++) {
			uint64_t now = mono_ns();

			if (r.drops > s->drops[i])
				s->drops[i] = r.drops;
			if (pfd[i].fd == s->fd)
				on_udp(s, &r, now);
			else
				on_icmp(s, &r, now);
		}
	}
}

/* Everything accounted for: no reason to wait out the drain. */
static bool complete(const struct sender *s)
{
	return s->stat_answered && s->stat_total == s->sent && s->rev.distinct == s->sent &&
	       s->fwd.known == s->sent &&
	       (s->icmp_fd < 0 || s->icmp.distinct == s->icmp_sent);
}

static void progress(const struct sender *s, uint64_t now)
{
	fprintf(stderr, "\r%7.1f s  udp %" PRIu64 " sent %" PRIu64 " replies", (double)(now - s->t0) / 1e9,
		s->sent, s->rev.distinct);
	if (s->icmp_fd >= 0)
		fprintf(stderr, "  icmp %" PRIu64 "/%" PRIu64, s->icmp.distinct, s->icmp_sent);
	fprintf(stderr, "   ");
}

static int mode_send(const struct opts *o)
{
	struct sender s = { .o = o, .icmp_fd = -1 };
	struct ps_report rep = { 0 };
	struct pollfd pfd[2];
	nfds_t npfd = 1;
	uint64_t rate = o->rate, icmp_ns = o->icmp_ms * MSEC, end = 0, slots = 0, islots = 0;
	uint64_t now, next_file = 0, next_prog, drain_start, drain_end, next_statq;
	bool show = !o->quiet && isatty(STDERR_FILENO);
	char tbuf[INET6_ADDRSTRLEN + 8], *out;
	int n, stop0;

	s.run_id = random64();
	resolve(o->target, o->port, false, &s.dst, &s.dstlen);
	s.fam = s.dst.ss_family;
	s.fd = socket(s.fam, SOCK_DGRAM, IPPROTO_UDP);
	if (s.fd < 0)
		die("socket: %s", strerror(errno));
	sock_tune(s.fd, o->quiet);
	s.tx = calloc(1, PW_MAX_LEN);
	if (!s.tx)
		die("out of memory");
	if (icmp_ns)
		open_icmp(&s);
	ps_flow_init(&s.rev, 1024);
	ps_flow_init(&s.icmp, 0);
	ps_fwd_init(&s.fwd, 1024);
	pfd[0] = (struct pollfd){ .fd = s.fd, .events = POLLIN };
	if (s.icmp_fd >= 0)
		pfd[npfd++] = (struct pollfd){ .fd = s.icmp_fd, .events = POLLIN };
	addr_str(&s.dst, s.dstlen, tbuf, sizeof(tbuf));
	if (!o->quiet) {
		fprintf(stderr, "send: run %016" PRIx64 " to %s port %u, %" PRIu64 " pps, %" PRIu64
			" B", s.run_id, tbuf, o->port, rate, o->payload);
		if (s.icmp_fd >= 0)
			fprintf(stderr, ", icmp every %" PRIu64 " ms (%s, id %u)", o->icmp_ms,
				s.icmp_raw ? "raw" : "ping", s.ping_id);
		fprintf(stderr, "\n");
	}
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);	/* 1 us, for 1 ms pacing */

	s.t0 = mono_ns() + MSEC;
	rep.start_realtime_ns = realtime_at(s.t0);	/* send times count from here */
	if (o->dur_ns)
		end = s.t0 + o->dur_ns;
	next_prog = s.t0 + NSEC;
	for (;;) {
		uint64_t next;
		int burst = 0;

		now = mono_ns();
		/* -d ends when every slot before the end was sent, however late
		 * this turn is: a run of d seconds at r pps sends exactly d*r. */
		if (g_stop || (o->count && slots >= o->count) ||
		    (end && slot_ns(s.t0, slots, rate) >= end &&
		     (s.icmp_fd < 0 || s.t0 + islots * icmp_ns >= end)))
			break;
		if (o->sigfile && now >= next_file) {
			if (!access(o->sigfile, F_OK))
				break;
			next_file = now + 10 * MSEC;
		}
		/* Absolute slots: a late turn sends what is due (BURST at a time). */
		for (; burst < BURST; burst++) {
			uint64_t dl = slot_ns(s.t0, slots, rate);

			if (dl > now || (end && dl >= end) || (o->count && slots >= o->count))
				break;
			send_udp(&s, PW_REQ, dl);
			slots++;
		}
		for (int b = 0; s.icmp_fd >= 0 && b < 8; b++) {
			uint64_t dl = s.t0 + islots * icmp_ns;

			if (dl > now || (end && dl >= end))
				break;
			send_icmp(&s);
			islots++;
		}
		if (show && now >= next_prog) {
			progress(&s, now);
			next_prog += NSEC;
		}
		next = slot_ns(s.t0, slots, rate);
		if (s.icmp_fd >= 0 && s.t0 + islots * icmp_ns < next)
			next = s.t0 + islots * icmp_ns;
		if (end && end < next)
			next = end;
		if (o->sigfile && next_file < next)
			next = next_file;
		if (burst == BURST)
			next = now;	/* behind: read replies, then catch up */
		if (wait_until(pfd, npfd, next) > 0)
			receive_all(&s, pfd, npfd);
	}
	now = mono_ns();
	rep.duration_ns = now > s.t0 ? now - s.t0 : 0;

	/* Drain: stragglers, and the responder's own count (STATQ) every 100 ms. */
	stop0 = g_stop;
	drain_start = now;
	drain_end = now + o->drain_ms * MSEC;
	next_statq = now;
	while (g_stop == stop0) {
		now = mono_ns();
		if (now >= drain_end)
			break;
		if (now >= next_statq) {
			send_udp(&s, PW_STATQ, 0);
			next_statq += 100 * MSEC;
		}
		if (complete(&s))
			break;
		if (wait_until(pfd, npfd, next_statq < drain_end ? next_statq : drain_end) > 0)
			receive_all(&s, pfd, npfd);
	}
	rep.drain_ns = mono_ns() - drain_start;
	s.drops[0] = sock_drops(s.fd, s.drops[0]);
	s.drops[1] = sock_drops(s.icmp_fd, s.drops[1]);
	if (show)
		fprintf(stderr, "\n");

	{
		uint64_t total = s.stat_total;

		if (s.rev.distinct && s.rev.max_seq + 1 > total)
			total = s.rev.max_seq + 1;
		/* udp_rev ranges are timed by the requests the replies answered. */
		if (ps_flow_result(&s.rev, total, s.t0, &s.fwd_at, &s.fwd, &rep.rev) ||
		    ps_fwd_result(&s.fwd, s.sent, total, &s.fwd_at, &rep.fwd) ||
		    ps_flow_result(&s.icmp, s.icmp_sent, s.t0, &s.icmp_at, NULL, &rep.icmp))
			die("out of memory");
	}
	rep.run_id = s.run_id;
	rep.target = tbuf;
	rep.port = o->port;
	rep.rate_pps = rate;
	rep.payload = (unsigned int)o->payload;
	rep.send_errors = s.send_errors + s.icmp_errors;
	rep.pace_late_max_ns = s.late_max;
	rep.malformed = s.malformed;
	rep.foreign = s.foreign;
	rep.other_responder = s.other_resp;
	rep.sock_drops = (uint64_t)s.drops[0] + s.drops[1];
	rep.echo_sock_drops = s.echo_drops;
	rep.echo_seen = s.echo_seen;
	rep.echo_id = s.echo_id;
	rep.stat_answered = s.stat_answered;
	rep.icmp_on = s.icmp_fd >= 0;
	rep.icmp_mode = s.icmp_raw ? "raw" : "ping";
	rep.ping_id = s.ping_id;
	if (!o->quiet && !s.echo_seen)
		warn("no reply from the responder at %s port %u (is `handoff-probe echo` running?)",
		     tbuf, o->port);
	n = ps_format_report(NULL, 0, &rep, o->json);
	out = malloc((size_t)n + 1);
	if (!out)
		die("out of memory");
	ps_format_report(out, (size_t)n + 1, &rep, o->json);
	fputs(out, stdout);
	free(out);
	free(s.tx);
	ps_flow_free(&s.rev);
	ps_flow_free(&s.icmp);
	ps_fwd_free(&s.fwd);
	ps_vec_free(&s.fwd_at);
	ps_vec_free(&s.icmp_at);
	return fflush(stdout) ? 1 : 0;
}

/* ---- blast ---- */

static int mode_blast(const struct opts *o)
{
	struct sockaddr_storage dst;
	socklen_t dstlen;
	struct mmsghdr msgs[BURST];
	struct iovec iov[BURST];
	uint8_t *bufs;
	uint64_t sent = 0, slots = 0, retries = 0, errors = 0, t0, end = 0, next_file = 0, now;
	uint64_t run_id = random64();
	struct pollfd pfd;
	int fd;

	resolve(o->target, o->port, false, &dst, &dstlen);
	fd = socket(dst.ss_family, SOCK_DGRAM, IPPROTO_UDP);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	sock_tune(fd, true);
	bufs = calloc(BURST, o->payload);
	if (!bufs)
		die("out of memory");
	pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);

	t0 = mono_ns() + MSEC;
	if (o->dur_ns)
		end = t0 + o->dur_ns;
	for (;;) {
		uint64_t due;
		int nb = 0, rc;

		now = mono_ns();
		if (g_stop || (o->count && slots >= o->count) ||
		    (end && (o->rate ? slot_ns(t0, slots, o->rate) >= end : now >= end)))
			break;
		if (o->sigfile && now >= next_file) {
			if (!access(o->sigfile, F_OK))
				break;
			next_file = now + 10 * MSEC;
		}
		/* How many slots are due now (all of them, up to BURST, at rate 0). */
		for (; nb < BURST; nb++) {
			if (o->count && slots + (uint64_t)nb >= o->count)
				break;
			if (o->rate) {
				uint64_t dl = slot_ns(t0, slots + (uint64_t)nb, o->rate);

				if (dl > now || (end && dl >= end))
					break;
			}
		}
		for (int i = 0; i < nb; i++) {
			uint8_t *b = bufs + (size_t)i * o->payload;
			struct pw_hdr h = { .type = PW_ONEWAY, .run_id = run_id,
					    .seq = sent + (uint64_t)i, .tx_ns = now };

			pw_fill_padding(b, o->payload, h.seq);
			pw_encode(b, o->payload, &h);
			iov[i] = (struct iovec){ b, o->payload };
			msgs[i] = (struct mmsghdr){ .msg_hdr = {
				.msg_name = &dst, .msg_namelen = dstlen,
				.msg_iov = &iov[i], .msg_iovlen = 1 } };
		}
		rc = nb ? sendmmsg(fd, msgs, (unsigned int)nb, 0) : 0;
		if (rc > 0) {
			sent += (uint64_t)rc;	/* contiguous: a refused one is resent */
			slots += (uint64_t)rc;
		} else if (rc < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS ||
				      errno == EINTR)) {
			retries++;
			if (errno == ENOBUFS) {
				wait_until(NULL, 0, mono_ns() + 50000);
			} else {
				pfd.revents = 0;
				wait_until(&pfd, 1, mono_ns() + 10 * MSEC);
			}
			continue;
		} else if (rc < 0) {
			errors++;	/* hard error: the slot is spent, seq not */
			slots++;
			if (errors == 1)
				warn("blast: %s", strerror(errno));
		}
		if (!o->rate)
			continue;
		due = slot_ns(t0, slots, o->rate);
		if (end && end < due)
			due = end;
		if (o->sigfile && next_file < due)
			due = next_file;
		if (nb < BURST)
			wait_until(NULL, 0, due);
	}
	now = mono_ns();
	{
		double secs = now > t0 ? (double)(now - t0) / 1e9 : 0;

		printf("sent=%" PRIu64 " elapsed_s=%.3f pps=%.0f run_id=%016" PRIx64 " retries=%" PRIu64
		       " errors=%" PRIu64 "\n", sent, secs, secs > 0 ? (double)sent / secs : 0, run_id,
		       retries, errors);
	}
	free(bufs);
	return fflush(stdout) ? 1 : 0;
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f,
"usage: handoff-probe echo  [-p PORT] [-b BINDADDR]\n"
"       handoff-probe send  -t TARGET [-p PORT] [-r RATE_PPS] [-d SECONDS | -n COUNT]\n"
"                           [-s PAYLOAD_BYTES] [-i ICMP_INTERVAL_MS] [-w DRAIN_MS] [-j] [-q]\n"
"                           [-S SIGNAL_FILE]\n"
"       handoff-probe sink  [-p PORT] [-b BINDADDR] [-o FILE]\n"
"       handoff-probe blast -t TARGET [-p PORT] [-r RATE_PPS] [-n COUNT | -d SECONDS]\n"
"                           [-s BYTES] [-S SIGNAL_FILE]\n"
"defaults: port %d, rate 1000 pps (blast: 0 = as fast as possible), payload 64 B\n"
"(64..%d, the probe header is 64), icmp every 10 ms (0 = none), drain 1000 ms.\n"
"send/blast run until -d, -n, -S FILE exists, or SIGINT/SIGTERM; send then drains\n"
"and prints its report (-j: one JSON object). See tests/lab/probe.md.\n",
		PW_DEFAULT_PORT, PW_MAX_LEN);
}

int main(int argc, char **argv)
{
	struct opts o = { .port = PW_DEFAULT_PORT, .rate = 1000, .payload = 64, .icmp_ms = 10,
			  .drain_ms = 1000 };
	const char *mode, *allowed;
	int c;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	mode = argv[1];
	if (!strcmp(mode, "echo"))
		allowed = "p:b:h";
	else if (!strcmp(mode, "send"))
		allowed = "t:p:r:d:n:s:i:w:jqS:h";
	else if (!strcmp(mode, "sink"))
		allowed = "p:b:o:h";
	else if (!strcmp(mode, "blast"))
		allowed = "t:p:r:n:d:s:S:h";
	else {
		usage(stderr);
		die("unknown mode \"%s\"", mode);
	}
	optind = 1;
	while ((c = getopt(argc - 1, argv + 1, allowed)) != -1) {
		switch (c) {
		case 't': o.target = optarg; break;
		case 'b': o.bind = optarg; break;
		case 'o': o.out = optarg; break;
		case 'S': o.sigfile = optarg; break;
		case 'p': o.port = (unsigned int)parse_u64(c, optarg, 1, 65535); break;
		case 'r': o.rate = parse_u64(c, optarg, 0, 10000000); break;
		case 'd': o.dur_ns = parse_seconds(c, optarg); break;
		case 'n': o.count = parse_u64(c, optarg, 1, UINT64_MAX / 4); break;
		case 's': o.payload = parse_u64(c, optarg, PW_HDR_LEN, PW_MAX_LEN); break;
		case 'i': o.icmp_ms = parse_u64(c, optarg, 0, 3600000); break;
		case 'w': o.drain_ms = parse_u64(c, optarg, 0, 3600000); break;
		case 'j': o.json = true; break;
		case 'q': o.quiet = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1)
		die("%s: unexpected argument \"%s\"", mode, argv[optind + 1]);
	if ((!strcmp(mode, "send") || !strcmp(mode, "blast")) && !o.target)
		die("%s: -t TARGET is required", mode);
	if (!strcmp(mode, "send") && (o.rate < 1 || o.rate > 1000000))
		die("send: -r must be 1..1000000 (blast floods)");
	setup_signals();
	if (!strcmp(mode, "echo"))
		return mode_echo(&o);
	if (!strcmp(mode, "sink"))
		return mode_sink(&o);
	if (!strcmp(mode, "send"))
		return mode_send(&o);
	return mode_blast(&o);
}
