#!/bin/bash
# dkms add, build and install this tree for kernel $1, the way an operator
# installs handoff on a dom0 (always with -k: the running kernel is not the
# target). Prints the path of the module DKMS built.
set -euo pipefail
kver=$1
top=$(cd "$(dirname "$0")/.." && pwd)
name=handoff
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
src=/usr/src/$name-$ver

# Start from a clean slate: a previous run's registration or sources.
if dkms status -m "$name" -v "$ver" | grep -q .; then
	dkms remove -m "$name" -v "$ver" --all >/dev/null
fi
rm -rf "$src"
mkdir -p "$src/kmod" "$src/include/uapi/linux"
cp "$top/Kbuild" "$top/dkms.conf" "$src/"
cp "$top"/kmod/*.[ch] "$src/kmod/"
cp "$top/include/uapi/linux/handoff.h" "$src/include/uapi/linux/"

dkms add -m "$name" -v "$ver" >&2
dkms build -m "$name" -v "$ver" -k "$kver" >&2 || {
	cat "/var/lib/dkms/$name/$ver/build/make.log" >&2 || true
	exit 1
}
dkms install -m "$name" -v "$ver" -k "$kver" --force >&2
ko=/var/lib/dkms/$name/$ver/$kver/$(uname -m)/module/$name.ko
[[ -f "$ko" ]] || ko=$(ls "/var/lib/dkms/$name/$ver/$kver/$(uname -m)/module/$name.ko"* | head -1)
[[ -f "$ko" ]] || { echo "dkms: no module built" >&2; exit 1; }
echo "$ko"
