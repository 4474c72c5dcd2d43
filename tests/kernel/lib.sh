# SPDX-License-Identifier: GPL-2.0
# Helpers sourced by every kernel test script. Runs inside the QEMU guest.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
export HANDOFFCTL=${HANDOFFCTL:-$BUILD/agent/handoffctl}
PY=/usr/bin/python3
export PYTHONPATH=$TOP/tests/kernel PYTHONDONTWRITEBYTECODE=1

fail() {
	echo "  FAIL: $*" >&2
	exit 1
}

# expect_fail CMD...: CMD must exit non-zero.
expect_fail() {
	if "$@" >/dev/null 2>&1; then
		fail "succeeded but should not: $*"
	fi
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[[ "$2" == "$3" ]] || fail "$1: got '$2', want '$3'"
}

ctl() { "$HANDOFFCTL" "$@"; }

# In namespace $1, run handoffctl.
nsctl() {
	local ns=$1
	shift
	ip netns exec "$ns" "$HANDOFFCTL" "$@"
}

# A 32-byte key file, base64, mode 0600.
make_key() {
	local f=$1
	(umask 077 && head -c 32 /dev/urandom | base64 >"$f")
}

# Fresh namespaces, removed again on exit.
NETNS=()
netns_new() {
	local ns
	for ns in "$@"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
		NETNS+=("$ns")
	done
}
netns_cleanup() {
	local ns
	ovs_stop_all
	for ns in "${NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
}
trap netns_cleanup EXIT

# Open vSwitch in namespace NS: its own ovsdb-server and ovs-vswitchd (whose
# kernel datapath, ovs-system, lives in NS), with database, sockets, pids and
# logs in a temp dir: the guest's / is the host's, read-only. ovs_start NS,
# then ovsctl NS ARGS... runs ovs-vsctl against it.
declare -A OVS_DIR=()
ovs_env() {
	local d=${OVS_DIR[$1]}
	echo OVS_RUNDIR="$d" OVS_LOGDIR="$d" OVS_DBDIR="$d" OVS_SYSCONFDIR="$d"
}
ovs_start() {
	local ns=$1 d
	modprobe openvswitch || fail "no openvswitch module"
	d=$(mktemp -d)
	OVS_DIR[$ns]=$d
	ovsdb-tool create "$d/conf.db" /usr/share/openvswitch/vswitch.ovsschema
	# shellcheck disable=SC2046 # ovs_env is words by design
	ip netns exec "$ns" env $(ovs_env "$ns") ovsdb-server "$d/conf.db" \
		--remote=punix:"$d/db.sock" --pidfile="$d/ovsdb-server.pid" \
		--log-file="$d/ovsdb-server.log" -vconsole:off --detach --no-chdir 2>/dev/null ||
		fail "ovsdb-server did not start in $ns"
	ovsctl "$ns" --no-wait init
	# shellcheck disable=SC2046
	ip netns exec "$ns" env $(ovs_env "$ns") ovs-vswitchd unix:"$d/db.sock" \
		--pidfile="$d/ovs-vswitchd.pid" --log-file="$d/ovs-vswitchd.log" \
		-vconsole:off --detach --no-chdir 2>/dev/null || fail "ovs-vswitchd did not start in $ns"
}

# OVS 3.1 in per-CPU upcall dispatch sizes its upcall handlers from a CPU
# count that reads 0 until it is refreshed, 10 s after ovs-vswitchd starts
# (inside `ip netns exec` at least). A datapath made before then gets no
# handler, loses every upcall ("lost" in ovs-dpctl show) and NORMAL forwards
# nothing, for good. So lab_up starts the daemons, waits, then makes bridges;
# this checks it worked. ovs_check_handlers NS
ovs_check_handlers() {
	! grep -q 'Overriding n-handler-threads to 0' "${OVS_DIR[$1]}/ovs-vswitchd.log" ||
		fail "ovs-vswitchd in $1 made its datapath without upcall handlers"
}
ovsctl() {
	local ns=$1
	shift
	ip netns exec "$ns" ovs-vsctl --db=unix:"${OVS_DIR[$ns]}/db.sock" --timeout=60 "$@"
}
ovs_stop_all() {
	local ns d p
	for ns in "${!OVS_DIR[@]}"; do
		d=${OVS_DIR[$ns]}
		for p in ovs-vswitchd ovsdb-server; do
			[[ -s $d/$p.pid ]] && kill "$(cat "$d/$p.pid")" 2>/dev/null
		done
		sleep 0.2
		rm -rf "$d"
	done
	OVS_DIR=()
}

# Port DEV of host NS's switch br0, up: a Linux bridge, or Open vSwitch for
# the hosts named in LAB_OVS (set before lab_up).
sw_attach() {
	local ns=$1 dev=$2
	if [[ " ${LAB_OVS:-} " == *" $ns "* ]]; then
		ovsctl "$ns" add-port br0 "$dev"
		ip -n "$ns" link set "$dev" up
	else
		ip -n "$ns" link set "$dev" master br0 up
	fi
}

# JSON field from handoffctl -j output: jget 'expr' (Python expr on `d`).
jget() {
	$PY -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}

# The two-host topology most datapath tests share (names fixed, addresses
# from 10.99.0.0/24, all inside namespaces this test created):
#
#   cl: c0 10.99.0.100 ──┐
#                        sw: bridge sw0 (MAC learning)
#   hs: br0 10.99.0.1 ───┤   br0 = up0 + vifA ── vm: eth0 (M, 10.99.0.10)
#   hd: br0 10.99.0.2 ───┘   br0 = up0 (+ vifB later ── vm: ethB)
#
# br0 is a Linux bridge, or an Open vSwitch bridge (NORMAL action, its
# internal port br0 carrying the host's address) on the hosts in LAB_OVS.
VM_MAC=02:00:00:00:00:10
# netback gives every vif this MAC; a bridge then keeps its uplink's MAC when
# vifs come and go (a random veth MAC lower than the uplink's would change
# the bridge's, and the other host's ARP entry for it would go stale).
VIF_MAC=fe:ff:ff:ff:ff:ff
VM_IP=10.99.0.10
lab_up() {
	local h i=1
	netns_new cl sw hs hd vm
	# No IPv6 autoconfiguration chatter: the copies and bounds under test
	# should see the test's traffic, not ND and MLD noise.
	for h in cl sw hs hd vm; do
		ip netns exec "$h" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	if [[ -n ${LAB_OVS:-} ]]; then
		for h in $LAB_OVS; do
			ovs_start "$h"
		done
		sleep 11	# see ovs_check_handlers
	fi
	ip -n sw link add sw0 type bridge
	ip -n sw link set sw0 up
	ip -n cl link add c0 type veth peer name swc netns sw
	ip -n cl addr add 10.99.0.100/24 dev c0
	ip -n cl link set c0 up
	ip -n sw link set swc master sw0 up
	for h in hs hd; do
		ip -n "$h" link add up0 type veth peer name "sw$h" netns sw
		ip -n sw link set "sw$h" master sw0 up
		if [[ " ${LAB_OVS:-} " == *" $h "* ]]; then
			# The uplink's MAC, as a Linux bridge would keep (VIF_MAC).
			ovsctl "$h" add-br br0 -- set bridge br0 \
				other-config:hwaddr="$(ip -n "$h" -br link show up0 | awk '{print $3}')"
			ovs_check_handlers "$h"
		else
			ip -n "$h" link add br0 type bridge
		fi
		sw_attach "$h" up0
		ip -n "$h" addr add "10.99.0.$i/24" dev br0
		ip -n "$h" link set br0 up
		i=$((i + 1))
	done
	ip -n hs link add vifA address "$VIF_MAC" type veth peer name eth0 netns vm
	sw_attach hs vifA
	ip -n vm link set eth0 address "$VM_MAC"
	ip -n vm addr add "$VM_IP/24" dev eth0
	ip -n vm link set eth0 up
	# bridges forward at once (no STP), and see the peers; ovs-vswitchd
	# may still be configuring its ports: a few tries
	wait_for 3 ip netns exec cl ping -q -c1 -W2 "$VM_IP" >/dev/null ||
		fail "lab: client cannot reach the VM"
	wait_for 3 ip netns exec hs ping -q -c1 -W2 10.99.0.2 >/dev/null ||
		fail "lab: hosts cannot reach each other"
}

# The lab with keys, and the client's ARP entry for the VM pinned: tests that
# count frames must not see the client ARP again mid-test.
lab_setup() {
	lab_up
	lab_keys
	client_neigh
}

client_neigh() {
	ip -n cl neigh replace "$VM_IP" lladdr "$VM_MAC" nud permanent dev c0
}

# A second lab in the same test: the namespaces made anew, the keys kept.
lab_again() {
	netns_cleanup
	NETNS=()
	lab_up
	client_neigh
}

# Keys for both directions: src->dst and dst->src.
lab_keys() {
	KEY_SD=$(mktemp)
	KEY_DS=$(mktemp)
	make_key "$KEY_SD"
	make_key "$KEY_DS"
}

lab_sessions() {	# id [extra args for both]
	local id=$1
	shift
	nsctl hs session add id "$id" role source dev vifA mac "$VM_MAC" \
		peer 10.99.0.2:6657 tx-key "$KEY_SD" rx-key "$KEY_DS" "$@"
	nsctl hd session add id "$id" role dest mac "$VM_MAC" \
		peer 10.99.0.1:6657 tx-key "$KEY_DS" rx-key "$KEY_SD" "$@"
}

# Pause the guest: nothing in or out of eth0, as a paused domain.
vm_suspend() {
	ip netns exec vm tc qdisc add dev eth0 clsact
	ip netns exec vm tc filter add dev eth0 ingress matchall action drop
	ip netns exec vm tc filter add dev eth0 egress matchall action drop
}

# The destination domain's vif exists, on the bridge, carrier off.
vm_restore() {
	ip -n hd link add vifB address "$VIF_MAC" type veth peer name ethB netns vm
	ip -n vm link set ethB address "$VM_MAC"
	sw_attach hd vifB
}

# The guest runs at the destination: its interface is ethB now. Entries
# still on eth0 are copied over. In the lab there are none: taking eth0 down
# (the lab's suspend) or deleting it with vifA flushed them, as netfront's
# carrier-off at resume does in a real Linux guest (arp_evict_nocarrier). So
# the guest ARPs again for its peers, as a real one does (hold.c waits).
vm_unpause() {
	local dst _ ll neigh
	neigh=$(ip -n vm -4 neigh show dev eth0 2>/dev/null || true)
	while read -r dst _ ll _; do
		if [[ $ll == *:*:*:*:*:* ]]; then
			ip -n vm neigh replace "$dst" lladdr "$ll" dev ethB nud stale
		fi
	done <<<"$neigh"
	ip -n vm addr del "$VM_IP/24" dev eth0 2>/dev/null || true
	ip -n vm addr add "$VM_IP/24" dev ethB
	ip -n vm link set ethB up
}

# state NS ID ROLE
sess_state() {
	nsctl "$1" -j session show id "$2" role "$3" | jget 'd[0]["state"] if isinstance(d, list) else d["state"]'
}

# counter NS ID ROLE NAME
sess_counter() {
	nsctl "$1" -j session show id "$2" role "$3" |
		jget "(d[0] if isinstance(d, list) else d)['counters'].get('$4', 0)"
}

# Packets the kernel dropped at a full per-CPU backlog (softnet_stat, column 2).
backlog_drops() {
	local _ d rest n=0
	while read -r _ d rest; do
		n=$((n + 16#$d))
	done </proc/net/softnet_stat
	echo "$n"
}

wait_for() {	# tries command...: retry every 0.1 s
	local n=$1
	shift
	while ((n-- > 0)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# NS gets DEV.100 (VLAN 100 on DEV) with ADDR/24, up: the tagged guest and
# client of t-vlan and the lab.
vlan100_up() {	# ns dev addr
	ip -n "$1" link add link "$2" name "$2.100" type vlan id 100
	ip -n "$1" addr add "$3/24" dev "$2.100"
	ip -n "$1" link set "$2.100" up
}

# Until [ "$(command...)" OP VALUE ], the command run again at each try
# (wait_for N test "$(cmd)" ... would expand cmd once, and wait for nothing).
wait_cmp() {	# tries op value command...
	local n=$1 op=$2 val=$3
	shift 3
	while ((n-- > 0)); do
		[ "$("$@")" "$op" "$val" ] && return 0
		sleep 0.1
	done
	return 1
}

# Frame-level check: FILE_SENT holds N; FILE_AFTER must be exactly FIRST..N.
check_exact() {	# sent_file after_file first
	$PY - "$@" <<'PY'
import sys
sent = int(open(sys.argv[1]).read())
after = [int(x) for x in open(sys.argv[2]).read().split()]
first = int(sys.argv[3])
want = list(range(first, sent + 1))
missing = sorted(set(want) - set(after))
print(f"sent {sent}: delivered {len(after)} of {len(want)}, missing {len(missing)} "
      f"{missing[:8]}, duplicated {len(after) - len(set(after))}, "
      f"reordered {sum(1 for a, b in zip(after, after[1:]) if b < a)}")
for i, (a, b) in enumerate(zip(after, after[1:])):
    if b <= a:
        print(f"  out of order at index {i}: {after[max(0, i - 4):i + 6]}")
assert after == want, "not exactly the frames sent after arming, in order, once"
PY
}

# start_log NS IFACE PORT FILE: a udptool logger, running once this returns
# (Python starts slowly under TCG: frames sent before it binds would be missed).
# Sets LOG_PID.
start_log() {
	rm -f "$4.ready"
	ip netns exec "$1" $PY "$TOP/tests/kernel/udptool.py" log "$2" "$3" "$4" &
	LOG_PID=$!
	wait_for 200 test -e "$4.ready" || fail "logger on $2 did not start"
}

# print_timings SRC_NS DST_NS ID: the module's own timestamps of one cutover.
print_timings() {
	$PY - "$@" <<'PY'
import json, os, subprocess, sys
src, dst, sid = sys.argv[1:4]
def times(ns, role):
    out = subprocess.run(["ip", "netns", "exec", ns, os.environ["HANDOFFCTL"],
                          "-j", "session", "show", "id", sid, "role", role],
                         capture_output=True, text=True, check=True).stdout
    d = json.loads(out)
    return (d[0] if isinstance(d, list) else d)["times"]
s, d = times(src, "source"), times(dst, "dest")
act = d["activated"]
us = lambda t: f"{(t - act) / 1000:.0f} us" if t else "n/a"
print(f"timings: activation->first delivered {us(d.get('first_delivered'))}, "
      f"->last held delivered {us(d.get('last_delivered'))}, "
      f"->source stopped {us(s.get('source_stopped'))}, "
      f"->first announce {us(d.get('first_announce'))}")
PY
}

# start_blast OUTFILE TARGET PORT RATE [SIZE]: a udptool blaster in ns cl,
# sending once this returns; OUTFILE gets the last seq when it is killed.
# Sets BLAST_PID.
start_blast() {
	local out=$1
	shift
	rm -f "$out.ready"
	UDPTOOL_READY="$out.ready" ip netns exec cl $PY "$TOP/tests/kernel/udptool.py" blast "$@" >"$out" &
	BLAST_PID=$!
	wait_for 200 test -e "$out.ready" || fail "blaster did not start"
}

# wait_ready FILE: a helper process created FILE once it listens.
wait_ready() {
	wait_for 200 test -e "$1" || fail "helper did not start ($1)"
}

# A localhost migration (t-localhost, t-dedup): the source and destination
# sessions ID both in hs, the tunnel to hs itself. localhost_sessions ID
localhost_sessions() {
	nsctl hs session add id "$1" role source dev vifA mac "$VM_MAC" \
		peer 10.99.0.1:6657 tx-key "$KEY_SD" rx-key "$KEY_DS"
	nsctl hs session add id "$1" role dest mac "$VM_MAC" \
		peer 10.99.0.1:6657 tx-key "$KEY_DS" rx-key "$KEY_SD"
}

# Its move in xl's order: the VM's new vif on the same bridge, a logger on it
# (LOG1, FILE), the destination attached, the old vif gone; the VM is still
# paused. localhost_move ID FILE PORT
localhost_move() {
	ip -n hs link add vifB address "$VIF_MAC" type veth peer name ethB netns vm
	ip -n vm link set ethB address "$VM_MAC"
	ip -n hs link set vifB master br0 up
	start_log vm ethB "$3" "$2"
	LOG1=$LOG_PID
	nsctl hs session attach id "$1" dev vifB
	sleep 0.3
	ip -n hs link del vifA
	sleep 0.3
}

# xl's cutover, destination side, with a logger on the new NIC: the vif
# appears (carrier off), the session attaches, the source vif is deleted,
# the guest runs behind the new vif; returns once the session activated.
# cutover_xl ID LOGFILE [PORT]; sets LOG_PID.
cutover_xl() {
	vm_restore
	start_log vm ethB "${3:-5555}" "$2"
	nsctl hd session attach id "$1" dev vifB
	ip -n hs link del vifA
	vm_unpause
	wait_cmp 50 != attached sess_state hd "$1" dest || fail "no activation"
}

# arm_at_suspend NS ID BLASTER LOGGER: arm the source session exactly at the
# guest's suspend. The blaster is paused around the two steps, so the suspend
# boundary (DESIGN.md) is empty; the logger on eth0 stops first, as its tap
# would see frames that tc then drops.
arm_at_suspend() {
	kill -STOP "$3"
	sleep 0.3
	kill "$4"
	wait "$4" || true
	nsctl "$1" session arm id "$2"
	vm_suspend
	kill -CONT "$3"
}

# check_split SENT BEFORE AFTER: the source VM got exactly 1..k, the
# destination VM exactly k+1..N, in order, none twice.
# The frames in flight for a frame-exact cutover: a logger on the guest's NIC
# (LOG0, DIR/before) and the blaster (BLASTER, DIR/sent). start_traffic DIR PORT
start_traffic() {
	start_log vm eth0 "$2" "$1/before"
	LOG0=$LOG_PID
	start_blast "$1/sent" "$VM_IP" "$2" 500
	BLASTER=$BLAST_PID
	sleep 1
}

# After the cutover: stop the blaster, then the logger on the new NIC (LOG1).
stop_traffic() {
	sleep 2
	kill "$BLASTER"
	wait "$BLASTER"
	sleep 1
	kill "$LOG1" 2>/dev/null || true
	wait "$LOG1" 2>/dev/null || true
}

# ...and check that the frames split exactly (DIR/after). finish_traffic DIR
finish_traffic() {
	stop_traffic
	check_split "$1/sent" "$1/before" "$1/after"
}

# The destination NS's session ID held the pause (more than 100 frames) and
# dropped nothing for a bad packet or a bound.
check_dest_held() {
	local held c
	held=$(sess_counter "$1" "$2" dest held)
	[[ $held -gt 100 ]] || fail "only $held frames were held: the pause was not covered"
	for c in drop_auth drop_replay drop_overflow drop_malformed; do
		expect_eq "dest $c" "$(sess_counter "$1" "$2" dest $c)" 0
	done
}

check_split() {
	$PY - "$@" <<'PY'
import sys
sent = int(open(sys.argv[1]).read())
before = [int(x) for x in open(sys.argv[2]).read().split()]
after = [int(x) for x in open(sys.argv[3]).read().split()]
k = len(before)
want = list(range(k + 1, sent + 1))
missing = sorted(set(want) - set(after))
print(f"sent {sent}, source VM got {k}, destination VM got {len(after)}: missing "
      f"{len(missing)} {missing[:10]}, duplicated {len(after) - len(set(after))}, "
      f"reordered {sum(1 for a, b in zip(after, after[1:]) if b < a)}")
for i, (a, b) in enumerate(zip(after, after[1:])):
    if b <= a:
        print(f"  out of order at index {i}: {after[max(0, i - 4):i + 6]}")
assert before == list(range(1, k + 1)), "source VM: not 1..k in order"
assert after == want, "destination VM: not exactly k+1..N in order"
PY
}
