#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A session that never activates expires after net.handoff.session_timeout_ms
# and disappears with an "expired" event; an activated one does not.
#
#   +----------------------------+
#   | ns ex: vx -- vmx           |
#   +----------------------------+
. "$(dirname "$0")/lib.sh"
netns_new ex
ip -n ex link add br0 type bridge
ip -n ex link add vx type veth peer name vmx
ip -n ex link set vx master br0
ip netns exec ex sysctl -q -w net.handoff.session_timeout_ms=1000
key=$(mktemp)
make_key "$key"
key2=$(mktemp)
make_key "$key2"
ev=$(mktemp)
ip netns exec ex "$HANDOFFCTL" -j monitor >"$ev" &
mon=$!
sleep 0.3
nsctl ex session add id 1 role source dev vx mac 02:00:00:00:00:01 peer 192.0.2.2:6657 tx-key "$key" rx-key "$key2"
nsctl ex session add id 2 role dest dev vx mac 02:00:00:00:00:01 peer 192.0.2.2:6657 tx-key "$key" rx-key "$key2" no-carrier-activate
nsctl ex session activate id 2
sleep 2
expect_eq "left after timeout" "$(nsctl ex -j session show | jget 'len(d)')" 1
expect_eq "survivor" "$(nsctl ex -j session show | jget 'd[0]["id"]')" "$(nsctl ex -j session show id 2 role dest | jget 'd[0]["id"] if isinstance(d, list) else d["id"]')"
kill "$mon"; wait "$mon" 2>/dev/null || true
grep -q '"expired"' "$ev" || fail "no expired event: $(cat "$ev")"
rm -f "$key" "$ev"
