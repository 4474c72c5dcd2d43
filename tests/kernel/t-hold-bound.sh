#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The hold is bounded: past net.handoff.hold_max_frames the newest arrivals
# are dropped and counted (drop_overflow), the oldest are kept and delivered
# in order. The byte bound likewise.
#
#   cl ── sw ──┬── hs: br0 = up0 + vifA ── vm: eth0
#              └── hd: br0 = up0 + vifB ── vm: ethB
. "$(dirname "$0")/lib.sh"
lab_setup
ip netns exec hd sysctl -q -w net.handoff.hold_max_frames=16
tmp=$(mktemp -d)
lab_sessions 1
nsctl hs session arm id 1
vm_suspend
start_blast "$tmp/sent" "$VM_IP" 5555 200
b=$BLAST_PID
sleep 1
kill $b
wait $b
sleep 0.5
cutover_xl 1 "$tmp/after"
l=$LOG_PID
sleep 1
kill $l
wait $l || true
sent=$(cat "$tmp/sent")
over=$(sess_counter hd 1 dest drop_overflow)
# What was held is the oldest of the blast, in order: 1..m, where m is 16
# less what other copied frames (the hosts' broadcast ARP) took of the bound.
m=$(wc -l <"$tmp/after")
[[ $m -ge 12 && $m -le 16 ]] || fail "$m frames of the blast held, want 12..16"
echo "$m" >"$tmp/m"
check_exact "$tmp/m" "$tmp/after" 1
[[ $over -ge $((sent - m)) ]] || fail "drop_overflow $over < $((sent - m))"

# The byte bound: 64 KiB of 1000-byte frames holds 65 of them. Other
# frames copied meanwhile (a host's broadcast ARP, 60 bytes) fit in the 536
# bytes left over, so the counter may pass 65 but the blast's share may not.
lab_again
ip netns exec hd sysctl -q -w net.handoff.hold_max_bytes=65536
lab_sessions 2
nsctl hs session arm id 2
vm_suspend
start_blast "$tmp/blast" "$VM_IP" 5555 400 958
b=$BLAST_PID
sleep 1
kill $b
wait $b
sleep 0.5
held=$(sess_counter hd 2 dest held)
over=$(sess_counter hd 2 dest drop_overflow)
cutover_xl 2 "$tmp/after2"
l=$LOG_PID
sleep 1
kill $l
wait $l || true
n=$(wc -l <"$tmp/after2")
echo "1000-byte frames: held $held ($n of the blast), dropped $over"
expect_eq "blast frames held at 64 KiB" "$n" 65
echo 65 >"$tmp/m"
check_exact "$tmp/m" "$tmp/after2" 1
[[ $held -ge 65 && $held -le $((65 + 536 / 60)) ]] ||
	fail "held $held: 65 blast frames and at most 536 bytes of others"
[[ $over -gt 0 ]] || fail "no overflow counted"
rm -rf "$tmp"
