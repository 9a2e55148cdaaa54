#!/usr/bin/env bash
# Makes every dump of dumps.list that is missing or no longer verified (see README.md), then
# runs each dumps/make-*-dumps.sh extension script (another architecture's dumps). Incremental:
# a dump whose STAMP is valid costs a stat per file. A failed kind keeps nothing but its log
# (made/ID/KIND.failed.log) and is retried on the next run.
#
#   make-dumps.sh [ID[/KIND]...]      default: every row; with names, only those (no extensions)
#   KDIVE_DUMP_JOBS=N                 kernels made side by side (default 2: one kernel's download
#                                     and references overlap another's QEMU run)
# Exit status: 0 when every dump is made and verified; 1 naming each failed kind otherwise.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
started=$(date +%s)
filter=("$@")
selected() {
  [ ${#filter[@]} = 0 ] && return 0
  local f; for f in "${filter[@]}"; do [ "$f" = "$1" ] || [ "$f" = "$1/$2" ] && return 0; done; return 1
}
rows=$(awk '!/^#/ && NF {print $1, $2}' "$DUMPS_HOME/dumps.list")
mkdir -p "$MADE_DIR"
# one driver at a time per cache: a second one would remake (rm -rf) the dumps the first is making
exec 8>"$MADE_DIR/.make-dumps.lock"
if ! flock -n 8; then
  say "another make-dumps.sh is making dumps in $MADE_DIR: waiting for it (at most an hour)"
  flock -w 3600 8 || die "another make-dumps.sh held $MADE_DIR/.make-dumps.lock for an hour"
fi
todo=$MADE_DIR/.todo.$$
: > "$todo"
while read -r id kind; do
  selected "$id" "$kind" && echo "$id $kind" >> "$todo"
done <<<"$rows"
[ -s "$todo" ] || [ ${#filter[@]} = 0 ] || { rm -f "$todo"; die "no dump named ${filter[*]} in dumps.list"; }

missing=()
for t in qemu-system-x86_64 kexec cpio gzip python3 readelf objcopy modinfo make gcc debootstrap unshare; do
  command -v "$t" >/dev/null || missing+=("$t")
done
[ -x /bin/busybox ] || missing+=(busybox)
[ ${#missing[@]} = 0 ] || { rm -f "$todo"; die "missing ${missing[*]} (.ci/run installs them: apt-get install qemu-system-x86 kexec-tools busybox-static cpio debootstrap ...)"; }
# the Debian 13 chroot (crash 8.0.6, drgn 0.0.31, makedumpfile 1.7.6, gcc-14) once, before any job
"$DUMPS_HOME/chroot-trixie.sh" >/dev/null || { rm -f "$todo"; die "the Debian 13 chroot could not be made"; }

# one job per kernel: fetch it, then make its dumps one after the other; KDIVE_DUMP_JOBS kernels at once
kernel_job() {
  local id=$1 kind log rc=0 t
  shift
  # the kernel first, timed on its own (make-one.sh would fetch it too)
  t=$(date +%s)
  mkdir -p "$MADE_DIR/$id"
  if "$DUMPS_HOME/fetch-kernel.sh" "$id" > "$MADE_DIR/$id/.fetch.log" 2>&1; then
    grep -q 'ready in' "$MADE_DIR/$id/.fetch.log" && echo "make-dumps.sh: kernel $id fetched in $(( $(date +%s) - t )) s"
    rm -f "$MADE_DIR/$id/.fetch.log"
  else
    echo "make-dumps.sh: kernel $id could not be fetched (log: $MADE_DIR/$id/.fetch.log):" >&2
    tail -15 "$MADE_DIR/$id/.fetch.log" | sed 's/^/    /' >&2
  fi
  for kind in "$@"; do
    log=$MADE_DIR/$id/$kind.log
    mkdir -p "$MADE_DIR/$id"
    t=$(date +%s)
    if "$DUMPS_HOME/make-one.sh" "$id" "$kind" > "$log" 2>&1; then
      rm -f "$MADE_DIR/$id/$kind.failed.log"
      if grep -q '(cached)$' "$log"; then rm -f "$log"; else
        mv "$log" "$MADE_DIR/$id/$kind/make.log"
        echo "make-dumps.sh: $id/$kind made in $(( $(date +%s) - t )) s"
      fi
    else
      mv "$log" "$MADE_DIR/$id/$kind.failed.log"
      echo "make-dumps.sh: $id/$kind FAILED after $(( $(date +%s) - t )) s (log: $MADE_DIR/$id/$kind.failed.log):" >&2
      tail -25 "$MADE_DIR/$id/$kind.failed.log" | sed 's/^/    /' >&2
      echo "$id/$kind" >> "$MADE_DIR/.failed.$$"
      rc=1
    fi
  done
  return $rc
}
export -f kernel_job
export MADE_DIR DUMPS_HOME
rm -f "$MADE_DIR/.failed.$$"
# kernels with the most dumps first, so the lanes end together
pids=() 
while read -r id; do
  # shellcheck disable=SC2046
  kernel_job "$id" $(awk -v id="$id" '$1 == id {print $2}' "$todo") &
  pids+=($!)
  while [ "$(jobs -rp | wc -l)" -ge "${KDIVE_DUMP_JOBS:-2}" ]; do wait -n || true; done
done < <(cut -d' ' -f1 "$todo" | sort | uniq -c | sort -rn | awk '{print $2}')
wait || true
rm -f "$todo"

ext_rc=0
if [ ${#filter[@]} = 0 ]; then
  for ext in "$DUMPS_HOME"/make-*-dumps.sh; do
    [ -x "$ext" ] || [ -f "$ext" ] || continue
    echo "make-dumps.sh: running $(basename "$ext")"
    bash "$ext" || { echo "make-dumps.sh: $(basename "$ext") FAILED" >&2; echo "$(basename "$ext")" >> "$MADE_DIR/.failed.$$"; }
  done
fi
if [ -s "$MADE_DIR/.failed.$$" ]; then
  echo "make-dumps.sh: FAILED: $(tr '\n' ' ' < "$MADE_DIR/.failed.$$")($(( $(date +%s) - started )) s)" >&2
  rm -f "$MADE_DIR/.failed.$$"
  exit 1
fi
echo "make-dumps.sh: every dump made and verified ($(( $(date +%s) - started )) s)"
exit $ext_rc
