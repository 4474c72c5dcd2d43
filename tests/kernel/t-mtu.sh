#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Full-size frames (1514 bytes) over a 1500-byte underlay: with the tunnel's
# headers every copy exceeds the MTU, so it must be fragmented, never dropped.
#
#   cl ── sw (MTU 1500 everywhere) ──┬── hs: br0 = up0 + vifA ── vm: eth0
#                                    └── hd: br0 = up0 + vifB ── vm: ethB
. "$(dirname "$0")/lib.sh"
lab_setup
expect_eq "underlay MTU" "$(ip -n hs -j link show up0 | jget 'd[0]["mtu"]')" 1500
tmp=$(mktemp -d)
lab_sessions 1
nsctl hs session arm id 1
vm_suspend
start_blast "$tmp/sent" "$VM_IP" 5555 300 1472
b=$BLAST_PID
sleep 1
kill $b
wait $b
cutover_xl 1 "$tmp/after"
l=$LOG_PID
sleep 1
kill $l
wait $l || true
frags=$(ip netns exec hd nstat -az IpReasmOKs | awk '/IpReasmOKs/ {print $2}')
echo "reassembled at the destination host: $frags"
[[ $frags -ge $(cat "$tmp/sent") ]] || fail "copies were not fragmented"
check_exact "$tmp/sent" "$tmp/after" 1
rm -rf "$tmp"
