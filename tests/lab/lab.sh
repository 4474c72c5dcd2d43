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
# tcp-bulk: beside the probe, a TCP stream cl -> vm:5001 (tcpbulk.py), as fast
# as it goes, offloads on (veth: TSO/GSO, checksum offload).
# vlan-guest: vm speaks on eth0.100 (10.98.0.10), cl on c0.100 (10.98.0.100);
# the bridges are VLAN-unaware and carry the tags.
# three-vms: three guests migrate at once, four NICs, four sessions (1..4):
#
#   hs: br0 = up0 + vifA  ── vm:  eth0 10.99.0.10 -> hd: vifB  ── vm:  ethB
#                 + vifA2 ── vm2: eth0 10.99.0.11 ->     vifB2 ── vm2: ethB
#                 + vifA3 ── vm3: eth0 10.99.0.12 ->     vifB3 ── vm3: ethB
#                 + vifA4 ── vm3: eth1 10.97.0.13 ->     vifB4 ── vm3: ethB1
#   (cl has 10.97.0.100 too; one probe per NIC; vm3 has one responder)
#
# The phases, xl's order (measured on real Xen, DESIGN.md §3): running ->
# suspend (the guest's NIC goes down: it receives nothing) -> pause ->
# restore (vifB on hd's bridge, carrier off) -> source vif deleted ->
# unpause (ethB up: vifB carrier on; the guest's address moves to it) ->
# optional guest announce. XenServer's order deletes the source vif 4 s
# after the unpause.
. "$(dirname "$0")/../kernel/lib.sh"
. "$(dirname "$0")/../kernel/agents.sh"
trap - EXIT
PROBE=$BUILD/lab/handoff-probe
OUT=${LAB_OUT:-$BUILD/lab}
ROWS=$OUT/rows.jsonl
mkdir -p "$OUT"
: >"$ROWS"
# guest_fifo funnels every guest NIC's receive through CPU 0's backlog, where
# netback gives each vif a ring of its own: with four NICs (three-vms) the
# default 1000 overflowed (softnet_stat: 11545 drops, 4x1 kpps + ICMP + the
# held bursts). Room for several vifs' worth. The module still paces on it.
sysctl -qw net.core.netdev_max_backlog=10000
filter=${1:-}

# scenario NAME PAUSE_S ORDER(xl|xs) ANNOUNCE(yes|no) [ARP] [SIZE] [HOLD_FRAMES] [FAIL] [KIND]
# KIND: plain; tcp (a bulk TCP stream beside the probe); vlan (the guest on
# VLAN 100); three-vms (vm, vm2, and vm3 with two NICs: four sessions).
scenario() {
	local name=$1 pause=$2 order=$3 announce=$4 arp=${5:-no} size=${6:-64}
	local hold=${7:-} failmig=${8:-no} kind=${9:-plain} mode
	if [[ -n "$filter" ]]; then	# LAB=a|b: names containing a or b
		local f fs ok=no
		IFS='|' read -ra fs <<<"$filter"
		for f in "${fs[@]}"; do [[ $name == *"$f"* ]] && ok=yes; done
		[[ $ok == yes ]] || return 0
	fi
	local modes="baseline handoff"
	# handoffd: the same with the sessions set up by two agents following a
	# scripted Xen (tests/kernel/agents.sh), not by handoffctl.
	[[ " $AGENT_SCENARIOS " == *" $name "* ]] && modes+=" handoffd"
	for mode in $modes; do
		run_one "$name" "$mode" "$pause" "$order" "$announce" "$arp" \
			"$size" "$hold" "$failmig" "$kind" || echo "  ($name $mode: lab error, see above)"
	done
}

# Scenarios also played with handoffd setting the sessions up (one guest NIC).
AGENT_SCENARIOS="xl-pause-1s xenserver-order-1s failed-migration-1s"
AGENT_UUID=0b8f3a52-5c1e-4b7a-9d2e-3f4a5b6c7d8e

# The agents' cutover line: the module's timings as handoffd logged them.
agent_timings() {
	$PY - "$AGENT_DIR/hd.log" <<'PY'
import json, re, sys
out = {}
for line in open(sys.argv[1]):
    m = re.search(r"cutover .*first delivery \+(-?\d+)us, last held \+(-?\d+)us, "
                  r"first announce \+(-?\d+)us, source stopped \+(-?\d+)us", line)
    if m:
        keys = ("act_to_first_delivery_us", "act_to_last_held_us",
                "act_to_first_announce_us", "act_to_source_stop_us")
        out = {k: int(v) for k, v in zip(keys, m.groups()) if int(v) >= 0}
print(json.dumps(out))
PY
}

# The guests' NICs, one per session: namespace, NIC at the source (the
# destination's is ethB for eth0, ethB1 for eth1), its vifs, MAC, address
# (on a VLAN subinterface if G_VLAN), session id.
G_NS=() G_NIC=() G_NEW=() G_VIFA=() G_VIFB=() G_MAC=() G_IP=() G_ID=()
G_VLAN=""
guest_add() {	# ns nic new vifa vifb mac ip
	G_NS+=("$1") G_NIC+=("$2") G_NEW+=("$3") G_VIFA+=("$4") G_VIFB+=("$5")
	G_MAC+=("$6") G_IP+=("$7") G_ID+=($((${#G_ID[@]} + 1)))
}

# l3 NIC: where the address lives (the VLAN subinterface on a tagged guest).
l3() { if [[ -n $G_VLAN ]]; then echo "$1.$G_VLAN"; else echo "$1"; fi; }

# The lab's guests for KIND, on top of lab_up's vm (eth0 on vifA).
guests_up() {
	local kind=$1 i ns
	G_NS=() G_NIC=() G_NEW=() G_VIFA=() G_VIFB=() G_MAC=() G_IP=() G_ID=()
	G_VLAN=""
	if [[ $kind == vlan ]]; then
		# the guest and the client speak on VLAN 100 only; the bridges
		# are VLAN-unaware and carry the tags
		G_VLAN=100
		ip -n vm addr del "$VM_IP/24" dev eth0
		vlan100_up vm eth0 10.98.0.10
		vlan100_up cl c0 10.98.0.100
		guest_add vm eth0 ethB vifA vifB "$VM_MAC" 10.98.0.10
	else
		guest_add vm eth0 ethB vifA vifB "$VM_MAC" "$VM_IP"
	fi
	if [[ $kind == three-vms ]]; then
		# vm3's second NIC is on its own subnet (one subnet on two NICs
		# of one host answers ARP on both)
		ip -n cl addr add 10.97.0.100/24 dev c0
		netns_new vm2 vm3
		# answer ARP only for the address of the NIC asked on
		ip netns exec vm3 sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
			net.ipv4.conf.all.arp_announce=2
		guest_add vm2 eth0 ethB vifA2 vifB2 02:00:00:00:00:11 10.99.0.11
		guest_add vm3 eth0 ethB vifA3 vifB3 02:00:00:00:00:12 10.99.0.12
		guest_add vm3 eth1 ethB1 vifA4 vifB4 02:00:00:00:00:13 10.97.0.13
		for i in 1 2 3; do
			ns=${G_NS[i]}
			ip -n hs link add "${G_VIFA[i]}" address "$VIF_MAC" type veth \
				peer name "${G_NIC[i]}" netns "$ns"
			ip -n hs link set "${G_VIFA[i]}" master br0 up
			ip -n "$ns" link set "${G_NIC[i]}" address "${G_MAC[i]}"
			ip -n "$ns" addr add "${G_IP[i]}/24" dev "${G_NIC[i]}"
			ip -n "$ns" link set "${G_NIC[i]}" up
		done
		for i in 1 2 3; do
			ip netns exec cl ping -q -c1 -W2 "${G_IP[i]}" >/dev/null ||
				fail "lab: client cannot reach ${G_IP[i]}"
		done
	fi
	for i in "${!G_NS[@]}"; do
		# A silent guest: nothing it sends on its own would tell the switch.
		ip netns exec "${G_NS[i]}" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
		guest_fifo "${G_NIC[i]}" "${G_NS[i]}"
		guest_fifo "${G_VIFA[i]}" hs
	done
	if [[ -n $G_VLAN ]]; then
		ip netns exec cl ping -q -c1 -W2 10.98.0.10 >/dev/null ||
			fail "lab: client cannot reach the VM on VLAN 100"
	fi
}

# One session pair per NIC (the keys of lab_keys).
guest_sessions() {
	local i
	for i in "${!G_NS[@]}"; do
		nsctl hs session add id "${G_ID[i]}" role source dev "${G_VIFA[i]}" \
			mac "${G_MAC[i]}" peer 10.99.0.2:6657 tx-key "$KEY_SD" rx-key "$KEY_DS"
		nsctl hd session add id "${G_ID[i]}" role dest mac "${G_MAC[i]}" \
			peer 10.99.0.1:6657 tx-key "$KEY_DS" rx-key "$KEY_SD"
	done
}

# NIC i's destination vif exists, on the bridge, carrier off (vm_restore).
guest_restore() {
	local i=$1 ns=${G_NS[$1]}
	ip -n hd link add "${G_VIFB[i]}" address "$VIF_MAC" type veth peer name "${G_NEW[i]}" netns "$ns"
	ip -n "$ns" link set "${G_NEW[i]}" address "${G_MAC[i]}"
	ip -n hd link set "${G_VIFB[i]}" master br0 up
	guest_fifo "${G_NEW[i]}" "$ns"
	guest_fifo "${G_VIFB[i]}" hd
}

# NIC i runs behind its destination vif (vm_unpause): the address (and VLAN
# subinterface) first, as a resumed guest has them, then carrier on, which
# activates the session: frames delivered before the address is there are
# IpInAddrErrors in the guest (the first try lost every held frame so).
guest_unpause() {
	local i=$1 ns=${G_NS[$1]} new
	new=$(l3 "${G_NEW[i]}")
	ip -n "$ns" addr del "${G_IP[i]}/24" dev "$(l3 "${G_NIC[i]}")" 2>/dev/null || true
	if [[ -n $G_VLAN ]]; then
		ip -n "$ns" link add link "${G_NEW[i]}" name "$new" type vlan id "$G_VLAN"
		ip -n "$ns" link set "$new" up
	fi
	ip -n "$ns" addr add "${G_IP[i]}/24" dev "$new"
	ip -n "$ns" link set "${G_NEW[i]}" up
}

run_one() {
	local name=$1 mode=$2 pause=$3 order=$4 announce=$5 arp=$6 size=$7
	local hold=$8 failmig=$9 kind=${10} tmp stop i ns args=() pids=() echo_pids=()
	local tcp_sink_pid="" tcp_send_pid=""
	netns_cleanup
	NETNS=()
	lab_up
	guests_up "$kind"
	tmp=$(mktemp -d)
	stop=$tmp/stop
	for ns in $(printf '%s\n' "${G_NS[@]}" | sort -u); do
		ip netns exec "$ns" "$PROBE" echo >/dev/null 2>"$tmp/echo-$ns.err" &
		echo_pids+=($!)
	done
	if [[ $mode == handoff ]]; then
		lab_keys
		[[ -n "$hold" ]] && ip netns exec hd sysctl -qw net.handoff.hold_max_frames="$hold"
		guest_sessions
	elif [[ $mode == handoffd ]]; then
		# The toolstack hook's work: migrate-begin; the agents do the rest.
		AGENT_DIR=$tmp/agents
		mkdir -p "$AGENT_DIR"
		start_agents
		xen hs "domain new 3 $AGENT_UUID vm" "vif 3 0 $VM_MAC vifA" "domain unpause 3"
		hctl hs migrate-begin vm 10.99.0.2 >/dev/null || { agent_logs; return 1; }
		G_ID[0]=$(nsctl hs -j session show | jget 'd[0]["id"]')
	fi
	if [[ $kind == tcp ]]; then
		ip netns exec vm $PY "$TOP/tests/lab/tcpbulk.py" sink 5001 "$tmp/tcp.ready" "$tmp/tcp.json" &
		tcp_sink_pid=$!
		wait_ready "$tmp/tcp.ready"
	fi
	sleep 0.5
	backlog0=$(backlog_drops)
	unres0=$(unresolved_discards)
	debug_dump "$name-$mode-before"
	for i in "${!G_NS[@]}"; do
		ip netns exec cl "$PROBE" send -t "${G_IP[i]}" -s "$size" -S "$stop" -w 1500 -j \
			>"$tmp/probe$i.json" 2>"$tmp/probe$i.err" &
		pids+=($!)
	done
	if [[ $kind == tcp ]]; then
		ip netns exec cl $PY "$TOP/tests/lab/tcpbulk.py" send "$VM_IP" 5001 "$stop" &
		tcp_send_pid=$!
	fi
	sleep 2

	# suspend (and arm, from the same process): every NIC
	for i in "${!G_NS[@]}"; do
		((i)) && args+=(+)
		args+=("${G_NS[i]}" "${G_NIC[i]}")
		[[ $mode == handoff ]] && args+=(--arm hs "${G_ID[i]}")
	done
	[[ $mode == handoff ]] && args+=(--arm-first)
	if [[ $mode == handoffd ]]; then
		# xl asks the guest to suspend: the agent arms at the request (its
		# arm point), then the guest stops consuming and the domain suspends.
		xen hs "write /local/domain/3/control/shutdown suspend"
		# As soon as it armed (its log: handoffctl would take 100s of ms
		# under TCG, and the guest consumes on until it is paused: frames it
		# consumes after arming arrive twice, the request's boundary window).
		local w
		for w in $(seq 500); do
			grep -q "armed at the suspend request" "$AGENT_DIR/hs.log" && break
			sleep 0.01
		done
		grep -q "armed at the suspend request" "$AGENT_DIR/hs.log" ||
			{ agent_logs; return 1; }
	fi
	$PY "$TOP/tests/lab/suspend.py" "${args[@]}" >"$tmp/boundary"
	[[ $mode == handoffd ]] &&
		xen hs "write /local/domain/3/control/shutdown" "domain shutdown 3 suspend"
	# a client that forgot the VM's MAC asks for it during the pause
	[[ $arp == yes ]] && ip -n cl neigh flush dev c0
	sleep "$pause"
	if [[ $failmig == yes ]]; then
		# The migration fails: the source resumes its guest.
		vm_restore
		[[ $mode == handoff ]] && nsctl hd session attach id 1 dev vifB
		[[ $mode == handoff ]] && nsctl hs session abort id 1 role source
		# handoffd sees the source domain run again and aborts both halves.
		[[ $mode == handoffd ]] && xen hs "domain resume 3"
		ip -n hd link del vifB
		ip -n vm link set eth0 up
	else
		for i in "${!G_NS[@]}"; do
			guest_restore "$i"
			[[ $mode == handoff ]] && nsctl hd session attach id "${G_ID[i]}" dev "${G_VIFB[i]}"
		done
		if [[ $mode == handoffd ]]; then
			# The incoming domain and its vif: the agent finds and attaches.
			xen hd "domain new 5 $AGENT_UUID vm--incoming" "vif 5 0 $VM_MAC vifB"
			wait_cmp 50 = attached state_of hd dest ||
				{ agent_logs; return 1; }
		fi
		if [[ $order == xl ]]; then
			for i in "${!G_NS[@]}"; do ip -n hs link del "${G_VIFA[i]}"; done
			[[ $mode == handoffd ]] && xen hs "domain destroy 3"
		fi
		for i in "${!G_NS[@]}"; do guest_unpause "$i"; done
		[[ $announce == yes ]] && guest_garp
		if [[ $order == xs ]]; then
			sleep 4
			for i in "${!G_NS[@]}"; do ip -n hs link del "${G_VIFA[i]}"; done
			[[ $mode == handoffd ]] && xen hs "domain destroy 3"
		fi
	fi
	sleep 3
	local tcpinfo="{}"
	[[ $kind == tcp ]] && tcpinfo=$(tcp_counters)
	touch "$stop"
	for i in "${!pids[@]}"; do wait "${pids[i]}" || true; done
	if [[ -n $tcp_send_pid ]]; then
		wait "$tcp_send_pid" || true
		# a stream that never came back: the sink reports what it saw
		for i in {1..20}; do
			kill -0 "$tcp_sink_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill "$tcp_sink_pid" 2>/dev/null || true
		wait "$tcp_sink_pid" || echo "  tcpbulk sink failed"
	fi
	for i in "${!echo_pids[@]}"; do
		kill "${echo_pids[i]}" 2>/dev/null
		wait "${echo_pids[i]}" 2>/dev/null
	done
	debug_dump "$name-$mode-after"
	[[ $mode == handoffd ]] && stop_agents
	# The responder's own summary: replies it could not send are its own loss.
	for ns in $(printf '%s\n' "${G_NS[@]}" | sort -u); do
		echo "  $name $mode $ns: $(tail -1 "$tmp/echo-$ns.err")"
	done
	local backlog unres sndbuf=0 n
	backlog=$(($(backlog_drops) - backlog0))
	unres=$(($(unresolved_discards) - unres0))
	for ns in $(printf '%s\n' "${G_NS[@]}" | sort -u); do
		n=$(nstat_get "$ns" UdpSndbufErrors)
		sndbuf=$((sndbuf + ${n:-0}))
	done
	for i in "${!G_NS[@]}"; do
		if [[ ! -s "$tmp/probe$i.json" ]]; then
			cat "$tmp/probe$i.err" >&2
			rm -rf "$tmp"
			return 1
		fi
		local timings="{}" guest=""
		if [[ $mode == handoff ]]; then
			timings=$(session_timings "${G_ID[i]}")
		elif [[ $mode == handoffd ]]; then
			timings=$(agent_timings)
		fi
		((${#G_NS[@]} > 1)) && guest="${G_NS[i]}/${G_NIC[i]}"
		$PY - "$name" "$mode" "$tmp/probe$i.json" "$timings" \
			"$(sed -n "$((i + 1))p" "$tmp/boundary" 2>/dev/null)" \
			"$backlog" "$unres" "$sndbuf" "$guest" >>"$ROWS" <<'PY'
import json, sys
name, mode, path, timings, boundary, backlog, unres, sndbuf, guest = sys.argv[1:10]
r = json.load(open(path))
t = json.loads(timings)
for probe in ("udp_fwd", "udp_rev", "icmp"):
    f = r[probe]
    row = {"scenario": name, "mode": mode, "probe": probe,
           "sent": f["sent"], "lost": f["lost"], "dup": f["dup"],
           "reordered": f["reordered"], "max_gap_ms": round(f["max_gap_ms"], 1)}
    if guest:
        row["guest"] = guest
    row.update(t)
    # Where else packets went: the probe's own sockets, the kernel's backlogs
    # (these three are per run: every NIC's rows repeat them).
    row["sock_drops"] = r.get("sock_drops", 0)
    row["echo_sock_drops"] = r.get("echo_sock_drops", 0)
    row["backlog_drops"] = int(backlog)
    # The guests' own silent drops: replies queued for an unresolved
    # neighbour and discarded (all namespaces), sends refused for lack of
    # buffer (UDP swallows ENOBUFS without IP_RECVERR).
    row["arp_unresolved_discards"] = int(unres)
    row["vm_udp_sndbuf_errors"] = int(sndbuf)
    if boundary:
        row["boundary"] = boundary
    print(json.dumps(row))
PY
	done
	if [[ $kind == tcp ]]; then
		tcp_row "$name" "$mode" "$tmp/tcp.json" "$tcpinfo" >>"$ROWS" ||
			echo "  ($name $mode: no TCP result)"
	fi
	rm -rf "$tmp"
}

# The TCP stream's counters, before it ends: the client's socket (ss -ti:
# retransmissions, lost, backoff, rto) and both namespaces' TCP MIBs.
tcp_counters() {
	local ss
	ss=$(ip netns exec cl ss -tinH dst "$VM_IP" dport = 5001 | tr '\n' ' ')
	$PY - "$ss" "$(ip netns exec cl nstat -asz)" "$(ip netns exec vm nstat -asz)" <<'PY'
import json, re, sys
ss, cl, vm = sys.argv[1:4]
def mib(text):
    return {l.split()[0]: int(l.split()[1]) for l in text.splitlines()
            if l and not l.startswith("#") and len(l.split()) > 1}
c, v = mib(cl), mib(vm)
out = {"ss": ss.strip()}
m = re.search(r"\bretrans:(\d+)/(\d+)", ss)
out["ss_retrans_total"] = int(m.group(2)) if m else 0
m = re.search(r"\blost:(\d+)", ss)
out["ss_lost"] = int(m.group(1)) if m else 0
m = re.search(r"\bbackoff:(\d+)", ss)
out["ss_backoff"] = int(m.group(1)) if m else 0
for k in ("TcpOutSegs", "TcpRetransSegs", "TcpExtTCPTimeouts", "TcpExtTCPLossProbes",
          "TcpExtTCPSpuriousRTOs"):
    out[k] = c.get(k, 0)
for k in ("TcpInSegs", "TcpExtTCPOFOQueue", "TcpExtTCPDSACKOldSent",
          "TcpExtTCPDSACKOfoSent"):
    out["vm_" + k] = v.get(k, 0)
print(json.dumps(out))
PY
}

# A row for the TCP stream: sent = segments the client sent, lost = segments
# it retransmitted, dup = duplicates the guest received (the DSACKs it sent),
# reordered = segments the guest queued out of order, max_gap_ms = the
# longest the guest's reader waited for data; plus whether an RTO fired.
tcp_row() {
	$PY - "$@" <<'PY'
import json, sys
name, mode, path, info = sys.argv[1:5]
r, c = json.load(open(path)), json.loads(info)
row = {"scenario": name, "mode": mode, "probe": "tcp",
       "sent": c.get("TcpOutSegs", 0), "lost": c.get("TcpRetransSegs", 0),
       "dup": c.get("vm_TcpExtTCPDSACKOldSent", 0) + c.get("vm_TcpExtTCPDSACKOfoSent", 0),
       "reordered": c.get("vm_TcpExtTCPOFOQueue", 0), "max_gap_ms": r["max_stall_ms"],
       "tcp_bytes": r["bytes"], "tcp_eof": r["eof"], "tcp_stall_at_s": r["stall_at_s"],
       "tcp_rto_fired": c.get("TcpExtTCPTimeouts", 0) > 0}
row.update(c)
print(json.dumps(row))
PY
}

# The guest's receive path keeps the order frames were sent to its vif in, as
# netback's one ring per queue does (and the vif's receive, what the guest
# sent, as netback's transmit ring does). A veth does not: it queues each frame on
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
session_timings() {	# id
	$PY - "$1" <<'PY'
import json, os, subprocess, sys
def times(ns, role):
    out = subprocess.run(["ip", "netns", "exec", ns, os.environ["HANDOFFCTL"], "-j",
                          "session", "show", "id", sys.argv[1], "role", role],
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
scenario tcp-bulk-0.1s 0.1 xl no no 64 "" no tcp
scenario vlan-guest-1s 1 xl no no 64 "" no vlan
scenario three-vms-1s 1 xl no no 64 "" no three-vms

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
    sc = r["scenario"] + (" " + r["guest"] if "guest" in r else "")
    print(f"{sc:24} {r['mode']:8} {r['probe']:7} {r['sent']:6} {r['lost']:6} {r['dup']:5} "
          f"{r['reordered']:5} {r['max_gap_ms']:10.1f}  {t}")
print(f"results: {sys.argv[2]}")
PY
