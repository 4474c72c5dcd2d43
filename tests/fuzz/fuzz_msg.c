// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: hd_msg_decode on arbitrary bytes. The encoding is canonical, so
 * whatever it accepts must encode back to exactly the input, and that must
 * decode and encode again to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t b1[HD_MSG_MAX], b2[HD_MSG_MAX];
	struct hd_msg m, m2;
	const char *why = NULL;
	size_t l1, l2;

	if (hd_msg_decode(&m, data, size, &why)) {
		if (!why)
			abort();	/* a rejection always says why */
		return 0;
	}
	if (hd_msg_encode(&m, b1, sizeof(b1), &l1))
		abort();		/* accepted but not encodable */
	if (l1 != size || memcmp(b1, data, size))
		abort();		/* decoding lost or invented something */
	if (hd_msg_decode(&m2, b1, l1, &why))
		abort();		/* our own encoding refused */
	if (hd_msg_encode(&m2, b2, sizeof(b2), &l2) || l2 != l1 || memcmp(b1, b2, l1))
		abort();		/* not a round trip */
	return 0;
}
