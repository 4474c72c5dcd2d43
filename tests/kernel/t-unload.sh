#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Unloading with sessions present, in every state and in several
# namespaces, is clean (no warning, devices released), and loading again works.
#
#   +---------------------------+   +---------------------+
#   | ns u1                     |   | ns u2               |
#   |  va -- vma  source armed  |   |  vc -- vmc  dest    |
#   |  vb -- vmb  dest active   |   |  (not attached)     |
#   +---------------------------+   +---------------------+
. "$(dirname "$0")/lib.sh"
netns_new u1 u2
ip -n u1 link add br0 type bridge
ip -n u1 link add va type veth peer name vma
ip -n u1 link add vb type veth peer name vmb
ip -n u1 link set va master br0
ip -n u1 link set vb master br0
ip -n u2 link add vc type veth peer name vmc
key=$(mktemp)
make_key "$key"
key2=$(mktemp)
make_key "$key2"
add() { local ns=$1; shift; nsctl "$ns" session add "$@" peer 192.0.2.9:6657 tx-key "$key" rx-key "$key2"; }
add u1 id 1 role source dev va mac 02:00:00:00:00:01
nsctl u1 session arm id 1
add u1 id 1 role dest dev vb mac 02:00:00:00:00:01 no-carrier-activate
nsctl u1 session activate id 1
add u2 id 2 role dest mac 02:00:00:00:00:02
ip netns exec u1 "$HANDOFFCTL" monitor >/dev/null &
mon=$!
sleep 0.3

rmmod handoff || fail "rmmod refused with sessions present"
kill "$mon" 2>/dev/null || true
wait "$mon" 2>/dev/null || true
[[ ! -e /sys/module/handoff ]] || fail "module still present"
# the devices were released: they can be deleted at once
ip -n u1 link del va
ip -n u1 link del vb
modprobe handoff
expect_eq "sessions after reload" "$(nsctl u1 -j session show | jget 'len(d)')" 0
rm -f "$key"
