/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Sliding replay window over 64-bit counters, as in RFC 6479 but with a
 * plain bitmap: accepts each counter at most once, refuses counters more
 * than HANDOFF_REPLAY_WINDOW behind the newest seen. Pure logic, no locking:
 * the caller serialises. Compiled in the kernel and in the unit tests.
 */
#ifndef _HANDOFF_REPLAY_H
#define _HANDOFF_REPLAY_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#else
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
typedef uint64_t u64;
#endif

#define HANDOFF_REPLAY_WORDS 32
#define HANDOFF_REPLAY_WINDOW (HANDOFF_REPLAY_WORDS * 64 - 64)

struct handoff_replay {
	u64 newest;		/* highest counter accepted, +1; 0: none yet */
	u64 bits[HANDOFF_REPLAY_WORDS];
};

static inline void handoff_replay_init(struct handoff_replay *r)
{
	memset(r, 0, sizeof(*r));
}

/* Returns true and records @ctr if it was not seen and is inside the window. */
static inline bool handoff_replay_check(struct handoff_replay *r, u64 ctr)
{
	u64 word = ctr / 64, top, i;

	if (ctr == ~0ULL)
		return false;
	if (ctr + 1 > r->newest) {
		/* Moving forward: clear the words that slide into view. */
		top = r->newest ? (r->newest - 1) / 64 : 0;
		if (!r->newest || word - top >= HANDOFF_REPLAY_WORDS)
			memset(r->bits, 0, sizeof(r->bits));
		else
			for (i = top + 1; i <= word; i++)
				r->bits[i % HANDOFF_REPLAY_WORDS] = 0;
		r->newest = ctr + 1;
	} else if (r->newest - 1 - ctr > HANDOFF_REPLAY_WINDOW) {
		return false;
	}
	if (r->bits[word % HANDOFF_REPLAY_WORDS] & (1ULL << (ctr % 64)))
		return false;
	r->bits[word % HANDOFF_REPLAY_WORDS] |= 1ULL << (ctr % 64);
	return true;
}

#endif /* _HANDOFF_REPLAY_H */
