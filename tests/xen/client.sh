#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Two hosts: the client, on the outer machine's switch (netns hxcl, run.sh),
# not in a dom0: a dom0 receiving a migration under nested emulation starves
# its own processes for seconds (the probe's sends ran 7 s late and the
# replies overflowed its emulated NIC). Host a's dom0.sh drives it, one
# command line per connection to port 7200 (socat EXEC):
#
#   ping                 the guest answers one ping (exit status)
#   neigh MAC            the guest's neighbour entry, permanent (as in dom0)
#   neighshow            the client's neighbour table
#   time                 this machine's clock (date +%s.%N)
#   start LABEL RATE     handoff-probe send to the guest, in the background,
#                        its report to OUTDIR/LABEL.probe.json
#   stop LABEL           ends that probe (its drain included) and waits
#
# The last line of the answer is "rc=N", the command's exit status.
#
# The probe is not started by the command's process: a process started in
# the background from socat's EXEC child kept that connection open (the
# server side sat in CLOSE-WAIT and host a's command never returned, even
# with every inherited descriptor closed). "start" leaves a request file;
# the launcher (client.sh --launcher, started by run.sh beside socat) starts
# the probe and writes its pid.
#
# client.sh OUTDIR PROBE            one command from standard input
# client.sh --launcher OUTDIR PROBE the launcher, until killed
set -u
launcher=
if [ "${1:-}" = --launcher ]; then
	launcher=1
	shift
fi
out=$1 probe=$2
VM_IP=10.77.0.2
req=/tmp/hxcl-req-

if [ -n "$launcher" ]; then
	rm -f "$req"* /tmp/hxcl-pid-* /tmp/hxcl-stop-*
	while sleep 0.1; do
		for f in "$req"*; do
			[[ -e $f && $f != *.new ]] || continue
			label=${f#"$req"}
			rate=$(cat "$f")
			rm -f "$f"
			# One CPU: a sender moving between CPUs reorders its own
			# stream on veth.
			taskset -c 0 "$probe" send -t "$VM_IP" -r "$rate" -j -q \
				-S "/tmp/hxcl-stop-$label" -w 30000 \
				>"$out/$label.probe.json" 2>"$out/$label.probe.err" </dev/null &
			echo $! >"/tmp/hxcl-pid-$label.new"
			mv "/tmp/hxcl-pid-$label.new" "/tmp/hxcl-pid-$label"
		done
	done
	exit 1
fi

read -r cmd label rate || exit 2
run() {
case $cmd in
ping) ping -c1 -W1 "$VM_IP" >/dev/null 2>&1 ;;
neigh) ip neigh replace "$VM_IP" lladdr "$label" nud permanent dev c0 ;;
neighshow) ip -s neigh ;;
time) date +%s.%N ;;
start)
	[[ $label =~ ^[A-Za-z0-9_-]+$ && $rate =~ ^[0-9]+$ ]] || {
		echo "client.sh: start LABEL RATE"
		return 2
	}
	rm -f "/tmp/hxcl-stop-$label" "/tmp/hxcl-pid-$label"
	echo "$rate" >"$req$label.new"
	mv "$req$label.new" "$req$label"
	for _ in $(seq 100); do
		[ -e "/tmp/hxcl-pid-$label" ] && return 0
		sleep 0.1
	done
	echo "client.sh: the launcher did not start the probe"
	return 1
	;;
stop)
	touch "/tmp/hxcl-stop-$label"
	pid=$(cat "/tmp/hxcl-pid-$label") || return 1
	# Until it exits (a zombie the launcher has not reaped yet counts).
	while [ -e "/proc/$pid" ] && ! grep -q ') Z ' "/proc/$pid/stat"; do
		sleep 0.2
	done
	rm -f "/tmp/hxcl-stop-$label" "/tmp/hxcl-pid-$label"
	;;
*) echo "client.sh: unknown command $cmd"; return 2 ;;
esac
}
run 2>&1
echo "rc=$?"
