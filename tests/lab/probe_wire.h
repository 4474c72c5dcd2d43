/* SPDX-License-Identifier: GPL-2.0 */
/*
 * handoff-probe wire format. Every datagram the probe sends (UDP payload, and
 * the payload of its ICMP echo requests) starts with this 64-byte header, all
 * fields in network byte order:
 *
 *   off size field
 *    0   4   magic       0x484f5052 ("HOPR")
 *    4   1   version     1
 *    5   1   type        enum pw_type
 *    6   2   hdr_len     64 (receivers accept >= 64 for later extensions)
 *    8   8   run_id      random per client run; receivers ignore other runs
 *   16   8   seq         client's sequence number, 0-based, 64 bits (no wrap)
 *   24   8   tx_ns       client's CLOCK_MONOTONIC at send (echoed back)
 *   32   8   reply_seq   responder: number of this request among the run's
 *                        requests it received, 1-based (0 in requests)
 *   40   8   rx_ns       responder's CLOCK_MONOTONIC when it read the request
 *   48   8   echo_id     responder instance, random at its start (0 in requests)
 *   56   4   echo_drops  responder's socket drop counter (SO_RXQ_OVFL)
 *   60   4   check       checksum of the whole datagram with this field as 0
 *   64   -   padding     any bytes; the sender fills a pattern, a responder
 *                        echoes them unchanged (covered by the checksum)
 *
 * The checksum catches a datagram whose bytes were changed on the way but
 * whose UDP checksum was recomputed (a copy path that re-checksums), which the
 * UDP checksum alone cannot. Pure functions only: no I/O, no allocation.
 */
#ifndef HANDOFF_PROBE_WIRE_H
#define HANDOFF_PROBE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define PW_MAGIC	 0x484f5052u
#define PW_VERSION	 1
#define PW_HDR_LEN	 64
#define PW_MAX_LEN	 8900	/* largest payload the probe sends */
#define PW_DEFAULT_PORT	 7047
#define PW_ICMP_LEN	 PW_HDR_LEN /* ICMP echo payload: a PW_ICMP header */

enum pw_type {
	PW_REQ = 1,	/* client -> responder: please echo */
	PW_REPLY = 2,	/* responder -> client */
	PW_ONEWAY = 3,	/* blast -> sink */
	PW_STATQ = 4,	/* client -> responder: how many requests of my run? */
	PW_STATR = 5,	/* responder -> client: reply_seq = that number */
	PW_ICMP = 6,	/* payload of the probe's ICMP echo requests */
};

enum pw_err {
	PW_OK = 0,
	PW_ESHORT = -1,		/* shorter than the header */
	PW_EMAGIC = -2,
	PW_EVERSION = -3,
	PW_EHDRLEN = -4,	/* hdr_len < 64 or beyond the datagram */
	PW_ETYPE = -5,
	PW_ECHECK = -6,		/* checksum mismatch */
};

struct pw_hdr {
	uint8_t type;
	uint64_t run_id;
	uint64_t seq;
	uint64_t tx_ns;
	uint64_t reply_seq;
	uint64_t rx_ns;
	uint64_t echo_id;
	uint32_t echo_drops;
};

#define PW_OFF_CHECK 60

static inline void pw_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void pw_put32(uint8_t *p, uint32_t v)
{
	pw_put16(p, (uint16_t)(v >> 16));
	pw_put16(p + 2, (uint16_t)v);
}

static inline void pw_put64(uint8_t *p, uint64_t v)
{
	pw_put32(p, (uint32_t)(v >> 32));
	pw_put32(p + 4, (uint32_t)v);
}

static inline uint16_t pw_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t pw_get32(const uint8_t *p)
{
	return (uint32_t)pw_get16(p) << 16 | pw_get16(p + 2);
}

static inline uint64_t pw_get64(const uint8_t *p)
{
	return (uint64_t)pw_get32(p) << 32 | pw_get32(p + 4);
}

/*
 * FNV-1a over big-endian 64-bit words (then the tail bytes), folded to 32
 * bits; the check field (bytes 60..63) counts as zero. Byte-order
 * independent, and cheap enough for 8900-byte datagrams under emulation.
 */
static inline uint32_t pw_checksum(const uint8_t *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w = pw_get64(p + i);

		if (i == 56)
			w &= 0xffffffff00000000ull;
		h = (h ^ w) * 0x100000001b3ull;
	}
	for (; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return (uint32_t)(h ^ (h >> 32));
}

/* Writes the header into buf[0..64) and seals the datagram (len >= 64). */
static inline void pw_encode(uint8_t *buf, size_t len, const struct pw_hdr *h)
{
	pw_put32(buf, PW_MAGIC);
	buf[4] = PW_VERSION;
	buf[5] = h->type;
	pw_put16(buf + 6, PW_HDR_LEN);
	pw_put64(buf + 8, h->run_id);
	pw_put64(buf + 16, h->seq);
	pw_put64(buf + 24, h->tx_ns);
	pw_put64(buf + 32, h->reply_seq);
	pw_put64(buf + 40, h->rx_ns);
	pw_put64(buf + 48, h->echo_id);
	pw_put32(buf + 56, h->echo_drops);
	pw_put32(buf + PW_OFF_CHECK, 0);
	pw_put32(buf + PW_OFF_CHECK, pw_checksum(buf, len));
}

/* The padding the probe sends: depends on seq, so a mixed-up copy shows. */
static inline void pw_fill_padding(uint8_t *buf, size_t len, uint64_t seq)
{
	for (size_t i = PW_HDR_LEN; i < len; i++)
		buf[i] = (uint8_t)(i * 7 + seq);
}

/* Parses and validates a datagram; PW_OK or a negative enum pw_err. */
static inline int pw_decode(const uint8_t *buf, size_t len, struct pw_hdr *h)
{
	uint16_t hdr_len;

	if (len < PW_HDR_LEN)
		return PW_ESHORT;
	if (pw_get32(buf) != PW_MAGIC)
		return PW_EMAGIC;
	if (buf[4] != PW_VERSION)
		return PW_EVERSION;
	hdr_len = pw_get16(buf + 6);
	if (hdr_len < PW_HDR_LEN || hdr_len > len)
		return PW_EHDRLEN;
	if (buf[5] < PW_REQ || buf[5] > PW_ICMP)
		return PW_ETYPE;
	if (pw_get32(buf + PW_OFF_CHECK) != pw_checksum(buf, len))
		return PW_ECHECK;
	h->type = buf[5];
	h->run_id = pw_get64(buf + 8);
	h->seq = pw_get64(buf + 16);
	h->tx_ns = pw_get64(buf + 24);
	h->reply_seq = pw_get64(buf + 32);
	h->rx_ns = pw_get64(buf + 40);
	h->echo_id = pw_get64(buf + 48);
	h->echo_drops = pw_get32(buf + 56);
	return PW_OK;
}

#endif
