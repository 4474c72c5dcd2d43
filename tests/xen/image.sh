#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The real-Xen host image, from Debian packages only, cached outside the clone
# in $HANDOFF_CACHE/xen/KEY/ (KEY: the versions of Xen, the dom0 kernel and
# this recipe), so a machine builds it once:
#   root/        debootstrapped bookworm: xen-hypervisor + xen-utils 4.17, the
#                Debian 6.1 kernel the module is built for (dom0 and guest),
#                its headers, dkms and the agent's build dependencies
#   xen          the hypervisor, gunzipped (QEMU's multiboot loader)
# XEN_FROM=security (default) or main picks the Xen build (see below).
# Prints KEY=VALUE lines: XEN_BASE (the root), XEN_HV, XEN_KVER, XEN_VERSION.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../qemu/lib.sh
. "$here/../qemu/lib.sh"

MIRROR=${HANDOFF_XEN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${HANDOFF_XEN_SECURITY:-http://deb.debian.org/debian-security}

# What dom0 needs: Xen and its toolstack, the kernel and what DKMS builds the
# module with, the agent's build dependencies (it is built and installed in
# dom0 like an operator would), and the experiment's tools.
PKGS=(
	systemd systemd-sysv udev kmod procps iproute2 iputils-ping ethtool
	util-linux bridge-utils socat python3 busybox-static cpio
	xen-hypervisor-4.17-amd64 xen-utils-4.17 xenstore-utils
	initramfs-tools dkms build-essential pkg-config
	libnl-3-dev libnl-genl-3-dev libmnl-dev libsodium-dev libxen-dev
)

need_root
ensure_pkgs debootstrap e2fsprogs
detect_kernel

# Which Xen: bookworm-security's (the default; 4.17.7 here, built without
# shadow paging, so it cannot migrate PV guests) or bookworm main's point
# release (XEN_FROM=main; 4.17.5 here, which can).
XEN_FROM=${XEN_FROM:-security}
case $XEN_FROM in
security | main) ;;
*) die "XEN_FROM: security or main, not $XEN_FROM" ;;
esac
candidate() {
	if [ "$XEN_FROM" = main ]; then
		apt-cache madison "$1" | awk -F' *[|] *' '$3 ~ /bookworm\/main/ { print $2; exit }'
	else
		apt-cache policy "$1" | sed -n 's/^ *Candidate: //p'
	fi
}
xenver=$(candidate xen-hypervisor-4.17-amd64)
[ -n "$xenver" ] && [ "$xenver" != "(none)" ] || {
	apt_update_once
	xenver=$(candidate xen-hypervisor-4.17-amd64)
}
[ -n "$xenver" ] && [ "$xenver" != "(none)" ] || die "apt knows no xen-hypervisor-4.17-amd64"
recipe=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)
key=$(printf '%s\n' "$xenver" "$KVER" "$KPKGVER" "$recipe" | sha256sum | cut -c1-16)
dir=$HANDOFF_CACHE/xen/$key
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9

emit() {
	echo "XEN_BASE=$dir/root"
	echo "XEN_HV=$dir/xen"
	echo "XEN_KVER=$KVER"
	echo "XEN_VERSION=$xenver"
}
if [ -f "$dir/done" ]; then
	emit
	exit 0
fi

root=$dir/root
rm -rf "$root" "$dir/xen"
mounted=()
cleanup() {
	local m
	for m in "${mounted[@]}"; do umount -l "$m" 2>/dev/null || true; done
}
trap cleanup EXIT
chroot_mounts() {
	local m
	for m in proc sys dev dev/pts; do
		mount --bind "/$m" "$root/$m"
		mounted=("$root/$m" "${mounted[@]}")
	done
}

start=$(date +%s)
log "xen image $key: debootstrap bookworm (Xen $xenver, kernel $KVER)"
debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$MIRROR" \
	>"$dir/debootstrap.log" 2>&1 || die "debootstrap failed: see $dir/debootstrap.log"

cat >"$root/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb $SECURITY bookworm-security main
EOF
# Every Xen package at the chosen version (the kernel stays the security one).
cat >"$root/etc/apt/preferences.d/xen" <<EOF
Package: xen-* libxen* xenstore-utils
Pin: version $xenver
Pin-Priority: 1001
EOF
# No service starts inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
chroot_mounts
log "xen image $key: apt-get install (${#PKGS[@]} packages + linux $KPKGVER)"
chroot "$root" env DEBIAN_FRONTEND=noninteractive sh -c "
	apt-get update -q &&
	apt-get install -y -q --no-install-recommends ${PKGS[*]} \
		linux-image-$KVER=$KPKGVER linux-headers-$KVER=$KPKGVER" \
	>"$dir/apt.log" 2>&1 || die "apt-get in the image failed: see $dir/apt.log"
# Xen 4.17's own version must be what the key says.
chroot "$root" dpkg-query -W -f='${Version}' xen-hypervisor-4.17-amd64 >"$dir/xen.version"
[ "$(cat "$dir/xen.version")" = "$xenver" ] ||
	die "the image got Xen $(cat "$dir/xen.version"), apt here offers $xenver"

hv=$(ls "$root"/boot/xen-4.17-amd64.gz 2>/dev/null || true)
[ -f "$hv" ] || die "no /boot/xen-4.17-amd64.gz in the image"
zcat "$hv" >"$dir/xen"

# dom0 setup that does not depend on the project: console, root, hostname,
# the 9p share the experiment runs from, xl's defaults.
echo xenhost >"$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 xenhost\n' >"$root/etc/hosts"
cat >"$root/etc/fstab" <<'EOF'
/dev/vda / ext4 rw,noatime 0 1
tmpfs /tmp tmpfs rw 0 0
EOF
passwd -R "$root" -d root >/dev/null
mkdir -p "$root/etc/systemd/system/serial-getty@hvc0.service.d"
cat >"$root/etc/systemd/system/serial-getty@hvc0.service.d/autologin.conf" <<'EOF'
[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin root --noclear --keep-baud 115200 %I $TERM
EOF
# dom0's memory is fixed on Xen's command line; xl must not balloon it.
sed -i 's/^#\?autoballoon=.*/autoballoon="off"/' "$root/etc/xen/xl.conf"
grep -q '^autoballoon="off"' "$root/etc/xen/xl.conf" || echo 'autoballoon="off"' >>"$root/etc/xen/xl.conf"
# The initramfs must find the root on virtio-blk.
printf 'virtio_pci\nvirtio_blk\next4\n' >>"$root/etc/initramfs-tools/modules"
chroot "$root" update-initramfs -u -k "$KVER" >"$dir/initramfs.log" 2>&1 ||
	die "update-initramfs failed: see $dir/initramfs.log"
rm -f "$root/usr/sbin/policy-rc.d"
chroot "$root" apt-get clean
cleanup
mounted=()
touch "$dir/done"
log "xen image $key: built in $(($(date +%s) - start)) s ($(du -sh "$root" | cut -f1))"
emit
