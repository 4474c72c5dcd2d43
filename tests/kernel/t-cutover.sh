#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The whole cutover in xl's order, checked frame by frame: the frames the
# destination VM receives are exactly those sent after arming, in order, none
# twice; together with what the source VM got before, nothing is lost. The
# source vif is deleted before the destination carrier comes on, so capture
# must not depend on it. Activation by carrier-on; the module's timestamps
# are printed for the record.
#
#   cl: c0 10.99.0.100 ──┐
#                        sw: sw0
#   hs: br0 10.99.0.1 ───┤   br0 = up0 + vifA ── vm: eth0   (before)
#   hd: br0 10.99.0.2 ───┘   br0 = up0 + vifB ── vm: ethB   (after)
#        tunnel hs:6657 <-> hd:6657 over the same segment
. "$(dirname "$0")/lib.sh"
lab_setup
tmp=$(mktemp -d)
PORT=5555

lab_sessions 1
start_traffic "$tmp" $PORT

arm_at_suspend hs 1 "$BLASTER" "$LOG0"
sleep 1

vm_restore
start_log vm ethB $PORT "$tmp/after"
LOG1=$LOG_PID
nsctl hd session attach id 1 dev vifB
sleep 0.3
ip -n hs link del vifA		# xl: source vif gone before dest carrier on
sleep 0.5
expect_eq "source still armed without its vif" "$(sess_state hs 1 source)" armed
vm_unpause
wait_cmp 50 != attached sess_state hd 1 dest || fail "no activation"
stop_traffic

nsctl hs session show id 1 role source
nsctl hd session show id 1 role dest
print_timings hs hd 1
check_split "$tmp/sent" "$tmp/before" "$tmp/after"
check_dest_held hd 1
rm -rf "$tmp"
