// SPDX-License-Identifier: GPL-2.0
/* The tunnel's replay window (kmod/replay.h), compiled in userspace. */
#include "check.h"
#include "../../kmod/replay.h"

TEST(replay_accepts_each_counter_once)
{
	struct handoff_replay r;

	handoff_replay_init(&r);
	CHECK(handoff_replay_check(&r, 0));
	CHECK(!handoff_replay_check(&r, 0));
	CHECK(handoff_replay_check(&r, 1));
	CHECK(handoff_replay_check(&r, 5));
	CHECK(handoff_replay_check(&r, 3));	/* late but new */
	CHECK(!handoff_replay_check(&r, 3));
	CHECK(!handoff_replay_check(&r, 5));
	CHECK(handoff_replay_check(&r, 4));
}

TEST(replay_window_edges)
{
	struct handoff_replay r;
	u64 top = 100000;

	handoff_replay_init(&r);
	CHECK(handoff_replay_check(&r, top));
	CHECK(handoff_replay_check(&r, top - HANDOFF_REPLAY_WINDOW));
	CHECK(!handoff_replay_check(&r, top - HANDOFF_REPLAY_WINDOW - 1));
	CHECK(!handoff_replay_check(&r, 0));
	CHECK(!handoff_replay_check(&r, ~0ULL));
}

TEST(replay_big_jump_clears_window)
{
	struct handoff_replay r;
	u64 i;

	handoff_replay_init(&r);
	for (i = 1; i <= 300; i++)
		CHECK(handoff_replay_check(&r, i));
	CHECK(handoff_replay_check(&r, 1000000));
	/* Slots reused by the jump must not remember old counters. */
	CHECK(handoff_replay_check(&r, 1000000 - 64));
	CHECK(handoff_replay_check(&r, 1000000 - 1));
	CHECK(!handoff_replay_check(&r, 300));
}

TEST(replay_sliding_forward_word_by_word)
{
	struct handoff_replay r;
	u64 i;

	handoff_replay_init(&r);
	/* Every counter in order, then each again: all refused. */
	for (i = 0; i < 5000; i++)
		CHECK(handoff_replay_check(&r, i));
	for (i = 5000 - HANDOFF_REPLAY_WINDOW; i < 5000; i++)
		if (!CHECK(!handoff_replay_check(&r, i)))
			break;
	/* Odd counters first, then even ones: all accepted once. */
	handoff_replay_init(&r);
	for (i = 1; i < 1000; i += 2)
		CHECK(handoff_replay_check(&r, i));
	for (i = 0; i < 1000; i += 2)
		if (!CHECK(handoff_replay_check(&r, i)))
			break;
}
