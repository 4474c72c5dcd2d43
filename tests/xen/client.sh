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
# client.sh OUTDIR PROBE (the probe binary)
set -u
out=$1 probe=$2
VM_IP=10.77.0.2
read -r cmd label rate || exit 2
run() {
case $cmd in
ping) ping -c1 -W1 "$VM_IP" >/dev/null 2>&1 ;;
neigh) ip neigh replace "$VM_IP" lladdr "$label" nud permanent dev c0 ;;
neighshow) ip -s neigh ;;
time) date +%s.%N ;;
start)
	rm -f "/tmp/hxcl-stop-$label"
	# Without the descriptors socat's child inherits (its connection among
	# them): a probe holding it kept host a's command from ever ending.
	# One CPU: a sender moving between CPUs reorders its own stream on veth.
	(
		for fd in /proc/$BASHPID/fd/*; do
			n=${fd##*/}
			[ "$n" -le 2 ] || [ "$n" -eq 255 ] || eval "exec $n>&-"
		done
		exec setsid taskset -c 0 "$probe" send -t "$VM_IP" -r "$rate" -j -q \
			-S "/tmp/hxcl-stop-$label" -w 30000 \
			>"$out/$label.probe.json" 2>"$out/$label.probe.err" </dev/null
	) &
	echo $! >"/tmp/hxcl-pid-$label"
	;;
stop)
	touch "/tmp/hxcl-stop-$label"
	pid=$(cat "/tmp/hxcl-pid-$label") || return 1
	while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
	rm -f "/tmp/hxcl-stop-$label" "/tmp/hxcl-pid-$label"
	;;
*) echo "client.sh: unknown command $cmd"; return 2 ;;
esac
}
run 2>&1
echo "rc=$?"
