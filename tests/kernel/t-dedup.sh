#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A localhost migration whose source hears the STOP late: for 0.6 s after
# activation it still copies each frame for the VM into the tunnel and lets
# the bridge forward it to the new vif too, so every frame reaches the
# destination twice. The datapath keeps one of each: the destination VM gets
# every frame exactly once, in order. The sender is a local socket behind a
# veth, so the bridge's copy still carries a partial checksum while the
# tunnel's was completed at capture (real Xen showed duplicates that way).
#
#   cl: c0 10.99.0.100 ── sw: sw0 ── hs: br0 10.99.0.1 = up0 + vifA ── vm: eth0
#                                                          + vifB ── vm: ethB
#        source and dest sessions both in hs, tunnel 10.99.0.1 -> itself (lo),
#        STOP messages (wire type 2) dropped on lo for 0.6 s
. "$(dirname "$0")/lib.sh"
lab_setup
tmp=$(mktemp -d)
PORT=5555
nsctl hs session add id 9 role source dev vifA mac "$VM_MAC" \
	peer 10.99.0.1:6657 tx-key "$KEY_SD" rx-key "$KEY_DS"
nsctl hs session add id 9 role dest mac "$VM_MAC" \
	peer 10.99.0.1:6657 tx-key "$KEY_DS" rx-key "$KEY_SD"
start_traffic "$tmp" $PORT
arm_at_suspend hs 9 "$BLASTER" "$LOG0"
sleep 1
ip -n hs link add vifB address "$VIF_MAC" type veth peer name ethB netns vm
ip -n vm link set ethB address "$VM_MAC"
ip -n hs link set vifB master br0 up
start_log vm ethB $PORT "$tmp/after"
LOG1=$LOG_PID
nsctl hs session attach id 9 dev vifB
sleep 0.3
ip -n hs link del vifA
sleep 0.3
# The wire header's type is the second byte of the UDP payload (IPv4, no options).
ip netns exec hs tc qdisc add dev lo clsact
ip netns exec hs tc filter add dev lo egress protocol ip u32 \
	match ip dport 6657 0xffff match u8 2 0xff at 29 action drop
vm_unpause
wait_cmp 50 != attached sess_state hs 9 dest || fail "no activation"
sleep 0.6
expect_eq "source while its STOP is dropped" "$(sess_state hs 9 source)" armed
ip netns exec hs tc qdisc del dev lo clsact
wait_cmp 50 = stopped sess_state hs 9 source || fail "the source never stopped"
nsctl hs session show
sup=$(sess_counter hs 9 dest dup_suppressed)
echo "duplicates suppressed: $sup"
[ "$sup" -ge 100 ] || fail "only $sup duplicates suppressed: the source did not copy while the bridge forwarded"
finish_traffic "$tmp"
rm -rf "$tmp"
