// SPDX-License-Identifier: GPL-2.0
/*
 * The agent channel over socketpair()s. Where a test needs to see or change
 * the bytes, each channel gets its own pair and the test relays between them.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "channel.h"
#include "check.h"
#include "msgs.h"

static const uint8_t psk[32] = "0123456789abcdef0123456789abcde";

struct rec {
	unsigned int n;
	struct hd_msg m[16];
	int ret;		/* the handler's answer */
};

static int on_msg(struct hd_chan *ch, const struct hd_msg *m, void *arg)
{
	struct rec *r = arg;

	(void)ch;
	if (r->n < 16)
		r->m[r->n] = *m;
	r->n++;
	return r->ret;
}

static bool pair(int fds[2])
{
	return socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0;
}

/* A client and a server on one socketpair. */
struct duo {
	struct hd_chan *c, *s;
	struct rec rc, rs;
	const char *why_c, *why_s;
	int err_c, err_s;
};

static bool duo_new(struct duo *d, const uint8_t *psk_c, const uint8_t *psk_s)
{
	int fds[2];

	memset(d, 0, sizeof(*d));
	if (sodium_init() < 0 || !pair(fds))
		return false;
	d->c = hd_chan_new(fds[0], HD_CHAN_CLIENT, psk_c);
	d->s = hd_chan_new(fds[1], HD_CHAN_SERVER, psk_s);
	return d->c && d->s;
}

static void duo_free(struct duo *d)
{
	hd_chan_free(d->c);
	hd_chan_free(d->s);
}

/* Writes and reads on both sides until nothing moves or one fails. */
static void duo_pump(struct duo *d)
{
	int i;

	for (i = 0; i < 50 && !d->err_c && !d->err_s; i++) {
		if (hd_chan_wants_write(d->c))
			d->err_c = hd_chan_on_writable(d->c, &d->why_c);
		if (!d->err_c && hd_chan_wants_write(d->s))
			d->err_s = hd_chan_on_writable(d->s, &d->why_s);
		if (!d->err_s)
			d->err_s = hd_chan_on_readable(d->s, on_msg, &d->rs, &d->why_s);
		if (!d->err_c)
			d->err_c = hd_chan_on_readable(d->c, on_msg, &d->rc, &d->why_c);
		if (!hd_chan_wants_write(d->c) && !hd_chan_wants_write(d->s) &&
		    hd_chan_ready(d->c) && hd_chan_ready(d->s))
			break;
	}
}

TEST(chan_handshake_and_messages_both_ways)
{
	struct hd_msg offer, accept;
	struct duo d;

	if (!CHECK(duo_new(&d, psk, psk)))
		goto out;
	CHECK(!hd_chan_ready(d.c) && !hd_chan_ready(d.s));
	CHECK(hd_chan_wants_write(d.c) && hd_chan_wants_write(d.s));	/* hellos */
	CHECK(hd_chan_fd(d.c) >= 0 && hd_chan_fd(d.c) != hd_chan_fd(d.s));
	/* Queued before the handshake: sent once it completes. */
	test_msg(&offer, HD_MSG_OFFER);
	CHECK_INT(hd_chan_send(d.c, &offer), 0);
	duo_pump(&d);
	CHECK_INT(d.err_c, 0);
	CHECK_INT(d.err_s, 0);
	CHECK(hd_chan_ready(d.c) && hd_chan_ready(d.s));
	CHECK_INT(d.rs.n, 1) && CHECK_INT(d.rs.m[0].type, HD_MSG_OFFER) &&
		CHECK_STR(d.rs.m[0].name, "guest-1") && CHECK_INT(d.rs.m[0].nvifs, 2) &&
		CHECK_INT(d.rs.m[0].vifs[0].session_id, offer.vifs[0].session_id);
	CHECK_INT(d.rc.n, 0);

	test_msg(&accept, HD_MSG_ACCEPT);
	CHECK_INT(hd_chan_send(d.s, &accept), 0);
	duo_pump(&d);
	CHECK_INT(d.rc.n, 1) && CHECK_INT(d.rc.m[0].type, HD_MSG_ACCEPT) &&
		CHECK_MEM(d.rc.m[0].nonce, accept.nonce, HD_NONCE_LEN);
	/* AUTH is the channel's own. */
	test_msg(&accept, HD_MSG_AUTH);
	CHECK_INT(hd_chan_send(d.s, &accept), -EINVAL);
	accept.type = 0;
	CHECK_INT(hd_chan_send(d.s, &accept), -EINVAL);
out:
	duo_free(&d);
}

TEST(chan_several_messages_in_one_read)
{
	struct hd_msg m;
	struct duo d;
	const char *why = NULL;
	uint8_t t;

	if (!CHECK(duo_new(&d, psk, psk)))
		goto out;
	duo_pump(&d);
	for (t = HD_MSG_OFFER; t <= HD_MSG_LAST; t++) {
		test_msg(&m, t);
		CHECK_INT(hd_chan_send(d.c, &m), 0);
	}
	CHECK_INT(hd_chan_on_writable(d.c, &why), 0) && CHECK(!hd_chan_wants_write(d.c));
	CHECK_INT(hd_chan_on_readable(d.s, on_msg, &d.rs, &why), 0);
	if (CHECK_INT(d.rs.n, HD_MSG_LAST - HD_MSG_OFFER + 1))
		for (t = 0; t <= HD_MSG_LAST - HD_MSG_OFFER; t++)
			CHECK_INT(d.rs.m[t].type, HD_MSG_OFFER + t);
out:
	duo_free(&d);
}

TEST(chan_wrong_psk_fails_both_sides)
{
	uint8_t other[32];
	struct hd_msg m;
	struct duo d;

	memcpy(other, psk, 32);
	other[7] ^= 0x20;
	if (!CHECK(duo_new(&d, psk, other)))
		goto out;
	test_msg(&m, HD_MSG_OFFER);
	CHECK_INT(hd_chan_send(d.c, &m), 0);
	duo_pump(&d);
	CHECK_INT(d.err_s, -EBADMSG) && CHECK_STR(d.why_s, "authentication failed");
	CHECK(!hd_chan_ready(d.s) && !hd_chan_ready(d.c));
	CHECK_INT(d.rs.n, 0);
	/* The server saw the bad AUTH first; the client then sees its AUTH fail, or a close. */
	if (!d.err_c)
		d.err_c = hd_chan_on_readable(d.c, on_msg, &d.rc, &d.why_c);
	CHECK(d.err_c < 0);
	/* Dead channels stay dead and say why. */
	CHECK_INT(hd_chan_on_readable(d.s, on_msg, &d.rs, &d.why_s), -EBADMSG) &&
		CHECK_STR(d.why_s, "authentication failed");
	CHECK_INT(hd_chan_send(d.s, &m), -EPIPE);
out:
	duo_free(&d);
}

TEST(chan_same_role_refused)
{
	struct hd_chan *a, *b;
	struct rec r = { 0 };
	const char *why = NULL;
	int fds[2];

	if (!CHECK(sodium_init() >= 0 && pair(fds)))
		return;
	a = hd_chan_new(fds[0], HD_CHAN_SERVER, psk);
	b = hd_chan_new(fds[1], HD_CHAN_SERVER, psk);
	if (CHECK(a && b)) {
		CHECK_INT(hd_chan_on_writable(a, &why), 0);
		CHECK_INT(hd_chan_on_readable(b, on_msg, &r, &why), -EPROTO) &&
			CHECK_STR(why, "peer hello has our own role");
	}
	hd_chan_free(a);
	hd_chan_free(b);
}

TEST(chan_peer_closed)
{
	struct duo d;

	if (!CHECK(duo_new(&d, psk, psk)))
		goto out;
	duo_pump(&d);
	hd_chan_free(d.c);
	d.c = NULL;
	CHECK_INT(hd_chan_on_readable(d.s, on_msg, &d.rs, &d.why_s), -ECONNRESET) &&
		CHECK_STR(d.why_s, "peer closed");
out:
	duo_free(&d);
}

TEST(chan_handler_error_closes)
{
	struct hd_msg m;
	struct duo d;

	if (!CHECK(duo_new(&d, psk, psk)))
		goto out;
	d.rs.ret = -ENOENT;
	test_msg(&m, HD_MSG_DONE);
	CHECK_INT(hd_chan_send(d.c, &m), 0);
	CHECK_INT(hd_chan_send(d.c, &m), 0);
	duo_pump(&d);
	CHECK_INT(d.err_s, -ENOENT) && CHECK_STR(d.why_s, "message handler failed");
	CHECK_INT(d.rs.n, 1);			/* nothing after the failed one */
out:
	duo_free(&d);
}

TEST(chan_output_queue_is_bounded)
{
	struct hd_msg m;
	struct duo d;
	unsigned int i;
	int err = 0;

	if (!CHECK(duo_new(&d, psk, psk)))
		goto out;
	test_msg(&m, HD_MSG_OFFER);
	/* Before the handshake (kept as plaintext), then after it. */
	for (i = 0; i < 10000 && !err; i++)
		err = hd_chan_send(d.c, &m);
	CHECK_INT(err, -ENOBUFS) && CHECK(i > 100);
	duo_pump(&d);
	for (i = 0, err = 0; i < 10000 && !err; i++)
		err = hd_chan_send(d.s, &m);
	CHECK_INT(err, -ENOBUFS) && CHECK(i > 100);
out:
	duo_free(&d);
}

/*
 * Each channel on its own pair; the test holds the other ends (xc: the
 * client's peer end, xs: the server's) and moves the bytes itself.
 */
struct relay {
	struct hd_chan *c, *s;
	int xc, xs;
	struct rec rc, rs;
};

static bool relay_new(struct relay *r)
{
	int a[2], b[2];

	memset(r, 0, sizeof(*r));
	if (sodium_init() < 0 || !pair(a) || !pair(b))
		return false;
	r->c = hd_chan_new(a[0], HD_CHAN_CLIENT, psk);
	r->s = hd_chan_new(b[0], HD_CHAN_SERVER, psk);
	r->xc = a[1];
	r->xs = b[1];
	return r->c && r->s;
}

static void relay_free(struct relay *r)
{
	hd_chan_free(r->c);
	hd_chan_free(r->s);
	close(r->xc);
	close(r->xs);
}

/* What ch has queued, flushed and read from its peer end x. */
static size_t take(struct hd_chan *ch, int x, uint8_t *buf, size_t cap)
{
	const char *why;
	ssize_t n;

	if (hd_chan_on_writable(ch, &why))
		return 0;
	n = read(x, buf, cap);
	return n > 0 ? (size_t)n : 0;
}

static bool put(int x, const uint8_t *buf, size_t len)
{
	return write(x, buf, len) == (ssize_t)len;
}

/* Completes the handshake through the relay, unchanged. */
static bool relay_handshake(struct relay *r)
{
	uint8_t buf[4096];
	const char *why = NULL;
	size_t n;
	int i;

	for (i = 0; i < 4; i++) {
		n = take(r->c, r->xc, buf, sizeof(buf));
		if (n && (!put(r->xs, buf, n) || hd_chan_on_readable(r->s, on_msg, &r->rs, &why)))
			return false;
		n = take(r->s, r->xs, buf, sizeof(buf));
		if (n && (!put(r->xc, buf, n) || hd_chan_on_readable(r->c, on_msg, &r->rc, &why)))
			return false;
	}
	return hd_chan_ready(r->c) && hd_chan_ready(r->s);
}

TEST(chan_message_split_into_single_bytes)
{
	uint8_t buf[4096];
	struct hd_msg m;
	struct relay r;
	const char *why = NULL;
	size_t n, i;
	int err = 0;

	if (!CHECK(relay_new(&r)) || !CHECK(relay_handshake(&r)))
		goto out;
	test_msg(&m, HD_MSG_OFFER);
	CHECK_INT(hd_chan_send(r.c, &m), 0);
	n = take(r.c, r.xc, buf, sizeof(buf));
	CHECK(n > 100);
	for (i = 0; i < n && !err; i++) {
		CHECK_INT(r.rs.n, 0);
		put(r.xs, buf + i, 1);
		err = hd_chan_on_readable(r.s, on_msg, &r.rs, &why);
	}
	CHECK_INT(err, 0);
	CHECK_INT(r.rs.n, 1) && CHECK_INT(r.rs.m[0].type, HD_MSG_OFFER) &&
		CHECK_MEM(r.rs.m[0].uuid, m.uuid, 16);
out:
	relay_free(&r);
}

TEST(chan_flipped_ciphertext_bit)
{
	uint8_t buf[4096];
	struct hd_msg m;
	struct relay r;
	const char *why = NULL;
	size_t n;

	if (!CHECK(relay_new(&r)) || !CHECK(relay_handshake(&r)))
		goto out;
	test_msg(&m, HD_MSG_DONE);
	CHECK_INT(hd_chan_send(r.c, &m), 0);
	n = take(r.c, r.xc, buf, sizeof(buf));
	if (!CHECK(n > 20))
		goto out;
	buf[10] ^= 0x04;
	put(r.xs, buf, n);
	CHECK_INT(hd_chan_on_readable(r.s, on_msg, &r.rs, &why), -EBADMSG) &&
		CHECK_STR(why, "authentication failed");
	CHECK_INT(r.rs.n, 0);
out:
	relay_free(&r);
}

TEST(chan_reflected_hello)
{
	uint8_t buf[4096];
	struct relay r;
	const char *why = NULL;
	size_t n;

	if (!CHECK(relay_new(&r)))
		goto out;
	n = take(r.c, r.xc, buf, sizeof(buf));
	CHECK_INT(n, 40);
	/* As sent: our own role. */
	put(r.xc, buf, n);
	CHECK_INT(hd_chan_on_readable(r.c, on_msg, &r.rc, &why), -EPROTO) &&
		CHECK_STR(why, "peer hello has our own role");
	/* With the role turned round: our own nonce gives it away. */
	n = take(r.s, r.xs, buf, sizeof(buf));
	CHECK_INT(n, 40);
	buf[5] = 1;
	put(r.xs, buf, n);
	CHECK_INT(hd_chan_on_readable(r.s, on_msg, &r.rs, &why), -EPROTO) &&
		CHECK_STR(why, "reflected hello");
out:
	relay_free(&r);
}

/* The server's hello from r, altered at byte i to v, fed to the client. */
static const char *bad_hello(size_t i, uint8_t v)
{
	uint8_t buf[64];
	struct relay r;
	const char *why = "(accepted)";

	if (!relay_new(&r) || take(r.s, r.xs, buf, sizeof(buf)) != 40) {
		relay_free(&r);
		return "(setup failed)";
	}
	buf[i] = v;
	put(r.xc, buf, 40);
	if (!hd_chan_on_readable(r.c, on_msg, &r.rc, &why))
		why = "(accepted)";
	relay_free(&r);
	return why;
}

TEST(chan_bad_hellos)
{
	CHECK_STR(bad_hello(0, 'X'), "not a handoffd agent (bad hello magic)");
	CHECK_STR(bad_hello(4, 2), "unsupported channel version");
	CHECK_STR(bad_hello(5, 3), "bad hello (unknown role)");
	CHECK_STR(bad_hello(7, 1), "bad hello (reserved bytes not zero)");
	CHECK_STR(bad_hello(8, 0), "(accepted)");	/* any nonce will do */
}

static void put_len(int x, uint32_t len)
{
	uint8_t b[4] = { (uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16),
			 (uint8_t)(len >> 24) };

	put(x, b, 4);
}

TEST(chan_frame_lengths_checked_first)
{
	struct relay r;
	const char *why = NULL;

	if (!CHECK(relay_new(&r)) || !CHECK(relay_handshake(&r)))
		goto out;
	/* Only the length arrives: refused at once, nothing is waited for or allocated. */
	put_len(r.xs, 0xffffffffu);
	CHECK_INT(hd_chan_on_readable(r.s, on_msg, &r.rs, &why), -EMSGSIZE) &&
		CHECK_STR(why, "oversized frame");
	put_len(r.xc, HD_MSG_MAX + 16 + 1);
	CHECK_INT(hd_chan_on_readable(r.c, on_msg, &r.rc, &why), -EMSGSIZE) &&
		CHECK_STR(why, "oversized frame");
out:
	relay_free(&r);
}

TEST(chan_undersized_frame)
{
	struct relay r;
	const char *why = NULL;

	if (!CHECK(relay_new(&r)) || !CHECK(relay_handshake(&r)))
		goto out;
	put_len(r.xs, 19);
	CHECK_INT(hd_chan_on_readable(r.s, on_msg, &r.rs, &why), -EBADMSG) &&
		CHECK_STR(why, "undersized frame");
out:
	relay_free(&r);
}

TEST(chan_counter_overflow)
{
	uint8_t buf[4096];
	struct hd_msg m;
	struct relay r;
	const char *why = NULL;
	size_t n;

	if (!CHECK(relay_new(&r)) || !CHECK(relay_handshake(&r)))
		goto out;
	test_msg(&m, HD_MSG_DONE);
	hd_chan_test_set_counters(r.c, UINT64_MAX, 0);
	CHECK_INT(hd_chan_send(r.c, &m), -EOVERFLOW);
	/* The last usable counter still works; the receiver refuses the one after. */
	hd_chan_test_set_counters(r.c, UINT64_MAX - 1, 0);
	hd_chan_test_set_counters(r.s, 0, UINT64_MAX - 1);
	CHECK_INT(hd_chan_send(r.c, &m), 0);
	n = take(r.c, r.xc, buf, sizeof(buf));
	put(r.xs, buf, n);
	CHECK_INT(hd_chan_on_readable(r.s, on_msg, &r.rs, &why), 0) && CHECK_INT(r.rs.n, 1);
	put(r.xs, buf, n);				/* a replay, at counter 2^64 - 1 */
	CHECK_INT(hd_chan_on_readable(r.s, on_msg, &r.rs, &why), -EOVERFLOW) &&
		CHECK_STR(why, "frame counter overflow");
out:
	relay_free(&r);
}

TEST(chan_replayed_frame)
{
	uint8_t buf[4096];
	struct hd_msg m;
	struct relay r;
	const char *why = NULL;
	size_t n;

	if (!CHECK(relay_new(&r)) || !CHECK(relay_handshake(&r)))
		goto out;
	test_msg(&m, HD_MSG_DONE);
	CHECK_INT(hd_chan_send(r.c, &m), 0);
	n = take(r.c, r.xc, buf, sizeof(buf));
	put(r.xs, buf, n);
	put(r.xs, buf, n);
	CHECK_INT(hd_chan_on_readable(r.s, on_msg, &r.rs, &why), -EBADMSG) &&
		CHECK_STR(why, "authentication failed");
	CHECK_INT(r.rs.n, 1);
out:
	relay_free(&r);
}

/*
 * A client written from the protocol comment in channel.c, not from its code:
 * it knows the PSK but breaks the rules.
 */
struct forge {
	int fd;
	uint8_t hello_c[40], hello_s[40], c2s[32];
	uint64_t ctr;
};

static void forge_hash(const struct forge *f, const char *label, const uint8_t *extra,
		       size_t elen, uint8_t out[32])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, psk, 32, 32);
	crypto_generichash_update(&st, (const unsigned char *)label, strlen(label) + 1);
	crypto_generichash_update(&st, extra, elen);
	crypto_generichash_update(&st, f->hello_c, 40);
	crypto_generichash_update(&st, f->hello_s, 40);
	crypto_generichash_final(&st, out, 32);
}

static bool forge_frame(struct forge *f, const struct hd_msg *m)
{
	uint8_t plain[HD_MSG_MAX], frame[HD_MSG_MAX + 20], nonce[12] = { 0 };
	unsigned long long clen;
	size_t len;
	int i;

	if (hd_msg_encode(m, plain, sizeof(plain), &len))
		return false;
	for (i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(f->ctr >> (8 * i));
	f->ctr++;
	len += 16;
	for (i = 0; i < 4; i++)
		frame[i] = (uint8_t)(len >> (8 * i));
	crypto_aead_chacha20poly1305_ietf_encrypt(frame + 4, &clen, plain, len - 16, frame, 4,
						  NULL, nonce, f->c2s);
	return put(f->fd, frame, 4 + len);
}

/* A server channel and a forged client that has done the hello exchange. */
static bool forge_new(struct forge *f, struct hd_chan **s)
{
	static const uint8_t head[8] = { 'H', 'O', 'F', 'C', 1, 1, 0, 0 };
	const char *why;
	int fds[2];

	memset(f, 0, sizeof(*f));
	if (sodium_init() < 0 || !pair(fds))
		return false;
	*s = hd_chan_new(fds[0], HD_CHAN_SERVER, psk);
	f->fd = fds[1];
	memcpy(f->hello_c, head, 8);
	randombytes_buf(f->hello_c + 8, 32);
	if (!*s || hd_chan_on_writable(*s, &why) || read(f->fd, f->hello_s, 40) != 40)
		return false;
	forge_hash(f, "handoffd channel v1 c2s", NULL, 0, f->c2s);
	return put(f->fd, f->hello_c, 40);
}

TEST(chan_nothing_before_auth)
{
	struct hd_chan *s = NULL;
	struct rec rs = { 0 };
	struct forge f;
	struct hd_msg m;
	const char *why = NULL;

	if (!CHECK(forge_new(&f, &s)))
		goto out;
	test_msg(&m, HD_MSG_OFFER);
	CHECK(forge_frame(&f, &m));
	CHECK_INT(hd_chan_on_readable(s, on_msg, &rs, &why), -EPROTO) &&
		CHECK_STR(why, "message before authentication");
	CHECK_INT(rs.n, 0);
out:
	hd_chan_free(s);
	close(f.fd);
}

TEST(chan_auth_proof_checked)
{
	struct hd_chan *s = NULL;
	struct rec rs = { 0 };
	struct forge f;
	struct hd_msg m;
	const char *why = NULL;
	uint8_t role = 1;

	if (!CHECK(forge_new(&f, &s)))
		goto out;
	/* The server's proof (role 2) is not the client's. */
	test_msg(&m, HD_MSG_AUTH);
	role = 2;
	forge_hash(&f, "handoffd channel v1 auth", &role, 1, m.nonce);
	CHECK(forge_frame(&f, &m));
	CHECK_INT(hd_chan_on_readable(s, on_msg, &rs, &why), -EBADMSG) &&
		CHECK_STR(why, "authentication failed (handshake proof)");
	CHECK(!hd_chan_ready(s));
out:
	hd_chan_free(s);
	close(f.fd);
}

TEST(chan_forged_client_by_the_spec)
{
	struct hd_chan *s = NULL;
	struct rec rs = { 0 };
	struct forge f;
	struct hd_msg m;
	const char *why = NULL;
	uint8_t role = 1;

	if (!CHECK(forge_new(&f, &s)))
		goto out;
	test_msg(&m, HD_MSG_AUTH);
	forge_hash(&f, "handoffd channel v1 auth", &role, 1, m.nonce);
	CHECK(forge_frame(&f, &m));
	test_msg(&m, HD_MSG_REJECT);
	CHECK(forge_frame(&f, &m));
	CHECK_INT(hd_chan_on_readable(s, on_msg, &rs, &why), 0);
	CHECK(hd_chan_ready(s));
	CHECK_INT(rs.n, 1) && CHECK_INT(rs.m[0].type, HD_MSG_REJECT) &&
		CHECK_STR(rs.m[0].reason, "no such VM here");
	/* A second AUTH is not accepted. */
	test_msg(&m, HD_MSG_AUTH);
	forge_hash(&f, "handoffd channel v1 auth", &role, 1, m.nonce);
	CHECK(forge_frame(&f, &m));
	CHECK_INT(hd_chan_on_readable(s, on_msg, &rs, &why), -EPROTO) &&
		CHECK_STR(why, "unexpected AUTH");
out:
	hd_chan_free(s);
	close(f.fd);
}
