#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Without CAP_NET_ADMIN every command and the events group are refused.
#
#   +-----------------------------------+
#   | init netns: vperm0 -- vperm1      |
#   | user nobody, no capabilities      |
#   +-----------------------------------+
. "$(dirname "$0")/lib.sh"

ip link add vperm0 type veth peer name vperm1
trap 'ip link del vperm0 2>/dev/null; netns_cleanup' EXIT
key=$(mktemp)
make_key "$key"
chmod 0644 "$key"	# nobody must be able to read it for this test
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all "$@"; }

out=$(nobody "$HANDOFFCTL" info 2>&1) && fail "info allowed: $out"
echo "$out" | grep -qi "not permitted" || fail "unclear error: $out"
out=$(nobody "$HANDOFFCTL" session show 2>&1) && fail "dump allowed: $out"

nobody $PY - <<'PY'
import errno
from handoff_nl import Genl, NetlinkError, session_attrs, expect_error
g = Genl()
expect_error(lambda: g.do("HANDOFF_CMD_SESSION_NEW",
                          *session_attrs(5, "source", dev="vperm0")),
             errno.EPERM)
expect_error(lambda: g.do("HANDOFF_CMD_SESSION_GET", dump=True), errno.EPERM)
try:
    g.subscribe()
except PermissionError:
    pass
else:
    raise AssertionError("unprivileged join of the events group")
PY
# root still can
ctl info >/dev/null
rm -f "$key"
