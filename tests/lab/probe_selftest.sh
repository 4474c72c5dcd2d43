#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Checks handoff-probe against network damage whose size is known, in network
# namespaces on this host (root, iproute2, nft, python3; no netem needed):
#
#   hp-c-PID (client) c0 ── c1 [hp-sw-PID: bridge br0] v1 ── v0 (vm, echo/sink)
#
# Damage is done in the switch namespace by nftables rules (drop/dup by
# sequence number or at random, with counters as ground truth), by HTB (holds
# chosen packets back: reordering), by netem where the kernel has it, by a
# link taken down and by a stopped responder. Where counters cannot tell
# (reordering, netem), a packet capture at the receiving interfaces (the
# responder's v0, the client's c0) is the ground truth. Timing-based ranges
# are wide: under QEMU/TCG every `ip` call takes a while.
# Ends with "N passed, N failed".
#   PROBE=path/to/handoff-probe tests/lab/probe_selftest.sh [-v]
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
PROBE=${PROBE:-$HERE/../../build/lab/handoff-probe}
VERBOSE=0
[ "${1:-}" = -v ] && VERBOSE=1
C=hp-c-$$ SW=hp-sw-$$ VM=hp-vm-$$
TMP=$(mktemp -d /tmp/hp-selftest.XXXXXX)
PORT=7047 CIP=10.77.0.1 VIP=10.77.0.2
pass=0 fail=0 ECHO_PID=

for t in ip tc nft python3 taskset ss; do
	command -v $t >/dev/null || { echo "missing $t"; exit 2; }
done
[ -x "$PROBE" ] || { echo "build $PROBE first (make -C tests/lab)"; exit 2; }
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 2; }

cleanup() {
	[ -n "$ECHO_PID" ] && kill "$ECHO_PID" 2>/dev/null
	for p in $SNIFF_PIDS; do kill "$p" 2>/dev/null; done
	for n in $C $SW $VM; do ip netns del $n 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
# One CPU for everything (qdisc timers are pinned to the CPU that armed them):
# packets are then taken in by one CPU at a time, so the order a capture sees
# at an interface is the order the socket behind it sees.
taskset -pc 0 $$ >/dev/null

xc() { ip netns exec $C "$@"; }
xs() { ip netns exec $SW "$@"; }
xv() { ip netns exec $VM "$@"; }

for n in $C $SW $VM; do ip netns add $n; ip -n $n link set lo up; done
ip -n $C link add c0 type veth peer name c1 netns $SW
ip -n $VM link add v0 type veth peer name v1 netns $SW
ip -n $SW link add br0 type bridge
ip -n $SW link set c1 master br0
ip -n $SW link set v1 master br0
for d in c1 v1 br0; do ip -n $SW link set $d up; done
ip -n $C addr add $CIP/24 dev c0
ip -n $C addr add fd77::1/64 dev c0 nodad
ip -n $C link set c0 up
ip netns exec $VM sysctl -qw net.ipv6.conf.v0.keep_addr_on_down=1	# survives link-down
ip -n $VM addr add $VIP/24 dev v0
ip -n $VM addr add fd77::2/64 dev v0 nodad
ip -n $VM link set v0 up

# check NAME PYTHON-EXPR: r is the JSON report of the last run, c() a counter.
check() {
	local name=$1 expr=$2 out
	if out=$(python3 - "$TMP/r.json" "$TMP/counters" "$expr" 2>&1 <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
cnt = {}
for line in open(sys.argv[2]):
    k, v = line.split()
    cnt[k] = int(v)
def c(k): return cnt[k]
def cap(name):
    # RFC 4737 counts over a captured arrival order, as probe_stats.c does.
    lines = open("%s/cap_%s" % (sys.argv[1].rsplit("/", 1)[0], name)).read().split("\n")
    seqs = [int(x) for x in lines[1].split()] if len(lines) > 1 else []
    seen, dups, reos, mx = set(), {}, set(), -1
    for x in seqs:
        if x in seen:
            dups[x] = dups.get(x, 0) + 1
            continue
        seen.add(x)
        if x < mx:
            reos.add(x)
        else:
            mx = x
    return {"drops": int(lines[0]), "n": len(seqs), "received": len(seen),
            "dup": sum(dups.values()), "reordered": len(reos), "dups": dups, "reos": reos}
fwd, rev, icmp = r["udp_fwd"], r["udp_rev"], r["icmp"]
def nums(rs):	# the sequence numbers a list of ranges covers
    return {s for x in rs for s in range(x[0], x[1] + 1)}
def dup_counts(rs):	# {(first, last): duplicate arrivals}
    return {(x[0], x[1]): x[4] for x in rs}
def sent_ok(k, t, late=0):	# seq k of udp_fwd sent at t ms: its slot, at most late_max after
    if t is None:
        return False
    slot = k * 1000.0 / r["rate_pps"]
    return slot - 0.001 <= t <= slot + r["pace_late_max_ms"] + late * 1000.0 / r["rate_pps"] + 0.002
def why(problems):	# True if none; else prints them (shown by a failing check)
    for p in problems[:5]:
        print(p)
    return not problems
def ranges_ok():
    # Every report: the ranges of probe.md, consistent with the counts.
    p = []
    if not isinstance(r.get("start_realtime_ns"), int):
        p.append("start_realtime_ns missing")
    for name, f in (("udp_fwd", fwd), ("udp_rev", rev), ("icmp", icmp)):
        for k in ("lost_ranges", "dup_ranges", "reordered_ranges", "lost_ranges_exact",
                  "ranges_truncated"):
            if k not in f:
                p.append("%s: no %s" % (name, k))
        if p:
            continue
        trunc = False
        for k, width in (("lost_ranges", 4), ("dup_ranges", 5), ("reordered_ranges", 4)):
            rs = f[k]
            trunc |= len(rs) == 256
            if len(rs) > 256 or any(len(x) != width for x in rs):
                p.append("%s %s: shape" % (name, k))
                continue
            for i, x in enumerate(rs):
                if x[0] > x[1] or (i and x[0] <= rs[i - 1][1] + 1):
                    p.append("%s %s: not ascending runs at %s" % (name, k, x))
                if None not in (x[2], x[3]) and x[2] > x[3]:
                    p.append("%s %s: times backwards at %s" % (name, k, x))
                if name != "udp_rev" and None in (x[2], x[3]):
                    p.append("%s %s: no send time at %s" % (name, k, x))
                if name == "udp_rev" and k != "lost_ranges" and None in (x[2], x[3]):
                    p.append("%s %s: a reply that arrived has no time at %s" % (name, k, x))
                if name == "udp_fwd" and not (sent_ok(x[0], x[2], r["send_errors"]) and
                                              sent_ok(x[1], x[3], r["send_errors"])):
                    p.append("%s %s: send times off the schedule at %s" % (name, k, x))
        if f["ranges_truncated"] and not trunc:	# only a full list can be cut
            p.append("%s: ranges_truncated with fewer than 256" % name)
        if f["lost_ranges_exact"] != (name != "udp_fwd" or f["unknown"] == 0):
            p.append("%s: lost_ranges_exact %s" % (name, f["lost_ranges_exact"]))
        if f["ranges_truncated"]:
            continue
        lost = sum(x[1] - x[0] + 1 for x in f["lost_ranges"])
        if lost != f["lost"] if f["lost_ranges_exact"] else lost < f["lost"]:
            p.append("%s: lost ranges sum %d, lost %d" % (name, lost, f["lost"]))
        if sum(x[4] for x in f["dup_ranges"]) != f["dup"]:
            p.append("%s: dup ranges sum != dup %d" % (name, f["dup"]))
        if sum(x[1] - x[0] + 1 for x in f["reordered_ranges"]) != f["reordered"]:
            p.append("%s: reordered ranges sum != reordered %d" % (name, f["reordered"]))
    return why(p)
ok = eval(sys.argv[3])
print("ok" if ok else "FALSE")
sys.exit(0 if ok else 1)
EOF
	); then
		pass=$((pass + 1))
		[ $VERBOSE = 1 ] && echo "  ok   $name: $expr"
	else
		fail=$((fail + 1))
		echo "  FAIL $name: $expr ($out)"
	fi
}

# Counter values of named nft counters in the switch (and vm) namespaces.
counters() {
	: >"$TMP/counters"
	for ns in $SW $VM; do
		ip netns exec $ns nft list counters 2>/dev/null | python3 -c '
import re, sys
name = None
for line in sys.stdin:
    m = re.search(r"counter (\w+) {", line)
    if m: name = m.group(1)
    m = re.search(r"packets (\d+)", line)
    if m and name: print(name, m.group(1)); name = None' >>"$TMP/counters"
	done
}

summary() {
	python3 - "$TMP/r.json" "$1" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
print("%s:" % sys.argv[2])
for f in ("udp_fwd", "udp_rev", "icmp"):
    x = r[f]
    print("  %-8s sent %5d received %5d lost %4d dup %3d reordered %3d max_gap_ms %8.3f loss_run %4d%s" % (
        f, x["sent"], x["received"], x["lost"], x["dup"], x["reordered"], x["max_gap_ms"],
        x["max_loss_run"], "  unknown %d" % x["unknown"] if f == "udp_fwd" else ""))
print("  malformed %d foreign %d sock_drops %d echo_sock_drops %d send_errors %d icmp %s" % (
    r["malformed"], r["foreign"], r["sock_drops"], r["echo_sock_drops"], r["send_errors"],
    r["icmp"]["mode"]))
EOF
}

# wait_port NS: until a UDP socket is bound to $PORT there.
wait_port() {
	for _ in $(seq 100); do
		ip netns exec "$1" ss -Huan "sport = :$PORT" | grep -q . && return
		sleep 0.1
	done
	echo "nothing bound to port $PORT in $1"
}

# Background processes are started with ip directly (not through a shell
# function, which would fork a subshell): $! is then the probe's own pid.
start_echo() {
	ip netns exec $VM "$PROBE" echo -p $PORT 2>"$TMP/echo.log" &
	ECHO_PID=$!
	wait_port $VM
}

# The ground truth of the order things arrived in: requests as they reach
# the responder's interface, replies as they reach the client's.
cat >"$TMP/sniff.py" <<'EOF'
import signal, socket, struct, sys
dev, what, port, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
try:
    s.setsockopt(socket.SOL_SOCKET, 33, 1 << 26)    # SO_RCVBUFFORCE
except OSError:
    pass
s.bind((dev, 0x0800))
s.settimeout(0.2)
stop = []
signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
open(out + ".ready", "w").close()
seqs = []
while True:
    try:
        b, addr = s.recvfrom(65535)
    except socket.timeout:
        if stop:
            break
        continue
    if addr[2] == socket.PACKET_OUTGOING or len(b) < 14 + 20 + 8 + 64 or b[23] != 17:
        continue
    u = 14 + (b[14] & 15) * 4
    sport, dport = struct.unpack(">HH", b[u:u + 4])
    p = u + 8
    if b[p:p + 4] != b"HOPR":
        continue
    if what == "fwd" and b[p + 5] == 1 and dport == port:
        seqs.append(struct.unpack(">Q", b[p + 16:p + 24])[0])
    elif what == "rev" and b[p + 5] == 2 and sport == port:
        seqs.append(struct.unpack(">Q", b[p + 32:p + 40])[0])
drops = struct.unpack("II", s.getsockopt(263, 6, 8))[1]    # PACKET_STATISTICS
with open(out, "w") as f:
    f.write("%d\n%s" % (drops, " ".join(map(str, seqs))))
EOF

SNIFF_PIDS=
start_sniff() {
	rm -f "$TMP"/cap_*
	ip netns exec $VM python3 "$TMP/sniff.py" v0 fwd $PORT "$TMP/cap_fwd" &
	SNIFF_PIDS=$!
	ip netns exec $C python3 "$TMP/sniff.py" c0 rev $PORT "$TMP/cap_rev" &
	SNIFF_PIDS="$SNIFF_PIDS $!"
	for _ in $(seq 100); do
		[ -e "$TMP/cap_fwd.ready" ] && [ -e "$TMP/cap_rev.ready" ] && return
		sleep 0.1
	done
}
stop_sniff() {
	for p in $SNIFF_PIDS; do kill "$p"; wait "$p"; done
	SNIFF_PIDS=
}
# The probe's counts equal the capture's (which must have dropped nothing).
match_capture() {
	python3 - "$TMP" <<'EOF'
import sys
for name in ("fwd", "rev"):
    lines = open("%s/cap_%s" % (sys.argv[1], name)).read().split("\n")
    seqs = [int(x) for x in lines[1].split()] if len(lines) > 1 else []
    seen, dup, reo, mx = set(), 0, 0, -1
    for x in seqs:
        if x in seen:
            dup += 1
            continue
        seen.add(x)
        if x < mx:
            reo += 1
        else:
            mx = x
    print("  capture %s: %d frames, %d distinct, %d dup, %d reordered, %s capture drops" % (
        name, len(seqs), len(seen), dup, reo, lines[0]))
EOF
	check "$1 capture complete" 'cap("fwd")["drops"] == 0 and cap("rev")["drops"] == 0'
	check "$1 fwd = capture" 'all(fwd[k] == cap("fwd")[k] for k in ("received", "dup", "reordered"))'
	check "$1 rev = capture" 'all(rev[k] == cap("rev")[k] for k in ("received", "dup", "reordered"))'
	# Which numbers: udp_rev ranges are reply_seq values, as on the wire.
	check "$1 ranges = capture" 'all(nums(f["reordered_ranges"]) == cap(n)["reos"] and nums(f["dup_ranges"]) == set(cap(n)["dups"]) and all(x[4] == sum(cap(n)["dups"][s] for s in range(x[0], x[1] + 1)) for x in f["dup_ranges"]) for n, f in (("fwd", fwd), ("rev", rev)) if not f["ranges_truncated"])'
}

stop_echo() {
	kill "$ECHO_PID"
	wait "$ECHO_PID" 2>/dev/null
	ECHO_PID=
}

# run NAME [send options]: 3 s at 1 kpps unless told otherwise.
run() {
	local name=$1 t0 t1
	shift
	t0=$(date +%s%N)
	xc "$PROBE" send -t $VIP -p $PORT -j -q -d 3 "$@" >"$TMP/r.json" || echo "send failed"
	t1=$(date +%s%N)
	counters
	echo "realtime_before $t0" >>"$TMP/counters"
	echo "realtime_after $t1" >>"$TMP/counters"
	summary "$name"
	check "$name start_realtime_ns" 'c("realtime_before") < r["start_realtime_ns"] < c("realtime_after")'
	check "$name ranges consistent" 'ranges_ok()'
}

nft_sw() { xs nft -f -; }
reset_sw() {
	xs nft flush ruleset
	xs tc qdisc del dev v1 root 2>/dev/null
	xs tc qdisc del dev c1 root 2>/dev/null
	xv nft flush ruleset
}

clean() {	# no damage: everything exact
	check "$1 fwd clean" 'fwd["lost"] == 0 and fwd["dup"] == 0 and fwd["reordered"] == 0 and fwd["unknown"] == 0'
	check "$1 rev clean" 'rev["lost"] == 0 and rev["dup"] == 0 and rev["reordered"] == 0'
}

probe_ok() {	# the probe itself never drops, nothing unexpected
	check "$1 no probe drops" 'r["sock_drops"] == 0 and r["echo_sock_drops"] == 0 and r["send_errors"] == 0'
	check "$1 no garbage" 'r["malformed"] == 0 and r["foreign"] == 0 and r["other_responder"] == 0'
}

# The probe's fields, as nft raw payload offsets after the UDP header (bits).
TYPE='@ih,40,8' SEQ='@ih,128,64' RSEQ='@ih,256,64' SEQLO='@ih,184,8' RSEQLO='@ih,312,8'

start_echo
sleep 1	# IPv6 addresses settle

echo "== 1. baseline: 1000 pps for 3 s, ICMP every 10 ms"
run baseline
check "baseline counts" 'fwd["sent"] == 3000 and fwd["received"] == 3000 and icmp["sent"] == 300 and icmp["received"] == 300 and rev["sent"] == 3000'
clean baseline
check "baseline icmp" 'icmp["lost"] == 0 and icmp["dup"] == 0 and icmp["reordered"] == 0'
probe_ok baseline
check "baseline drained early" 'r["stat_answered"] and r["drain_s"] < 0.5'
check "baseline no ranges" 'all(not f[k] for f in (fwd, rev, icmp) for k in ("lost_ranges", "dup_ranges", "reordered_ranges"))'

echo "== 2. exact windows: requests 1000-1499, replies 2001-2300, echo requests 100-149 dropped"
nft_sw <<EOF
table netdev t {
	counter fdrop {}
	counter rdrop {}
	counter idrop {}
	chain cin { type filter hook ingress device c1 priority 0;
		udp dport $PORT $TYPE 1 $SEQ 1000-1499 counter name fdrop drop
		icmp type echo-request icmp sequence 100-149 counter name idrop drop
	}
	chain vin { type filter hook ingress device v1 priority 0;
		udp sport $PORT $TYPE 2 $RSEQ 2001-2300 counter name rdrop drop
	}
}
EOF
run windows
check "windows fwd" 'fwd["sent"] == 3000 and fwd["received"] == 2500 and fwd["lost"] == 500 and fwd["max_loss_run"] == 500 and fwd["dup"] == 0 and fwd["reordered"] == 0'
check "windows fwd unknown = replies lost" 'fwd["unknown"] == 300 == c("rdrop")'
check "windows fwd gap" 'fwd["max_gap_ms"] >= 300'
check "windows rev" 'rev["sent"] == 2500 and rev["received"] == 2200 and rev["lost"] == 300 and rev["max_loss_run"] == 300 and rev["tail_lost"] == 0'
check "windows icmp" 'icmp["lost"] == 50 == c("idrop") and icmp["max_loss_run"] == 50'
check "windows counters" 'c("fdrop") == 500'
# Replies 2001-2300 answered requests 2500-2799 (1000-1499 never arrived): the
# responder's receptions of those are unknown, so udp_fwd's lost ranges are
# an upper bound that names them too. A lost run of replies is bracketed by
# the requests of the replies around it: 2000 (request 2499) and 2301 (2800).
check "windows fwd ranges" '[x[:2] for x in fwd["lost_ranges"]] == [[1000, 1499], [2500, 2799]] and not fwd["lost_ranges_exact"] and sent_ok(1000, fwd["lost_ranges"][0][2]) and sent_ok(1499, fwd["lost_ranges"][0][3])'
check "windows rev ranges" '[x[:2] for x in rev["lost_ranges"]] == [[2001, 2300]] and sent_ok(2499, rev["lost_ranges"][0][2]) and sent_ok(2800, rev["lost_ranges"][0][3])'
check "windows icmp ranges" '[x[:2] for x in icmp["lost_ranges"]] == [[100, 149]] and 999.999 <= icmp["lost_ranges"][0][2] < icmp["lost_ranges"][0][3] and icmp["lost_ranges"][0][3] >= 1489.999'
probe_ok windows
reset_sw

echo "== 2b. loss at the very end: the last 300 replies dropped (the responder's count tells)"
nft_sw <<EOF
table netdev t {
	counter rdrop {}
	chain vin { type filter hook ingress device v1 priority 0;
		udp sport $PORT $TYPE 2 $RSEQ 2701-3000 counter name rdrop drop
	}
}
EOF
run tail
check "tail rev" 'rev["sent"] == 3000 and rev["lost"] == 300 == c("rdrop") and rev["tail_lost"] == 300'
check "tail fwd" 'fwd["lost"] == 0 and fwd["unknown"] == 300 and fwd["received"] == 3000'
check "tail stat" 'r["stat_answered"]'
check "tail ranges" '[x[:2] for x in rev["lost_ranges"]] == [[2701, 3000]] and sent_ok(2699, rev["lost_ranges"][0][2]) and rev["lost_ranges"][0][3] is None and [x[:2] for x in fwd["lost_ranges"]] == [[2700, 2999]] and not fwd["lost_ranges_exact"]'
reset_sw

echo "== 3. exact duplicates and reordering (nft dup, HTB holding packets back)"
# Requests: seq%128 == 5 duplicated (24 of 3000). seq%512 in 8..11 go through
# an 8 kbit class (a 106-byte frame costs 106 ms) with a 150 B bucket: 8 and
# 9 pass, 10 waits ~60 ms and 11 ~170 ms while later ones overtake them: 2
# reordered per 512 (12 of 3000). Replies: reply_seq%128 == 7 duplicated,
# reply_seq%512 in 40..43 held the same way.
nft_sw <<EOF
table netdev t {
	counter fdup {}
	counter rdup {}
	chain cin { type filter hook ingress device c1 priority 0;
		udp dport $PORT $TYPE 1 $SEQLO & 0x7f == 5 counter name fdup dup to v1
	}
	chain vin { type filter hook ingress device v1 priority 0;
		udp sport $PORT $TYPE 2 $RSEQLO & 0x7f == 7 counter name rdup dup to c1
	}
}
EOF
for dev in v1:dport:48:0x08 c1:sport:64:0x28; do
	IFS=: read -r d dir off val <<<"$dev"
	xs tc qdisc add dev $d root handle 1: htb default 10
	xs tc class add dev $d parent 1: classid 1:10 htb rate 1gbit 2>/dev/null
	xs tc class add dev $d parent 1: classid 1:20 htb rate 8kbit ceil 8kbit burst 150b cburst 150b 2>/dev/null
	xs tc filter add dev $d parent 1: protocol ip prio 1 u32 match ip protocol 17 0xff \
		match ip $dir $PORT 0xffff match u32 $val 0x1fc at $off flowid 1:20
done
start_sniff
run dup-reorder
stop_sniff
check "dup-reorder fwd" 'fwd["dup"] == 24 == c("fdup") and fwd["lost"] == 0 and fwd["received"] == 3000'
check "dup-reorder rev" 'rev["sent"] == 3024 and rev["dup"] == 24 == c("rdup") and rev["lost"] == 0'
# 12 each when nothing stalls longer than a hold (always, natively).
check "dup-reorder reordered" '10 <= fwd["reordered"] <= 12 and 10 <= rev["reordered"] <= 12'
check "dup-reorder dup ranges" 'fwd["dup_ranges"] == [[s, s, fwd["dup_ranges"][i][2], fwd["dup_ranges"][i][3], 1] for i, s in enumerate(range(5, 3000, 128))]'
check "dup-reorder reordered ranges" 'nums(fwd["reordered_ranges"]) <= {s for s in range(3000) if s % 512 in (10, 11)}'
match_capture dup-reorder
check "dup-reorder icmp untouched" 'icmp["lost"] == 0 and icmp["dup"] == 0 and icmp["reordered"] == 0'
probe_ok dup-reorder
reset_sw

echo "== 4a. random damage forward: 5% requests dropped, 1% duplicated, 5% echo requests dropped"
nft_sw <<EOF
table netdev t {
	counter fdrop {}
	counter fdup {}
	counter idrop {}
	chain cin { type filter hook ingress device c1 priority 0;
		udp dport $PORT $TYPE 1 numgen random mod 100 < 5 counter name fdrop drop
		udp dport $PORT $TYPE 1 numgen random mod 100 < 1 counter name fdup dup to v1
		icmp type echo-request numgen random mod 100 < 5 counter name idrop drop
	}
}
EOF
run random-fwd
check "random-fwd lost = drops" 'fwd["lost"] == c("fdrop") and 75 <= fwd["lost"] <= 230'
check "random-fwd dup = dups" 'fwd["dup"] == c("fdup") and fwd["reordered"] == 0 and fwd["unknown"] == 0'
check "random-fwd icmp = drops" 'icmp["lost"] == c("idrop")'
check "random-fwd rev clean" 'rev["lost"] == 0 and rev["sent"] == 3000 - c("fdrop") + c("fdup")'
probe_ok random-fwd
reset_sw

echo "== 4b. random damage backward: 5% replies dropped, 1% duplicated"
nft_sw <<EOF
table netdev t {
	counter rdrop {}
	counter rdup {}
	chain vin { type filter hook ingress device v1 priority 0;
		udp sport $PORT $TYPE 2 numgen random mod 100 < 5 counter name rdrop drop
		udp sport $PORT $TYPE 2 numgen random mod 100 < 1 counter name rdup dup to c1
	}
}
EOF
run random-rev
check "random-rev lost = drops" 'rev["lost"] == c("rdrop") and rev["sent"] == 3000'
check "random-rev dup = dups" 'rev["dup"] == c("rdup")'
check "random-rev fwd intact" 'fwd["lost"] == 0 and fwd["dup"] == 0 and fwd["unknown"] == c("rdrop")'
probe_ok random-rev
reset_sw

echo "== 4c. netem, if this kernel has it: loss 5%, duplicate 1%, delay 10 ms with 25% reordered"
if xs tc qdisc add dev v1 root netem loss 5% duplicate 1% delay 10ms reorder 25% 50% 2>/dev/null; then
	start_sniff
	run netem
	stop_sniff
	nd=$(xs tc -s qdisc show dev v1 | sed -n 's/.*dropped \([0-9]*\).*/\1/p' | head -1)
	echo "  netem dropped $nd frames (requests, echo requests, ARP)"
	echo "$nd" | awk '{ print "netem_dropped", $1 }' >>"$TMP/counters"
	check "netem fwd loss ~5%" '60 <= fwd["lost"] <= 260 and fwd["unknown"] == 0'
	check "netem loss <= qdisc drops" 'fwd["lost"] + icmp["lost"] <= c("netem_dropped") <= fwd["lost"] + icmp["lost"] + 5'
	check "netem dup ~1%" '5 <= fwd["dup"] <= 70'
	check "netem reordered" 'fwd["reordered"] > 100'
	check "netem rev clean" 'rev["lost"] == 0 and rev["dup"] == 0'
	match_capture netem
	probe_ok netem
	reset_sw
else
	echo "  netem: not available on this kernel ($(uname -r)), skipped"
fi

echo "== 5. the responder's link down for 500 ms (ground truth: nft counters on both sides)"
nft_sw <<EOF
table netdev t {
	counter freq {}
	counter fecho {}
	chain cin { type filter hook ingress device c1 priority 0;
		udp dport $PORT $TYPE 1 counter name freq
		icmp type echo-request counter name fecho
	}
}
EOF
xv nft -f - <<EOF
table netdev t {
	counter vreq {}
	counter vecho {}
	chain vin { type filter hook ingress device v0 priority 0;
		udp dport $PORT $TYPE 1 counter name vreq
		icmp type echo-request counter name vecho
	}
}
EOF
(sleep 1.2; ip -n $VM link set v0 down; sleep 0.5; ip -n $VM link set v0 up) &
bg=$!
run link-down
wait $bg
echo "  counters: requests at the switch $(grep freq "$TMP/counters"), at the vm $(grep vreq "$TMP/counters")"
check "link-down fwd lost = frames that never reached the vm" 'fwd["lost"] == c("freq") - c("vreq") and fwd["lost"] >= 400'
check "link-down fwd run" 'fwd["max_loss_run"] == fwd["lost"] and fwd["max_gap_ms"] >= 400'
check "link-down one range each" 'len(fwd["lost_ranges"]) == 1 and len(icmp["lost_ranges"]) == 1 and fwd["lost_ranges"][0][3] - fwd["lost_ranges"][0][2] >= 399'
check "link-down icmp lost" 'icmp["lost"] == c("fecho") - c("vecho") and icmp["lost"] >= 40'
check "link-down rev" 'rev["lost"] == 0'
probe_ok link-down
reset_sw

echo "== 6. responder stopped (SIGSTOP) for 500 ms: its socket queues, nothing is lost"
(sleep 1.2; kill -STOP $ECHO_PID; sleep 0.5; kill -CONT $ECHO_PID) &
bg=$!
run sigstop
wait $bg
clean sigstop
check "sigstop gaps" 'fwd["max_gap_ms"] >= 450 and rev["max_gap_ms"] >= 450 and icmp["lost"] == 0'
probe_ok sigstop

echo "== 7. garbage and another run's packets at the client and the responder"
(
	port=
	for _ in $(seq 100); do
		port=$(xc ss -Huanp | python3 -c '
import sys
for l in sys.stdin:
    if "handoff-probe" in l:
        print(l.split()[3].rsplit(":", 1)[1]); break')
		[ -n "$port" ] && break
		sleep 0.1
	done
	sleep 0.5
	xv python3 - "$CIP" "$port" "$VIP" "$PORT" <<'EOF'
import os, socket, struct, sys
def csum(b):
    h = 0xcbf29ce484222325; m = (1 << 64) - 1; i = 0
    while i + 8 <= len(b):
        w = struct.unpack(">Q", b[i:i+8])[0]
        if i == 56: w &= 0xffffffff00000000
        h = ((h ^ w) * 0x100000001b3) & m; i += 8
    for x in b[i:]: h = ((h ^ x) * 0x100000001b3) & m
    return (h ^ (h >> 32)) & 0xffffffff
def pkt(typ, run, seq, rseq, n=64):
    b = bytearray(struct.pack(">IBBHQQQQQQII", 0x484f5052, 1, typ, 64, run, seq, 0, rseq, 0, 7, 0, 0))
    b += bytes(n - 64)
    struct.pack_into(">I", b, 60, csum(bytes(b)))
    return bytes(b)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[4]) + 1))
dst, echo = (sys.argv[1], int(sys.argv[2])), (sys.argv[3], int(sys.argv[4]))
for i in range(37):
    s.sendto(os.urandom(10 + i * 3), dst)        # garbage
for i in range(11):
    s.sendto(pkt(2, 0x1234, i, i + 1), dst)      # a reply of another run
bad = bytearray(pkt(2, 0x1234, 1, 1)); bad[20] ^= 1
s.sendto(bytes(bad), dst)                        # corrupted: malformed
for i in range(5):
    s.sendto(os.urandom(80), echo)               # garbage at the responder
    s.sendto(pkt(3, 0x99, i, 0), echo)           # not a request: ignored
EOF
) &
bg=$!
run garbage -d 8	# long enough for a slow python start under emulation
wait $bg
check "garbage counted" 'r["malformed"] == 38 and r["foreign"] == 11'
clean garbage
stop_echo
check "responder ignored garbage" "$(grep -c '5 malformed, 5 ignored' "$TMP/echo.log") == 1"
start_echo

echo "== 8. ping socket (ping_group_range allows root) and IPv6"
xc sysctl -qw net.ipv4.ping_group_range="0 0"
run ping-socket -d 1
check "ping socket" 'icmp["mode"] == "ping" and icmp["sent"] == 100 and icmp["received"] == 100'
xc "$PROBE" send -t fd77::2 -p $PORT -j -q -d 1 >"$TMP/r.json"
summary ipv6-ping
check "ipv6 ping socket" 'r["target"] == "fd77::2" and icmp["mode"] == "ping" and icmp["received"] == 100 and fwd["received"] == 1000 and rev["lost"] == 0'
xc sysctl -qw net.ipv4.ping_group_range="1 0"
xc "$PROBE" send -t fd77::2 -p $PORT -j -q -d 1 >"$TMP/r.json"
summary ipv6-raw
check "ipv6 raw" 'icmp["mode"] == "raw" and icmp["received"] == 100 and fwd["received"] == 1000'

echo "== 9. stop conditions: -n, -S FILE, SIGINT"
xc "$PROBE" send -t $VIP -p $PORT -j -q -n 777 -i 0 >"$TMP/r.json"
check "-n 777" 'fwd["sent"] == 777 and fwd["received"] == 777 and icmp["mode"] == "off" and icmp["sent"] == 0'
check "-n 777 ranges" 'ranges_ok()'
xc "$PROBE" send -t $VIP -p $PORT -q -n 200 -i 0 >"$TMP/r.txt"
if grep -Eq '^start_realtime_ns [0-9]{19} \([0-9T:.-]+Z\)' "$TMP/r.txt"; then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	echo "  FAIL text report: no start_realtime_ns line"
	cat "$TMP/r.txt"
fi
rm -f "$TMP/stop"
(sleep 1; touch "$TMP/stop") &
bg=$!
xc "$PROBE" send -t $VIP -p $PORT -j -q -d 30 -S "$TMP/stop" >"$TMP/r.json"
wait $bg
check "-S file" '100 <= fwd["sent"] <= 5000 and r["duration_s"] < 6 and fwd["lost"] == 0'
ip netns exec $C "$PROBE" send -t $VIP -p $PORT -j -q >"$TMP/r.json" &
spid=$!
sleep 1
kill -INT $spid
wait $spid
check "SIGINT reports" '100 <= fwd["sent"] <= 5000 and fwd["lost"] == 0'

echo "== 10. blast into sink: exactly 0..N-1, in order, none twice"
stop_echo
for spec in "-n 20000 -r 0" "-d 2 -r 1000" "-n 3000 -r 5000 -s 1400"; do
	ip netns exec $VM "$PROBE" sink -p $PORT -o "$TMP/sink.txt" 2>"$TMP/sink.log" &
	sink=$!
	wait_port $VM
	# shellcheck disable=SC2086
	out=$(xc "$PROBE" blast -t $VIP -p $PORT $spec)
	sleep 0.3
	kill $sink
	wait $sink
	n=$(sed -n 's/^sent=\([0-9]*\) .*/\1/p' <<<"$out")
	echo "blast $spec: $out; $(cat "$TMP/sink.log")"
	if python3 -c '
import sys
got = [int(l) for l in open(sys.argv[1])]
sys.exit(0 if got == list(range(int(sys.argv[2]))) else 1)' "$TMP/sink.txt" "$n"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "  FAIL blast $spec: sink did not get exactly 0..$((n - 1)) in order"
	fi
	case $spec in
	"-d 2 -r 1000") [ "$n" = 2000 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "  FAIL paced blast sent $n, want 2000"; } ;;
	*) want=${spec#-n }; want=${want%% *}
	   [ "$n" = "$want" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "  FAIL blast sent $n, want $want"; } ;;
	esac
done

echo "$pass passed, $fail failed"
[ $fail = 0 ]
