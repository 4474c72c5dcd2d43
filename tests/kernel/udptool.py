#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Small traffic tools for the kernel tests (the lab has the C probe).

  udptool.py blast TARGET PORT RATE [SIZE]   send seq-numbered UDP until
                                             SIGTERM; SIGSTOP/SIGCONT pause it;
                                             prints the last seq sent on exit;
                                             $UDPTOOL_READY is created once
                                             SIGTERM is handled
  udptool.py log IFACE PORT FILE             record, at the device (AF_PACKET),
                                             the seq of every UDP frame to PORT
                                             arriving on IFACE, until SIGTERM;
                                             FILE.ready appears once it listens
Payload: 8-byte big-endian seq, then zeros up to SIZE bytes.
"""
import errno
import os
import signal
import socket
import struct
import sys
import time

running = True


def stop(*_):
    global running
    running = False


def blast(target, port, rate, size=64):
    signal.signal(signal.SIGTERM, stop)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if os.environ.get("UDPTOOL_READY"):
        open(os.environ["UDPTOOL_READY"], "w").close()
    pad = b"\0" * (max(size, 8) - 8)
    seq, period = 0, 1.0 / rate
    deadline = time.monotonic()
    while running:
        seq += 1
        try:
            s.sendto(struct.pack("!Q", seq) + pad, (target, port))
        except OSError:
            pass   # no route for a moment: the frame counts as sent and lost
        deadline += period
        delay = deadline - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        elif delay < -1:
            deadline = time.monotonic()   # resumed after SIGSTOP
    print(seq, flush=True)


def log(iface, port, path):
    signal.signal(signal.SIGTERM, stop)
    # Protocol 0 at creation, ETH_P_ALL only at bind: a packet socket made
    # with a protocol hears every device of the netns until bind() narrows
    # it, and a frame the suspended guest's old NIC saw meanwhile would be
    # logged as if the new NIC had received it.
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)   # SO_RCVBUFFORCE
    s.bind((iface, 3))    # ETH_P_ALL (Python converts to network order)
    s.settimeout(0.2)
    open(path + ".ready", "w").close()   # the test waits for this
    seqs = []
    while running:
        try:
            frame, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        except OSError as e:
            if e.errno == errno.ENETDOWN:
                continue    # bound while down: reported once, then fine
            break   # the device went away
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        off = 12
        etype = struct.unpack("!H", frame[off:off + 2])[0]
        while etype in (0x8100, 0x88a8):
            off += 4
            etype = struct.unpack("!H", frame[off:off + 2])[0]
        ip = frame[off + 2:]
        if etype != 0x0800 or len(ip) < 28 or ip[9] != 17:
            continue
        ihl = (ip[0] & 15) * 4
        frag = struct.unpack("!H", ip[6:8])[0]
        if frag & 0x1fff:
            continue   # a later fragment: the first one carries the seq
        dport = struct.unpack("!H", ip[ihl + 2:ihl + 4])[0]
        if dport != port:
            continue
        seqs.append(struct.unpack("!Q", ip[ihl + 8:ihl + 16])[0])
    with open(path, "w") as f:
        f.write("".join(f"{q}\n" for q in seqs))


if __name__ == "__main__":
    if sys.argv[1] == "blast":
        blast(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]),
              *(int(a) for a in sys.argv[5:6]))
    elif sys.argv[1] == "log":
        log(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(__doc__)
