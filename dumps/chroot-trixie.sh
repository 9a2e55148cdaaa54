#!/usr/bin/env bash
# Makes (once) a Debian 13 "trixie" chroot with the newer reference tools: crash 8.0.6 and
# python3-drgn 0.0.31, makedumpfile 1.7.6 (reads 6.10+ page types), plus gcc-14/make for building
# modules against trixie's kernel headers
# (their kbuild tools need trixie's libc). Built by debootstrap from the host's own Debian mirror.
#
#   chroot-trixie.sh [DIR]     DIR default ${KDIVE_CORPUS:-~/.cache/kdive-corpus}/chroot-trixie
# Prints DIR. A finished chroot holds DIR/.kdive-ready and is reused; a half-made one is removed first.
set -euo pipefail
. "$(dirname "$0")/lib.sh"   # mark (timings)
MARK_WHAT=chroot-trixie
dir=${1:-${KDIVE_CORPUS:-$HOME/.cache/kdive-corpus}/chroot-trixie}
packages="crash python3-drgn gcc-14 make binutils xz-utils kmod makedumpfile"
if [ -f "$dir/.kdive-ready" ] && [ "$(cat "$dir/.kdive-ready")" = "$packages" ]; then
  echo "$dir"; exit 0
fi
[ "$(id -u)" = 0 ] || { echo "chroot-trixie.sh: needs root (debootstrap, chroot)" >&2; exit 1; }
# one maker at a time: make-dumps.sh makes the chroot in the background while kernels are fetched
# and guests run; a caller that needs it meanwhile (in-trixie.sh) waits here, then finds it made
mkdir -p "$(dirname "$dir")"
exec 9>"$dir.lock"
flock -w 3600 9 || { echo "chroot-trixie.sh: $dir.lock held for an hour" >&2; exit 1; }
if [ -f "$dir/.kdive-ready" ] && [ "$(cat "$dir/.kdive-ready")" = "$packages" ]; then
  echo "$dir"; exit 0
fi
# a finished chroot that lacks packages added to the list since: install them, no new debootstrap
if [ -f "$dir/.kdive-ready" ]; then
  echo "chroot-trixie.sh: installing $packages into $dir ..." >&2
  mount -t proc proc "$dir/proc" 2>/dev/null || true
  if chroot "$dir" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages >>"$dir.log" 2>&1 \
     || { chroot "$dir" apt-get update -qq >>"$dir.log" 2>&1 \
          && chroot "$dir" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages >>"$dir.log" 2>&1; }; then
    umount "$dir/proc" 2>/dev/null || true
    echo "$packages" > "$dir/.kdive-ready"
    echo "$dir"; exit 0
  fi
  umount "$dir/proc" 2>/dev/null || true
  echo "chroot-trixie.sh: could not add packages, making the chroot anew" >&2
fi
command -v debootstrap >/dev/null || { echo "chroot-trixie.sh: needs debootstrap (apt-get install debootstrap)" >&2; exit 1; }
mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)\/* *$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
[ -n "$mirror" ] || mirror=$(sed -n 's/^deb \(\[[^]]*\] \)\?\(http[^ ]*\) .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -1)
mirror=${mirror:-http://deb.debian.org/debian}
rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
echo "chroot-trixie.sh: debootstrap trixie from $mirror into $dir ..." >&2
debootstrap --variant=minbase trixie "$dir" "$mirror" >"$dir.log" 2>&1 \
  || { tail -20 "$dir.log" >&2; echo "chroot-trixie.sh: debootstrap failed (log: $dir.log)" >&2; exit 1; }
mark debootstrap
echo "chroot-trixie.sh: installing $packages ..." >&2
chroot "$dir" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages >>"$dir.log" 2>&1 \
  || { tail -20 "$dir.log" >&2; echo "chroot-trixie.sh: apt-get install in the chroot failed (log: $dir.log)" >&2; exit 1; }
mark apt-install
echo "$packages" > "$dir/.kdive-ready"
echo "$dir"
