#!/bin/bash
# Prepare Debian's kernel matching linux-headers-amd64 for QEMU tests, in
# $HANDOFF_CACHE/kernel/$KVER/ (never installed on the host):
#   image/       the unpacked linux-image package, depmod'ed, plus
#                boot/vmlinux-$KVER, the ELF extracted from the bzImage
#   initramfs    busybox + the modules that mount a 9p share (see initramfs-init)
#   *.stamp      what each was built from (headers' version, recipe hash)
# Idempotent; rebuilds only what is stale. Prints KEY=VALUE lines on stdout:
# KVER, KPKGVER, KERNEL (what to boot), INITRAMFS, MODULES.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$here/lib.sh"

# What the initramfs must load; modprobe --show-depends expands the rest
# (virtio_ring, virtio, virtio_pci_*_dev, netfs, fscache, 9pnet).
INITRAMFS_MODULES=(virtio_pci 9pnet_virtio 9p)

need_root
ensure_pkgs kmod cpio busybox-static
detect_kernel

kdir=$HANDOFF_CACHE/kernel/$KVER
image=$kdir/image
moddir=$image/lib/modules/$KVER
mkdir -p "$kdir"
exec 9>"$kdir/.lock"
flock 9

tmp=
cleanup() { [ -z "$tmp" ] || rm -rf "$tmp"; }
trap cleanup EXIT
tmp=$(mktemp -d "$kdir/.tmp.XXXXXX")

# apt-get download of the first package name in $@ that apt knows. Prefers the
# exact version of the headers; falls back to the candidate (same ABI name).
# HANDOFF_APT_OPTS: extra apt options (another release's package lists).
download_image() {
	local name apt_opts
	read -r -a apt_opts <<<"${HANDOFF_APT_OPTS:-}"
	for name in "$@"; do
		apt-cache "${apt_opts[@]}" show "$name=$KPKGVER" >/dev/null 2>&1 || continue
		(cd "$tmp" && apt-get "${apt_opts[@]}" download -qq -o APT::Sandbox::User=root "$name=$KPKGVER" >&2) && return 0
	done
	for name in "$@"; do
		apt-cache "${apt_opts[@]}" show "$name" >/dev/null 2>&1 || continue
		log "warning: $KPKGVER of $name not available; using apt's candidate"
		(cd "$tmp" && apt-get "${apt_opts[@]}" download -qq -o APT::Sandbox::User=root "$name" >&2) && return 0
	done
	return 1
}

fetch_image() {
	local pkgs=("linux-image-$KVER-unsigned" "linux-image-$KVER") deb
	log "fetching ${pkgs[0]} $KPKGVER (not installing it)"
	download_image "${pkgs[@]}" || { apt_update_once && download_image "${pkgs[@]}"; } ||
		die "cannot download ${pkgs[*]} (version $KPKGVER)"
	deb=$(echo "$tmp"/*.deb)
	[ -f "$deb" ] || die "apt-get download produced no single .deb in $tmp"
	dpkg-deb -x "$deb" "$tmp/image"
	[ -f "$tmp/image/boot/vmlinuz-$KVER" ] || die "$deb has no boot/vmlinuz-$KVER"
	depmod -b "$tmp/image" "$KVER"
	extract_vmlinux "$tmp/image/boot" ||
		log "note: booting the compressed vmlinuz (no PVH entry or unknown format); slower"
	rm -rf "$image"
	mv "$tmp/image" "$image"
	dpkg-deb -f "$deb" Package Version >"$kdir/image.deb-info"
	echo "$image_key" >"$kdir/image.stamp"
}

# The ELF inside Debian's bzImage (an xz stream) boots through its PVH entry
# point: no real-mode setup, no decompression under TCG. About 3 s faster.
extract_vmlinux() {
	local boot=$1 off
	grep -qx 'CONFIG_PVH=y' "$boot/config-$KVER" || return 1
	ensure_pkgs xz-utils
	off=$(LC_ALL=C grep -m1 -obUaP '\xfd7zXZ\x00' "$boot/vmlinuz-$KVER" | head -n1 | cut -d: -f1) || return 1
	[ -n "$off" ] || return 1
	# xz stops after its stream, so tail may die of SIGPIPE: not an error.
	{ tail -c "+$((off + 1))" "$boot/vmlinuz-$KVER" || true; } |
		xz -dc --single-stream >"$boot/vmlinux-$KVER.tmp" || return 1
	[ "$(head -c4 "$boot/vmlinux-$KVER.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || return 1
	mv "$boot/vmlinux-$KVER.tmp" "$boot/vmlinux-$KVER"
}

# Copy one module into the initramfs uncompressed: busybox insmod cannot
# read .ko.xz/.ko.zst (Debian 12's 6.1 ships plain .ko, later ones may not).
add_module() {
	local src=$1 dst=$2
	case $src in
	*.ko) cp "$src" "$dst" ;;
	*.ko.xz) ensure_pkgs xz-utils && xz -dc "$src" >"$dst" ;;
	*.ko.zst) ensure_pkgs zstd && zstd -qdc "$src" >"$dst" ;;
	*.ko.gz) gzip -dc "$src" >"$dst" ;;
	*) die "unknown module format: $src" ;;
	esac
}

build_initramfs() {
	local root=$tmp/initramfs.d line path name applet
	mkdir -p "$root"/{bin,dev,proc,sys,ctl,lib/modules}
	cp /bin/busybox "$root/bin/busybox"
	for applet in $(/bin/busybox --list); do
		[ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
	done
	# The kernel opens /dev/console before /init can mount devtmpfs.
	mknod -m 600 "$root/dev/console" c 5 1
	mknod -m 666 "$root/dev/null" c 1 3
	# --show-depends prints "insmod PATH" in load order, dependencies first,
	# repeating shared ones; "builtin NAME" for built-ins.
	modprobe -d "$image" -S "$KVER" --show-depends -a "${INITRAMFS_MODULES[@]}" |
		while read -r line; do
			[[ $line == insmod\ * ]] || continue
			path=${line#insmod }
			path=${path%% *}
			name=$(basename "$path")
			name=${name%%.ko*}.ko
			grep -qxF "$name" "$root/lib/modules/order" 2>/dev/null && continue
			add_module "$path" "$root/lib/modules/$name"
			echo "$name" >>"$root/lib/modules/order"
		done
	[ -s "$root/lib/modules/order" ] || die "no initramfs modules resolved"
	install -m 755 "$here/initramfs-init" "$root/init"
	# Uncompressed: decompressing under TCG costs more than reading it.
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$tmp/initramfs.cpio"
	mv "$tmp/initramfs.cpio" "$kdir/initramfs"
}

# Bump the suffix when the unpacked layout changes.
image_key="$KPKGVER/3"
if [ "$(cat "$kdir/image.stamp" 2>/dev/null)" != "$image_key" ] || [ ! -d "$moddir" ]; then
	rm -f "$kdir/image.stamp" "$kdir/initramfs.stamp"
	fetch_image
fi

# Rebuild the initramfs when the image, its recipe or busybox changed.
ikey=$({
	echo "$KPKGVER ${INITRAMFS_MODULES[*]}"
	sha256sum "$here/initramfs-init" "$here/kernel.sh" /bin/busybox
} | sha256sum | cut -d' ' -f1)
if [ "$(cat "$kdir/initramfs.stamp" 2>/dev/null)" != "$ikey" ] || [ ! -f "$kdir/initramfs" ]; then
	log "building initramfs for $KVER"
	build_initramfs
	echo "$ikey" >"$kdir/initramfs.stamp"
fi

kernel=$image/boot/vmlinux-$KVER
[ -f "$kernel" ] || kernel=$image/boot/vmlinuz-$KVER
cat <<EOF
KVER=$KVER
KPKGVER=$KPKGVER
KERNEL=$kernel
INITRAMFS=$kdir/initramfs
MODULES=$moddir
EOF
