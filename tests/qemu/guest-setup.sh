#!/bin/sh
# Stage 2 of the guest boot (busybox sh, PID 1, still in the initramfs; run
# from the 9p control share by initramfs-init). Mounts the host root read-only
# over 9p, puts a tmpfs /run under it for the control share, then switches
# root; guest-run.sh does the rest from inside the host tree, where paths and
# symlinks resolve as on the host.
export PATH=/bin

fail() {
	echo "handoff-vm: guest setup: $*"
	poweroff -f
	sleep 60
}

mkdir -p /newroot
# multidevs=remap on the QEMU side keeps inode numbers unique across host
# mounts; the guest side needs nothing special.
mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=262144,cache=loose hostroot /newroot ||
	fail "cannot mount the host root (9p tag hostroot)"
[ -x /newroot/bin/busybox ] || fail "host has no /bin/busybox (install busybox-static)"

mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /newroot/run || fail "tmpfs /run"
mkdir -p /newroot/run/handoff-vm/ctl
mount --move /ctl /newroot/run/handoff-vm/ctl || fail "moving the control share"
for d in dev proc sys; do
	mount --move "/$d" "/newroot/$d" || fail "moving /$d"
done

exec switch_root /newroot /bin/busybox sh /run/handoff-vm/ctl/guest-run.sh
