#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The tunnel over an IPv6 underlay: the same cutover as t-cutover, checked
# frame by frame, with the hosts' tunnel endpoints IPv6 only; then full-size
# frames (1514 bytes) over the 1500-byte IPv6 underlay, whose copies must be
# fragmented by the sender (IPv6 routers never fragment), never dropped; and
# a packet from the right address but the wrong family is not the peer.
#
#   cl: c0 10.99.0.100 ──┐
#                        sw: sw0 (MTU 1500)
#   hs: br0 fd99::1 ─────┤   br0 = up0 + vifA ── vm: eth0   (before)
#   hd: br0 fd99::2 ─────┘   br0 = up0 + vifB ── vm: ethB   (after)
#        tunnel [fd99::1]:6657 <-> [fd99::2]:6657
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
PORT=5555

v6_lab() {
	local h i=1
	lab_setup
	for h in hs hd; do
		ip netns exec "$h" sysctl -qw net.ipv6.conf.br0.disable_ipv6=0
		ip -n "$h" addr add "fd99::$i/64" dev br0 nodad
		i=$((i + 1))
	done
	wait_for 50 ip netns exec hs ping -6 -q -c1 -W1 fd99::2 >/dev/null ||
		fail "lab: the hosts cannot reach each other over IPv6"
	nsctl hs session add id 1 role source dev vifA mac "$VM_MAC" \
		peer "[fd99::2]:6657" tx-key "$KEY_SD" rx-key "$KEY_DS"
	nsctl hd session add id 1 role dest mac "$VM_MAC" \
		peer "[fd99::1]:6657" tx-key "$KEY_DS" rx-key "$KEY_SD"
}

echo "  1. cutover over IPv6, frame by frame"
v6_lab
start_traffic "$tmp" $PORT
arm_at_suspend hs 1 "$BLASTER" "$LOG0"
sleep 1
cutover_xl 1 "$tmp/after" $PORT
LOG1=$LOG_PID
finish_traffic "$tmp"
print_timings hs hd 1
expect_eq "source tx errors" "$(sess_counter hs 1 source tx_errors)" 0
[[ $(sess_counter hd 1 dest held) -gt 100 ]] || fail "the pause was not covered"

echo "  2. full-size frames over the 1500-byte IPv6 underlay"
netns_cleanup
NETNS=()
v6_lab
expect_eq "underlay MTU" "$(ip -n hs -j link show up0 | jget 'd[0]["mtu"]')" 1500
nsctl hs session arm id 1
vm_suspend
start_blast "$tmp/sent" "$VM_IP" $PORT 300 1472
b=$BLAST_PID
sleep 1
kill $b
wait $b
cutover_xl 1 "$tmp/after2" $PORT
l=$LOG_PID
sleep 1
kill $l
wait $l || true
frags=$(ip netns exec hd nstat -az Ip6ReasmOKs | awk '/Ip6ReasmOKs/ {print $2}')
echo "reassembled at the destination host: $frags"
[[ $frags -ge $(cat "$tmp/sent") ]] || fail "copies were not fragmented"
check_exact "$tmp/sent" "$tmp/after2" 1

echo "  3. the peer's family is part of its address"
# An IPv4 packet to the tunnel port cannot be from an IPv6 peer, whatever it
# carries: counted as not from the peer (here a header naming the session).
before=$(sess_counter hd 1 dest drop_peer)
ip netns exec hs $PY - <<'PY'
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.99.0.1", 6657 + 1))
hdr = struct.pack("!BBBBQQ", 1, 1, 2, 0, 1, 0) + b"\0" * 40
s.sendto(hdr, ("10.99.0.2", 6657))
PY
wait_cmp 30 -gt "$before" sess_counter hd 1 dest drop_peer ||
	fail "an IPv4 packet was taken for the IPv6 peer's"
rm -rf "$tmp"
