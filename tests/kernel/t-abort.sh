#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A migration that fails: abort on the source travels to the destination,
# which drops what it held and delivers nothing; the source keeps delivering
# to its own vif, so the resumed guest loses nothing. Then an abort after
# activation: the destination had announced, so the source announces the VM
# again. And the destination vif removed mid-session: the session detaches,
# keeps its frames, and delivers them on the next vif.
#
#   cl ── sw ──┬── hs: br0 = up0 + vifA ── vm: eth0
#              └── hd: br0 = up0 + vifB ── vm: ethB
. "$(dirname "$0")/lib.sh"
lab_setup
tmp=$(mktemp -d)

# 1. Abort before activation, by command on the source.
lab_sessions 1
nsctl hs session arm id 1
start_blast "$tmp/blast" "$VM_IP" 5555 200
b=$BLAST_PID
sleep 1
vm_restore
nsctl hd session attach id 1 dev vifB
wait_cmp 100 -gt 50 sess_counter hd 1 dest held || fail "nothing held"
nsctl hs session abort id 1 role source
wait_cmp 30 = aborted sess_state hd 1 dest || fail "dest not aborted: $(sess_state hd 1 dest)"
expect_eq "source" "$(sess_state hs 1 source)" aborted
ip -n vm link set ethB up	# carrier on: must not deliver anything now
sleep 0.5
expect_eq "delivered after abort" "$(sess_counter hd 1 dest delivered)" 0
c0=$(sess_counter hs 1 source captured)
sleep 0.5
expect_eq "source copies after abort" "$(sess_counter hs 1 source captured)" "$c0"
kill $b
nsctl hs session del id 1 role source
nsctl hd session del id 1 role dest
ip -n hd link del vifB

# 2. Abort after activation: the source re-announces.
lab_sessions 2
nsctl hs session arm id 2
vm_restore
nsctl hd session attach id 2 dev vifB
ip -n vm link set ethB up
wait_cmp 50 != attached sess_state hd 2 dest || fail "no activation"
wait_cmp 30 -gt 0 sess_counter hd 2 dest announces || fail "dest did not announce"
nsctl hd session abort id 2 role dest
wait_cmp 30 = aborted sess_state hs 2 source || fail "source not aborted"
wait_cmp 30 -gt 0 sess_counter hs 2 source announces || fail "source did not re-announce"
nsctl hs session del id 2 role source
nsctl hd session del id 2 role dest
ip -n hd link del vifB

# 3. The destination vif goes away while frames are held, a new one comes.
lab_sessions 3
nsctl hs session arm id 3
vm_suspend
start_blast "$tmp/sent" "$VM_IP" 5555 200
b=$BLAST_PID
vm_restore
nsctl hd session attach id 3 dev vifB
sleep 1
ip -n hd link del vifB
wait_cmp 20 = new sess_state hd 3 dest || fail "not detached: $(sess_state hd 3 dest)"
vm_restore
start_log vm ethB 5555 "$tmp/after"
l=$LOG_PID
nsctl hd session attach id 3 dev vifB
ip -n hs link del vifA
vm_unpause
wait_cmp 50 != attached sess_state hd 3 dest || fail "no activation"
sleep 1.5
kill $b
wait $b
sleep 1
kill $l
wait $l || true
nsctl hs session show id 3 role source
nsctl hd session show id 3 role dest
check_exact "$tmp/sent" "$tmp/after" 1
rm -rf "$tmp"
