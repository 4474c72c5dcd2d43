#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Session lifecycle through handoffctl: create, dump, get, arm, attach,
# activate by carrier-on and by command, abort, delete; events on the
# multicast group; device removal detaches.
#
#   +------------------------------------------------+
#   | ns hs: bridge br0 with ports vifA vifB vifC    |
#   |   vifA (veth) -- vmA     source session 0x10   |
#   |   vifB (veth) -- vmB     dest session 0x10     |
#   |   vifC (veth) -- vmC     dest session 0x11     |
#   +------------------------------------------------+
. "$(dirname "$0")/lib.sh"

netns_new hs
# The "guests" stay silent: a first frame from one would activate it.
ip netns exec hs sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
ip -n hs link add br0 type bridge
ip -n hs link set br0 up
for v in A B C; do
	ip -n hs link add "vif$v" type veth peer name "vm$v"
	ip -n hs link set "vif$v" master br0
done
ip -n hs link set vifA up
ip -n hs link set vmA up
key=$(mktemp)
make_key "$key"
key2=$(mktemp)
make_key "$key2"
ev=$(mktemp)
ip netns exec hs "$HANDOFFCTL" -j monitor >"$ev" &
mon=$!
sleep 0.5

add() { nsctl hs session add "$@" peer 192.0.2.2:6657 tx-key "$key" rx-key "$key2"; }
state() { nsctl hs -j session show id "$1" role "$2" | jget 'd[0]["state"] if isinstance(d, list) else d["state"]'; }

add id 0x10 role source dev vifA mac 02:00:00:00:00:0a addr 10.0.0.10 addr fd00::10
add id 0x10 role dest mac 02:00:00:00:00:0a
add id 0x11 role dest dev vifC mac 02:00:00:00:00:0c no-carrier-activate
expect_fail add id 0x10 role source dev vifA mac 02:00:00:00:00:0a

n=$(nsctl hs -j session show | jget 'len(d)')
expect_eq "sessions in dump" "$n" 3
expect_eq "source state" "$(state 0x10 source)" new
expect_eq "dest state" "$(state 0x10 dest)" new
expect_eq "dest with dev" "$(state 0x11 dest)" attached
nsctl hs session show | grep -q "0x10" || fail "plain show lacks the session"
if nsctl hs -j session show | grep -qi key; then fail "keys in output"; fi
addrs=$(nsctl hs -j session show id 0x10 role source | jget 'str(d)')
[[ "$addrs" == *"fd00::10"* && "$addrs" == *"10.0.0.10"* ]] || fail "addresses missing: $addrs"

# Arming applies to the source only, once.
nsctl hs session arm id 0x10
expect_eq "armed" "$(state 0x10 source)" armed
expect_fail nsctl hs session arm id 0x10

# Attach, then carrier-on of the vif activates.
ip -n hs link set vifB up
nsctl hs session attach id 0x10 dev vifB
expect_eq "attached" "$(state 0x10 dest)" attached
expect_fail nsctl hs session attach id 0x10 dev vifB
ip -n hs link set vmB up
for _ in $(seq 50); do
	[[ "$(state 0x10 dest)" == active ]] && break
	sleep 0.1
done
expect_eq "active after carrier on" "$(state 0x10 dest)" active

# no-carrier-activate: carrier-on does nothing, the command activates.
ip -n hs link set vifC up
ip -n hs link set vmC up
sleep 0.5
expect_eq "not activated by carrier" "$(state 0x11 dest)" attached
nsctl hs session activate id 0x11
expect_eq "activated by command" "$(state 0x11 dest)" active

nsctl hs session abort id 0x10 role source
expect_eq "aborted" "$(state 0x10 source)" aborted
expect_fail nsctl hs session abort id 0x10 role source

# Removing the vif of an attached session detaches it.
ip -n hs link del vifC
ifname=$(nsctl hs -j session show id 0x11 role dest | jget 'd[0].get("ifindex", 0) if isinstance(d, list) else d.get("ifindex", 0)')
expect_eq "ifindex after vif deletion" "$ifname" 0

nsctl hs session del id 0x10 role source
nsctl hs session del id 0x10 role dest
nsctl hs session del id 0x11 role dest
expect_fail nsctl hs session del id 0x11 role dest
expect_eq "empty" "$(nsctl hs -j session show | jget 'len(d)')" 0

sleep 0.3
kill "$mon"
wait "$mon" 2>/dev/null || true
for e in created armed attached activated aborted detached deleted; do
	grep -q "\"$e\"" "$ev" || fail "no $e event in: $(cat "$ev")"
done
rm -f "$key" "$ev"
