/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * handoff tunnel wire format. One UDP datagram carries one message:
 *
 *   struct handoff_wire_hdr      authenticated, in the clear
 *   payload                      ChaCha20-Poly1305 ciphertext
 *   tag[16]                      Poly1305
 *
 * The nonce is the header's counter, unique per key (one key per direction
 * per session), and the receiver's replay window is keyed on it. The header
 * is the AEAD's associated data, so type, role and session are bound to it.
 */
#ifndef _HANDOFF_WIRE_H
#define _HANDOFF_WIRE_H

#ifdef __KERNEL__
#include <linux/compiler.h>
#include <linux/types.h>
#else
#include <stdint.h>
#include <linux/types.h>
#define __packed __attribute__((packed))
#endif

#define HANDOFF_WIRE_VERSION 1
#define HANDOFF_TAG_LEN 16
/* A frame after segmentation: jumbo Ethernet plus two VLAN tags. */
#define HANDOFF_MAX_FRAME 9234

enum handoff_msg {
	HANDOFF_MSG_DATA = 1,	/* source -> dest: __be64 seq, frame */
	HANDOFF_MSG_STOP,	/* dest -> source: stop delivering, empty */
	HANDOFF_MSG_MARKER,	/* source -> dest: __be64 last seq captured */
	HANDOFF_MSG_ABORT,	/* either way: u8 announced */
	HANDOFF_MSG_ABORT_ACK,	/* either way: empty */
	HANDOFF_MSG_LEARN,	/* source -> dest: learned MACs and addresses */
	HANDOFF_MSG_DONE,	/* source -> dest: its grace is over, empty */
	__HANDOFF_MSG_MAX
};

struct handoff_wire_hdr {
	__u8 version;
	__u8 type;		/* enum handoff_msg */
	__u8 role;		/* the receiver's role: localhost holds both */
	__u8 reserved;		/* zero */
	__be64 session_id;
	__le64 counter;		/* AEAD nonce */
} __packed;

struct handoff_wire_data {
	__be64 seq;
} __packed;

struct handoff_wire_marker {
	__be64 last_seq;
} __packed;

struct handoff_wire_abort {
	__u8 announced;
} __packed;

/* LEARN: a count, then that many entries. */
struct handoff_wire_learn_entry {
	__u8 kind;		/* 1 MAC (+ VLAN), 4 IPv4, 6 IPv6 */
	__u8 reserved;
	__be16 vlan;		/* for MACs: 802.1Q VID, 0 if untagged */
	__u8 addr[16];		/* MAC in the first 6 bytes, or an address */
} __packed;

#define HANDOFF_LEARN_MAC 1
#define HANDOFF_LEARN_IN 4
#define HANDOFF_LEARN_IN6 6
#define HANDOFF_MAX_LEARN 64

#endif /* _HANDOFF_WIRE_H */
