// SPDX-License-Identifier: GPL-2.0
/*
 * The agent channel: one TCP connection between two handoffd agents that hold
 * the same 32-byte pre-shared key (PSK). Every integer is little-endian.
 *
 * 1. Hello, plaintext, both sides at once (HELLO_LEN = 40 bytes):
 *      "HOFC" | u8 version (1) | u8 role (1 client, 2 server) | u16 zero | 32-byte nonce
 *    The nonce is fresh from randombytes_buf(). A hello with the wrong magic,
 *    version or reserved bytes, our own role, or our own nonce (a reflected
 *    hello) ends the connection.
 * 2. Keys. T = client hello | server hello (the transcript, in that order).
 *      key(c2s) = BLAKE2b-256(key = PSK, "handoffd channel v1 c2s\0" | T)
 *      key(s2c) = BLAKE2b-256(key = PSK, "handoffd channel v1 s2c\0" | T)
 *    Fresh nonces on both sides: keys are new per connection, and a recorded
 *    session cannot be replayed to either side.
 * 3. Frames, both ways: u32 length | ChaCha20-Poly1305 (IETF) ciphertext with
 *    tag, of one encoded struct hd_msg (proto.h). The length is the AEAD's
 *    additional data; it must lie in [HD_MSG_HDR_LEN + 16, HD_MSG_MAX + 16],
 *    checked before the frame is read (no allocation: buffers are fixed). The
 *    AEAD nonce is 4 zero bytes | u64 frame counter of that direction, from 0;
 *    a counter that would reach 2^64 - 1 ends the connection rather than wrap.
 * 4. The first frame each way is an AUTH message whose nonce field is
 *      BLAKE2b-256(key = PSK, "handoffd channel v1 auth\0" | u8 sender role | T)
 *    The receiver checks it (constant time); until it has, any other frame
 *    ends the connection, and no queued message is sent. A frame that fails
 *    the tag check ("authentication failed") also ends it: with a wrong PSK
 *    the very first frame does.
 * Queued output is bounded (HD_CHAN_OUT_MAX); so is input (one frame).
 */
#include "channel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#define HELLO_LEN 40
#define HELLO_VERSION 1
#define TAG_LEN crypto_aead_chacha20poly1305_ietf_ABYTES
#define FRAME_MIN (HD_MSG_HDR_LEN + TAG_LEN)
#define FRAME_MAX (HD_MSG_MAX + TAG_LEN)
#define IN_MAX (4 + FRAME_MAX)
/* Reads per hd_chan_on_readable(): one busy peer does not starve the others. */
#define READS_PER_CALL 16

static const uint8_t hello_magic[4] = { 'H', 'O', 'F', 'C' };

enum rstate { R_HELLO, R_AUTH, R_READY, R_DEAD };

struct hd_chan {
	int fd;
	enum hd_chan_role role;
	enum rstate state;
	int dead_err;
	const char *dead_why;
	uint8_t psk[HD_PSK_LEN];
	uint8_t hello[2][HELLO_LEN];		/* [role]: the transcript, client first */
	uint8_t tx_key[32], rx_key[32];
	uint64_t tx_ctr, rx_ctr;
	size_t in_len;
	size_t out_off, out_len;
	size_t pend_len, pend_wire;		/* plaintext queued before ready; its wire size */
	uint8_t in[IN_MAX];
	uint8_t plain[HD_MSG_MAX];
	uint8_t out[HD_CHAN_OUT_MAX];
	uint8_t pend[HD_CHAN_OUT_MAX];		/* u32 length | encoded message, ... */
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t role_byte(enum hd_chan_role r)
{
	return r == HD_CHAN_CLIENT ? 1 : 2;
}

static void wipe_keys(struct hd_chan *ch)
{
	sodium_memzero(ch->psk, sizeof(ch->psk));
	sodium_memzero(ch->tx_key, sizeof(ch->tx_key));
	sodium_memzero(ch->rx_key, sizeof(ch->rx_key));
}

static int fail(struct hd_chan *ch, int err, const char *why, const char **whyp)
{
	if (ch->state != R_DEAD) {
		ch->state = R_DEAD;
		ch->dead_err = err;
		ch->dead_why = why;
		wipe_keys(ch);
		/* Plaintext queued for the peer goes too. */
		sodium_memzero(ch->pend, ch->pend_len);
		sodium_memzero(ch->plain, sizeof(ch->plain));
		ch->pend_len = ch->pend_wire = 0;
		ch->out_off = ch->out_len = 0;
	}
	if (whyp)
		*whyp = ch->dead_why;
	return ch->dead_err;
}

/* BLAKE2b-256 keyed with the PSK over label (with its NUL), extra, T. */
static void mac_transcript(const struct hd_chan *ch, const char *label, const uint8_t *extra,
			   size_t extra_len, uint8_t out[32])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, ch->psk, sizeof(ch->psk), 32);
	crypto_generichash_update(&st, (const unsigned char *)label, strlen(label) + 1);
	if (extra_len)
		crypto_generichash_update(&st, extra, extra_len);
	crypto_generichash_update(&st, ch->hello[HD_CHAN_CLIENT], HELLO_LEN);
	crypto_generichash_update(&st, ch->hello[HD_CHAN_SERVER], HELLO_LEN);
	crypto_generichash_final(&st, out, 32);
	sodium_memzero(&st, sizeof(st));
}

static void auth_proof(const struct hd_chan *ch, enum hd_chan_role sender, uint8_t out[32])
{
	uint8_t r = role_byte(sender);

	mac_transcript(ch, "handoffd channel v1 auth", &r, 1, out);
}

static void make_nonce(uint8_t n[crypto_aead_chacha20poly1305_ietf_NPUBBYTES], uint64_t ctr)
{
	memset(n, 0, 4);
	put32(n + 4, (uint32_t)ctr);
	put32(n + 8, (uint32_t)(ctr >> 32));
}

/* Appends one encrypted frame of plain[0..len) to the output queue. */
static int queue_frame(struct hd_chan *ch, const uint8_t *plain, size_t len)
{
	uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
	size_t need = 4 + len + TAG_LEN;
	unsigned long long clen;
	uint8_t *p;

	if (ch->tx_ctr == UINT64_MAX)
		return -EOVERFLOW;
	if (ch->out_len + need > sizeof(ch->out) && ch->out_off) {
		memmove(ch->out, ch->out + ch->out_off, ch->out_len - ch->out_off);
		ch->out_len -= ch->out_off;
		ch->out_off = 0;
	}
	if (ch->out_len + need > sizeof(ch->out))
		return -ENOBUFS;
	p = ch->out + ch->out_len;
	put32(p, (uint32_t)(len + TAG_LEN));
	make_nonce(nonce, ch->tx_ctr);
	crypto_aead_chacha20poly1305_ietf_encrypt(p + 4, &clen, plain, len, p, 4, NULL, nonce,
						  ch->tx_key);
	ch->tx_ctr++;
	ch->out_len += need;
	return 0;
}

struct hd_chan *hd_chan_new(int fd, enum hd_chan_role role, const uint8_t psk[32])
{
	struct hd_chan *ch;
	uint8_t *h;

	if (fd < 0 || (role != HD_CHAN_CLIENT && role != HD_CHAN_SERVER)) {
		if (fd >= 0)
			close(fd);
		errno = EINVAL;
		return NULL;
	}
	if (sodium_init() < 0) {
		close(fd);
		errno = EIO;
		return NULL;
	}
	ch = calloc(1, sizeof(*ch));
	if (!ch) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	ch->fd = fd;
	ch->role = role;
	ch->state = R_HELLO;
	memcpy(ch->psk, psk, sizeof(ch->psk));
	h = ch->hello[role];
	memcpy(h, hello_magic, 4);
	h[4] = HELLO_VERSION;
	h[5] = role_byte(role);
	h[6] = h[7] = 0;
	randombytes_buf(h + 8, HD_NONCE_LEN);
	memcpy(ch->out, h, HELLO_LEN);
	ch->out_len = HELLO_LEN;
	return ch;
}

void hd_chan_free(struct hd_chan *ch)
{
	if (!ch)
		return;
	close(ch->fd);
	/* Keys, plaintext and the buffers they passed through. */
	sodium_memzero(ch, sizeof(*ch));
	free(ch);
}

int hd_chan_fd(const struct hd_chan *ch)
{
	return ch->fd;
}

bool hd_chan_ready(const struct hd_chan *ch)
{
	return ch->state == R_READY;
}

bool hd_chan_wants_write(const struct hd_chan *ch)
{
	return ch->out_off < ch->out_len;
}

void hd_chan_test_set_counters(struct hd_chan *ch, uint64_t tx, uint64_t rx)
{
	ch->tx_ctr = tx;
	ch->rx_ctr = rx;
}

static const char *check_hello(const struct hd_chan *ch, const uint8_t *h)
{
	if (memcmp(h, hello_magic, 4))
		return "not a handoffd agent (bad hello magic)";
	if (h[4] != HELLO_VERSION)
		return "unsupported channel version";
	if (h[6] || h[7])
		return "bad hello (reserved bytes not zero)";
	if (h[5] != role_byte(HD_CHAN_CLIENT) && h[5] != role_byte(HD_CHAN_SERVER))
		return "bad hello (unknown role)";
	if (h[5] == role_byte(ch->role))
		return "peer hello has our own role";
	if (!memcmp(h + 8, ch->hello[ch->role] + 8, HD_NONCE_LEN))
		return "reflected hello";
	return NULL;
}

/* The peer's hello is in: keys, then our AUTH. */
static int on_hello(struct hd_chan *ch, const char **why)
{
	enum hd_chan_role peer = ch->role == HD_CHAN_CLIENT ? HD_CHAN_SERVER : HD_CHAN_CLIENT;
	struct hd_msg auth = { .type = HD_MSG_AUTH };
	uint8_t c2s[32], s2c[32], buf[64];
	size_t len;
	int err;

	*why = check_hello(ch, ch->in);
	if (*why)
		return -EPROTO;
	memcpy(ch->hello[peer], ch->in, HELLO_LEN);
	mac_transcript(ch, "handoffd channel v1 c2s", NULL, 0, c2s);
	mac_transcript(ch, "handoffd channel v1 s2c", NULL, 0, s2c);
	memcpy(ch->tx_key, ch->role == HD_CHAN_CLIENT ? c2s : s2c, 32);
	memcpy(ch->rx_key, ch->role == HD_CHAN_CLIENT ? s2c : c2s, 32);
	sodium_memzero(c2s, sizeof(c2s));
	sodium_memzero(s2c, sizeof(s2c));
	auth_proof(ch, ch->role, auth.nonce);
	err = hd_msg_encode(&auth, buf, sizeof(buf), &len);
	if (!err)
		err = queue_frame(ch, buf, len);
	if (err) {
		*why = "cannot queue the AUTH frame";
		return err;
	}
	ch->state = R_AUTH;
	return 0;
}

/* The peer proved the PSK: what was queued before goes out, encrypted. */
static int on_ready(struct hd_chan *ch, const char **why)
{
	size_t off = 0;
	int err;

	ch->state = R_READY;
	while (off < ch->pend_len) {
		uint32_t len = get32(ch->pend + off);

		err = queue_frame(ch, ch->pend + off + 4, len);
		if (err) {
			*why = err == -EOVERFLOW ? "frame counter overflow" : "output queue full";
			return err;
		}
		off += 4 + len;
	}
	sodium_memzero(ch->pend, ch->pend_len);
	ch->pend_len = ch->pend_wire = 0;
	return 0;
}

/* One complete frame at ch->in: decrypt, decode, dispatch. */
static int on_frame(struct hd_chan *ch, uint32_t clen, hd_chan_msg_fn fn, void *arg,
		    const char **why)
{
	uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES], proof[32];
	unsigned long long plen;
	struct hd_msg m;
	int err;

	if (ch->rx_ctr == UINT64_MAX) {
		*why = "frame counter overflow";
		return -EOVERFLOW;
	}
	make_nonce(nonce, ch->rx_ctr);
	if (crypto_aead_chacha20poly1305_ietf_decrypt(ch->plain, &plen, NULL, ch->in + 4, clen,
						      ch->in, 4, nonce, ch->rx_key)) {
		*why = "authentication failed";
		return -EBADMSG;
	}
	ch->rx_ctr++;
	err = hd_msg_decode(&m, ch->plain, (size_t)plen, why);
	sodium_memzero(ch->plain, (size_t)plen);
	if (err)
		return err;
	if (ch->state == R_AUTH) {
		if (m.type != HD_MSG_AUTH) {
			*why = "message before authentication";
			return -EPROTO;
		}
		auth_proof(ch, ch->role == HD_CHAN_CLIENT ? HD_CHAN_SERVER : HD_CHAN_CLIENT, proof);
		if (sodium_memcmp(proof, m.nonce, sizeof(proof))) {
			*why = "authentication failed (handshake proof)";
			return -EBADMSG;
		}
		return on_ready(ch, why);
	}
	if (m.type == HD_MSG_AUTH) {
		*why = "unexpected AUTH";
		return -EPROTO;
	}
	err = fn(ch, &m, arg);
	if (err) {
		*why = "message handler failed";
		return err < 0 ? err : -EINVAL;
	}
	return 0;
}

static void consume(struct hd_chan *ch, size_t n)
{
	memmove(ch->in, ch->in + n, ch->in_len - n);
	ch->in_len -= n;
}

/* Everything complete in the input buffer. */
static int process(struct hd_chan *ch, hd_chan_msg_fn fn, void *arg, const char **why)
{
	int err;

	for (;;) {
		uint32_t clen;

		if (ch->state == R_HELLO) {
			if (ch->in_len < HELLO_LEN)
				return 0;
			err = on_hello(ch, why);
			if (err)
				return err;
			consume(ch, HELLO_LEN);
			continue;
		}
		if (ch->in_len < 4)
			return 0;
		clen = get32(ch->in);
		if (clen > FRAME_MAX) {
			*why = "oversized frame";
			return -EMSGSIZE;
		}
		if (clen < FRAME_MIN) {
			*why = "undersized frame";
			return -EBADMSG;
		}
		if (ch->in_len < 4 + (size_t)clen)
			return 0;
		err = on_frame(ch, clen, fn, arg, why);
		if (err)
			return err;
		consume(ch, 4 + (size_t)clen);
	}
}

int hd_chan_on_readable(struct hd_chan *ch, hd_chan_msg_fn fn, void *arg, const char **why)
{
	const char *w = NULL;
	int i, err;

	if (ch->state == R_DEAD)
		return fail(ch, 0, NULL, why);
	for (i = 0; i < READS_PER_CALL; i++) {
		ssize_t n = read(ch->fd, ch->in + ch->in_len, sizeof(ch->in) - ch->in_len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0)
			return fail(ch, -errno, strerror(errno), why);
		if (n == 0)
			return fail(ch, -ECONNRESET, ch->in_len ? "peer closed mid-frame" : "peer closed",
				    why);
		ch->in_len += (size_t)n;
		err = process(ch, fn, arg, &w);
		if (err)
			return fail(ch, err, w, why);
	}
	return 0;
}

int hd_chan_on_writable(struct hd_chan *ch, const char **why)
{
	if (ch->state == R_DEAD)
		return fail(ch, 0, NULL, why);
	while (ch->out_off < ch->out_len) {
		ssize_t n = send(ch->fd, ch->out + ch->out_off, ch->out_len - ch->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0)
			return fail(ch, -errno, strerror(errno), why);
		ch->out_off += (size_t)n;
	}
	ch->out_off = ch->out_len = 0;
	return 0;
}

int hd_chan_send(struct hd_chan *ch, const struct hd_msg *m)
{
	uint8_t buf[HD_MSG_MAX];
	size_t len;
	int err;

	if (ch->state == R_DEAD)
		return -EPIPE;
	if (m->type == HD_MSG_AUTH)
		return -EINVAL;
	err = hd_msg_encode(m, buf, sizeof(buf), &len);
	if (err)
		return err == -EMSGSIZE ? -EINVAL : err;
	if (ch->state == R_READY)
		return queue_frame(ch, buf, len);
	/* Before the peer proved the PSK: keep the plaintext, counting its wire size. */
	if (ch->out_len - ch->out_off + ch->pend_wire + 4 + len + TAG_LEN > sizeof(ch->out))
		return -ENOBUFS;
	put32(ch->pend + ch->pend_len, (uint32_t)len);
	memcpy(ch->pend + ch->pend_len + 4, buf, len);
	ch->pend_len += 4 + len;
	ch->pend_wire += 4 + len + TAG_LEN;
	sodium_memzero(buf, len);
	return 0;
}
