#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Strict attribute policies: every malformed request is refused with an
extended ack that names the problem (and the attribute, by offset).

    +---------------------------+
    | init netns                |
    |   brpol: vpol0 -- vpol1   |
    +---------------------------+
"""
import errno
import struct
import subprocess
import sys

from handoff_nl import (A, C, Genl, attr, expect_error, nest, session_attrs,
                        sockaddr_in, sockaddr_in6, string, u8, u16, u32, u64,
                        mac)

subprocess.run(["ip", "link", "add", "brpol", "type", "bridge"], check=True)
subprocess.run(["ip", "link", "add", "vpol0", "type", "veth", "peer", "name",
                "vpol1"], check=True)
subprocess.run(["ip", "link", "set", "vpol0", "master", "brpol"], check=True)
try:
    g = Genl()
    NEW = "HANDOFF_CMD_SESSION_NEW"
    EINVAL, ERANGE = errno.EINVAL, errno.ERANGE

    def new(*attrs):
        return g.do(NEW, *attrs)

    def atype(a):
        return struct.unpack("=H", a[2:4])[0] & 0x7fff

    def replace(attrs, name, value):
        return [value if atype(a) == A(name) else a for a in attrs]

    base = session_attrs(10, "source", dev="vpol0")

    # Out-of-range scalars: the policy names the attribute by offset.
    e = expect_error(lambda: new(*replace(base, "ROLE", u8(A("ROLE"), 0))),
                     ERANGE)
    assert e.offset is not None, "no offset for bad role"
    expect_error(lambda: new(*replace(base, "ROLE", u8(A("ROLE"), 3))), ERANGE)
    expect_error(lambda: new(*replace(base, "SESSION_ID",
                                      u64(A("SESSION_ID"), 0))), ERANGE)
    # Wrong lengths.
    expect_error(lambda: new(*replace(base, "SESSION_ID",
                                      u32(A("SESSION_ID"), 5))), EINVAL)
    expect_error(lambda: new(*replace(base, "TX_KEY",
                                      attr(A("TX_KEY"), b"k" * 31))), ERANGE)
    bad_mac = nest(A("MACS"), attr(C["HANDOFF_A_MAC"], b"\x02\0\0\0\0"))
    expect_error(lambda: new(*replace(base, "MACS", bad_mac)), ERANGE)
    # MAC must be unicast: a multicast MAC is refused by the command.
    mc_mac = nest(A("MACS"), attr(C["HANDOFF_A_MAC"], mac("01:00:5e:00:00:01")))
    expect_error(lambda: new(*replace(base, "MACS", mc_mac)), EINVAL,
                 "unicast")
    empty_macs = nest(A("MACS"))
    expect_error(lambda: new(*replace(base, "MACS", empty_macs)), EINVAL,
                 "No MAC")
    too_many = nest(A("MACS"), *[attr(C["HANDOFF_A_MAC"],
                                      bytes([2, 0, 0, 0, 0, i + 1]))
                                 for i in range(C["HANDOFF_MAX_MACS"] + 1)])
    expect_error(lambda: new(*replace(base, "MACS", too_many)), errno.E2BIG,
                 "Too many MACs")
    # Peer: wrong family, wrong length, port 0, multicast.
    for peer, part in [
        (b"\x00" * 16, "sockaddr_in"),
        (sockaddr_in("192.0.2.1", 6657)[:12] + b"\0" * 12, "sockaddr_in"),
        (sockaddr_in("192.0.2.1", 0), "port is 0"),
        (sockaddr_in("224.0.0.1", 6657), "not unicast"),
        (sockaddr_in6("::", 6657), "not unicast"),
    ]:
        expect_error(lambda: new(*replace(base, "PEER", attr(A("PEER"), peer))),
                     EINVAL, part)
    # Unknown flag bits.
    expect_error(lambda: new(*base, u32(A("FLAGS"), 1 << 30)), EINVAL)
    # Attributes only the kernel sends.
    e = expect_error(lambda: new(*base, u8(A("STATE"), 1)), EINVAL)
    assert e.offset is not None
    expect_error(lambda: new(*base, nest(A("COUNTERS"))), EINVAL)
    # Attribute type beyond the policy.
    expect_error(lambda: new(*base, u32(C["__HANDOFF_A_MAX"] + 5, 1)), EINVAL)
    # Over-long interface name.
    expect_error(lambda: new(*replace(base, "IFNAME",
                                      string(A("IFNAME"), "x" * 16))), EINVAL)
    # Missing required attributes are named: in the ack's
    # NLMSGERR_ATTR_MISS_TYPE from 6.0, in the message before (compat.h).
    for missing in ("SESSION_ID", "ROLE", "MACS", "PEER", "TX_KEY", "RX_KEY"):
        attrs = [a for a in base if atype(a) != A(missing)]
        e = expect_error(lambda: new(*attrs), EINVAL)
        assert e.miss_type == A(missing) or \
            (e.miss_type is None and f"HANDOFF_A_{missing}" in (e.msg or "")), \
            f"missing {missing}: ack names {e.miss_type}, says {e.msg!r}"
    # Semantics: a source needs a device; the device must exist; both
    # ifindex and ifname is ambiguous.
    nodev = session_attrs(11, "source")
    expect_error(lambda: new(*nodev), EINVAL, "source session needs")
    expect_error(lambda: new(*session_attrs(11, "source", dev="nosuchdev")),
                 errno.ENODEV, "No device")
    expect_error(lambda: new(*nodev, u32(A("IFINDEX"), 999999)),
                 errno.ENODEV, "ifindex")
    expect_error(lambda: new(*session_attrs(11, "source", dev="vpol0"),
                             u32(A("IFINDEX"), 1)), EINVAL, "either")
    # Commands on the wrong role.
    new(*base)
    expect_error(lambda: g.do("HANDOFF_CMD_SESSION_ATTACH",
                              u64(A("SESSION_ID"), 10),
                              string(A("IFNAME"), "vpol1")),
                 errno.ENOENT, "No such session")
    expect_error(lambda: g.do("HANDOFF_CMD_SESSION_ARM",
                              u64(A("SESSION_ID"), 10), u8(A("ROLE"), 2)),
                 EINVAL, "role")
    # Nothing half-created: exactly one session exists.
    dump = g.do("HANDOFF_CMD_SESSION_GET", dump=True)
    assert len(dump) == 1, f"{len(dump)} sessions after the bad requests"
    g.do("HANDOFF_CMD_SESSION_DEL", u64(A("SESSION_ID"), 10),
         u8(A("ROLE"), 1))
    assert g.do("HANDOFF_CMD_SESSION_GET", dump=True) == []
finally:
    subprocess.run(["ip", "link", "del", "vpol0"])
    subprocess.run(["ip", "link", "del", "brpol"])
print("policy: all malformed requests refused")
sys.exit(0)
