#!/usr/bin/python3
"""Many sessions at once, over raw generic netlink, for the benchmarks.

handoffctl costs a process (and `ip netns exec`) per command, which under TCG
is tens of milliseconds: 1024 sessions would take minutes. One process here
creates them in seconds and measures the kernel memory they took, from inside
(so the measuring process itself is already there before and after).

  nlbulk.py sources N FIRST_ID NDEVS PEER_IP   # source sessions on vo0..vo{NDEVS-1}, armed
  nlbulk.py dests N FIRST_ID PEER_IP           # destination sessions, not attached

Session i gets MAC 02:bb:XX:XX:XX:XX (from its id). Prints one JSON object:
n, and the change of /proc/meminfo MemFree, Slab and Percpu in kB.
"""
import json
import sys
import time

from handoff_nl import A, Genl, session_attrs, u64, u8

PORT = 6657


def meminfo():
    out = {}
    for line in open("/proc/meminfo"):
        k, v = line.split(":")
        out[k] = int(v.split()[0])
    return out


def mac(sid):
    return "02:bb:" + ":".join(f"{(sid >> s) & 0xff:02x}" for s in (24, 16, 8, 0))


def main(argv):
    if len(argv) < 4 or argv[0] not in ("sources", "dests"):
        sys.exit(__doc__)
    kind, n, first = argv[0], int(argv[1]), int(argv[2], 0)
    g = Genl()
    before = meminfo()
    for i in range(n):
        sid = first + i
        if kind == "sources":
            ndevs, peer = int(argv[3]), argv[4]
            g.do("HANDOFF_CMD_SESSION_NEW",
                 *session_attrs(sid, "source", dev=f"vo{i % ndevs}",
                                macs=(mac(sid),), peer=(peer, PORT)))
            g.do("HANDOFF_CMD_SESSION_ARM", u64(A("SESSION_ID"), sid),
                 u8(A("ROLE"), 1))
        else:
            g.do("HANDOFF_CMD_SESSION_NEW",
                 *session_attrs(sid, "dest", macs=(mac(sid),),
                                peer=(argv[3], PORT)))
    time.sleep(0.5)	# the arm's LEARN message and its work item settle
    after = meminfo()
    print(json.dumps({"n": n, **{k.lower() + "_kb": before[k] - after[k]
                                 for k in ("MemFree",)},
                      **{k.lower() + "_kb": after[k] - before[k]
                         for k in ("Slab", "Percpu")}}))


if __name__ == "__main__":
    main(sys.argv[1:])
