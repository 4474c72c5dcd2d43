#!/bin/bash
# Run COMMAND as root inside Debian's kernel (the one matching
# linux-headers-amd64) under QEMU/TCG, with the host's root filesystem shared
# read-only over 9p. Exit status: COMMAND's; 124 if the kernel logged a
# warning/bug/oops (or crashed) meanwhile; 125 if the VM failed or timed out.
# See README.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$here/lib.sh"
# shellcheck source=SCRIPTDIR/kernel-log.sh
. "$here/kernel-log.sh"
DIE_STATUS=125
t0=$(date +%s.%N)

usage() {
	cat <<'EOF'
usage: vm.sh [OPTIONS] -- COMMAND [ARGS...]
  --module FILE.ko   copy into /lib/modules/$KVER/extra/ (repeatable); modprobe finds it
  --out DIR          share host DIR read-write at the same path (repeatable; created)
  --mem MB           guest memory (default 2048)
  --smp N            guest CPUs (default 2)
  --timeout SEC      kill the VM after SEC seconds, boot included (default 1800)
  --append ARGS      extra kernel command line (e.g. panic_on_warn=1 loglevel=7)
  --verbose          show the boot console and timings
Passes CI and HANDOFF_* through; sets HANDOFF_VM=1 inside.
EOF
}
usage_error() {
	log "$1"
	usage >&2
	exit 125
}

modules=() outs=() mem=2048 smp=2 timeout=1800 append="" verbose=0
while [ $# -gt 0 ]; do
	case $1 in
	--module | --out | --mem | --smp | --timeout | --append)
		[ $# -ge 2 ] || usage_error "$1 needs a value"
		case $1 in
		--module) modules+=("$2") ;;
		--out) outs+=("$2") ;;
		--mem) mem=$2 ;;
		--smp) smp=$2 ;;
		--timeout) timeout=$2 ;;
		--append) append+=" $2" ;;
		esac
		shift 2
		;;
	--verbose | -v) verbose=1 && shift ;;
	-h | --help) usage && exit 0 ;;
	--) shift && break ;;
	*) usage_error "unknown option '$1' (COMMAND goes after --)" ;;
	esac
done
[ $# -gt 0 ] || usage_error "no COMMAND given"
[[ $mem =~ ^[1-9][0-9]*$ ]] || usage_error "--mem wants megabytes, got '$mem'"
[[ $smp =~ ^[1-9][0-9]*$ ]] || usage_error "--smp wants a CPU count, got '$smp'"
[[ $timeout =~ ^[1-9][0-9]*$ ]] || usage_error "--timeout wants seconds, got '$timeout'"

need_root
# iproute2 is for the guest's users (ip netns ...); a minimal install lacks it.
ensure_pkgs qemu-system-x86 iproute2
kinfo=$("$here/kernel.sh") || die "tests/qemu/kernel.sh failed"
KVER='' KERNEL='' INITRAMFS='' MODULES=''
while IFS='=' read -r k v; do
	case $k in KVER | KERNEL | INITRAMFS | MODULES) printf -v "$k" '%s' "$v" ;; esac
done <<<"$kinfo"
if [ -z "$KVER" ] || [ ! -f "$KERNEL" ] || [ ! -f "$INITRAMFS" ] || [ ! -d "$MODULES" ]; then
	die "kernel.sh did not report a usable kernel: $kinfo"
fi

ctl=$(mktemp -d "${TMPDIR:-/tmp}/handoff-vm.XXXXXX")
# shellcheck disable=SC2317 # called by trap
cleanup() {
	local pid
	pid=$(cat "$ctl/qemu.pid" 2>/dev/null) || pid=
	[ -z "$pid" ] || kill "$pid" 2>/dev/null || true
	[ -z "${vm_job:-}" ] || wait "$vm_job" 2>/dev/null || true
	rm -rf "$ctl"
}
trap cleanup EXIT
trap 'log "interrupted; stopping QEMU"; exit 130' INT TERM HUP

nonce=$(od -An -tx8 -N8 /dev/urandom | tr -d ' \n')
cwd=$(pwd -P)

# --- per-run control share: scripts, config, command, module indexes -------
cp "$here/guest-setup.sh" "$here/guest-run.sh" "$ctl/"

# depmod over the cached tree plus extra/; the cached indexes suffice without
# --module. "kernel" is a symlink only here (depmod follows it); the guest
# binds the tree there instead.
md=$ctl/modules
mkdir -p "$md"
cp "$MODULES"/modules.* "$md/"
if [ "${#modules[@]}" -gt 0 ]; then
	mkdir -p "$ctl/depmod/lib/modules" "$md/extra"
	for f in "${modules[@]}"; do
		[ -f "$f" ] || die "--module $f: no such file"
		[[ $f =~ \.ko(\.xz|\.zst|\.gz)?$ ]] || die "--module $f: not a .ko file"
		cp "$f" "$md/extra/"
	done
	ln -s "$md" "$ctl/depmod/lib/modules/$KVER"
	ln -s "$MODULES/kernel" "$md/kernel"
	# extra/ first, so a --module wins over an in-tree module of the same name.
	echo "search extra updates built-in" >"$ctl/depmod.conf"
	depmod -C "$ctl/depmod.conf" -b "$ctl/depmod" "$KVER" || die "depmod failed for --module files"
	rm "$md/kernel"
fi

tty=0 rows=24 cols=80
if [ -t 0 ] && [ -t 1 ]; then
	tty=1
	read -r rows cols < <(stty size 2>/dev/null || echo 24 80)
	[[ $rows =~ ^[1-9][0-9]*$ && $cols =~ ^[1-9][0-9]*$ ]] || rows=24 cols=80
fi

for o in "${outs[@]}"; do
	[[ $o != *$'\n'* ]] || die "--out path with a newline"
done
[[ $cwd != *$'\n'* ]] || die "working directory has a newline in its path"
case $cwd in
/tmp | /var/tmp | /root | /run) log "note: $cwd is an empty tmpfs in the guest; run from a subdirectory to see host files" ;;
esac
{
	echo "KVER=$(shq "$KVER")"
	echo "NONCE=$nonce"
	echo "RUN_CWD=$(shq "$cwd")"
	echo "MODTREE=$(shq "$MODULES")"
	echo "TTY=$tty ROWS=$rows COLS=$cols"
	echo "OUT_N=${#outs[@]}"
	for i in "${!outs[@]}"; do
		mkdir -p "${outs[$i]}"
		outs[i]=$(cd "${outs[$i]}" && pwd -P)
		echo "OUT_$i=$(shq "${outs[$i]}")"
	done
} >"$ctl/config"

# The command, run by the host's bash inside the guest with a clean environment.
{
	echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	echo "export HOME=/root USER=root LOGNAME=root SHELL=/bin/bash LANG=C.UTF-8"
	if [ "$tty" = 1 ]; then echo "export TERM=$(shq "${TERM:-linux}")"; else echo "export TERM=dumb"; fi
	while read -r name; do
		echo "export $name=$(shq "${!name}")"
	done < <(compgen -e | grep -E '^(CI|HANDOFF_[A-Za-z0-9_]*)$' || true)
	echo "export HANDOFF_VM=1 HANDOFF_KVER=$(shq "$KVER")"
	echo "cd -- $(shq "$cwd") || { echo 'handoff-vm: cannot enter the working directory in the guest' >&2; exit 125; }"
	printf 'exec --'
	for a in "$@"; do printf ' %s' "$(shq "$a")"; done
	echo
} >"$ctl/cmd.sh"

# --- QEMU -------------------------------------------------------------------
# QEMU's -virtfs option syntax escapes a comma by doubling it.
virtfs() { printf 'local,path=%s,mount_tag=%s,security_model=none,multidevs=remap%s' "${1//,/,,}" "$2" "${3:-}"; }

# quiet loglevel=4: only errors (and oopses) reach the console; vm.sh reads
# the full log from the guest afterwards. oops=panic + panic=-1 + -no-reboot:
# an oops ends the VM at once instead of running on with a broken kernel.
cmdline="console=ttyS0 quiet loglevel=4 panic=-1 oops=panic mitigations=off$append"
# shellcheck disable=SC2054 # commas inside QEMU option values
qemu=(
	qemu-system-x86_64 -accel tcg -machine pc -cpu max -smp "$smp" -m "$mem"
	-nodefaults -no-user-config -display none -no-reboot -pidfile "$ctl/qemu.pid"
	-chardev stdio,id=con,mux=on,signal=off -serial chardev:con -mon chardev=con,mode=readline
	-kernel "$KERNEL" -initrd "$INITRAMFS" -append "$cmdline"
	-virtfs "$(virtfs / hostroot ,readonly=on)"
	-virtfs "$(virtfs "$ctl" handoffctl)"
)
for i in "${!outs[@]}"; do
	qemu+=(-virtfs "$(virtfs "${outs[$i]}" "out$i")")
done

# Boot chatter before the guest's start marker goes to boot.log only (shown on
# failure or with --verbose); from the marker on, the console streams live.
console_filter() {
	local line marker="@@handoff-vm:$nonce:start@@"
	while IFS= read -r line; do
		printf '%s\n' "$line" >>"$ctl/boot.log"
		[ "$verbose" = 0 ] || printf '%s\n' "${line%$'\r'}"
		if [[ $line == *"$marker"* ]]; then
			date +%s.%N >"$ctl/started"
			break
		fi
	done
	if [ "$tty" = 1 ]; then
		exec tee -a "$ctl/console.log"
	else
		stdbuf -o0 tr -d '\r' | tee -a "$ctl/console.log"
	fi
}

# Several developers (or helpers) on one 2-core machine: HANDOFF_QEMU_LOCK
# names a file whose lock serialises the VMs of everyone who sets it.
if [ -n "${HANDOFF_QEMU_LOCK:-}" ]; then
	exec 8>>"$HANDOFF_QEMU_LOCK"
	[ "$verbose" = 0 ] || log "waiting for $HANDOFF_QEMU_LOCK"
	flock 8
fi

# In the background so the INT/TERM trap runs (and stops QEMU) at once; fd 3
# keeps the caller's stdin, which bash would replace by /dev/null.
if [ "$tty" = 1 ]; then exec 3<&0; else exec 3</dev/null; fi
[ "$verbose" = 0 ] || log "booting $KVER: ${qemu[*]}"
(
	set +e
	timeout --foreground -k 10 "$timeout" "${qemu[@]}" <&3 2>"$ctl/qemu.err"
	echo $? >"$ctl/qemu.rc"
) | console_filter &
vm_job=$!
wait "$vm_job" || true
vm_job=
exec 3<&-

qemu_rc=$(cat "$ctl/qemu.rc" 2>/dev/null || echo "?")
rm -f "$ctl/qemu.pid"
if [ "$verbose" = 1 ] && [ -f "$ctl/started" ]; then
	log "$(awk -v a="$t0" -v b="$(cat "$ctl/started")" -v c="$(date +%s.%N)" \
		'BEGIN { printf "COMMAND started %.1f s after vm.sh; VM ran %.1f s in all", b - a, c - a }')"
fi

show_tail() {
	if [ -s "$ctl/boot.log" ] || [ -s "$ctl/console.log" ]; then
		log "last console lines:"
		cat "$ctl/boot.log" "$ctl/console.log" 2>/dev/null | tr -d '\r' | tail -n "${1:-40}" | sed 's/^/  | /' >&2 || true
	else
		log "no console output at all (a reset or triple fault exits QEMU because of -no-reboot)"
	fi
	if [ -s "$ctl/qemu.err" ]; then
		log "QEMU stderr:"
		sed 's/^/  | /' "$ctl/qemu.err" >&2
	fi
}

if [ -f "$ctl/status" ]; then
	status=$(cat "$ctl/status")
	if kernel_log_problems "$ctl/dmesg" "handoff-vm: running command $nonce" \
		"$ctl/tainted.before" "$ctl/tainted.after" >"$ctl/problems"; then
		log "the kernel reported problems while COMMAND ran (COMMAND exited $status):"
		sed 's/^/  | /' "$ctl/problems" >&2
		exit 124
	fi
	exit "$status"
fi

if [ ! -f "$ctl/started" ]; then
	if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
		log "boot did not finish within --timeout $timeout s"
	fi
	show_tail 60
	die "the VM failed to boot (QEMU exit status $qemu_rc)"
fi
if console_problems "$ctl/console.log" >"$ctl/problems"; then
	log "the kernel crashed while COMMAND ran (details in the console output above):"
	grep -E "$KERNEL_PROBLEM_RE" "$ctl/problems" | head -n 10 | sed 's/^/  | /' >&2
	exit 124
fi
if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
	die "COMMAND did not finish within --timeout $timeout s (boot included); QEMU killed"
fi
show_tail 20
die "the VM stopped before COMMAND finished (QEMU exit status $qemu_rc)"
