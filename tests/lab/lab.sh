#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The migration lab (DESIGN.md §4.1), run inside the QEMU-booted kernel:
# each scenario is played twice, without handoff (baseline) and with it, and
# measured by handoff-probe (UDP at 1000 packets/s both ways, ICMP every
# 10 ms). Prints a table and writes $LAB_OUT/results.json.
#
#   cl: c0 10.99.0.100 ──┐  (probe send)
#                        sw: sw0 (the physical switch: MAC learning, ageing 300 s)
#   hs: br0 10.99.0.1 ───┤   br0 = up0 + vifA ── vm: eth0  (M, 10.99.0.10)  before
#   hd: br0 10.99.0.2 ───┘   br0 = up0 + vifB ── vm: ethB                    after
#                            (probe echo runs in vm throughout)
#
# The phases, xl's order (measured on real Xen, DESIGN.md §3): running ->
# suspend (the guest's NIC goes down: it receives nothing) -> pause ->
# restore (vifB on hd's bridge, carrier off) -> source vif deleted ->
# unpause (ethB up: vifB carrier on; the guest's address moves to it) ->
# optional guest announce. XenServer's order deletes the source vif 4 s
# after the unpause.
. "$(dirname "$0")/../kernel/lib.sh"
trap - EXIT
PROBE=$BUILD/lab/handoff-probe
OUT=${LAB_OUT:-$BUILD/lab}
ROWS=$OUT/rows.jsonl
mkdir -p "$OUT"
: >"$ROWS"
filter=${1:-}

# scenario NAME PAUSE_S ORDER(xl|xs) ANNOUNCE(yes|no) [ARP] [SIZE] [HOLD_FRAMES] [FAIL]
scenario() {
	local name=$1 pause=$2 order=$3 announce=$4 arp=${5:-no} size=${6:-64}
	local hold=${7:-} failmig=${8:-no} mode
	[[ -n "$filter" && "$name" != *"$filter"* ]] && return 0
	for mode in baseline handoff; do
		run_one "$name" "$mode" "$pause" "$order" "$announce" "$arp" \
			"$size" "$hold" "$failmig" || echo "  ($name $mode: lab error, see above)"
	done
}

run_one() {
	local name=$1 mode=$2 pause=$3 order=$4 announce=$5 arp=$6 size=$7
	local hold=$8 failmig=$9 tmp stop json echo_pid probe_pid
	netns_cleanup
	NETNS=()
	lab_up
	guest_fifo eth0
	# A silent guest: nothing it sends on its own would tell the switch.
	ip netns exec vm sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	tmp=$(mktemp -d)
	stop=$tmp/stop
	json=$tmp/probe.json
	ip netns exec vm "$PROBE" echo >/dev/null 2>"$tmp/echo.err" &
	echo_pid=$!
	if [[ $mode == handoff ]]; then
		lab_keys
		[[ -n "$hold" ]] && ip netns exec hd sysctl -qw net.handoff.hold_max_frames="$hold"
		lab_sessions 1
	fi
	sleep 0.5
	backlog0=$(backlog_drops)
	unres0=$(unresolved_discards)
	debug_dump "$name-$mode-before"
	ip netns exec cl "$PROBE" send -t "$VM_IP" -s "$size" -S "$stop" -w 1500 -j >"$json" 2>"$tmp/probe.err" &
	probe_pid=$!
	sleep 2

	# suspend (and arm, from the same process)
	if [[ $mode == handoff ]]; then
		$PY "$TOP/tests/lab/suspend.py" vm eth0 --arm hs 1 --arm-first >"$tmp/boundary"
	else
		$PY "$TOP/tests/lab/suspend.py" vm eth0
	fi
	# a client that forgot the VM's MAC asks for it during the pause
	[[ $arp == yes ]] && ip -n cl neigh flush dev c0
	sleep "$pause"
	if [[ $failmig == yes ]]; then
		# The migration fails: the source resumes its guest.
		vm_restore
		[[ $mode == handoff ]] && nsctl hd session attach id 1 dev vifB
		[[ $mode == handoff ]] && nsctl hs session abort id 1 role source
		ip -n hd link del vifB
		ip -n vm link set eth0 up
	else
		vm_restore
		guest_fifo ethB
		[[ $mode == handoff ]] && nsctl hd session attach id 1 dev vifB
		[[ $order == xl ]] && ip -n hs link del vifA
		vm_unpause
		[[ $announce == yes ]] && guest_garp
		if [[ $order == xs ]]; then
			sleep 4
			ip -n hs link del vifA
		fi
	fi
	sleep 3
	touch "$stop"
	wait "$probe_pid" || true
	kill "$echo_pid" 2>/dev/null
	wait "$echo_pid" 2>/dev/null
	debug_dump "$name-$mode-after"
	# The responder's own summary: replies it could not send are its own loss.
	echo "  $name $mode: $(tail -1 "$tmp/echo.err")"
	if [[ ! -s "$json" ]]; then
		cat "$tmp/probe.err" >&2
		rm -rf "$tmp"
		return 1
	fi
	local timings="{}"
	if [[ $mode == handoff ]]; then
		timings=$(session_timings)
	fi
	$PY - "$name" "$mode" "$json" "$timings" "$(cat "$tmp/boundary" 2>/dev/null)" \
		$(($(backlog_drops) - backlog0)) $(($(unresolved_discards) - unres0)) \
		"$(nstat_get vm UdpSndbufErrors)" >>"$ROWS" <<'PY'
import json, sys
name, mode, path, timings, boundary, backlog, unres, sndbuf = sys.argv[1:9]
r = json.load(open(path))
t = json.loads(timings)
for probe in ("udp_fwd", "udp_rev", "icmp"):
    f = r[probe]
    row = {"scenario": name, "mode": mode, "probe": probe,
           "sent": f["sent"], "lost": f["lost"], "dup": f["dup"],
           "reordered": f["reordered"], "max_gap_ms": round(f["max_gap_ms"], 1)}
    row.update(t)
    # Where else packets went: the probe's own sockets, the kernel's backlogs.
    row["sock_drops"] = r.get("sock_drops", 0)
    row["echo_sock_drops"] = r.get("echo_sock_drops", 0)
    row["backlog_drops"] = int(backlog)
    # The guest's own silent drops: replies queued for an unresolved
    # neighbour and discarded (all namespaces), sends refused for lack of
    # buffer (UDP swallows ENOBUFS without IP_RECVERR).
    row["arp_unresolved_discards"] = int(unres)
    row["vm_udp_sndbuf_errors"] = int(sndbuf or 0)
    if boundary:
        row["boundary"] = boundary
    print(json.dumps(row))
PY
	rm -rf "$tmp"
}

# The guest's receive path keeps the order frames were sent to its vif in, as
# netback's one ring per queue does. A veth does not: it queues each frame on
# the backlog of the CPU that sent it, and two CPUs' backlogs drain in either
# order (the module's worker on one CPU, live frames on the other: the lab
# saw up to 20 reordered at the cutover). Steering all of them to one CPU's
# backlog (RPS) makes the veth one FIFO again. guest_fifo DEV [NS]
guest_fifo() {
	ip netns exec "${2:-vm}" sh -c "echo 1 >/sys/class/net/$1/queues/rx-0/rps_cpus"
}

# HANDOFF_LAB_DEBUG=1: every namespace's counters into $OUT/debug/NAME.txt, to
# compare before/after a run (where did a packet go?).
debug_dump() {
	[[ -n "${HANDOFF_LAB_DEBUG:-}" ]] || return 0
	local ns f=$OUT/debug/$1.txt
	mkdir -p "$OUT/debug"
	{
		echo "== softnet_stat"; cat /proc/net/softnet_stat
		echo "== arp_cache (global)"; cat /proc/net/stat/arp_cache
		for ns in $(ip netns list | cut -d' ' -f1); do
			echo "=== ns $ns"
			echo "== nstat"; ip netns exec "$ns" nstat -asz
			echo "== link"; ip -n "$ns" -s -s link
			echo "== qdisc"; ip netns exec "$ns" tc -s qdisc
			echo "== neigh"; ip -n "$ns" -s neigh
			[[ $ns == h? ]] && { echo "== sessions"; nsctl "$ns" session show || true; }
		done
	} >"$f" 2>&1
}

# Packets the kernel dropped at a full per-CPU backlog (softnet_stat, column 2).
backlog_drops() {
	local _ d rest n=0
	while read -r _ d rest; do
		n=$((n + 16#$d))
	done </proc/net/softnet_stat
	echo "$n"
}

# Frames queued for an unresolved neighbour and discarded (the ARP table's
# statistics are global: every namespace).
unresolved_discards() {
	local n=0 f
	while read -r -a f; do
		[[ ${f[0]} == entries ]] && continue
		n=$((n + 16#${f[11]}))
	done </proc/net/stat/arp_cache
	echo "$n"
}

# nstat_get NS COUNTER: its absolute value in NS (fresh per run).
nstat_get() {
	ip netns exec "$1" nstat -asz "$2" | awk -v c="$2" '$1 == c { print $2 }'
}

# The module's own timestamps, in µs from the destination's activation.
session_timings() {
	$PY - <<'PY'
import json, os, subprocess
def times(ns, role):
    out = subprocess.run(["ip", "netns", "exec", ns, os.environ["HANDOFFCTL"], "-j",
                          "session", "show", "id", "1", "role", role],
                         capture_output=True, text=True).stdout
    try:
        d = json.loads(out)
        return (d[0] if isinstance(d, list) else d).get("times", {})
    except ValueError:
        return {}
s, d = times("hs", "source"), times("hd", "dest")
a = d.get("activated")
out = {}
if a:
    for key, t in (("act_to_first_delivery_us", d.get("first_delivered")),
                   ("act_to_last_held_us", d.get("last_delivered")),
                   ("act_to_source_stop_us", s.get("source_stopped")),
                   ("act_to_first_announce_us", d.get("first_announce"))):
        if t:
            out[key] = round((t - a) / 1000)
print(json.dumps(out))
PY
}

# The guest announces itself on its new NIC: one gratuitous ARP.
guest_garp() {
	ip netns exec vm $PY - "$VM_MAC" "$VM_IP" <<'PY'
import socket, sys
mac = bytes(int(x, 16) for x in sys.argv[1].split(":"))
ip = socket.inet_aton(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("ethB", 0))
arp = b"\x00\x01\x08\x00\x06\x04\x00\x01" + mac + ip + b"\x00" * 6 + ip
s.send(b"\xff" * 6 + mac + b"\x08\x06" + arp + b"\x00" * 18)
PY
}

scenario xl-pause-0.1s 0.1 xl no
scenario xl-pause-1s 1 xl no
scenario xl-pause-5s 5 xl no
scenario xenserver-order-1s 1 xs no
scenario guest-announces-1s 1 xl yes
scenario arp-during-pause-1s 1 xl no yes
scenario full-size-frames-1s 1 xl no no 1472
scenario flood-over-hold-bound 1 xl no no 64 500
scenario failed-migration-1s 1 xl no no 64 "" yes

$PY - "$ROWS" "$OUT/results.json" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
json.dump(rows, open(sys.argv[2], "w"), indent=1)
hdr = f"{'scenario':24} {'mode':8} {'probe':7} {'sent':>6} {'lost':>6} {'dup':>5} {'reord':>5} {'max gap ms':>10}  module (us from activation)"
print(hdr)
print("-" * len(hdr))
for r in rows:
    t = ""
    if "act_to_first_delivery_us" in r:
        t = (f"first {r['act_to_first_delivery_us']}, last held {r.get('act_to_last_held_us', '-')}, "
             f"src stop {r.get('act_to_source_stop_us', '-')}, announce {r.get('act_to_first_announce_us', '-')}")
    print(f"{r['scenario']:24} {r['mode']:8} {r['probe']:7} {r['sent']:6} {r['lost']:6} {r['dup']:5} "
          f"{r['reordered']:5} {r['max_gap_ms']:10.1f}  {t}")
print(f"results: {sys.argv[2]}")
PY
