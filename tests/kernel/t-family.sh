#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The generic netlink family is registered with its commands and its events
# group, and handoffctl reads the module's version through it.
#
#   +-------------+
#   | init netns  |
#   +-------------+
. "$(dirname "$0")/lib.sh"

fam=$(genl ctrl get name handoff)
echo "$fam" | grep -q "events" || fail "no events multicast group: $fam"
ops=$(echo "$fam" | grep -c "ID-0x")
[[ $ops -ge 8 ]] || fail "expected 8 commands, got $ops: $fam"

ver=$(cat /sys/module/handoff/version)
ctl info | grep -q "$ver" || fail "handoffctl info lacks version $ver"
expect_eq "info -j version" "$(ctl -j info | jget 'd["version"]')" "$ver"
expect_eq "info -j port" "$(ctl -j info | jget 'd["port"]')" "$(sysctl -n net.handoff.port)"
