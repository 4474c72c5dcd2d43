#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs every kernel test (t-*.sh, t-*.py) in this directory, inside the QEMU
# guest, each in its own process with a time bound. A test fails if it exits
# non-zero or if the kernel logged a warning while it ran.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
filter=${1:-}
passed=0
failed=0
failures=()

if ! modprobe handoff; then
	echo "cannot load handoff.ko" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
echo "handoff $(cat /sys/module/handoff/version) loaded on $(uname -r)"

kernel_trouble() {
	dmesg | grep -E 'WARNING:|BUG:|Oops|general protection|refcount_t:|list_(add|del) corruption|unreferenced object|KASAN|UBSAN' || true
}

for t in "$here"/t-*; do
	name=$(basename "$t")
	[[ -n "$filter" && "$name" != *"$filter"* ]] && continue
	dmesg -C
	start=$(date +%s%N)
	case "$t" in
	*.py) timeout 300 /usr/bin/python3 "$t" ;;
	*) timeout 300 bash "$t" ;;
	esac
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	trouble=$(kernel_trouble)
	if [[ $rc -eq 0 && -z "$trouble" ]]; then
		echo "PASS $name (${ms} ms)"
		passed=$((passed + 1))
	else
		[[ $rc -eq 124 ]] && echo "  timed out" >&2
		[[ -n "$trouble" ]] && {
			echo "  kernel log:"
			dmesg | grep -v -E '(entered|left) (promiscuous|disabled|blocking|forwarding)' |
				grep -A45 -m1 -E 'WARNING:|BUG:|Oops|general protection'
		} >&2
		echo "FAIL $name (exit $rc, ${ms} ms)"
		failed=$((failed + 1))
		failures+=("$name")
	fi
done

[[ $failed -gt 0 ]] && echo "failed: ${failures[*]}"
echo "kernel: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
