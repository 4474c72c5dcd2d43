# Helpers shared by tests/qemu/*.sh. Sourced, not executed.
# shellcheck shell=bash

HANDOFF_CACHE=${HANDOFF_CACHE:-/var/cache/handoff}

log() { printf 'handoff-vm: %s\n' "$*" >&2; }

# Exit status for fatal errors; vm.sh sets 125 so harness failures never look
# like a test's own status.
DIE_STATUS=${DIE_STATUS:-1}
die() {
	log "error: $*"
	exit "$DIE_STATUS"
}

need_root() {
	[ "$(id -u)" = 0 ] || die "must run as root (it installs packages and runs QEMU with 9p passthrough)"
}

pkg_installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

# Run a command quietly; show its output only if it fails.
quiet_or_die() {
	local out rc=0
	out=$(mktemp)
	"$@" >"$out" 2>&1 || rc=$?
	[ "$rc" = 0 ] || cat "$out" >&2
	rm -f "$out"
	[ "$rc" = 0 ] || die "'$*' failed (exit status $rc)"
}

# Exported so that kernel.sh, run by vm.sh, does not update a second time.
apt_update_once() {
	[ "${_HANDOFF_APT_UPDATED:-}" = 1 ] && return 0
	log "apt-get update"
	quiet_or_die apt-get update
	export _HANDOFF_APT_UPDATED=1
}

# Install the named packages that are missing. Never touches installed ones.
ensure_pkgs() {
	local p missing=()
	for p in "$@"; do
		pkg_installed "$p" || missing+=("$p")
	done
	[ "${#missing[@]}" = 0 ] && return 0
	apt_update_once
	log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive quiet_or_die apt-get install -y --no-install-recommends "${missing[@]}"
}

# Sets KVER (e.g. 6.1.0-56-amd64) and KPKGVER (its Debian version, e.g.
# 6.1.192-2) from linux-headers-amd64, the headers modules are built against.
# HANDOFF_KVER overrides the choice; its headers must then be installed,
# unless HANDOFF_KPKGVER gives the package version too (a kernel of another
# Debian release, e.g. 5.10 from bullseye for `make check-compat`, whose
# packages apt fetches with the extra options in HANDOFF_APT_OPTS).
# shellcheck disable=SC2034 # KVER and KPKGVER are this function's output
detect_kernel() {
	local deps re='^linux-headers-([^ ,]+) \(= ([^)]+)\)'
	if [ -n "${HANDOFF_KVER:-}" ] && [ -n "${HANDOFF_KPKGVER:-}" ]; then
		KVER=$HANDOFF_KVER
		KPKGVER=$HANDOFF_KPKGVER
		return 0
	fi
	if [ -n "${HANDOFF_KVER:-}" ]; then
		KVER=$HANDOFF_KVER
		pkg_installed "linux-headers-$KVER" || die "HANDOFF_KVER=$KVER but linux-headers-$KVER is not installed"
		KPKGVER=$(dpkg-query -W -f='${Version}' "linux-headers-$KVER")
		return 0
	fi
	ensure_pkgs linux-headers-amd64
	deps=$(dpkg-query -W -f='${Depends}' linux-headers-amd64)
	[[ $deps =~ $re ]] || die "cannot parse linux-headers-amd64 Depends: '$deps'"
	KVER=${BASH_REMATCH[1]}
	KPKGVER=${BASH_REMATCH[2]}
}

# Quote for POSIX sh (busybox ash and bash both read it back verbatim).
shq() {
	local s=${1//\'/\'\\\'\'}
	printf "'%s'" "$s"
}
