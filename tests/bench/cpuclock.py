#!/usr/bin/python3
"""Host side of the bench's CPU clock: how much host CPU the VM really used.

Under TCG the guest's clock is the host's wall clock, so a guest timing also
counts the time the host gave the vCPU threads' cores to someone else (on a
shared machine: a lot, and unevenly). The CPU time the host charged to QEMU's
threads does not: it is the emulation work itself.

  cpuclock.py DIR ANCESTOR_PID

Waits for a qemu-system-x86_64 process descended from ANCESTOR_PID, then, for
each file req.N the guest creates in DIR (a --out share), writes ans.N with
the nanoseconds all of QEMU's threads have run so far (/proc/PID/task/*/
schedstat, first field). Reacts through inotify within a fraction of a
millisecond. Exits when ANCESTOR_PID does.
"""
import ctypes
import os
import select
import struct
import sys
import time

IN_CREATE = 0x100
libc = ctypes.CDLL(None, use_errno=True)


def alive(pid):
    return os.path.exists(f"/proc/{pid}")


def parent(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def find_qemu(ancestor):
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/comm") as f:
                if not f.read().startswith("qemu-system-x86"):
                    continue
        except OSError:
            continue
        q = int(p)
        while q > 1:
            q = parent(q)
            if q == ancestor:
                return int(p)
    return None


def cpu_ns(pid):
    total = 0
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{t}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:
            pass	# a thread that just ended
    return total


def main(d, ancestor):
    ancestor = int(ancestor)
    os.makedirs(d, exist_ok=True)
    fd = libc.inotify_init1(0)
    if fd < 0 or libc.inotify_add_watch(fd, d.encode(), IN_CREATE) < 0:
        sys.exit(f"cpuclock: inotify on {d} failed")
    qemu = None
    while alive(ancestor):
        if qemu is None or not alive(qemu):
            qemu = find_qemu(ancestor)
        if qemu is None:
            time.sleep(0.2)
            continue
        # Block until something is created (or wake every 2 s to check).
        r, _, _ = select.select([fd], [], [], 2)
        if not r:
            continue
        buf = os.read(fd, 65536)
        now = cpu_ns(qemu)
        while buf:
            _, _, _, nlen = struct.unpack("iIII", buf[:16])
            name = buf[16:16 + nlen].rstrip(b"\0").decode()
            buf = buf[16 + nlen:]
            if name.startswith("req."):
                tmp = os.path.join(d, ".ans.tmp")
                with open(tmp, "w") as f:
                    f.write(f"{now}\n")
                os.rename(tmp, os.path.join(d, "ans." + name[4:]))


if __name__ == "__main__":
    main(*sys.argv[1:3])
