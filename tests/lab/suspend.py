#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Pause the lab's guest and, with --arm, arm its source session, from one
process, back to back (two netlink sends, sockets opened beforehand), so the
suspend boundary (DESIGN.md) is as small as the lab can make it.

  suspend.py VM_NS IFACE [--arm HOST_NS SESSION_ID] [--arm-first] [+ VM_NS IFACE ...]

The guest is paused by taking IFACE (its NIC) down: from then on it receives
nothing, as a paused domain. By default the guest is paused first, then the
session armed ("arm when suspended": a frame in between would be lost);
--arm-first arms first ("arm at the suspend request": a frame in between is
delivered to the old guest and copied, a duplicate). The time between the two
is printed, in microseconds. Several NICs (of one guest or of several, each
with its own session) are separated by "+": all sockets are opened first,
then each NIC's pair is sent in turn.
"""
import ctypes
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "kernel"))
import handoff_nl as nl  # noqa: E402

CLONE_NEWNET = 0x40000000
RTM_NEWLINK, IFF_UP = 16, 1
libc = ctypes.CDLL(None, use_errno=True)


def enter(ns):
    fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {ns}")
    finally:
        os.close(fd)


def ack(sock):
    data = sock.recv(65536)
    mtype = struct.unpack("=H", data[4:6])[0]
    if mtype == nl.NLMSG_ERROR:
        err = -struct.unpack("=i", data[16:20])[0]
        if err:
            raise OSError(err, os.strerror(err))


def prepare(args, arm_first):
    """One NIC: its messages, in the order to send them."""
    vm_ns, iface = args[0], args[1]
    enter(vm_ns)
    rt = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    rt.bind((0, 0))
    ifi = struct.pack("=BxHiII", 0, 0, socket.if_nametoindex(iface), 0,
                      IFF_UP)
    down = struct.pack("=IHHII", 16 + len(ifi), RTM_NEWLINK, 1 | 4, 1, 0) + ifi
    if "--arm" not in args:
        return [(rt, down)]
    host_ns, sid = args[args.index("--arm") + 1], int(args[args.index("--arm") + 2], 0)
    enter(host_ns)
    g = nl.Genl()
    body = struct.pack("=BBH", nl.C["HANDOFF_CMD_SESSION_ARM"], 1, 0) + \
        nl.u64(nl.A("SESSION_ID"), sid)
    armmsg = struct.pack("=IHHII", 16 + len(body), g.family, 1 | 4, 1, 0) + body
    return [(g.sock, armmsg), (rt, down)] if arm_first else \
        [(rt, down), (g.sock, armmsg)]


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    arm_first = "--arm-first" in args
    args = [a for a in args if a != "--arm-first"]
    groups, cur = [], []
    for a in args + ["+"]:
        if a == "+":
            if len(cur) < 2:
                sys.exit(__doc__)
            groups.append(cur)
            cur = []
        else:
            cur.append(a)
    nics = [prepare(g, arm_first) for g in groups]
    for msgs in nics:
        t0 = time.monotonic_ns()
        for sock, msg in msgs:
            sock.send(msg)
        t1 = time.monotonic_ns()
        for sock, _ in msgs:
            ack(sock)
        if len(msgs) == 2:
            print(f"boundary {(t1 - t0) / 1000:.0f} us "
                  f"({'arm, then pause' if arm_first else 'pause, then arm'})")


if __name__ == "__main__":
    main()
