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
lab_up
lab_keys
ip -n cl neigh replace "$VM_IP" lladdr "$VM_MAC" nud permanent dev c0
tmp=$(mktemp -d)
PORT=5555

start_log vm eth0 $PORT "$tmp/before"
log0=$LOG_PID
lab_sessions 1
start_blast "$tmp/sent" "$VM_IP" $PORT 500
blaster=$BLAST_PID
sleep 1

# Arm exactly at the suspend: traffic is paused around the two steps, so the
# suspend boundary (DESIGN.md, "The suspend boundary") is empty here.
kill -STOP $blaster
sleep 0.3
# The tap sees frames before tc drops them: stop logging at the suspend.
kill $log0
wait $log0 || true
nsctl hs session arm id 1
vm_suspend
kill -CONT $blaster
sleep 1

vm_restore
start_log vm ethB $PORT "$tmp/after"
log1=$LOG_PID
nsctl hd session attach id 1 dev vifB
sleep 0.3
ip -n hs link del vifA		# xl: source vif gone before dest carrier on
sleep 0.5
expect_eq "source still armed without its vif" "$(sess_state hs 1 source)" armed
vm_unpause
wait_for 50 test "$(sess_state hd 1 dest)" != attached || fail "no activation"
sleep 2
kill $blaster
wait $blaster
sleep 1
kill $log1 2>/dev/null || true
wait $log1 2>/dev/null || true

nsctl hs session show id 1 role source
nsctl hd session show id 1 role dest
print_timings hs hd 1
$PY - "$tmp" <<'PY'
import sys
d = sys.argv[1]
sent = int(open(f"{d}/sent").read())
before = [int(x) for x in open(f"{d}/before").read().split()]
after = [int(x) for x in open(f"{d}/after").read().split()]
print(f"sent {sent}, source VM got {len(before)}, destination VM got {len(after)}")
assert before == list(range(1, len(before) + 1)), "source VM: not 1..k in order"
k = len(before)
want = list(range(k + 1, sent + 1))
missing = sorted(set(want) - set(after))
dups = len(after) - len(set(after))
reord = sum(1 for a, b in zip(after, after[1:]) if b < a)
print(f"destination: missing {len(missing)} {missing[:10]}, duplicated {dups}, reordered {reord}")
for i, (a, b) in enumerate(zip(after, after[1:])):
    if b <= a:
        print(f"  out of order at index {i}: {after[max(0, i - 4):i + 6]}")
assert after == want, "destination VM did not get exactly k+1..N in order"
PY
held=$(sess_counter hd 1 dest held)
[[ $held -gt 100 ]] || fail "only $held frames were held: the pause was not covered"
for c in drop_auth drop_replay drop_overflow drop_malformed; do
	expect_eq "dest $c" "$(sess_counter hd 1 dest $c)" 0
done
rm -rf "$tmp"
