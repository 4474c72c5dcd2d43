#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`, the part inside the QEMU-booted kernel (tests/bench/bench.sh
# boots it once). Every figure is measured side by side in this one run:
# alternatives interleaved, medians taken. Raw rows go to $BENCH_OUT/raw.jsonl,
# then report.py prints the table and writes $BENCH_OUT/results.json.
#
#   gen: g0 ─── upg ┐                      (pktgen, kernel thread on CPU 0)
#                   hs: br0 10.99.0.1 = upg + vifA + up0 + vo0..vo255
#                   │   vifA ── vm: eth0 (VM_MAC; no address: frames end at IP)
#                   │   gt0: gretap to 10.99.0.2 (the mirred alternative)
#                   up0 ── sw: sw0 ── up0 hd: br0 10.99.0.2, gt0
#
# vo0..vo255: bridge ports with no carrier (their peers stay down), where the
# sessions of other VMs live. pktgen sends UDP to 10.99.0.200 (nobody's
# address), so the VM drops each frame at IP input and answers nothing.
# shellcheck source=tests/kernel/lib.sh
. "$(dirname "$0")/../kernel/lib.sh"
trap - EXIT
set -E
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
OUT=${BENCH_OUT:?}
RAW=$OUT/raw.jsonl
: >"$RAW"
REPS=${BENCH_REPS:-5}
OTHER_VIFS=256
t_start=$(date +%s)

die() {
	echo "bench: $*" >&2
	exit 1
}
note() { echo "[$(($(date +%s) - t_start)) s] $*"; }
row() { echo "$1" >>"$RAW"; }

HS_MAC=02:00:00:00:01:01
HD_MAC=02:00:00:00:01:02

setup() {
	local h
	modprobe pktgen || die "no pktgen module in this kernel"
	modprobe handoff || die "cannot load handoff.ko"
	netns_new gen sw hs hd vm
	for h in gen sw hs hd vm; do
		ip netns exec "$h" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	ip -n sw link add sw0 type bridge
	ip -n sw link set sw0 up
	ip -n hs link add br0 address "$HS_MAC" type bridge
	ip -n hd link add br0 address "$HD_MAC" type bridge
	for h in hs hd; do
		ip -n "$h" link add up0 type veth peer name "sw$h" netns sw
		ip -n sw link set "sw$h" master sw0 up
		ip -n "$h" link set up0 master br0 up
		ip -n "$h" link set br0 up
	done
	ip -n hs addr add 10.99.0.1/24 dev br0
	ip -n hd addr add 10.99.0.2/24 dev br0
	ip -n gen link add g0 type veth peer name upg netns hs
	ip -n hs link set upg master br0 up
	ip -n gen link set g0 up
	ip -n hs link add vifA address "$VIF_MAC" type veth peer name eth0 netns vm
	ip -n hs link set vifA master br0 up
	ip -n vm link set eth0 address "$VM_MAC" up
	# Nothing learned may age or move during the bench: forwarding is
	# pinned, so every phase floods nothing and resolves nothing.
	bridge -n hs fdb replace "$VM_MAC" dev vifA master static
	bridge -n hs fdb replace "$HD_MAC" dev up0 master static
	bridge -n sw fdb replace "$HS_MAC" dev swhs master static
	bridge -n sw fdb replace "$HD_MAC" dev swhd master static
	ip -n hs neigh replace 10.99.0.2 lladdr "$HD_MAC" nud permanent dev br0
	ip -n hd neigh replace 10.99.0.1 lladdr "$HS_MAC" nud permanent dev br0
	# The do-it-yourself peer: a gretap tunnel, outer packets fragmented
	# like handoff's tunnel over the same 1500-byte underlay.
	ip -n hs link add gt0 type gretap local 10.99.0.1 remote 10.99.0.2 nopmtudisc
	ip -n hd link add gt0 type gretap local 10.99.0.2 remote 10.99.0.1 nopmtudisc
	ip -n hs link set gt0 up
	ip -n hd link set gt0 up
	# Other VMs' vifs, for the sessions that are not the measured one.
	{
		for ((i = 0; i < OTHER_VIFS; i++)); do
			echo "link add vo$i type veth peer name vp$i"
			echo "link set vo$i master br0 up"
		done
	} | ip -n hs -batch - || die "cannot create $OTHER_VIFS vifs"
	ip netns exec hs ping -q -c1 -W2 10.99.0.2 >/dev/null || die "hs cannot reach hd"
	lab_keys
	ip netns exec gen sh -c 'echo rem_device_all >/proc/net/pktgen/kpktgend_0 &&
		echo "add_device g0" >/proc/net/pktgen/kpktgend_0' ||
		die "pktgen: cannot bind g0 to kpktgend_0"
	# When softirqs do move to ksoftirqd, let it preempt the generator.
	for p in $(pgrep -x kpktgend_0); do renice -n 19 -p "$p" >/dev/null; done
	sysctls
}

# Module knobs (per netns, reset by every modprobe): 1024 sessions besides
# ours, and no session may expire mid-bench.
sysctls() {
	local h
	for h in hs hd; do
		ip netns exec "$h" sysctl -qw net.handoff.max_sessions=2048 \
			net.handoff.session_timeout_ms=3600000
	done
}

reload() {
	rmmod handoff || die "rmmod handoff failed"
	modprobe handoff || die "modprobe handoff failed"
	sysctls
}

stat_of() {	# ns dev counter
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

# pktgen SIZE COUNT DSTMAC [A B]: sends, prints "usec sent errors". With A
# and B, asks the host for QEMU's CPU time (tests/bench/cpuclock.py) right
# before and right after, from the same shell: clock_read A, clock_read B.
CLK=$OUT/clock
CLK_N=0
pktgen() {
	local pre="" post=""
	if [ -n "${5:-}" ]; then
		pre=": >$CLK/req.$4; i=0; while [ ! -e $CLK/ans.$4 ]; do i=\$((i + 1)); [ \$i -lt 300000 ] || exit 3; done"
		post=": >$CLK/req.$5"
	fi
	ip netns exec gen sh -c "
		set -e
		pg() { echo \"\$1\" >/proc/net/pktgen/g0; }
		pg 'count $2'; pg 'clone_skb 0'; pg 'pkt_size $1'; pg 'delay 0'
		pg 'dst 10.99.0.200'; pg 'dst_mac $3'; pg 'udp_dst_min 9'; pg 'udp_dst_max 9'
		$pre
		echo start >/proc/net/pktgen/pgctrl
		$post" || die "pktgen run failed (status $?)"
	ip netns exec gen cat /proc/net/pktgen/g0 | $PY -c '
import re, sys
t = sys.stdin.read()
m = re.search(r"Result: OK: (\d+)\(", t)
s = re.search(r"pkts-sofar: (\d+)\s+errors: (\d+)", t)
if not m or not s:
    sys.exit("pktgen gave no result:\n" + t)
print(m.group(1), s.group(1), s.group(2))'
}

clock_read() {	# N: the host's answer to req.N, waiting up to 10 s
	wait_for 100 test -s "$CLK/ans.$1" ||
		die "the host's CPU clock (tests/bench/cpuclock.py) did not answer request $1"
	cat "$CLK/ans.$1"
}

# measure FIGURE ARM SIZE COUNT [UP DOWN]: one pktgen run to the VM, between
# the commands UP and DOWN; packets/s as the VM received them over pktgen's
# sending time. The path is synchronous: pktgen's thread runs the whole
# forwarding in its softirqs, so the time is the path's cost. When the host
# steals the vCPU long enough, softirqs move to ksoftirqd and pktgen runs
# ahead of them into a full backlog: such a run measured pktgen, not the path,
# and is repeated (up to 5 times; the row says how many were thrown away).
measure() {
	local fig=$1 arm=$2 size=$3 count=$4 up=${5:-true} down=${6:-true}
	local rx0 rx1 usec sent errs res d0 d1 try cpu
	for ((try = 0; try < 5; try++)); do
		COPIES=
		$up
		rx0=$(stat_of vm eth0 rx_packets)
		d0=$(backlog_drops)
		CLK_A=$((CLK_N += 1))
		CLK_B=$((CLK_N += 1))
		res=$(pktgen "$size" "$count" "$VM_MAC" "$CLK_A" "$CLK_B")
		read -r usec sent errs <<<"$res"
		[ -n "${errs:-}" ] || die "$fig $arm ${size}B: pktgen gave no result"
		cpu=$(($(clock_read "$CLK_B") - $(clock_read "$CLK_A")))
		sleep 0.2
		rx1=$(stat_of vm eth0 rx_packets)
		d1=$(backlog_drops)
		$down
		if [ "$d1" = "$d0" ] && [ $((rx1 - rx0)) -ge "$sent" ]; then
			break
		fi
		note "$fig $arm ${size}B: $((rx1 - rx0))/$sent received, $((d1 - d0)) backlog drops: again"
	done
	[ "$try" -lt 5 ] || die "$fig $arm ${size}B: 5 runs in a row lost frames at a backlog (host too busy?)"
	[ -z "$COPIES" ] || [ "$COPIES" -ge "$sent" ] ||
		die "$fig $arm ${size}B: only $COPIES of $sent copies reached the destination"
	row "$($PY -c '
import json, sys
fig, arm, size, usec, sent, errs, rx, retries, cpu, copies = sys.argv[1:11]
r = {"figure": fig, "arm": arm, "size": int(size), "usec": int(usec),
     "sent": int(sent), "pktgen_errors": int(errs), "received": int(rx),
     "retries": int(retries)}
if copies:
    r["copies_at_destination"] = int(copies)
r["pps"] = round(r["received"] / (r["usec"] / 1e6))
r["cpu_ns"] = int(cpu)
r["cpu_pps"] = round(r["received"] / (r["cpu_ns"] / 1e9))
print(json.dumps(r))' "$fig" "$arm" "$size" "$usec" "$sent" "$errs" $((rx1 - rx0)) "$try" "$cpu" "$COPIES")"
	note "$fig $arm ${size}B: $((rx1 - rx0))/$sent in $usec us, QEMU CPU $((cpu / 1000)) us"
}

# Our measured session: source on vifA (armed), destination at hd holding.
# The DOWN commands set COPIES: frames that reached the destination.
ours_up() {
	nsctl hs session add id 1 role source dev vifA mac "$VM_MAC" \
		peer 10.99.0.2:6657 tx-key "$KEY_SD" rx-key "$KEY_DS"
	nsctl hd session add id 1 role dest mac "$VM_MAC" \
		peer 10.99.0.1:6657 tx-key "$KEY_DS" rx-key "$KEY_SD"
	nsctl hs session arm id 1
}
ours_down() {
	COPIES=$(sess_counter hd 1 dest held)
	nsctl hs session del id 1 role source
	nsctl hd session del id 1 role dest
}

mirred_up() {
	tc -n hs qdisc add dev vifA clsact
	tc -n hs filter add dev vifA egress matchall action mirred egress mirror dev gt0
	GT0=$(stat_of hd gt0 rx_packets)
}
mirred_down() {
	COPIES=$(($(stat_of hd gt0 rx_packets) - GT0))
	tc -n hs qdisc del dev vifA clsact
}

# --- dup_vs_mirred_ratio, dup_throughput_ratio --------------------------
# Counts stay under hold_max_frames / hold_max_bytes: the held queue grows,
# never overflows, as during a real pause.
dup_phase() {
	local size count rep arm i arms=(none handoff mirred)
	for size in 64 1514; do
		count=50000
		[ "$size" = 64 ] || count=20000
		# Warm-up, not counted: first-use costs (crypto, routes, caches).
		for arm in "${arms[@]}"; do
			dup_one warmup "$arm" "$size" 5000
		done
		for ((rep = 0; rep < REPS; rep++)); do
			# The order rotates, so no alternative always runs first.
			for ((i = 0; i < 3; i++)); do
				dup_one dup "${arms[(rep + i) % 3]}" "$size" "$count"
			done
		done
	done
}

dup_one() {	# figure arm size count
	case $2 in
	none) measure "$@" ;;
	handoff) measure "$@" ours_up ours_down ;;
	mirred) measure "$@" mirred_up mirred_down ;;
	esac
}

# --- sessions_scale_ratio, memory per session ---------------------------
# Our armed session alone, then with 1023 others (4 per other vif), A/B/A/B,
# a module reload between the pairs (it drops the others at once).
scale_phase() {
	local pair rep mem
	for pair in 1 2; do
		for ((rep = 0; rep < REPS; rep++)); do
			measure scale 1 64 50000 ours_up ours_down
		done
		mem=$(ip netns exec hs "$PY" "$TOP/tests/bench/nlbulk.py" sources 1023 0x1000 "$OTHER_VIFS" 10.99.0.2) ||
			die "cannot create 1023 source sessions"
		row "{\"figure\": \"mem_source_sessions\", \"pair\": $pair, \"mem\": $mem}"
		note "1023 source sessions: $mem"
		for ((rep = 0; rep < REPS; rep++)); do
			measure scale 1024 64 50000 ours_up ours_down
		done
		if [ "$pair" = 1 ]; then
			mem=$(ip netns exec hd "$PY" "$TOP/tests/bench/nlbulk.py" dests 1024 0x1000 10.99.0.1) ||
				die "cannot create 1024 destination sessions"
			row "{\"figure\": \"mem_dest_sessions\", \"mem\": $mem}"
			note "1024 destination sessions: $mem"
		fi
		note "reloading the module (drops every session)"
		reload
		note "reloaded"
	done
}

# --- idle_overhead_ratio -------------------------------------------------
# vifA has no session; A: module loaded, 256 armed sessions on the other
# vifs; B: module not loaded. A/B/A/B/..., a few runs per phase, so slow
# drifts of a shared host fall on both sides.
idle_phase() {
	local pair rep
	for ((pair = 0; pair < ${BENCH_IDLE_PAIRS:-4}; pair++)); do
		ip netns exec hs "$PY" "$TOP/tests/bench/nlbulk.py" sources "$OTHER_VIFS" 0x2000 "$OTHER_VIFS" 10.99.0.2 >/dev/null ||
			die "cannot create $OTHER_VIFS source sessions"
		for ((rep = 0; rep < 3; rep++)); do
			measure idle loaded 64 50000
		done
		rmmod handoff || die "rmmod handoff failed"
		for ((rep = 0; rep < 3; rep++)); do
			measure idle unloaded 64 50000
		done
		modprobe handoff || die "modprobe handoff failed"
		sysctls
	done
}

meminfo_json() {
	$PY -c '
import json
m = {l.split(":")[0]: int(l.split()[1]) for l in open("/proc/meminfo")}
print(json.dumps({k: m[k] for k in ("MemFree", "Slab", "Percpu")}))'
}

# --- memory per held frame ----------------------------------------------
# N frames held at the destination; what deleting that session gives back.
held_phase() {
	local size n held before after
	ip netns exec hd sysctl -qw net.handoff.hold_max_bytes=1073741824 \
		net.handoff.hold_max_frames=1048576
	for size in 64 1514; do
		n=40000
		ours_up
		pktgen "$size" "$n" "$VM_MAC" >/dev/null
		sleep 1
		held=$(sess_counter hd 1 dest held)
		[ "$held" -ge $((n * 95 / 100)) ] || die "held $held of $n frames"
		nsctl hs session del id 1 role source
		before=$(meminfo_json)
		nsctl hd session del id 1 role dest
		sleep 1
		after=$(meminfo_json)
		row "{\"figure\": \"mem_held\", \"size\": $size, \"held\": $held, \"before\": $before, \"after\": $after}"
		note "held $held frames of ${size}B: meminfo before $before after $after"
	done
	sysctls
}

# --- activation_to_* ------------------------------------------------------
# Repeated cutovers, each with its own VM MAC and vifs: arm, 100 frames held,
# the new vif attached, carrier on (activation), then the module's times.
cutover_phase() {
	local k mac times
	for ((k = 1; k <= ${BENCH_CUTOVERS:-12}; k++)); do
		mac=$(printf '02:cc:00:00:00:%02x' "$k")
		ip -n hs link add "vS$k" address "$VIF_MAC" type veth peer name "eS$k" netns vm
		ip -n vm link set "eS$k" address "$mac" up
		ip -n hs link set "vS$k" master br0 up
		bridge -n hs fdb replace "$mac" dev "vS$k" master static
		ip -n hd link add "vD$k" address "$VIF_MAC" type veth peer name "eD$k" netns vm
		ip -n vm link set "eD$k" address "$mac"
		ip -n hd link set "vD$k" master br0 up
		nsctl hs session add id $((0x3000 + k)) role source dev "vS$k" mac "$mac" \
			peer 10.99.0.2:6657 tx-key "$KEY_SD" rx-key "$KEY_DS"
		nsctl hd session add id $((0x3000 + k)) role dest mac "$mac" \
			peer 10.99.0.1:6657 tx-key "$KEY_DS" rx-key "$KEY_SD"
		nsctl hs session arm id $((0x3000 + k))
		pktgen 64 100 "$mac" >/dev/null
		wait_cmp 50 -ge 100 sess_counter hd $((0x3000 + k)) dest held ||
			die "cutover $k: the destination holds fewer than 100 frames"
		nsctl hd session attach id $((0x3000 + k)) dev "vD$k"
		ip -n hs link del "vS$k"
		ip -n vm link set "eD$k" up
		wait_for 50 times_complete $((0x3000 + k)) ||
			die "cutover $k: no activation, delivery, stop or announce within 5 s"
		times=$(cutover_times $((0x3000 + k)))
		row "{\"figure\": \"cutover\", \"k\": $k, \"times\": $times}"
		note "cutover $k: $times"
		nsctl hs session del id $((0x3000 + k)) role source
		nsctl hd session del id $((0x3000 + k)) role dest
		ip -n hd link del "vD$k"
	done
}

cutover_times() {	# id: µs from activation, as JSON
	$PY - "$1" <<'PY'
import json, os, subprocess, sys
sid = sys.argv[1]
def times(ns, role):
    out = subprocess.run(["ip", "netns", "exec", ns, os.environ["HANDOFFCTL"], "-j",
                          "session", "show", "id", sid, "role", role],
                         capture_output=True, text=True, check=True).stdout
    d = json.loads(out)
    return (d[0] if isinstance(d, list) else d).get("times", {})
s, d = times("hs", "source"), times("hd", "dest")
a = d.get("activated")
out = {}
for key, t in (("first_delivery", d.get("first_delivered")),
               ("source_stop", s.get("source_stopped")),
               ("first_announce", d.get("first_announce"))):
    if a and t:
        out[key] = round((t - a) / 1000, 1)
print(json.dumps(out))
PY
}
times_complete() {
	[ "$(cutover_times "$1" | jget 'len(d)')" = 3 ]
}

note "setting up"
setup
: >"$CLK/req.0"
clock_read 0 >/dev/null
note "duplication throughput: none / handoff / mirred, 64 and 1514 B, x$REPS"
dup_phase
note "sessions: 1 vs 1024"
scale_phase
note "idle overhead: 256 sessions elsewhere vs module unloaded"
idle_phase
note "memory per held frame"
held_phase
note "cutovers"
cutover_phase
note "measured everything"
$PY "$TOP/tests/bench/report.py" "$RAW" "$OUT/results.json"
