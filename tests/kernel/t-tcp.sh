#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bulk TCP with offloads on (GSO and checksum offload on every veth) through
# a cutover: the copies of 64 KB GSO skbs with CHECKSUM_PARTIAL must arrive as
# valid frames. The stream completes byte-exact, the guest counts no checksum
# error, and the sender's retransmission timeouts are reported.
#
#   cl: c0 (TSO/GSO on) ── sw ──┬── hs: br0 = up0 + vifA ── vm: eth0 (receiver)
#                               └── hd: br0 = up0 + vifB ── vm: ethB
. "$(dirname "$0")/lib.sh"
lab_setup
ip netns exec cl ethtool -k c0 | grep -q "tcp-segmentation-offload: on" ||
	fail "TSO is off on the client: the test would not exercise GSO"
tmp=$(mktemp -d)
ip netns exec vm $PY - "$tmp/rx" <<'PY' &
import socket, sys
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("0.0.0.0", 7000))
srv.listen(1)
c, _ = srv.accept()
n, bad = 0, 0
while True:
    b = c.recv(1 << 16)
    if not b:
        break
    # the byte at stream offset k is k % 251: check both ends of each read
    for i in (0, len(b) - 1):
        if b[i] != (n + i) % 251:
            bad += 1
    n += len(b)
open(sys.argv[1], "w").write(f"{n} {bad}\n")
PY
srv=$!
sleep 0.5
# The sender streams until told to stop, 2 s after the cutover.
ip netns exec cl $PY - "$VM_IP" "$tmp/tx" "$tmp/stop" <<'PY' &
import os, socket, sys
block = bytes(i % 251 for i in range(251 * 261))    # whole periods
s = socket.create_connection((sys.argv[1], 7000))
sent = 0
while not os.path.exists(sys.argv[3]):
    s.sendall(block)
    sent += len(block)
s.close()
open(sys.argv[2], "w").write(f"{sent}\n")
PY
cli=$!
lab_sessions 1
vm_restore			# destination domain ready before the final suspend
nsctl hd session attach id 1 dev vifB
sleep 1
timeouts0=$(ip netns exec cl nstat -az TcpExtTCPTimeouts | awk '/TCPTimeouts/ {print $2}')
nsctl hs session arm id 1
vm_suspend
sleep 0.1
ip -n hs link del vifA
vm_unpause
wait_cmp 50 != attached sess_state hd 1 dest || fail "no activation"
sleep 2
touch "$tmp/stop"
wait $cli || fail "sender failed"
wait $srv
timeouts=$(( $(ip netns exec cl nstat -az TcpExtTCPTimeouts | awk '/TCPTimeouts/ {print $2}') - timeouts0 ))
read -r got bad <"$tmp/rx" || fail "the receiver wrote no result"
BYTES=$(cat "$tmp/tx")
csum=$(ip netns exec vm nstat -az TcpInCsumErrors | awk '/TcpInCsumErrors/ {print $2}')
echo "received $got of $BYTES bytes, pattern errors $bad, guest csum errors $csum, sender RTOs $timeouts"
echo "captured $(sess_counter hs 1 source captured) frames, held $(sess_counter hd 1 dest held), delivered $(sess_counter hd 1 dest delivered)"
expect_eq "bytes" "$got" "$BYTES"
expect_eq "pattern errors" "$bad" 0
expect_eq "guest checksum errors" "$csum" 0
[[ $(sess_counter hd 1 dest held) -gt 100 ]] || fail "the stream hardly went through the hold"
rm -rf "$tmp"
