#!/usr/bin/env bash
# Runs a command inside the Debian 13 chroot (crash 8.0.6, drgn 0.0.31), in a private mount
# namespace where the corpus cache, the shared folder, /tmp and the current directory are seen at
# their own paths, so file names work unchanged inside and out. Makes the chroot first if needed.
#
#   in-trixie.sh CMD [ARG...]       e.g. in-trixie.sh crash -s VMLINUX VMCORE < cmds
#   KDIVE_BIND="DIR DIR..."         more directories to show inside
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$("$here/chroot-trixie.sh")
cache=${KDIVE_CORPUS:-$HOME/.cache/kdive-corpus}
binds=("$cache" /tmp "$PWD")
shared=$(cd "$here/../../shared" 2>/dev/null && pwd -P) && binds+=("$shared")
for d in ${KDIVE_BIND:-}; do binds+=("$d"); done
script='set -e; root=$1; shift; n=$1; shift
for i in $(seq 1 "$n"); do d=$1; shift; mkdir -p "$root$d"; mount --bind "$d" "$root$d"; done
mount -t proc proc "$root/proc"
cd "$root" && exec chroot "$root" /bin/sh -c "cd \"\$1\" 2>/dev/null || cd /; shift; exec \"\$@\"" sh "$PWD" "$@"'
real=()
for d in "${binds[@]}"; do [ -d "$d" ] && real+=("$(cd "$d" && pwd -P)"); done
exec unshare -m --propagation private bash -c "$script" sh "$root" "${#real[@]}" "${real[@]}" "$@"
