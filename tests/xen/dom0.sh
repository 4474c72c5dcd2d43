#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The experiment, inside dom0 (started at boot by handoff-xen.service from the
# 9p share mounted at /mnt/h; records go to the share at /mnt/out). The outer
# machine's tests/xen/report.py turns them into the table. handoff.host= on
# dom0's command line says which host this is: "local" (one host, xl migrate
# to localhost), or "a" / "b" (two hosts on one switch, the outer machine's).
#
# local:
#   cl: c0 10.77.0.100 ── cl0 ─┐
#                              xenbr0 (dom0; no address) ── vifN.0 ── guest "vm"
#                                                                     eth0 10.77.0.2
#   `xl migrate vm localhost`: the incoming domain's vifM.0 joins xenbr0 too;
#   with handoff both halves of the session live here, tunnel 127.0.0.1 -> itself.
# a, b:
#   outer: sw0 (a Linux bridge: the physical switch, MAC learning)
#     ├── host a: eth 52:54:00:77:00:0a ── xenbr0 10.77.0.11 ── vif ── guest
#     ├── the client 10.77.0.100 (netns hxcl of the outer machine: tests/xen/client.sh)
#     └── host b: eth 52:54:00:77:00:0b ── xenbr0 10.77.0.12 ── (guest after)
#   Host a drives: odd runs migrate a -> b, even runs b -> a (through b's
#   command port). The migration stream goes over socat, not ssh.
#
# /mnt/h/params sets RUNS (per mode), MODES (baseline request suspended divert),
# RATE (probe requests/s), CONTROL_S (seconds of probe without a migration),
# SETTLE_S (probe time after xl returns), SNIFF (1: tests/xen/sniff.py per run),
# DELIVER_PPS (net.handoff.deliver_max_pps).
set -u
H=/mnt/h
OUT=/mnt/out
RUNS=3 MODES="baseline request suspended divert" RATE=200 CONTROL_S=20 SETTLE_S=5 DELIVER_PPS=0
# shellcheck source=/dev/null
. "$H/params"
VM=vm
VM_IP=10.77.0.2
GUEST_MAC=00:16:3e:4a:00:02
A_IP=10.77.0.11
B_IP=10.77.0.12
CMD_PORT=7100
MIG_PORT=7101
TIME_PORT=7102
CLIENT_IP=10.77.0.100
CLIENT_PORT=7200	# two hosts: tests/xen/client.sh on the outer machine
export PATH=/usr/local/sbin:/usr/local/bin:$PATH
ROLE=$(sed -n 's/.*handoff\.host=\([a-z]*\).*/\1/p' /proc/cmdline)
ROLE=${ROLE:-local}
case $ROLE in
local) PEER=127.0.0.1 ;;
a) PEER=$B_IP ;;
b) PEER=$A_IP ;;
*) echo "bad handoff.host=$ROLE" >&2; exit 2 ;;
esac

log() { echo "$(date +%T.%3N) dom0: $*"; }
now() { date +%s.%N; }
finish() {
	log "done (status $1)"
	dmesg >"$OUT/dmesg.txt"
	journalctl -q -u handoffd -o short-iso-precise >"$OUT/handoffd.journal"
	cp -r /var/log/xen "$OUT/xen-logs" 2>/dev/null
	echo "$1" >"$OUT/status"
	[ "$ROLE" != a ] || remote_run touch /tmp/finish
	sync
	# Xen halts the machine when dom0 powers off; a reboot ends QEMU (-no-reboot).
	systemctl reboot --no-block
	exit "$1"
}

# Waits up to $1 tenths of a second for the command to succeed.
wait_for() {
	local n=$1
	shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}


# One probe run: label, then the command that is measured (may be empty).
# Files: label.probe.json, label.t0 (start of the command), label.links
# (ip monitor), label.journal (handoffd), label.rc, label.cmd.log.
measure() {
	local label=$1 since
	shift
	rm -f /tmp/stop
	if [ "${at:-local}" = b ]; then
		echo "vif$(remote_run xl domid "$VM").0" >"$OUT/$label.srcvif"
	else
		echo "vif$(xl domid "$VM").0" >"$OUT/$label.srcvif"
	fi
	since=$(date '+%Y-%m-%d %H:%M:%S')
	cat /proc/net/stat/arp_cache >"$OUT/$label.arp-before"
	ip -tshort -o monitor link >"$OUT/$label.links" 2>&1 &
	local mon=$!
	# Every vif's packet and drop counters, 10 times a second: where frames
	# die (netback drops with only tx_dropped rising; the qdisc drops).
	(while :; do
		for v in /sys/class/net/vif*; do
			[ -e "$v" ] || continue
			q=$(tc -s qdisc show dev "${v##*/}" 2>/dev/null | sed -n 's/.*dropped \([0-9]*\).*/\1/p' | head -1)
			# netback's own view: its rx ring and internal queue.
			r=$(sed -n '/^RX: nr_ents/{n;p}; /^Rx internal queue/p' \
				"/sys/kernel/debug/xen-netback/${v##*/}/io_ring_q0" 2>/dev/null | tr '\n' ' ')
			echo "$(now) ${v##*/} $(cat "$v/carrier" 2>/dev/null || echo -) $(cat "$v/statistics/tx_packets" "$v/statistics/tx_dropped" 2>/dev/null | tr '\n' ' ')qdisc_drops=${q:-0} $r"
		done
		sleep 0.1
	done) >"$OUT/$label.vifstats" 2>/dev/null &
	local stats=$!
	# The sessions' counters twice a second (gone once the agent deletes
	# them): where a duplicate or a loss came from.
	(while :; do
		echo "@ $(now)"
		handoffctl -j session show
		sleep 0.5
	done) >"$OUT/$label.sessions" 2>&1 &
	stats="$stats $!"
	# Frame by frame (SNIFF=1): python in dom0 under TCG misses most frames
	# at these rates and loads dom0, so only to look at checksums or order.
	local sniff=
	if [ "${SNIFF:-0}" = 1 ]; then
		python3 "$H/sniff.py" "$GUEST_MAC" "$OUT/$label.sniff" &
		sniff=$!
	fi
	local probe=
	if [ "$ROLE" = a ]; then
		# The client's clock minus ours (report.py), and its probe.
		peer_offset "$CLIENT_IP" "$CLIENT_PORT" time >"$OUT/$label.client-offset"
		client start "$label" "$RATE" || log "$label: the client did not start its probe"
	else
		# On one CPU: a veth queues each frame on the sending CPU's
		# backlog, and a sender moving between dom0's two CPUs reorders
		# its own stream before any switch (the control run counted 34
		# in 20 s that way).
		ip netns exec cl taskset -c 0 handoff-probe send -t "$VM_IP" -r "$RATE" -j -q \
			-S /tmp/stop -w 30000 >"$OUT/$label.probe.json" 2>"$OUT/$label.probe.err" &
		probe=$!
	fi
	sleep 3
	now >"$OUT/$label.t0"
	if [ $# -gt 0 ]; then
		log "$label: $*"
		"$@" >"$OUT/$label.cmd.log" 2>&1
		echo $? >"$OUT/$label.rc"
		now >"$OUT/$label.t1"
	else
		sleep "$CONTROL_S"
		echo 0 >"$OUT/$label.rc"
	fi
	sleep "$SETTLE_S"
	if [ -n "$probe" ]; then
		touch /tmp/stop
		wait "$probe"
	else
		client stop "$label"
	fi
	kill "$mon" $stats $sniff
	wait "$mon" $stats $sniff 2>/dev/null
	journalctl -q -u handoffd --since "$since" -o short-iso-precise >"$OUT/$label.journal"
	# Neighbour tables (the statistics are the host's, all namespaces): what
	# was discarded for want of an answer; and the client's entries.
	cat /proc/net/stat/arp_cache >"$OUT/$label.arp-after"
	client_do neighshow >"$OUT/$label.client-neigh" 2>&1
	xl list >"$OUT/$label.xl-list" 2>&1
	log "$label: rc $(cat "$OUT/$label.rc"), $(head -c 300 "$OUT/$label.probe.json")"
}

# handoffd_with request|suspended|divert (divert: arm point request, source
# sessions diverting).
handoffd_with() {
	local point=$1 divert=no
	[ "$1" != divert ] || point=request divert=yes
	sed -i -e "s/^arm-point = .*/arm-point = $point/" -e '/^divert = /d' \
		/etc/handoff/handoffd.conf
	echo "divert = $divert" >>/etc/handoff/handoffd.conf
	systemctl restart handoffd || {
		journalctl -u handoffd -n 50 --no-pager
		return 1
	}
}

# Guest triple faults Xen reported since the last call (its console ring,
# read and cleared; kept in xen-dmesg.txt).
new_faults() {
	local t
	t=$(xl dmesg -c)
	printf '%s\n' "$t" >>"$OUT/xen-dmesg.txt"
	grep -c 'Triple fault' <<<"$t"
}

# The NIC QEMU gave this MAC.
nic_by_mac() {
	local d
	for d in /sys/class/net/*; do
		[ "$(cat "$d/address")" = "$1" ] && { echo "${d##*/}"; return 0; }
	done
	return 1
}

# Runs a command line on the other host (its command port); its output, and
# its exit status as ours.
remote_run() {
	local out rc
	out=$(printf '%q ' "$@" | socat -t 1200 - "TCP:$PEER:$CMD_PORT,connect-timeout=5") || return 99
	rc=$(sed -n 's/^remote-rc=//p' <<<"$out" | tail -1)
	sed '/^remote-rc=/d' <<<"$out"
	return "${rc:-98}"
}

# This host's agent, set for this mode (baseline: stopped).
agents_here() {
	if [ "$1" = baseline ]; then systemctl stop handoffd; else handoffd_with "$1"; fi
}
# Both hosts' agents.
agents() {
	agents_here "$1" || return 1
	[ "$ROLE" = local ] || remote_run agents_here "$1"
}

# Triple faults on either host since the last look.
faults() {
	local n m
	n=$(new_faults)
	if [ "$ROLE" != local ]; then
		m=$(remote_run new_faults | tail -1)
		case $m in
		'' | *[!0-9]*)
			log "host b's fault count unreadable: '$m'"
			m=0
			;;
		esac
		n=$((n + m))
	fi
	echo "$n"
}

# Another machine's clock minus ours (s), and the uncertainty (half the
# round trip), from the quickest of 5 asks: host b's time port, or the
# client's "time" (HOST PORT [LINE]). Emulated machines' clocks drift apart;
# report.py puts b's records and the client's probe on a's clock with it.
peer_offset() {
	local i t1 tb t2
	for i in 1 2 3 4 5; do
		t1=$(now)
		tb=$(echo "${3:-}" | socat -T 5 - "TCP:$1:$2" | head -1)
		[ -n "$tb" ] || continue
		t2=$(now)
		echo "$t1 $tb $t2"
	done | awk '{ h = ($3 - $1) / 2; o = $2 - ($1 + $3) / 2
		if (n++ == 0 || h < best) { best = h; off = o } }
		END { if (n) printf "%.6f %.6f\n", off, best; else exit 1 }'
}

# The client: a namespace here, or on two hosts the outer machine's
# tests/xen/client.sh (ping, neigh MAC, neighshow, start/stop LABEL).
client_do() {
	case $1 in
	ping) [ "$ROLE" != local ] || { ip netns exec cl ping -c1 -W1 "$VM_IP"; return; } ;;
	neigh)
		[ "$ROLE" != local ] ||
			{ ip -n cl neigh replace "$VM_IP" lladdr "$2" nud permanent dev c0; return; } ;;
	neighshow) [ "$ROLE" != local ] || { ip -n cl -s neigh; return; } ;;
	esac
	client "$@"
}
client() {
	local out rc
	out=$(echo "$*" | socat -t 600 -T 900 - "TCP:$CLIENT_IP:$CLIENT_PORT,connect-timeout=5") ||
		return 99
	rc=$(sed -n 's/^rc=//p' <<<"$out" | tail -1)
	sed '/^rc=/d' <<<"$out"
	return "${rc:-98}"
}

# On the command port: one command line from the other host, run here.
if [ "${1:-}" = remote ]; then
	read -r line
	eval "$line" 2>&1
	echo "remote-rc=$?"
	exit 0
fi

exec >>"$OUT/dom0.log" 2>&1
log "up as host $ROLE: $(uname -r), $(xl info | sed -n 's/^xen_version *: //p') ($(xl info | sed -n 's/^xen_extra *: //p'))"
xl info >"$OUT/xl-info.txt"
dkms status >"$OUT/dkms-status.txt" 2>&1
modinfo handoff >"$OUT/modinfo.txt" 2>&1 || finish 10
modprobe handoff || finish 10
sysctl -w "net.handoff.deliver_max_pps=$DELIVER_PPS" || finish 10

# The guest's switch, and on host a (or the only host) a client on it.
ip link add xenbr0 type bridge
ip link set xenbr0 up
case $ROLE in
local)
	ip netns add cl
	ip link add cl0 type veth peer name c0 netns cl
	ip link set cl0 master xenbr0 up
	;;
a | b)
	eth=$(nic_by_mac "52:54:00:77:00:0$ROLE") || finish 17
	# The bridge's own MAC from its uplink: udev derives it from machine-id
	# and name, and both hosts boot one image (seen: both had one MAC,
	# IPv6 DAD failed and neither host reached the other).
	ip link set xenbr0 address "52:54:00:77:00:0$ROLE"
	ip link set "$eth" master xenbr0 up
	[ "$ROLE" = a ] && ip addr add "$A_IP/24" dev xenbr0
	[ "$ROLE" = b ] && ip addr add "$B_IP/24" dev xenbr0
	# The agent listens for its peer on the switch.
	sed -i "s/^listen = .*/listen = 0.0.0.0:6658/; s/^peer = .*/peer = $PEER/" \
		/etc/handoff/handoffd.conf
	systemctl restart handoffd || finish 13
	# -t: once the client has sent its side, socat waits only 0.5 s for
	# the command's output by default (a slower command answered nothing).
	socat -t 1200 "TCP-LISTEN:$MIG_PORT,reuseaddr,fork" EXEC:"xl migrate-receive" &
	socat -t 1200 "TCP-LISTEN:$CMD_PORT,reuseaddr,fork" EXEC:"bash $H/dom0.sh remote" &
	socat "TCP-LISTEN:$TIME_PORT,reuseaddr,fork" SYSTEM:"date +%s.%N" &
	ip -tshort -o monitor link >"$OUT/links.all" 2>&1 &
	;;
esac
# The hosts' view of their network, for when they do not find each other.
net_state() {
	{ date +%T.%N; ss -ltnp; ip -s link; ip addr; ip neigh; bridge fdb show br xenbr0; } \
		>>"$OUT/net-state.txt" 2>&1
}
if [ "$ROLE" = b ]; then
	# Host a drives; it says when to stop.
	log "ready for host a"
	n=0
	while [ ! -e /tmp/finish ]; do
		[ $((n++ % 30)) -ne 0 ] || net_state
		sleep 1
	done
	finish 0
fi
if [ "$ROLE" = local ]; then
	ip -n cl addr add "$CLIENT_IP/24" dev c0
	ip -n cl link set c0 up
	ip -n cl link set lo up
fi
# Host b boots alongside: give it 5 minutes.
if [ "$ROLE" = a ]; then
	deadline=$((SECONDS + 300))
	until remote_run true >/dev/null 2>&1; do
		if ((SECONDS > deadline)); then
			log "host b does not answer on $PEER:$CMD_PORT"
			net_state
			finish 18
		fi
		sleep 1
	done
fi

log "starting the guest"
xl create "$H/guest.cfg" || finish 11
if ! wait_for 1800 client_do ping; then
	xl list
	finish 12
fi
log "guest answers"
# As in the lab: the client knows the guest's MAC for good. With a dynamic
# entry, a pause of several seconds (ten times hardware's, under TCG) lets
# the client's own ARP state machine probe, fail and discard what it was
# asked to send (counted as unresolved_discards): losses of the client, before
# any network, in both modes. Recorded per run all the same.
client_do neigh "$GUEST_MAC" || finish 12
at=$ROLE	# where the guest runs

measure control

for mode in $MODES; do
	case $mode in
	baseline | request | suspended | divert) agents "$mode" || finish 13 ;;
	*)
		log "unknown mode $mode"
		finish 14
		;;
	esac
	i=1
	tries=0
	while [ "$i" -le "$RUNS" ]; do
		# From where the guest is to the other host (itself on localhost).
		case $at in
		local) dest=127.0.0.1 recv="xl migrate-receive" ;;
		a) dest=$B_IP recv="socat - TCP:$B_IP:$MIG_PORT" ;;
		b) dest=$A_IP recv="socat - TCP:$A_IP:$MIG_PORT" ;;
		esac
		if [ "$mode" = baseline ]; then
			cmd=(xl migrate -s "" "$VM" "$recv")
		else
			cmd=(env HANDOFF_REQUIRED=1 handoff-migrate --peer "$dest" -s "" "$VM" "$recv")
		fi
		[ "$at" = b ] && cmd=(remote_run "${cmd[@]}")
		faults >/dev/null
		echo "$at" >"$OUT/$mode-$i.from"
		[ "$ROLE" = local ] || peer_offset "$PEER" "$TIME_PORT" >"$OUT/$mode-$i.peer-offset"
		measure "$mode-$i" "${cmd[@]}"
		# The guest must be running here again before the next run (a
		# crashed guest reboots: on_reboot=restart).
		if ! wait_for 1800 client_do ping; then
			log "$mode-$i: the guest no longer answers"
			xl list
			finish 15
		fi
		if [ "$(faults)" -gt 0 ]; then
			# Seen here: a PVH guest under nested TCG sometimes triple-faults
			# while suspending or right after its restore, and reboots. Not a
			# migration: kept as a retry, run again.
			tries=$((tries + 1))
			log "$mode-$i: the guest triple-faulted (retry $tries)"
			for f in "$OUT/$mode-$i".*; do
				case $f in *.retry*) continue ;; esac
				mv "$f" "${f/$mode-$i./$mode-$i.retry$tries.}"
			done
			[ "$tries" -le $((RUNS * 2)) ] || finish 16
		else
			i=$((i + 1))
		fi
		# Where the guest runs now (a failed migration leaves it in place).
		if [ "$ROLE" != local ]; then
			if xl domid "$VM" >/dev/null 2>&1; then at=a; else at=b; fi
		fi
	done
done
finish 0
