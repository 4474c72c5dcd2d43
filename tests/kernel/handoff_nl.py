#!/usr/bin/python3
"""Raw generic netlink client for the kernel tests.

handoffctl only builds well-formed requests; the policy tests need to send
malformed ones and read the extended ack back, so this speaks netlink by hand.
Constants come from include/uapi/linux/handoff.h (parsed, not copied).
"""
import errno
import os
import re
import socket
import struct

NETLINK_GENERIC = 16
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 16, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME, CTRL_ATTR_MCAST_GROUPS = 1, 2, 7
NLA_F_NESTED = 1 << 15
SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, NETLINK_EXT_ACK = 270, 1, 11
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS = 1, 2
NLMSGERR_ATTR_MISS_TYPE, NLMSGERR_ATTR_MISS_NEST = 5, 6


def _uapi():
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "..", "include", "uapi", "linux",
                        "handoff.h")
    consts = {}
    text = open(path).read()
    for m in re.finditer(r"#define (HANDOFF_\w+)\s+(\d+)\b", text):
        consts[m.group(1)] = int(m.group(2))
    for body in re.findall(r"enum \w+ \{(.*?)\};", text, re.S):
        val = 0
        for line in body.split("\n"):
            line = re.sub(r"/\*.*?\*/", "", line).strip().rstrip(",")
            if not line:
                continue
            m = re.match(r"(\w+)(?:\s*=\s*(.+))?$", line)
            if not m:
                continue
            if m.group(2) is not None:
                expr = re.sub(r"(\d)U\b", r"\1", m.group(2))
                try:
                    val = eval(expr, {}, dict(consts))
                except Exception:
                    continue
            consts[m.group(1)] = val
            val += 1
    return consts


C = _uapi()


def attr(atype, payload):
    hdr = struct.pack("=HH", 4 + len(payload), atype)
    pad = b"\0" * ((4 - len(payload) % 4) % 4)
    return hdr + payload + pad


def u8(t, v): return attr(t, struct.pack("=B", v))
def u16(t, v): return attr(t, struct.pack("=H", v))
def u32(t, v): return attr(t, struct.pack("=I", v))
def u64(t, v): return attr(t, struct.pack("=Q", v))
def string(t, s): return attr(t, s.encode() + b"\0")
def nest(t, *children): return attr(t | NLA_F_NESTED, b"".join(children))


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def sockaddr_in(ip, port):
    return struct.pack("=H", socket.AF_INET) + struct.pack(">H", port) + \
        socket.inet_aton(ip) + b"\0" * 8


def sockaddr_in6(ip, port):
    return struct.pack("=H", socket.AF_INET6) + struct.pack(">H", port) + \
        b"\0" * 4 + socket.inet_pton(socket.AF_INET6, ip) + b"\0" * 4


def parse_attrs(buf):
    out = []
    while len(buf) >= 4:
        alen, atype = struct.unpack("=HH", buf[:4])
        if alen < 4:
            break
        out.append((atype & ~NLA_F_NESTED, buf[4:alen]))
        buf = buf[(alen + 3) & ~3:]
    return out


class NetlinkError(Exception):
    def __init__(self, err, msg=None, offset=None, miss_type=None):
        super().__init__(f"{os.strerror(err)}: {msg}")
        self.errno, self.msg, self.offset, self.miss_type = \
            err, msg, offset, miss_type


class Genl:
    def __init__(self, family="handoff"):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.bind((0, 0))
        self.seq = 1
        self.mcgrps = {}
        reply = self._request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                              string(CTRL_ATTR_FAMILY_NAME, family))[0]
        for atype, data in parse_attrs(reply):
            if atype == CTRL_ATTR_FAMILY_ID:
                self.family = struct.unpack("=H", data[:2])[0]
            elif atype == CTRL_ATTR_MCAST_GROUPS:
                for _, grp in parse_attrs(data):
                    g = dict(parse_attrs(grp))
                    self.mcgrps[g[1].rstrip(b"\0").decode()] = \
                        struct.unpack("=I", g[2])[0]

    def _request(self, ftype, cmd, payload, dump=False):
        seq = self.seq
        self.seq += 1
        flags = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if dump else 0)
        body = struct.pack("=BBH", cmd, 1, 0) + payload
        msg = struct.pack("=IHHII", 16 + len(body), ftype, flags, seq, 0) + body
        self.sock.send(msg)
        replies = []
        while True:
            data = self.sock.recv(1 << 16)
            while data:
                mlen, mtype, mflags, mseq, _ = struct.unpack("=IHHII",
                                                            data[:16])
                chunk, data = data[16:mlen], data[(mlen + 3) & ~3:]
                if mtype == NLMSG_DONE:
                    return replies
                if mtype == NLMSG_ERROR:
                    err = -struct.unpack("=i", chunk[:4])[0]
                    if err == 0:
                        return replies
                    self._raise(err, chunk, mflags)
                replies.append(chunk[4:])

    @staticmethod
    def _raise(err, chunk, mflags):
        # struct nlmsgerr: error, then the request's header (and payload
        # unless capped, NLM_F_CAPPED = 0x100), then ext ack TLVs.
        olen = struct.unpack("=I", chunk[4:8])[0]
        tlv = chunk[4 + (16 if mflags & 0x100 else (olen + 3) & ~3):]
        msg = offset = miss = None
        for atype, data in parse_attrs(tlv):
            if atype == NLMSGERR_ATTR_MSG:
                msg = data.rstrip(b"\0").decode()
            elif atype == NLMSGERR_ATTR_OFFS:
                offset = struct.unpack("=I", data)[0]
            elif atype == NLMSGERR_ATTR_MISS_TYPE:
                miss = struct.unpack("=I", data)[0]
        raise NetlinkError(err, msg, offset, miss)

    def do(self, cmd, *attrs, dump=False):
        cmd = C[cmd] if isinstance(cmd, str) else cmd
        return [parse_attrs(r) for r in
                self._request(self.family, cmd, b"".join(attrs), dump)]

    def subscribe(self, group="events"):
        self.sock.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
                             self.mcgrps[group])


def A(name):
    return C["HANDOFF_A_" + name]


def session_attrs(sid, role, dev=None, macs=("02:00:00:00:00:01",),
                  peer=("192.0.2.2", 6657), key=b"k" * 32):
    role = {"source": 1, "dest": 2}.get(role, role)
    out = [u64(A("SESSION_ID"), sid), u8(A("ROLE"), role)]
    if dev:
        out.append(string(A("IFNAME"), dev))
    if macs:
        out.append(nest(A("MACS"), *[attr(C["HANDOFF_A_MAC"], mac(m))
                                     for m in macs]))
    if peer:
        out.append(attr(A("PEER"), sockaddr_in(*peer)))
    if key:
        out += [attr(A("TX_KEY"), key), attr(A("RX_KEY"), key)]
    return out


def expect_error(fn, err, msg_part=None):
    """Run fn, require NetlinkError with errno err and msg_part in the ack."""
    try:
        fn()
    except NetlinkError as e:
        if e.errno != err:
            raise AssertionError(f"expected {errno.errorcode[err]}, got "
                                 f"{errno.errorcode.get(e.errno)} ({e.msg})")
        if msg_part and (e.msg is None or msg_part not in e.msg):
            raise AssertionError(f"ext ack {e.msg!r} lacks {msg_part!r}")
        return e
    raise AssertionError(f"expected {errno.errorcode[err]}, got success")


def _counter_names():
    return {v: k[len("HANDOFF_CTR_"):].lower() for k, v in C.items()
            if k.startswith("HANDOFF_CTR_") and not k.endswith("_MAX")
            and k != "HANDOFF_CTR_UNSPEC"}


def _counters(nested):
    names = _counter_names()
    return {names[t]: struct.unpack("=Q", v)[0]
            for t, v in parse_attrs(nested) if t in names}


def session(g, sid, role):
    """One session as a dict: state, counters, times (ns)."""
    role = {"source": 1, "dest": 2}.get(role, role)
    msg = dict(g.do("HANDOFF_CMD_SESSION_GET", u64(A("SESSION_ID"), sid),
                    u8(A("ROLE"), role))[0])
    out = {"state": msg[A("STATE")][0],
           "counters": _counters(msg.get(A("COUNTERS"), b""))}
    tnames = {v: k[len("HANDOFF_TIME_"):].lower() for k, v in C.items()
              if k.startswith("HANDOFF_TIME_") and not k.endswith("_MAX")}
    out["times"] = {tnames[t]: struct.unpack("=Q", v)[0]
                    for t, v in parse_attrs(msg.get(A("TIMES"), b""))
                    if t in tnames}
    return out


def netns_counters(g):
    msg = dict(g.do("HANDOFF_CMD_GET_INFO")[0])
    return _counters(msg.get(A("COUNTERS"), b""))
