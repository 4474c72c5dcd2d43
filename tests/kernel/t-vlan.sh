#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A VLAN-tagged guest on VLAN-unaware bridges: tags travel in skb->vlan_tci,
# so copies must put them back into the frame; the destination VM receives
# its tagged frames, all of them, in order. The MAC learned on VLAN 100 is
# announced on VLAN 100.
#
#   cl: c0.100 10.98.0.100 ── sw ──┬── hs: br0 = up0 + vifA ── vm: eth0.100 10.98.0.10
#                                  └── hd: br0 = up0 + vifB ── vm: ethB.100
. "$(dirname "$0")/lib.sh"
lab_up
lab_keys
vlan100_up cl c0 10.98.0.100
vlan100_up vm eth0 10.98.0.10
tmp=$(mktemp -d)
lab_sessions 1
# The guest speaks on VLAN 100 while the source session watches: (M, 100).
ip netns exec cl ping -q -c1 -W2 10.98.0.10 >/dev/null || fail "no VLAN path"
ip -n cl neigh replace 10.98.0.10 lladdr "$VM_MAC" nud permanent dev c0.100
nsctl hs session arm id 1
vm_suspend
start_blast "$tmp/sent" 10.98.0.10 5555 300
b=$BLAST_PID
sleep 1
kill $b
wait $b
vm_restore
start_log vm ethB 5555 "$tmp/after"
l=$LOG_PID
# a capture of what reaches the client side: the RARP on VLAN 100
ip netns exec sw $PY - swhd "$tmp/rarp" <<'PY' &
import socket, struct, sys, time
# The tag may be in the frame or, stripped on receive, in PACKET_AUXDATA.
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)   # ETH_P_ALL at bind: this device only
s.setsockopt(263, 8, 1)     # SOL_PACKET, PACKET_AUXDATA
s.bind((sys.argv[1], 3))
s.settimeout(0.2)
open(sys.argv[2] + ".ready", "w").close()
end, found = time.time() + 6, []
while time.time() < end:
    try:
        f, anc, _, _ = s.recvmsg(2000, 256)
    except socket.timeout:
        continue
    vlan = None
    for lvl, typ, data in anc:
        if lvl == 263 and typ == 8 and len(data) >= 20:
            status, tci = struct.unpack("=I", data[:4])[0], struct.unpack("=H", data[16:18])[0]
            if status & (1 << 4):          # TP_STATUS_VLAN_VALID
                vlan = tci & 0xfff
    etype = f[12:14]
    if etype == b"\x81\x00":
        vlan, etype = struct.unpack("!H", f[14:16])[0] & 0xfff, f[16:18]
    if etype == b"\x80\x35" and vlan is not None:
        found.append(vlan)
open(sys.argv[2], "w").write(" ".join(map(str, found)))
PY
r=$!
wait_ready "$tmp/rarp.ready"
nsctl hd session attach id 1 dev vifB
ip -n hs link del vifA
ip -n vm link set ethB up
ip -n vm link add link ethB name ethB.100 type vlan id 100
ip -n vm addr add 10.98.0.10/24 dev ethB.100
ip -n vm link set ethB.100 up
wait_cmp 50 != attached sess_state hd 1 dest || fail "no activation"
sleep 1
kill $l
wait $l || true
wait $r
nsctl hs session show id 1 role source
nsctl hd session show id 1 role dest
ip -n hd -s link show vifB
ip -n vm -s link show ethB
check_exact "$tmp/sent" "$tmp/after" 1
grep -qw 100 "$tmp/rarp" || fail "no RARP on VLAN 100 (saw VLANs: $(cat "$tmp/rarp"))"
rm -rf "$tmp"
