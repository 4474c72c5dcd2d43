#!/bin/bash
# `make check-compat`: handoff on an older kernel, Debian 11's 5.10 (no
# netfilter egress hook, older genetlink and netdev APIs: kmod/compat.h).
# Fetches bullseye's kernel packages with apt into $HANDOFF_CACHE/compat
# (nothing is installed), builds the module against those headers, boots
# that kernel in QEMU and runs kernel tests there (COMPAT_TESTS, default
# below; "all" for the whole suite). Ends with "N passed, N failed".
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=SCRIPTDIR/qemu/lib.sh
. tests/qemu/lib.sh
need_root
ensure_pkgs build-essential dpkg-dev

tests=${COMPAT_TESTS:-t-cutover t-localhost t-ovs t-unload}
[[ $tests == all ]] && tests=""
cache=$HANDOFF_CACHE/compat
apt=$cache/apt
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
cat >"$apt/sources.list" <<'EOF'
deb http://deb.debian.org/debian bullseye main
deb http://deb.debian.org/debian-security bullseye-security main
EOF
apt_opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
	-o Dir::State::Status=/dev/null -o APT::Sandbox::User=root)
# Package lists at most a day old.
if [[ -z $(find "$apt/lists" -maxdepth 1 -name '*_Packages*' -mtime -1 2>/dev/null) ]]; then
	log "apt-get update (bullseye lists, in $apt)"
	quiet_or_die apt-get "${apt_opts[@]}" update
fi

# The newest 5.10 ABI bullseye carries, unless HANDOFF_COMPAT_KVER says.
kver=${HANDOFF_COMPAT_KVER:-$(apt-cache "${apt_opts[@]}" pkgnames linux-headers-5.10.0- |
	sed -n 's/^linux-headers-\(5\.10\.0-[0-9]*-amd64\)$/\1/p' | sort -V | tail -n1)}
[[ -n $kver ]] || die "no linux-headers-5.10.0-*-amd64 in bullseye's lists"
kpkgver=$(apt-cache "${apt_opts[@]}" show "linux-headers-$kver" | sed -n 's/^Version: //p' | sort -V | tail -n1)
kbuild=linux-kbuild-${kver%%.0-*}
common=linux-headers-${kver%-amd64}-common
echo "compat: Linux $kver ($kpkgver)"

# Headers, unpacked: the -amd64 package includes the -common one by an
# absolute path and symlinks its scripts into linux-kbuild.
root=$cache/$kver/root
kdir=$root/usr/src/linux-headers-$kver
if [[ "$(cat "$cache/$kver/stamp" 2>/dev/null)" != "$kpkgver" ]]; then
	rm -rf "${cache:?}/$kver"
	mkdir -p "$root" "$cache/$kver/debs"
	(cd "$cache/$kver/debs" && apt-get "${apt_opts[@]}" download -qq \
		"linux-headers-$kver=$kpkgver" "$common=$kpkgver" "$kbuild" >&2)
	for d in "$cache/$kver"/debs/*.deb; do
		dpkg-deb -x "$d" "$root"
	done
	sed -i "s#^include /usr/src/#include $root/usr/src/#" "$kdir/Makefile"
	rm -rf "$cache/$kver/debs"
	echo "$kpkgver" >"$cache/$kver/stamp"
fi

# The module, built out of a copy (Debian's headers name gcc-10; bookworm's
# gcc builds 5.10 as well).
out=$top/build/compat/$kver
rm -rf "$out"
mkdir -p "$out"
cp -r Kbuild dkms.conf kmod include "$out/"
make -s all >/dev/null	# handoffctl and the probe, for the guest
if ! make -C "$kdir" M="$out" CC=gcc modules >"$out/build.log" 2>&1; then
	grep -E 'error|warning' "$out/build.log" | head -40
	echo "compat: module build for $kver failed"
	echo "compat: 0 passed, 1 failed"
	exit 1
fi
grep -E 'warning:' "$out/build.log" || true
echo "compat: built $out/handoff.ko"

script="rc=0; for t in $tests; do tests/kernel/run.sh \$t || rc=1; done; exit \$rc"
[[ -z $tests ]] && script='tests/kernel/run.sh'
mkdir -p build/check
HANDOFF_KVER=$kver HANDOFF_KPKGVER=$kpkgver HANDOFF_APT_OPTS="${apt_opts[*]}" \
	tests/qemu/vm.sh --smp 1 --module "$out/handoff.ko" -- bash -c "$script" 2>&1 |
	tee build/check/compat.log
rc=${PIPESTATUS[0]}
read -r p f < <(sed -nE 's/^kernel: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/p' build/check/compat.log |
	awk '{p += $1; f += $2} END {print p + 0, f + 0}')
if [[ $rc -ne 0 && $f -eq 0 ]]; then
	echo "compat: the VM failed (exit $rc)"
	f=$((f + 1))
fi
echo "compat ($kver): $p passed, $f failed"
[[ $f -eq 0 ]]
