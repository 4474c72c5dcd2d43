#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What the vifs carried, frame by frame, in dom0 (tests/xen/dom0.sh).

    sniff.py GUEST_MAC OUTFILE      (until SIGTERM)

One line per IPv4 frame to or from GUEST_MAC on any vif*: time, vif, "to" (dom0
sends it to the guest) or "from" (the guest sent it), protocol, the ICMP echo
sequence or the probe's request sequence (of a request, or the one a reply
answers), and whether the IPv4, ICMP and UDP checksums verify. Ends with the socket's own
drop count, so a loss of the sniffer is not read as one of the network.
"""
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SOL_PACKET = 263
PACKET_STATISTICS = 6


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s == 0xFFFF


def main():
    mac = bytes(int(x, 16) for x in sys.argv[1].split(":"))
    out = open(sys.argv[2], "w", buffering=1)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    s.settimeout(0.5)
    while not stop:
        try:
            frame, addr = s.recvfrom(2048)
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        ifname, _, pkttype = addr[0], addr[1], addr[2]
        if not ifname.startswith("vif") or len(frame) < 34:
            continue
        dst, src, proto = frame[0:6], frame[6:12], frame[12:14]
        if proto != b"\x08\x00":
            continue
        if dst == mac and pkttype == PACKET_OUTGOING:
            way = "to"
        elif src == mac and pkttype != PACKET_OUTGOING:
            way = "from"
        else:
            continue
        ip = frame[14:]
        ihl = (ip[0] & 15) * 4
        ok = csum(ip[:ihl])
        l4 = ip[ihl:struct.unpack("!H", ip[2:4])[0]]
        if ip[9] == 1 and len(l4) >= 8:
            kind = "icmp%d" % l4[0]
            seq = struct.unpack("!H", l4[6:8])[0]
            ok = ok and csum(l4)
        elif ip[9] == 17 and len(l4) >= 8 + 40:
            # The probe's header (tests/lab/probe_wire.h): a request's seq at
            # 16, a reply's request seq at 32.
            kind = "udp"
            seq = struct.unpack("!Q", l4[8 + (16 if way == "to" else 32):][:8])[0]
            if l4[6:8] != b"\0\0":
                pseudo = ip[12:20] + struct.pack("!BBH", 0, 17, len(l4))
                ok = ok and csum(pseudo + l4)
        else:
            continue
        out.write("%.6f %s %s %s %s %s\n" % (time.time(), ifname, way, kind, seq,
                                             "ok" if ok else "BADSUM"))
    st = s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8)
    out.write("# packets %d drops %d\n" % struct.unpack("II", st))


if __name__ == "__main__":
    main()
