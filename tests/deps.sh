#!/bin/bash
# Installs, with apt, what building and testing handoff needs on a fresh
# Debian 12 machine. Does nothing when everything is there already.
set -euo pipefail

pkgs=(
	build-essential pkg-config linux-headers-amd64 dkms kmod openssl
	libnl-3-dev libnl-genl-3-dev libmnl-dev libsodium-dev libxen-dev
	clang libclang-rt-14-dev systemd
	qemu-system-x86 busybox-static cpio xz-utils zstd
	iproute2 iputils-ping procps util-linux python3 ethtool
	openvswitch-switch
)

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[[ "$st" == ii* ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
	echo "deps: missing ${missing[*]}; run as root to install them" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
