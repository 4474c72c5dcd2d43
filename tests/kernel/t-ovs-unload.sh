#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Open vSwitch port hooks come and go safely with traffic flowing: a port
# added to and removed from the datapath under an armed session, module
# unload with the session armed, the datapath deleted under a session
# (ovs-vsctl del-br), and the namespace deleted with a session present. No
# kernel warning (run.sh), devices released, the module loads again.
#
#   cl: c0 ── sw: sw0 ── hs: OVS br0 = up0 + vifA ── vm: eth0
#                                    + up1 ── c2 (added, then removed)
#                                    + vifC (second round)
. "$(dirname "$0")/lib.sh"
LAB_OVS=hs
lab_setup
tmp=$(mktemp -d)

lab_sessions 1
nsctl hs session arm id 1
vm_suspend
start_blast "$tmp/sent" "$VM_IP" 5555 300
blaster=$BLAST_PID
ip netns exec hs ping -q -i 0.01 -c 300 "$VM_IP" >/dev/null 2>&1 &
pinger=$!

netns_new c2
ip -n hs link add up1 type veth peer name c2 netns c2
sw_attach hs up1
sleep 0.5
ovsctl hs del-port br0 up1
ip -n hs link del up1
sleep 0.5
captured=$(sess_counter hs 1 source captured)
[[ $captured -gt 0 ]] || fail "nothing captured before the unload"

rmmod handoff || fail "rmmod refused with an armed OVS session"
[[ ! -e /sys/module/handoff ]] || fail "module still present"
ip -n hs link del vifA || fail "vifA not released"
modprobe handoff

# Second round: the datapath goes away under a source session.
ip -n hs link add vifC type veth peer name ethC netns vm
sw_attach hs vifC
nsctl hs session add id 2 role source dev vifC mac "$VM_MAC" \
	peer 10.99.0.2:6657 tx-key "$KEY_SD" rx-key "$KEY_DS"
nsctl hs session arm id 2
sleep 0.5
ovsctl hs del-br br0
sleep 0.5
expect_eq "session 2 after del-br" "$(sess_state hs 2 source)" armed
kill "$blaster" "$pinger" 2>/dev/null || true
wait "$blaster" "$pinger" 2>/dev/null || true

# And the namespace goes with the session in it (OVS stopped first: its
# datapath is destroyed with the namespace).
ovs_stop_all
ip netns del hs
sleep 1
# (the unload took hd's session too) the module still answers elsewhere
expect_eq "sessions in hd" "$(nsctl hd -j session show | jget 'len(d)')" 0
rm -rf "$tmp"
