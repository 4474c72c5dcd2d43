#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A bulk TCP stream for the migration lab: how long did it stall?

  tcpbulk.py sink PORT READY_FILE OUT_JSON   # in the guest; until EOF
  tcpbulk.py send TARGET PORT STOP_FILE      # on the client; until STOP_FILE

The sender writes 64 KiB at a time as fast as the path takes it (the
kernel's offloads as the interface has them: GSO, checksum offload), until
STOP_FILE exists (a stalled send looks again every second). The sink reads
and writes, at EOF or SIGTERM, one JSON object: bytes received, whether EOF
came, and the longest interval between two reads that returned data (the
stall the application saw; one still running at SIGTERM counts), with where
it began (s from the first byte).
"""
import json
import os
import signal
import socket
import sys
import time


def sink(port, ready, out):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(1)
    st = {"bytes": 0, "first": None, "last": None, "gap": 0.0, "gap_at": 0.0,
          "eof": False}

    def report(*_):
        first, last = st["first"], st["last"]
        json.dump({"bytes": st["bytes"], "eof": st["eof"],
                   "max_stall_ms": round(st["gap"] * 1000, 1),
                   "stall_at_s": round(st["gap_at"], 3),
                   "duration_s": round((last or 0) - (first or 0), 3)},
                  open(out, "w"))
        sys.exit(0)

    # Stopped before the stream ended (a path that never came back): the
    # stall still running counts too.
    def stopped(*_):
        if st["last"] is not None and time.monotonic() - st["last"] > st["gap"]:
            st["gap"] = time.monotonic() - st["last"]
            st["gap_at"] = st["last"] - st["first"]
        report()

    signal.signal(signal.SIGTERM, stopped)
    open(ready, "w").close()
    c, _ = ls.accept()
    while True:
        data = c.recv(1 << 20)
        now = time.monotonic()
        if not data:
            st["eof"] = True
            break
        if st["first"] is None:
            st["first"] = now
        elif now - st["last"] > st["gap"]:
            st["gap"], st["gap_at"] = now - st["last"], st["last"] - st["first"]
        st["last"] = now
        st["bytes"] += len(data)
    report()


def send(target, port, stop):
    s = socket.create_connection((target, port), timeout=10)
    s.settimeout(1)
    buf = b"\x5a" * 65536
    while not os.path.exists(stop):
        try:
            s.sendall(buf)
        except socket.timeout:
            pass    # stalled: look at STOP_FILE again
    try:
        s.shutdown(socket.SHUT_WR)
        s.settimeout(5)
        s.recv(1)   # the sink's close: everything was read
    except OSError as e:
        sys.exit(f"tcpbulk: the sink did not close: {e}")
    s.close()


def main():
    a = sys.argv[1:]
    if len(a) == 4 and a[0] == "sink":
        sink(int(a[1]), a[2], a[3])
    elif len(a) == 4 and a[0] == "send":
        send(a[1], int(a[2]), a[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
