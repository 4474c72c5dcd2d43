#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A localhost migration: both halves of the session in one host, the source
# vif and the destination vif on the same bridge, the tunnel to this host
# itself. Checked frame by frame as in t-cutover.sh, with the traffic going
# on until both sessions ended: the bridge feeds the stopped source every
# frame for the VM until its grace is over, so the destination must outlive
# it (it waits for the source's DONE) or those frames are lost.
#
#   cl: c0 10.99.0.100 ── sw: sw0 ── hs: br0 10.99.0.1 = up0 + vifA ── vm: eth0
#                                                          + vifB ── vm: ethB
#        source and dest sessions both in hs, tunnel 10.99.0.1 -> 10.99.0.1
. "$(dirname "$0")/lib.sh"
lab_setup
ip netns exec hs sysctl -q -w net.handoff.grace_ms=1000
tmp=$(mktemp -d)
PORT=5555
localhost_sessions 7
start_traffic "$tmp" $PORT
arm_at_suspend hs 7 "$BLASTER" "$LOG0"
sleep 1
localhost_move 7 "$tmp/after" $PORT
vm_unpause
wait_cmp 50 != attached sess_state hs 7 dest || fail "no activation"
wait_cmp 100 = done sess_state hs 7 source || fail "source not done"
wait_cmp 100 = done sess_state hs 7 dest || fail "destination not done"
nsctl hs session show
ended() {
	nsctl hs -j session show id 7 role "$1" |
		jget '(d[0] if isinstance(d, list) else d)["times"]["ended"]'
}
src_end=$(ended source) dst_end=$(ended dest)
echo "destination ended $(((dst_end - src_end) / 1000)) us after the source"
[ "$dst_end" -ge "$src_end" ] || fail "the destination ended before the source's forwarding"
finish_traffic "$tmp"
rm -rf "$tmp"
