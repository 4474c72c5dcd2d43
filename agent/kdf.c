// SPDX-License-Identifier: GPL-2.0
#include "kdf.h"

#include <sodium.h>

/*
 * BLAKE2b keyed with the PSK over a label naming the purpose, the session id,
 * both nonces in a fixed (source, destination) order and the direction: each
 * input is fixed-length, so the concatenation is unambiguous.
 */
static void derive(const uint8_t psk[HD_PSK_LEN], const uint8_t le_id[8], const uint8_t *src,
		   const uint8_t *dst, const char dir[4], uint8_t out[32])
{
	static const char label[] = "handoff tunnel key v1";
	crypto_generichash_state st;

	crypto_generichash_init(&st, psk, HD_PSK_LEN, 32);
	crypto_generichash_update(&st, (const unsigned char *)label, sizeof(label));
	crypto_generichash_update(&st, le_id, 8);
	crypto_generichash_update(&st, src, HD_NONCE_LEN);
	crypto_generichash_update(&st, dst, HD_NONCE_LEN);
	crypto_generichash_update(&st, (const unsigned char *)dir, 4);
	crypto_generichash_final(&st, out, 32);
	sodium_memzero(&st, sizeof(st));
}

void hd_tunnel_keys(const uint8_t psk[32], uint64_t session_id, const uint8_t src_nonce[HD_NONCE_LEN],
		    const uint8_t dst_nonce[HD_NONCE_LEN], uint8_t s2d[32], uint8_t d2s[32])
{
	uint8_t id[8];
	int i;

	for (i = 0; i < 8; i++)
		id[i] = (uint8_t)(session_id >> (8 * i));
	derive(psk, id, src_nonce, dst_nonce, "s2d", s2d);
	derive(psk, id, src_nonce, dst_nonce, "d2s", d2s);
}
