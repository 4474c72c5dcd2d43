#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# At activation the destination announces the VM on its vif's receive path,
# as if the guest sent it: RARP for its MAC, gratuitous ARP for the IPv4
# address the guest claimed in its own ARP (learned at the source, never from
# forwarded traffic), unsolicited NA for the configured IPv6 address, on the
# schedule of net.handoff.announce_ms. The switch learns the VM behind the
# destination host from them.
#
#   cl ── sw ──┬── hs: br0 = up0 + vifA ── vm: eth0 (10.99.0.10, fd00::10)
#              └── hd: br0 = up0 + vifB ── vm: ethB
. "$(dirname "$0")/lib.sh"
lab_up
lab_keys
tmp=$(mktemp -d)
nsctl hs session add id 1 role source dev vifA mac "$VM_MAC" \
	peer 10.99.0.2:6657 tx-key "$KEY_SD" rx-key "$KEY_DS"
nsctl hd session add id 1 role dest mac "$VM_MAC" addr fd00::10 \
	peer 10.99.0.1:6657 tx-key "$KEY_DS" rx-key "$KEY_SD"
# A forwarded packet claiming another address must not be learned.
ip netns exec cl $PY -c "
import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b'x', ('$VM_IP', 9))"
ip -n vm neigh flush dev eth0
ip netns exec vm ping -q -c1 -W2 10.99.0.100 >/dev/null	# the guest ARPs
sleep 0.3
learned=$(nsctl hs -j session show id 1 role source | jget '(d[0] if isinstance(d, list) else d).get("addrs", [])')
[[ "$learned" == *"$VM_IP"* ]] || fail "guest's own ARP not learned: $learned"
[[ "$learned" != *"10.99.0.100"* ]] || fail "learned an address the guest did not claim"
nsctl hs session arm id 1
sleep 0.3
vm_suspend
vm_restore
nsctl hd session attach id 1 dev vifB
ip -n hs link del vifA
ip netns exec cl $PY - c0 "$VM_MAC" "$tmp/seen" <<'PY' &
import socket, struct, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)   # ETH_P_ALL at bind: this device only
s.bind((sys.argv[1], 3))
s.settimeout(0.1)
open(sys.argv[3] + ".ready", "w").close()
mac = bytes(int(x, 16) for x in sys.argv[2].split(":"))
end, seen = time.time() + 4, []
while time.time() < end:
    try:
        f = s.recv(2000)
    except socket.timeout:
        continue
    if f[6:12] != mac:
        continue
    et = f[12:14]
    if et == b"\x80\x35":
        seen.append("rarp")
    elif et == b"\x08\x06" and f[20:22] == b"\x00\x01" and f[28:32] == f[38:42] == socket.inet_aton("10.99.0.10"):
        seen.append("garp")
    elif et == b"\x86\xdd" and f[20] == 58 and f[54] == 136 and f[62:78] == socket.inet_pton(socket.AF_INET6, "fd00::10"):
        seen.append("na")
open(sys.argv[3], "w").write(" ".join(seen))
PY
cap=$!
wait_ready "$tmp/seen.ready"
ip -n vm link set ethB up
wait_cmp 50 != attached sess_state hd 1 dest || fail "no activation"
wait $cap
echo "seen at the client: $(cat "$tmp/seen")"
for k in rarp garp na; do
	n=$(tr ' ' '\n' <"$tmp/seen" | grep -c "^$k$" || true)
	expect_eq "$k announcements (schedule 0 50 200 450 800)" "$n" 5
done
expect_eq "announces counted" "$(sess_counter hd 1 dest announces)" 15
# The switch now sends the VM's traffic to the destination host.
port=$(bridge -n sw -j fdb show br sw0 | jget "[e['ifname'] for e in d if e['mac'] == '$VM_MAC'][0]")
expect_eq "switch port for the VM" "$port" swhd
rm -rf "$tmp"
