#!/bin/bash
# `make bench`: builds the module, handoffctl and the probe, then boots
# Debian's kernel once under QEMU/TCG (2 vCPUs) and runs tests/bench/guest.sh
# there: every figure side by side in one run. Prints a table and writes
# build/bench/results.json. Exits non-zero if a figure could not be measured.
# BENCH_REPS (default 5) and BENCH_CUTOVERS (default 12) set the repetitions.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
tests/deps.sh
kver=$(tests/kver.sh)
make -s all KVER="$kver"
mkdir -p build/bench
rm -f build/bench/results.json build/bench/raw.jsonl
# The host's CPU clock for the guest: QEMU's own CPU time, on request.
mkdir -p build/bench/clock
rm -f build/bench/clock/*
tests/bench/cpuclock.py "$top/build/bench/clock" $$ &
clock_pid=$!
trap 'kill "$clock_pid" 2>/dev/null || true' EXIT
export HANDOFF_QEMU_LOCK=${HANDOFF_QEMU_LOCK:-/tmp/handoff-qemu.lock}
tests/qemu/vm.sh --smp 2 --timeout 1800 --out "$top/build/bench" --module "$top/handoff.ko" -- \
	env BENCH_OUT="$top/build/bench" BENCH_REPS="${BENCH_REPS:-5}" \
	BENCH_CUTOVERS="${BENCH_CUTOVERS:-12}" tests/bench/guest.sh
