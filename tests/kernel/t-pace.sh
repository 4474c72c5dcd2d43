#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# net.handoff.deliver_max_pps: 1000 held frames delivered at most 400/s, with
# a burst of one batch (64): the first 65 go at once, then one per 2.5 ms, so
# first to last takes at least (1000 - 65) / 400 = 2.3 s; and they arrive
# exactly: all, in order, once. A lower bound only: a slow machine makes it
# longer, never shorter.
#
#   cl ── sw ──┬── hs: br0 = up0 + vifA ── vm: eth0
#              └── hd: br0 = up0 + vifB ── vm: ethB
. "$(dirname "$0")/lib.sh"
lab_setup
tmp=$(mktemp -d)
ip netns exec hd sysctl -q -w net.handoff.deliver_max_pps=400
ip netns exec hd sysctl -q -w net.handoff.deliver_batch=64
lab_sessions 1
nsctl hs session arm id 1
vm_suspend
start_blast "$tmp/sent" "$VM_IP" 5555 500
b=$BLAST_PID
sleep 2
kill $b
wait $b
cutover_xl 1 "$tmp/after"
l=$LOG_PID
sent=$(cat "$tmp/sent")
wait_cmp 200 -ge "$sent" sess_counter hd 1 dest delivered ||
	fail "delivered only $(sess_counter hd 1 dest delivered)"
sleep 1
kill $l
wait $l || true
print_timings hs hd 1
span=$(nsctl hd -j session show id 1 role dest |
	jget '(lambda t: (t["last_delivered"] - t["first_delivered"]) // 1000000)((d[0] if isinstance(d, list) else d)["times"])')
min=$(( (sent - 65) * 1000 / 400 ))
echo "sent $sent, first->last delivered $span ms, pace allows $min ms at least"
[ "$span" -ge "$min" ] || fail "delivered in $span ms: faster than 400/s"
check_exact "$tmp/sent" "$tmp/after" 1
rm -rf "$tmp"
