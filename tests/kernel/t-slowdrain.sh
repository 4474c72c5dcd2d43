#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A 5 s hold at 1000 frames/s is delivered into a receiver that drains slowly
# and drops silently when full, as netback does: a veth whose peer runs NAPI
# (GRO on) has a 256-slot ring and drops what overflows it while returning
# NETDEV_TX_OK. Paced delivery loses nothing: every frame arrives, in order,
# and the vif's tx_dropped stays 0.
#
#   cl ── sw ──┬── hs: br0 = up0 + vifA ── vm: eth0
#              └── hd: br0 = up0 + vifB ── vm: ethB (GRO on: NAPI ring)
. "$(dirname "$0")/lib.sh"
lab_setup
tmp=$(mktemp -d)
lab_sessions 1
nsctl hs session arm id 1
vm_suspend
start_blast "$tmp/sent" "$VM_IP" 5555 1000
b=$BLAST_PID
sleep 5
kill $b
wait $b
vm_restore
ip netns exec vm ethtool -K ethB gro on >/dev/null
start_log vm ethB 5555 "$tmp/after"
l=$LOG_PID
nsctl hd session attach id 1 dev vifB
ip -n hs link del vifA
vm_unpause
wait_cmp 50 != attached sess_state hd 1 dest || fail "no activation"
wait_cmp 100 -ge "$(cat "$tmp/sent")" sess_counter hd 1 dest delivered ||
	fail "delivered only $(sess_counter hd 1 dest delivered)"
sleep 1
kill $l
wait $l || true
drops=$(ip -n hd -j -s link show vifB | jget 'd[0]["stats64"]["tx"]["dropped"]')
echo "held $(sess_counter hd 1 dest held), vifB tx_dropped $drops"
expect_eq "vifB tx_dropped" "$drops" 0
check_exact "$tmp/sent" "$tmp/after" 1
rm -rf "$tmp"
