#!/bin/bash
# `make demo`: installs what it needs, builds the module, handoffctl and the
# probe, then plays the migration lab (tests/lab/lab.sh) inside Debian's
# kernel under QEMU: every scenario without and with handoff, as a table.
# Results: build/lab/results.json. LAB=name runs only matching scenarios.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
tests/deps.sh
kver=$(tests/kver.sh)
make -s all KVER="$kver"
make -s -C tests/lab BUILD="$top/build"
mkdir -p build/lab
rm -f build/lab/results.json
tests/qemu/vm.sh --out "$top/build/lab" --module "$top/handoff.ko" -- \
	tests/lab/lab.sh ${LAB:-}
