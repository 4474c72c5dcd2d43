#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every bad tunnel packet is dropped and counted, never delivered, never a
# crash: wrong peer, replayed, forged, truncated, oversized, unknown session,
# bad version, a message the role may not receive. They come from a third
# namespace on the segment, spoofing the source host where it matters.
#
#   cl ──┐                    hs: br0 10.99.0.1   source, armed
#        sw: sw0 ──────────── hd: br0 10.99.0.2   dest (not yet attached)
#   ev ──┘ 10.99.0.66 (raw sockets, spoofs 10.99.0.1)
. "$(dirname "$0")/lib.sh"
lab_up
lab_keys
netns_new ev
ip -n ev link add e0 type veth peer name swe netns sw
ip -n sw link set swe master sw0 up
ip -n ev addr add 10.99.0.66/24 dev e0
ip -n ev link set e0 up
client_neigh
lab_sessions 1
nsctl hs session arm id 1
tmp=$(mktemp -d)

# Capture one genuine tunnel packet on the destination host's uplink.
ip netns exec hd $PY - "$tmp/pkt" <<'PY' &
import socket, struct, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)   # ETH_P_ALL at bind: this device only
s.bind(("up0", 3))
s.settimeout(20)
open(sys.argv[1] + ".ready", "w").close()
while True:
    f = s.recv(65535)
    if f[12:14] != b"\x08\x00":
        continue
    ip = f[14:]
    ihl = (ip[0] & 15) * 4
    if ip[9] == 17 and struct.unpack("!H", ip[ihl+2:ihl+4])[0] == 6657 \
            and ip[12:16] == socket.inet_aton("10.99.0.1"):
        ulen = struct.unpack("!H", ip[ihl+4:ihl+6])[0]   # not the Ethernet pad
        open(sys.argv[1], "wb").write(ip[ihl+8:ihl+ulen])
        break
PY
sniff=$!
wait_ready "$tmp/pkt.ready"
ip netns exec cl $PY -c "
import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
[s.sendto(b'x'*32, ('$VM_IP', 5555)) for _ in range(5)]"
wait $sniff || fail "no tunnel packet seen"

before=$(ip netns exec hd $PY -c 'from handoff_nl import *; g=Genl(); print(session(g,1,"dest")["counters"]["held"])')
ip netns exec ev $PY - "$tmp/pkt" <<'PY'
import socket, struct, sys, time
good = open(sys.argv[1], "rb").read()
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
def spoof(payload, src="10.99.0.1", sport=6657, ident=[1]):
    """UDP from a forged source, fragmented by hand above 1480 bytes."""
    udp = struct.pack("!HHHH", sport, 6657, 8 + len(payload), 0) + payload
    ident[0] += 1
    for off in range(0, len(udp), 1480):
        part = udp[off:off + 1480]
        more = 0x2000 if off + 1480 < len(udp) else 0
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(part), ident[0],
                         more | (off // 8), 64, 17, 0, socket.inet_aton(src),
                         socket.inet_aton("10.99.0.2"))
        raw.sendto(ip + part, ("10.99.0.2", 0))
own = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
own.bind(("10.99.0.66", 6657))
own.sendto(good, ("10.99.0.2", 6657))                 # wrong peer
spoof(good)                                           # replay
forged = bytearray(good); forged[-20] ^= 1
spoof(bytes(forged))                                  # forged
spoof(good[:10])                                      # truncated
spoof(good[:20] + b"\0" * 9500)                       # oversized
other = bytearray(good); other[4:12] = struct.pack("!Q", 99)
spoof(bytes(other))                                   # unknown session
badver = bytearray(good); badver[0] = 9
spoof(bytes(badver))                                  # bad version
stop_to_dest = bytearray(good); stop_to_dest[1] = 2   # STOP, role dest
spoof(bytes(stop_to_dest))
time.sleep(0.5)
PY
sleep 0.5
ip netns exec hd $PY - "$before" <<'PY'
import sys
from handoff_nl import *
g = Genl()
c = session(g, 1, "dest")["counters"]
n = netns_counters(g)
print("dest:", {k: v for k, v in c.items() if v}, "netns:", {k: v for k, v in n.items() if v})
assert c["drop_peer"] == 1, c
assert c["drop_replay"] == 1, c
assert c["drop_auth"] == 1, c
assert n["drop_malformed"] == 4, n    # truncated, oversized, version, role
assert n["drop_nosession"] == 1, n
# Each of the 8 bad packets is accounted for exactly once, none accepted.
assert c["drop_peer"] + c["drop_replay"] + c["drop_auth"] + \
    n["drop_malformed"] + n["drop_nosession"] == 8
PY
rm -rf "$tmp"
