#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# net.handoff.* knobs: defaults readable, ranges enforced on write, the
# announce schedule parsed strictly.
#
#   +-------------+
#   | ns sc       |
#   +-------------+
. "$(dirname "$0")/lib.sh"
netns_new sc
sc() { ip netns exec sc sysctl "$@"; }

# knob min max
while read -r knob min max; do
	sc -q -w "net.handoff.$knob=$min" || fail "$knob=$min refused"
	sc -q -w "net.handoff.$knob=$max" || fail "$knob=$max refused"
	expect_fail sc -w "net.handoff.$knob=$((min - 1))"
	expect_fail sc -w "net.handoff.$knob=$((max + 1))"
	expect_fail sc -w "net.handoff.$knob=abc"
	expect_eq "$knob after bad writes" "$(sc -n "net.handoff.$knob")" "$max"
done <<'K'
port 1 65535
max_sessions 1 65536
session_timeout_ms 1000 3600000
hold_max_frames 16 1048576
hold_max_bytes 65536 1073741824
hold_max_age_ms 100 600000
marker_timeout_ms 10 60000
grace_ms 0 600000
deliver_batch 1 1024
deliver_max_pps 0 10000000
K

expect_eq "default schedule" "$(sysctl -n net.handoff.announce_ms)" "0 50 200 450 800"
# Written through /proc: sysctl(8) cannot write an empty value.
sched() { ip netns exec sc sh -c 'echo "$1" >/proc/sys/net/handoff/announce_ms' sh "$1"; }
sched "0 10 10 20"
expect_eq "schedule" "$(sc -n net.handoff.announce_ms)" "0 10 10 20"
sched ""
expect_eq "empty schedule" "$(sc -n net.handoff.announce_ms)" ""
for bad in "5 1" "0 60001" "-1" "1 2 3 4 5 6 7 8 9" "1,2" "x"; do
	expect_fail sched "$bad"
done
expect_eq "schedule after bad writes" "$(sc -n net.handoff.announce_ms)" ""
