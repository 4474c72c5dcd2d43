#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A diverting source (flag divert): armed while traffic flows and the VM
# still runs, it no longer delivers the VM's unicast to the source vif, so
# nothing the VM received before its suspend reaches it again afterwards.
# The split is exact WITHOUT pausing the sender at the arm point (t-cutover
# pauses it: a copying source duplicates what the VM consumes between arming
# and its suspend). If the migration does not complete, the kept frames go
# to the source vif, in order, before live traffic: on abort and on delete.
#
#   cl: c0 10.99.0.100 ──┐
#                        sw: sw0
#   hs: br0 10.99.0.1 ───┤   br0 = up0 + vifA ── vm: eth0   (before)
#   hd: br0 10.99.0.2 ───┘   br0 = up0 + vifB ── vm: ethB   (after)
. "$(dirname "$0")/lib.sh"
lab_setup
tmp=$(mktemp -d)
PORT=5555

divert_sessions() {	# ID
	nsctl hs session add id "$1" role source dev vifA mac "$VM_MAC" \
		peer 10.99.0.2:6657 tx-key "$KEY_SD" rx-key "$KEY_DS" divert
	nsctl hd session add id "$1" role dest mac "$VM_MAC" \
		peer 10.99.0.1:6657 tx-key "$KEY_DS" rx-key "$KEY_SD"
}

# A destination cannot divert.
err=$(nsctl hd session add id 9 role dest mac "$VM_MAC" peer 10.99.0.1:6657 \
	tx-key "$KEY_DS" rx-key "$KEY_SD" divert 2>&1) &&
	fail "a diverting destination session was accepted"
[[ $err == *"Divert applies to a source session"* ]] || fail "error: $err"

# 1. The cutover: armed mid-stream, the VM running on for 0.5 s.
divert_sessions 1
expect_eq "flags" "$(nsctl hs -j session show id 1 role source | jget "(d[0] if isinstance(d, list) else d)['flags']")" "['divert']"
start_traffic "$tmp" $PORT
nsctl hs session arm id 1
sleep 0.5
kill "$LOG0"
wait "$LOG0" || true
vm_suspend
sleep 0.5
cutover_xl 1 "$tmp/after"
LOG1=$LOG_PID
stop_traffic
check_split "$tmp/sent" "$tmp/before" "$tmp/after"
div=$(sess_counter hs 1 source diverted)
echo "diverted $div"
[[ $div -gt 100 ]] || fail "diverted $div: the half second the VM ran on was not diverted"
expect_eq "redelivered" "$(sess_counter hs 1 source redelivered)" 0

# 2. Abort, and 3. delete, with frames diverted: all of them reach the source
# VM, once and in order, before and among the live ones.
for how in abort del; do
	lab_again
	mkdir "$tmp/$how"
	divert_sessions 2
	start_traffic "$tmp/$how" $PORT
	nsctl hs session arm id 2
	sleep 1
	if [[ $how == abort ]]; then
		nsctl hs session abort id 2 role source
		sleep 0.5
		# Every kept frame given back, those kept while giving back too.
		div=$(sess_counter hs 2 source diverted)
		expect_eq "redelivered after abort" \
			"$(sess_counter hs 2 source redelivered)" "$div"
	else
		div=$(sess_counter hs 2 source diverted)
		nsctl hs session del id 2 role source
	fi
	sleep 0.5
	kill "$BLASTER"
	wait "$BLASTER"
	sleep 1
	kill "$LOG0"
	wait "$LOG0" || true
	echo "$how: diverted $div"
	[[ $div -gt 100 ]] || fail "$how: diverted $div"
	check_exact "$tmp/$how/sent" "$tmp/$how/before" 1
done
rm -rf "$tmp"
