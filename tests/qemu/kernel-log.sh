# Finding kernel trouble in a guest's log. Sourced by vm.sh.
# shellcheck shell=bash

# Messages that mean the kernel (or a module) misbehaved. Matched anywhere in
# a kernel log line: WARN*() and lockdep ("WARNING:"), BUG_ON ("kernel BUG"),
# "BUG: ..." (sleeping in atomic, soft lockup, KASAN, bad page...), oopses,
# refcount and list debugging, kmemleak, stalls, leaked netdev references.
KERNEL_PROBLEM_RE='WARNING:|BUG:|Oops|kernel BUG|KASAN|UBSAN|KFENCE|refcount_t:|list_(add|del) corruption|unreferenced object|general protection fault|Kernel panic|Unable to handle kernel|stack-protector|kernel stack overflow|double fault|unregister_netdevice: waiting|blocked for more than|rcu: INFO|detected stalls|hard LOCKUP'

# Taint flags a bug sets even when its message is lost: M(4) B(5) D(7) W(9) L(14).
KERNEL_PROBLEM_TAINT=$(((1 << 4) | (1 << 5) | (1 << 7) | (1 << 9) | (1 << 14)))

# " W D": letters of the bits in $1 that KERNEL_PROBLEM_TAINT covers.
_taint_letters() {
	local bit
	for bit in 4:M 5:B 7:D 9:W 14:L; do
		(($1 & (1 << ${bit%:*}))) && printf ' %s' "${bit#*:}"
	done
	return 0
}

# Print LINES (stdin) from a little before the first problem line, at most
# 100 lines; fail if there is none.
_problem_excerpt() {
	awk -v re="$KERNEL_PROBLEM_RE" '
		{ line[NR] = $0 }
		first == 0 && $0 ~ re { first = NR }
		END {
			if (!first) exit 1
			from = first > 3 ? first - 3 : 1
			for (i = from; i <= NR && i < from + 100; i++) print line[i]
		}'
}

# kernel_log_problems DMESG MARKER TAINT_BEFORE TAINT_AFTER
# Looks at the part of DMESG after the line containing MARKER (all of it if
# COMMAND cleared the log, e.g. with dmesg -C), and at taint flags gained
# meanwhile, which survive a cleared log. Prints what it found; returns 0 if
# anything.
kernel_log_problems() {
	local dmesg=$1 marker=$2 before after gained found=1
	before=$(cat "$3" 2>/dev/null || echo 0)
	after=$(cat "$4" 2>/dev/null || echo 0)
	if awk -v m="$marker" '
		{ line[NR] = $0 }
		index($0, m) { from = NR }
		END { for (i = from + 1; i <= NR; i++) print line[i] }' "$dmesg" | _problem_excerpt; then
		found=0
	fi
	gained=$(((after & ~before) & KERNEL_PROBLEM_TAINT))
	if [ "$gained" != 0 ]; then
		echo "taint flags set while COMMAND ran:$(_taint_letters "$gained") (/proc/sys/kernel/tainted $before -> $after)"
		found=0
	fi
	return "$found"
}

# console_problems CONSOLE_LOG: the same for a console capture (the VM died
# before it could save its log), looking only at kernel lines ("[ 1.234] ...")
# so COMMAND's own output cannot trigger it.
console_problems() {
	tr -d '\r' <"$1" | grep -E '^\[ *[0-9]+\.[0-9]+\] ' | _problem_excerpt
}
