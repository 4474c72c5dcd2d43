#!/bin/bash
# Prints the kernel release that linux-headers-amd64 points at (e.g.
# 6.1.0-56-amd64): the kernel handoff is built for and tested on. The machine
# itself runs another kernel, so `uname -r` is never the answer here.
set -euo pipefail
dep=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null) || {
	echo "kver: linux-headers-amd64 is not installed" >&2
	exit 1
}
kver=$(sed -n 's/.*linux-headers-\([0-9][^ ,]*\).*/\1/p' <<<"$dep")
[[ -n "$kver" && -d /lib/modules/$kver/build ]] || {
	echo "kver: no headers for '$kver' under /lib/modules" >&2
	exit 1
}
echo "$kver"
