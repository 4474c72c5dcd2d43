#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Each namespace is its own host: same session id in two namespaces, sysctls
# apart, and deleting a namespace with live sessions is clean.
#
#   +------------------+   +------------------+
#   | ns h1            |   | ns h2            |
#   |  v1 -- vm1       |   |  v2 -- vm2       |
#   |  source 0x7      |   |  dest 0x7 (v2)   |
#   +------------------+   +------------------+
. "$(dirname "$0")/lib.sh"
netns_new h1 h2
for h in 1 2; do
	ip -n h$h link add br0 type bridge
	ip -n h$h link add v$h type veth peer name vm$h
	ip -n h$h link set v$h master br0
done
key=$(mktemp)
make_key "$key"
key2=$(mktemp)
make_key "$key2"

nsctl h1 session add id 7 role source dev v1 mac 02:00:00:00:00:07 peer 192.0.2.2:6657 tx-key "$key" rx-key "$key2"
nsctl h2 session add id 7 role dest dev v2 mac 02:00:00:00:00:07 peer 192.0.2.1:6657 tx-key "$key" rx-key "$key2"
nsctl h2 session add id 7 role source dev v2 mac 02:00:00:00:00:07 peer 192.0.2.1:6657 tx-key "$key" rx-key "$key2"
expect_eq "h1 sessions" "$(nsctl h1 -j session show | jget 'len(d)')" 1
expect_eq "h2 sessions" "$(nsctl h2 -j session show | jget 'len(d)')" 2
expect_eq "init sessions" "$(ctl -j session show | jget 'len(d)')" 0

ip netns exec h1 sysctl -q -w net.handoff.port=7001
expect_eq "h2 port" "$(ip netns exec h2 sysctl -n net.handoff.port)" 6657
expect_eq "h1 port" "$(ip netns exec h1 sysctl -n net.handoff.port)" 7001

# Delete h1 with its session live (device still attached).
ip netns del h1
sleep 1
expect_eq "h2 after h1 deleted" "$(nsctl h2 -j session show | jget 'len(d)')" 2
ip netns del h2
NETNS=()
rm -f "$key"
