/* SPDX-License-Identifier: GPL-2.0 */
/* Tunnel keys derived on both hosts, so they never travel. Needs libsodium. */
#ifndef HD_KDF_H
#define HD_KDF_H

#include <stdint.h>

#define HD_NONCE_LEN 32
#define HD_PSK_LEN 32

/*
 * Per-session, per-direction kernel tunnel keys from the pre-shared key and
 * both agents' fresh nonces: s2d encrypts source to destination, d2s back.
 * Both agents compute the same pair; a new nonce on either side gives new keys.
 */
void hd_tunnel_keys(const uint8_t psk[32], uint64_t session_id, const uint8_t src_nonce[HD_NONCE_LEN],
		    const uint8_t dst_nonce[HD_NONCE_LEN], uint8_t s2d[32], uint8_t d2s[32]);

#endif
