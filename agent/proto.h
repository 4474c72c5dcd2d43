/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Versioned messages between two handoffd agents: a pure codec, no I/O.
 * The channel (channel.h) frames, encrypts and authenticates them.
 *
 * Wire format (all integers little-endian):
 *   header: u8 version (HD_PROTO_VERSION), u8 type (enum hd_msg_type), u16 zero
 *   then attributes until the end: u16 type, u16 length, length bytes (no padding)
 * Attributes come in ascending type order (VIF and ADDR repeat, adjacent), so
 * a message has exactly one encoding. Decoding is strict: an unknown
 * attribute, one a type does not use, a missing required one, a duplicate, one
 * out of order, a wrong length or trailing bytes reject the message. Anything
 * new needs HD_PROTO_VERSION + 1.
 */
#ifndef HD_PROTO_H
#define HD_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "kdf.h"

#define HD_PROTO_VERSION 1
#define HD_MSG_MAX 16384			/* bytes of one encoded message */
#define HD_MAX_VIFS 8
#define HD_MAX_MSG_ADDRS 16
#define HD_MSG_NAME_LEN 64
#define HD_MSG_REASON_LEN 128
#define HD_MSG_HDR_LEN 4
/* Largest status: errno values are below 4096 on Linux. */
#define HD_MSG_STATUS_MAX 4095

/*
 * AUTH proves the key (channel.c); OFFER (source -> destination) proposes the
 * sessions of a VM, ACCEPT/REJECT answer it; ABORT ends them (either way);
 * DONE: the source domain is gone. WANT (destination -> source): "if the VM
 * of this uuid runs on your host, offer it to me" (toolstacks whose hook runs
 * on the destination only, such as libvirt's libxl driver).
 */
enum hd_msg_type {
	HD_MSG_AUTH = 1, HD_MSG_OFFER, HD_MSG_ACCEPT, HD_MSG_REJECT, HD_MSG_ABORT, HD_MSG_DONE,
	HD_MSG_WANT,
	HD_MSG_LAST = HD_MSG_WANT
};

/*
 * Attributes, and which message types carry them
 * (R required, O optional, - never; VIF and ADDR repeat):
 *                        AUTH OFFER ACCEPT REJECT ABORT DONE WANT
 *   UUID     16 bytes     -    R     R      R      R     R    R    not all zero
 *   NAME     string       -    O     -      -      -     -    -    1..63 chars + NUL
 *   NONCE    32 bytes     R    R     R      -      -     -    -
 *   PORT     u16          -    R     R      -      -     -    -    non-zero
 *   VIF      u64 session, -   1..8  1..8    -      -     -    -    non-zero, distinct
 *            u32 devid, 6-byte MAC                                sessions; unicast MAC
 *   ADDR     4 or 16      -   0..16  -      -      -     -    -    IPv4 or IPv6 by length
 *   STATUS   s32          -    -     -      R      R     R    -    0..HD_MSG_STATUS_MAX
 *   REASON   string       -    -     -      O      O     -    -    1..127 chars + NUL
 * Strings are printable (no control characters), NUL-terminated, non-empty.
 */
enum hd_msg_attr {
	HD_ATTR_UUID = 1,
	HD_ATTR_NAME,
	HD_ATTR_NONCE,
	HD_ATTR_PORT,
	HD_ATTR_VIF,
	HD_ATTR_ADDR,
	HD_ATTR_STATUS,
	HD_ATTR_REASON,
	HD_ATTR_MAX = HD_ATTR_REASON,
};
#define HD_VIF_ATTR_LEN 18

struct hd_vif_offer { uint64_t session_id; uint32_t devid; uint8_t mac[6]; };
struct hd_msg_addr { uint8_t family; uint8_t addr[16]; };	/* AF_INET (4 bytes used) or AF_INET6 */

struct hd_msg {
	uint8_t type;
	uint8_t uuid[16];		/* the VM (all but AUTH) */
	char name[HD_MSG_NAME_LEN];	/* the VM's name on the source (OFFER; informational) */
	uint8_t nonce[HD_NONCE_LEN];	/* OFFER: source nonce; ACCEPT: destination nonce; AUTH: handshake proof */
	uint16_t tunnel_port;		/* OFFER/ACCEPT: the sender's kernel tunnel UDP port */
	unsigned int nvifs;
	struct hd_vif_offer vifs[HD_MAX_VIFS];	/* OFFER: one session per vif; ACCEPT: the accepted ones */
	unsigned int naddrs;
	struct hd_msg_addr addrs[HD_MAX_MSG_ADDRS];	/* OFFER: the VM's configured addresses */
	int32_t status;			/* REJECT/ABORT/DONE: 0 or a positive errno */
	char reason[HD_MSG_REASON_LEN];	/* REJECT/ABORT: human-readable */
};

/*
 * Encodes the fields m->type uses (the table above; an empty name or reason
 * is left out, other fields are ignored). Returns 0 with *len set, -EINVAL
 * for a message decoding would reject (the same checks), -EMSGSIZE when cap
 * is too small.
 */
int hd_msg_encode(const struct hd_msg *m, uint8_t *buf, size_t cap, size_t *len);
/* Returns 0, or -EBADMSG with *why set. m is zeroed first: unused fields are 0. */
int hd_msg_decode(struct hd_msg *m, const uint8_t *buf, size_t len, const char **why);
/* "AUTH", "OFFER"... or "unknown". */
const char *hd_msg_type_name(uint8_t type);

#endif
