#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Two handoffd agents, one per host, each with a scripted Xen (the fake
# backend: xenstore and domain events written by this script as xl would
# cause them), drive the module through real migrations:
#   1. xl's order through the handoff-migrate wrapper (XL is a stand-in that
#      plays the memory-copy phases): the agents set the sessions up, arm at
#      the suspend request, find the incoming domain by uuid and its vif
#      through xenstore, attach; the module cuts over; frame-exact check;
#      both agents then delete the ended sessions.
#   2. the migration fails (the source domain resumes): both halves abort.
#   3. the destination agent is killed after arming and restarted before the
#      incoming domain appears: it takes its session over from its record
#      and the cutover is still frame-exact.
#   4. libvirt's order: the hook runs on the destination only; its agent
#      asks the peers (WANT) and the source's agent offers the VM.
#
#   cl: c0 10.99.0.100 ──┐
#                        sw: sw0
#   hs: br0 10.99.0.1 ───┤   br0 = up0 + vifA ── vm: eth0   (domain 3, before)
#   hd: br0 10.99.0.2 ───┘   br0 = up0 + vifB ── vm: ethB   (domain 5, after)
#   handoffd hs (fake Xen hs.ctl) <── TCP 10.99.0.1 <-> 10.99.0.2:6658 ──> handoffd hd (hd.ctl)
#        tunnel hs:6657 <-> hd:6657 over the same segment
. "$(dirname "$0")/lib.sh"
MIGRATE=$TOP/agent/hooks/handoff-migrate
UUID=0b8f3a52-5c1e-4b7a-9d2e-3f4a5b6c7d8e
PORT=5555
tmp=$(mktemp -d)
AGENT_DIR=$tmp
. "$(dirname "$0")/agents.sh"
on_exit() {
	local rc=$?
	stop_agents
	[[ $rc -eq 0 ]] || agent_logs
	netns_cleanup
}
trap on_exit EXIT

# The session id the source agent chose: the only source session of hs.
src_id() {
	nsctl hs -j session show | jget '[s["id"] for s in d if s["role"] == "source"][0]'
}

fresh_lab() {
	stop_agents
	netns_cleanup
	NETNS=()
	lab_setup
	ip netns exec hs sysctl -qw net.handoff.grace_ms=300
	start_agents
	xen hs "domain new 3 $UUID vm" "vif 3 0 $VM_MAC vifA" "domain unpause 3"
}


# The suspend request: the agent arms (its watch); then the guest stops.
# The blaster is held while this happens, so the boundary is exact.
suspend_guest() {
	kill -STOP "$BLASTER"
	sleep 0.3
	kill "$LOG0"
	wait "$LOG0" || true
	xen hs "write /local/domain/3/control/shutdown suspend"
	wait_cmp 50 = armed state_of hs source || fail "the source agent did not arm"
	vm_suspend
	kill -CONT "$BLASTER"
	xen hs "write /local/domain/3/control/shutdown" "domain shutdown 3 suspend"
}

# The destination domain is restored with its vif (carrier off); the agent
# must attach by itself.
restore_dest() {
	vm_restore
	start_log vm ethB $PORT "$tmp/after"
	LOG1=$LOG_PID
	xen hd "domain new 5 $UUID vm--incoming" "vif 5 0 $VM_MAC vifB"
	wait_cmp 50 = attached state_of hd dest ||
		{ cat "$tmp/hd.log"; fail "the destination agent did not attach"; }
}

# xl's order from the restore on: the destination agent attaches, the
# source vif and domain go, the guest runs there; the agent logs the cutover.
cutover() {
	restore_dest
	ip -n hs link del vifA
	xen hs "domain destroy 3"
	vm_unpause
	wait_for 100 grep -q "cutover vm vm vif vifB session ${1#0x}" "$tmp/hd.log" ||
		fail "no cutover logged"
}


echo "  1. xl's order through handoff-migrate"
fresh_lab
start_traffic "$tmp" $PORT
# A stand-in for `xl migrate`: plays the phases when the wrapper runs it.
cat >"$tmp/xl" <<-EOF
	#!/bin/sh
	echo "\$@" >"$tmp/xl.args"
	touch "$tmp/xl.started"
	while [ ! -e "$tmp/xl.done" ]; do sleep 0.1; done
	exit \$(cat "$tmp/xl.done")
EOF
chmod +x "$tmp/xl"
ip netns exec hs env XL="$tmp/xl" HANDOFFCTL="$HANDOFFCTL" HANDOFFD_SOCKET="$tmp/hs.sock" \
	"$MIGRATE" --peer 10.99.0.2 vm hd-host >"$tmp/migrate.out" 2>&1 &
migrate=$!
wait_for 100 test -e "$tmp/xl.started" || { cat "$tmp/migrate.out"; fail "the wrapper did not run xl"; }
expect_eq "xl's arguments" "$(cat "$tmp/xl.args")" "migrate vm hd-host"
expect_eq "source session" "$(state_of hs source)" new
expect_eq "destination session" "$(state_of hd dest)" new
id=$(src_id)
hctl hs status
expect_eq "agent status" "$(hctl hs -j status | jget 'd["migrations"][0]["state"]')" ready
suspend_guest
cutover "$id"
echo 0 >"$tmp/xl.done"
wait "$migrate" || { cat "$tmp/migrate.out"; fail "handoff-migrate failed"; }
finish_traffic "$tmp"
# The agents delete what the module ended (the destination stays grace_ms,
# 5 s, for what the source forwards), then forget the migration.
wait_cmp 300 = 0 nsessions hs || fail "source session left behind"
wait_cmp 300 = 0 nsessions hd || fail "destination session left behind"
wait_cmp 50 = 0 nmigrations hd ||
	fail "the destination agent kept its record"
grep "cutover vm" "$tmp/hd.log" | sed 's/^/    /'

echo "  2. the migration fails: the source resumes"
fresh_lab
hctl hs migrate-begin vm 10.99.0.2 >/dev/null
xen hs "write /local/domain/3/control/shutdown suspend"
wait_cmp 50 = armed state_of hs source || fail "the source agent did not arm"
xen hs "write /local/domain/3/control/shutdown" "domain shutdown 3 suspend" "domain resume 3"
wait_cmp 50 = 0 nsessions hs || fail "the source agent did not abort"
wait_cmp 50 = 0 nsessions hd || fail "the destination did not abort"
grep -q "aborting: the source domain resumed" "$tmp/hs.log" || fail "no abort logged"

echo "  3. the destination agent restarts mid-migration"
fresh_lab
start_traffic "$tmp" $PORT
hctl hs migrate-begin vm 10.99.0.2 >/dev/null
id=$(src_id)
suspend_guest
kill -9 "$PID_hd"
wait "$PID_hd" 2>/dev/null || true
agent hd 10.99.0.2 10.99.0.1
wait_for 50 grep -q "took over 1 session" "$tmp/hd.log" || { cat "$tmp/hd.log"; fail "no takeover"; }
cutover "$id"
finish_traffic "$tmp"
wait_cmp 300 = 0 nsessions hd || fail "destination session left behind"

echo "  4. libvirt: the destination's hook pulls the offer"
fresh_lab
printf '<domain type="xen">\n  <name>vm</name>\n  <uuid>%s</uuid>\n</domain>\n' "$UUID" |
	ip netns exec hd env HANDOFFCTL="$HANDOFFCTL" HANDOFFD_SOCKET="$tmp/hd.sock" \
	"$TOP/agent/hooks/libvirt-libxl" vm migrate begin - >"$tmp/hook.out" 2>"$tmp/hook.err" ||
	{ cat "$tmp/hook.err"; fail "the libvirt hook failed"; }
expect_eq "libvirt hook output (the XML stays as it is)" "$(cat "$tmp/hook.out")" ""
expect_eq "source session" "$(state_of hs source)" new
expect_eq "destination session" "$(state_of hd dest)" new
grep -q "a peer wants vm $UUID (domain 3): offering" "$tmp/hs.log" || fail "no offer on WANT"
expect_fail hctl hd migrate-expect not-a-uuid
hctl hs migrate-end vm failed
wait_cmp 50 = 0 nsessions hs || fail "the source agent did not abort"
wait_cmp 50 = 0 nsessions hd || fail "the destination did not abort"

# Bad input on the control socket and from strangers never hurts the agents.
expect_fail hctl hs migrate-begin vm 10.99.0.77
expect_fail hctl hs migrate-begin nosuchvm 10.99.0.2
ip netns exec cl $PY - <<'PY'
import socket
s = socket.create_connection(("10.99.0.1", 6658), timeout=5)
try:
    s.sendall(b"\x00" * 64)
    s.recv(64)
except OSError:
    pass
PY
grep -q "refused a connection from 10.99.0.100" "$tmp/hs.log" || fail "a stranger was not refused"
# A configured peer that speaks garbage: its channel is closed with a reason.
ip netns exec hs $PY - <<'PY'
import socket
for junk in (b"\xff" * 4096, b"HOFF" + b"\x00" * 60, b""):
    s = socket.create_connection(("10.99.0.2", 6658), timeout=5)
    try:
        s.sendall(junk)
        s.shutdown(socket.SHUT_WR)
        s.recv(4096)
    except OSError:
        pass
    s.close()
PY
wait_for 50 grep -q "peer 10.99.0.1:[0-9]*: channel closed: " "$tmp/hd.log" ||
	fail "garbage from a peer was not refused with a reason"
grep "peer 10.99.0.1:[0-9]*: channel closed: " "$tmp/hd.log" | sed 's/^/    /'

hctl hs status >/dev/null || fail "the source agent died"
hctl hd status >/dev/null || fail "the destination agent died"
stop_agents
rm -rf "$tmp"
