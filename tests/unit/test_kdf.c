// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>

#include "check.h"
#include "kdf.h"

struct kin {
	uint8_t psk[32], src[HD_NONCE_LEN], dst[HD_NONCE_LEN];
	uint64_t id;
};

static void kin_init(struct kin *k)
{
	unsigned int i;

	for (i = 0; i < 32; i++) {
		k->psk[i] = (uint8_t)i;
		k->src[i] = (uint8_t)(0x40 + i);
		k->dst[i] = (uint8_t)(0x80 + i);
	}
	k->id = 0x0102030405060708ull;
}

static void keys(const struct kin *k, uint8_t s2d[32], uint8_t d2s[32])
{
	hd_tunnel_keys(k->psk, k->id, k->src, k->dst, s2d, d2s);
}

TEST(kdf_deterministic_and_directions_differ)
{
	uint8_t a1[32], b1[32], a2[32], b2[32];
	static const uint8_t zero[32];
	struct kin k;

	kin_init(&k);
	keys(&k, a1, b1);
	keys(&k, a2, b2);
	CHECK_MEM(a1, a2, 32);
	CHECK_MEM(b1, b2, 32);
	CHECK(memcmp(a1, b1, 32) != 0);
	CHECK(memcmp(a1, zero, 32) != 0);
}

/* Each input bit position class changes both keys. */
TEST(kdf_every_input_matters)
{
	uint8_t s0[32], d0[32], s[32], d[32];
	struct kin k, base;
	int which;

	kin_init(&base);
	keys(&base, s0, d0);
	for (which = 0; which < 6; which++) {
		k = base;
		switch (which) {
		case 0: k.psk[31] ^= 1; break;
		case 1: k.id ^= 1; break;
		case 2: k.id ^= 1ull << 63; break;
		case 3: k.src[0] ^= 0x80; break;
		case 4: k.dst[31] ^= 1; break;
		case 5:					/* nonces swapped: roles matter */
			memcpy(k.src, base.dst, HD_NONCE_LEN);
			memcpy(k.dst, base.src, HD_NONCE_LEN);
			break;
		}
		keys(&k, s, d);
		if (!CHECK(memcmp(s, s0, 32) != 0) || !CHECK(memcmp(d, d0, 32) != 0))
			hc_check_fail(__FILE__, __LINE__, "input %d did not change the keys", which);
		/* Swapped nonces must not just swap the directions either. */
		CHECK(memcmp(s, d0, 32) != 0);
	}
}

/* A fixed vector: both agents (and later versions) must derive exactly this. */
/*
 * s2d for the inputs of kin_init(), computed independently with Python:
 * blake2b(b"handoff tunnel key v1\0" + id.to_bytes(8, "little") + src + dst + b"s2d\0",
 *         key=psk, digest_size=32)
 */
#define KDF_S2D_VECTOR "4ad5bf61e0310e3b6c542fc5eef54d3b25c0a99a1af1dd9b1bb580248c636fa4"
TEST(kdf_known_answer)
{
	uint8_t s[32], d[32];
	struct kin k;
	char hex[65];
	unsigned int i;

	kin_init(&k);
	keys(&k, s, d);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", s[i]);
	CHECK_STR(hex, KDF_S2D_VECTOR);
}
