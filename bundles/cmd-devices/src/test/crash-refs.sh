#!/bin/bash
# Makes crash 8.0.6 references on the corpus dump (fixed, so they are checked in):
#   crash-refs.sh LIST OUTDIR
# LIST: lines "NAME<TAB>COMMAND" (# comments); each output goes to OUTDIR/NAME.txt with a first line
# "crash> COMMAND". crash runs once (dumps/in-trixie.sh) with every command redirected to its file.
set -euo pipefail
list=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../../.." && pwd)
corpus=${KDIVE_CORPUS:-$HOME/.cache/kdive-corpus}/vqbug-6.1
work=$(mktemp -d /tmp/kdive-refs.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out" "$work/o"
while IFS=$'\t' read -r name cmd; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  echo "$cmd > $work/o/$name.txt"
done < "$list" > "$work/in"
echo quit >> "$work/in"
"$repo/dumps/in-trixie.sh" crash -s "$corpus/vmlinux-6.1.0-50-cloud-amd64" "$corpus/vmcore.kdump-zlib" < "$work/in" > "$work/log" 2>&1 || true
while IFS=$'\t' read -r name cmd; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  { echo "crash> $cmd"; cat "$work/o/$name.txt" 2>/dev/null || true; } > "$out/$name.txt"
done < "$list"
grep -v '^$' "$work/log" | head -50 >&2 || true
