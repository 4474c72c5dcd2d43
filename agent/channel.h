/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One mutually authenticated, confidential TCP connection between two
 * handoffd agents holding the same pre-shared key (protocol in channel.c).
 * Non-blocking, driven by the caller's poll loop; bounded memory.
 * Needs libsodium; hd_chan_new() calls sodium_init() (idempotent) itself.
 */
#ifndef HD_CHANNEL_H
#define HD_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "proto.h"

/* Bytes of wire data queued for writing (hello, AUTH, messages) before -ENOBUFS. */
#define HD_CHAN_OUT_MAX (4 * (HD_MSG_MAX + 4 + 16))

enum hd_chan_role { HD_CHAN_CLIENT, HD_CHAN_SERVER };
struct hd_chan;

/* fd: connected, non-blocking; owned. NULL (errno set) on failure, and fd is closed. */
struct hd_chan *hd_chan_new(int fd, enum hd_chan_role role, const uint8_t psk[32]);
void hd_chan_free(struct hd_chan *ch);		/* closes fd, wipes keys; NULL is fine */
int hd_chan_fd(const struct hd_chan *ch);
/* Both sides proved the PSK: the peer's AUTH checked out (ours went before it). */
bool hd_chan_ready(const struct hd_chan *ch);
bool hd_chan_wants_write(const struct hd_chan *ch);	/* poll for POLLOUT too */

/* Never sees AUTH. Returns 0, or a negative errno to stop and close the channel. */
typedef int (*hd_chan_msg_fn)(struct hd_chan *ch, const struct hd_msg *m, void *arg);

/*
 * fd readable: read, handshake, decrypt, decode; fn for each complete message.
 * 0, or a negative errno: close the channel; *why says why ("peer closed",
 * "authentication failed", "oversized frame", a decode reason...). fn must
 * not free ch. After a call, check hd_chan_wants_write(): the handshake queues output.
 */
int hd_chan_on_readable(struct hd_chan *ch, hd_chan_msg_fn fn, void *arg, const char **why);
/* fd writable: writes queued output. 0, or a negative errno (close) with *why. */
int hd_chan_on_writable(struct hd_chan *ch, const char **why);
/*
 * Queues m (sent once the handshake completes). -ENOBUFS when the bounded
 * output queue is full, -EINVAL when m cannot be encoded or is an AUTH,
 * -EOVERFLOW when the frame counter is spent, -EPIPE after the channel failed.
 */
int hd_chan_send(struct hd_chan *ch, const struct hd_msg *m);

/* Tests only: the next frame counters, to reach the overflow. */
void hd_chan_test_set_counters(struct hd_chan *ch, uint64_t tx, uint64_t rx);

#endif
