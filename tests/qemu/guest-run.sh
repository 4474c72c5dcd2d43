#!/bin/busybox sh
# shellcheck shell=dash
# Stage 3 of the guest boot: PID 1 after switch_root into the host's root
# (read-only 9p), run by the host's static busybox. Makes the tree usable,
# runs the command vm.sh wrote into the control share, leaves its exit status
# and the kernel log there for vm.sh, and powers off.
bb=/bin/busybox
ctl=/run/handoff-vm/ctl
host=/run/handoff-vm/host
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

fail() {
	echo "handoff-vm: guest setup: $*"
	$bb poweroff -f
	$bb sleep 60
}

# shellcheck source=/dev/null
. "$ctl/config" || fail "cannot read $ctl/config"

m() { $bb mount "$@" || fail "mount $*"; }

$bb mkdir -p /dev/pts /dev/shm
m -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
m -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
m -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
m -t tmpfs -o mode=1777,nosuid,nodev tmpfs /var/tmp
m -t tmpfs -o mode=700 tmpfs /root
# Nice to have for tests (tc/bpf, tracing, cgroups); not fatal.
$bb mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
$bb mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
$bb mount -t bpf bpf /sys/fs/bpf 2>/dev/null

# A non-recursive bind of / is the plain host tree, with nothing mounted over
# it: the source for host paths that the tmpfs mounts above now hide.
$bb mkdir -p "$host"
m --bind / "$host"

# Keep the caller's working directory visible if a tmpfs hides it (not when
# it is the tmpfs itself: that stays writable; vm.sh warns).
case $RUN_CWD in
/tmp/* | /var/tmp/* | /root/* | /run/*)
	$bb mkdir -p "$RUN_CWD"
	m --bind "$host$RUN_CWD" "$RUN_CWD"
	;;
esac

# /lib/modules/$KVER: writable tmpfs with vm.sh's depmod output and extra/,
# the unpacked image's kernel/ tree bound in read-only.
m -t tmpfs -o mode=755 tmpfs /lib/modules
lm=/lib/modules/$KVER
$bb mkdir -p "$lm/kernel"
$bb cp -a "$ctl/modules/." "$lm/" || fail "copying module indexes"
m --bind "$host$MODTREE/kernel" "$lm/kernel"
[ -d "/usr/src/linux-headers-$KVER" ] && $bb ln -s "/usr/src/linux-headers-$KVER" "$lm/build"

# Read-write shares for results (--out), at their host paths.
i=0
while [ "$i" -lt "$OUT_N" ]; do
	dir=
	eval "dir=\$OUT_$i"
	$bb mkdir -p "$dir" 2>/dev/null
	m -t 9p -o trans=virtio,version=9p2000.L,msize=262144 "out$i" "$dir"
	i=$((i + 1))
done

$bb hostname handoff-vm
$bb ip link set lo up

# Plain \n: for logs, and a host terminal adds its own \r (QEMU keeps OPOST).
$bb stty -F /dev/ttyS0 -onlcr
[ "$TTY" = 1 ] && $bb stty -F /dev/ttyS0 rows "$ROWS" cols "$COLS"

# Marks where the command's part of the kernel log starts, for vm.sh's scan.
$bb cat /proc/sys/kernel/tainted >"$ctl/tainted.before"
echo "<5>handoff-vm: running command $NONCE" >/dev/kmsg
printf '\n@@handoff-vm:%s:start@@\n' "$NONCE" >/dev/ttyS0
if [ "$TTY" = 1 ]; then
	# Own session with ttyS0 as controlling terminal, so ^C and job control work.
	$bb setsid -c $bb env -i /bin/bash "$ctl/cmd.sh" </dev/ttyS0 >/dev/ttyS0 2>&1
else
	$bb env -i /bin/bash "$ctl/cmd.sh" </dev/null >/dev/ttyS0 2>&1
fi
status=$?

echo "$status" >"$ctl/status"
$bb dmesg >"$ctl/dmesg"
$bb cat /proc/sys/kernel/tainted >"$ctl/tainted.after"
$bb sync
# Silence "reboot: Power down" after the command's output.
echo 0 >/proc/sys/kernel/printk
$bb poweroff -f
$bb sleep 60
