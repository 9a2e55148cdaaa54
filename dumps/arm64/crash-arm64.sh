#!/usr/bin/env bash
# crash 8.0.6 for arm64 dumps, on the x86_64 host: Debian 13's arm64 `crash` package and the arm64
# libraries it needs, downloaded with a private apt state (architecture arm64, the host's mirror),
# unpacked with dpkg -x into the cache (never installed), run under qemu-aarch64-static.
#
#   crash-arm64.sh setup            the unpacked crash: prints its root, $KDIVE_CORPUS/crash-arm64/root
#   crash-arm64.sh vmlinux KDIR     KDIR/vmlinux with a .gdb_index (see below): prints its path
#   crash-arm64.sh run VMLINUX VMCORE [ARG...]   crash -s, commands on stdin (as in-trixie.sh crash)
#   crash-arm64.sh refs OUT         the references of a made dump OUT (make-arm64-dumps.sh, refs crash):
#                                   arm64/crash-commands.txt in one session, OUT/refs/crash-8.0.6/NAME.txt
#                                   (first line "crash> CMD") and COMMANDS.tsv, as refs.sh writes them
#
# Speed: under emulation, crash's gdb spends over 10 CPU minutes building its partial symbol tables
# from the 270 MB vmlinux's DWARF. The host's gdb writes the same index gdb reads instead
# (`save gdb-index`, 20 s), added as a .gdb_index section to a copy of the vmlinux (cached per
# kernel): a session then starts in about 80 CPU seconds. The copy differs only by that section
# (crash matches it to the dump by linux_banner); its path is the one `sys` prints as KERNEL.
# Everything is cached under a STAMP (lib.sh): reruns are free.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
A64=$DUMPS_HOME/arm64
HOME_A=$CORPUS/crash-arm64
work=""
ROOT=$HOME_A/root
CRASH_VERSION=8.0.6

setup() {
  local recipe apt opts deb v
  recipe=$(recipe_hash -- "crash-arm64 setup 1" "$CRASH_VERSION" "$DEBIAN_MIRROR" "$SCRIPT_VERSION")
  if stamp_check "$HOME_A" "$recipe"; then echo "$ROOT"; return 0; fi
  mkdir -p "$HOME_A"
  exec 7>"$HOME_A.lock"
  flock -w 1800 7 || die "$HOME_A.lock held for 30 minutes"
  if stamp_check "$HOME_A" "$recipe"; then exec 7>&-; echo "$ROOT"; return 0; fi
  command -v qemu-aarch64-static >/dev/null || die "missing qemu-aarch64-static (apt-get install -y qemu-user-static)"
  local MARK_WHAT=crash-arm64
  mark_reset
  apt=$HOME_A/apt
  rm -rf "$ROOT" "$apt/cache/archives"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
  : > "$apt/status"   # nothing installed: apt resolves crash's whole dependency closure
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $DEBIAN_MIRROR trixie main" > "$apt/sources.list"
  opts=(-o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o Dir::Etc::sourcelist="$apt/sources.list"
        -o Dir::Etc::sourceparts=- -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache"
        -o Dir::State::status="$apt/status" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
  say "apt-get update (trixie arm64, private state in $apt)"
  bounded 300 "$HOME_A/setup.log" apt-get "${opts[@]}" update -q
  v=$(apt-cache "${opts[@]}" show crash | sed -n 's/^Version: //p' | sort -V | tail -1)
  [[ $v == "$CRASH_VERSION"* ]] || die "trixie's arm64 crash is $v, not $CRASH_VERSION"
  bounded 600 "$HOME_A/setup.log" apt-get "${opts[@]}" install -d -y -q --no-install-recommends "crash=$v"
  mark download
  mkdir -p "$ROOT"
  for deb in "$apt"/cache/archives/*.deb; do dpkg-deb -x "$deb" "$ROOT"; done
  # merged /usr (trixie): the loader is found at /lib/ld-linux-aarch64.so.1
  for d in lib bin sbin; do [ -e "$ROOT/$d" ] || ln -s "usr/$d" "$ROOT/$d"; done
  [ -x "$ROOT/usr/bin/crash" ] || die "no usr/bin/crash in the unpacked packages"
  qemu-aarch64-static -L "$ROOT" "$ROOT/usr/bin/crash" --version > "$HOME_A/version.txt" 2>&1 \
    || die "crash (arm64) does not run under qemu-aarch64-static: $(head -3 "$HOME_A/version.txt")"
  grep -q "^crash $CRASH_VERSION" "$HOME_A/version.txt" || die "crash --version: $(head -1 "$HOME_A/version.txt")"
  mark extract
  stamp_write "$HOME_A" "$recipe" root/usr/bin/crash version.txt
  exec 7>&-
  say "crash $CRASH_VERSION (arm64) unpacked in $ROOT"
  echo "$ROOT"
}

# KDIR/vmlinux plus a .gdb_index section, in the cache's crash-arm64/vmlinux/ID/
indexed_vmlinux() {
  local kdir=$1 id dir recipe
  id=$(basename "$kdir")
  dir=$HOME_A/vmlinux/$id
  recipe=$(recipe_hash -- "crash-arm64 index 1" "$(grep '^recipe' "$kdir/STAMP")" "$(stat -L -c '%s %Y' "$kdir/vmlinux")")
  if stamp_check "$dir" "$recipe"; then echo "$dir/vmlinux"; return 0; fi
  command -v gdb >/dev/null || die "missing gdb (apt-get install -y gdb): it indexes the arm64 vmlinux for crash"
  command -v aarch64-linux-gnu-objcopy >/dev/null || die "missing aarch64-linux-gnu-objcopy (apt-get install -y binutils-aarch64-linux-gnu)"
  mkdir -p "$dir"
  exec 7>"$dir.lock"
  flock -w 1800 7 || die "$dir.lock held for 30 minutes"
  if stamp_check "$dir" "$recipe"; then exec 7>&-; echo "$dir/vmlinux"; return 0; fi
  local MARK_WHAT=$id
  mark_reset
  rm -f "$dir"/*
  bounded 600 "$dir/index.log" gdb -nx -batch -ex "save gdb-index $dir" "$kdir/vmlinux"
  [ -s "$dir/vmlinux.gdb-index" ] || die "gdb wrote no index of $kdir/vmlinux (log: $dir/index.log)"
  bounded 600 "$dir/index.log" aarch64-linux-gnu-objcopy --add-section .gdb_index="$dir/vmlinux.gdb-index" \
    --set-section-flags .gdb_index=readonly "$kdir/vmlinux" "$dir/vmlinux"
  rm -f "$dir/vmlinux.gdb-index"
  mark gdb-index
  stamp_write "$dir" "$recipe" vmlinux
  exec 7>&-
  echo "$dir/vmlinux"
}

run() {  # VMLINUX VMCORE [ARG...]: commands on stdin
  local root
  root=$(setup)
  exec qemu-aarch64-static -L "$root" "$root/usr/bin/crash" -s "$@"
}

# ---- the references of a made dump: arm64/crash-commands.txt, {VAR}s from drgn's refs of the same boot
refs() {
  local out dir name cmd var val missing n=0 vmlinux dump kdir started
  out=$(cd "$1" && pwd -P)
  MARK_WHAT=$(basename "$(dirname "$out")")/$(basename "$out")
  p() { prop "$out/dump.properties" "$1"; }
  dump=$out/$(p dump)
  kdir=$(cd "$out" && realpath "$(p kernel.dir)")
  setup >/dev/null
  vmlinux=$(indexed_vmlinux "$kdir")
  dir=$out/refs/crash-$CRASH_VERSION
  work=$(mktemp -d "$CORPUS/.crash-arm64.XXXX")
  trap '[ -z "$work" ] || rm -rf "$work"' EXIT
  declare -A v=()
  local facts=$out/refs/drgn-0.0.31/facts.txt
  [ -f "$facts" ] || die "crash references need drgn's (refs drgn,crash): no $facts"
  v[PANIC_PID]=$(sed -n 's/^crashed_pid //p' "$facts")
  v[PANIC_TASK]=$(sed -n 's/^crashed_task //p' "$facts")
  v[RIP]=$(sed -n 's/^pc //p' "$facts")
  v[BLOCKED_PID]=$(tr -d '\r' < "$out/console.log" | sed -n 's/^kdive-blocked-pid: \([0-9]*\)$/\1/p' | head -1)
  if [ -n "$(p module.vqbug)" ]; then
    v[VQBUG_KO]=$out/$(p module.vqbug)
    v[VQB_QUEUE]=$(sed -n 's/^vqb_queue //p' "$out/refs/drgn-0.0.31/vqbug.txt" 2>/dev/null || true)
    [ -n "${v[VQB_QUEUE]}" ] || die "drgn found no vqb_queue in the vqbug module"
  fi
  [ -n "${v[PANIC_PID]}" ] && [ -n "${v[PANIC_TASK]}" ] || die "drgn's facts.txt names no crashed task"
  crash_session_input "$A64/crash-commands.txt" "$work"
  started=$SECONDS
  timeout 1200 qemu-aarch64-static -L "$ROOT" "$ROOT/usr/bin/crash" -s "$vmlinux" "$dump" < "$work/session.in" \
      > "$work/session.log" 2>&1 || { tail -20 "$work/session.log" >&2; die "crash $CRASH_VERSION (arm64) failed on $dump"; }
  local fatal
  fatal=$(grep '^crash: ' "$work/session.log" | grep -v 'cannot find' | head -1 || true)
  [ -z "$fatal" ] || { tail -20 "$work/session.log" >&2; die "crash $CRASH_VERSION (arm64): $fatal"; }
  rm -rf "$dir"
  crash_session_outputs "$work" "$dir" "crash $CRASH_VERSION (arm64)"
  echo "$(( SECONDS - started )) s wall: $n commands, crash $CRASH_VERSION (arm64) under $(qemu-aarch64-static --version | head -1)" \
    > "$dir/TIME.txt"
  grep -q "RELEASE: $(p release)\$" "$dir/04-sys.txt" || die "crash's sys does not say RELEASE: $(p release): $(cat "$dir/04-sys.txt")"
  grep -q "^PID: ${v[PANIC_PID]} " "$dir/05-bt.txt" || die "crash's bt failed: $(head -3 "$dir/05-bt.txt")"
  mark refs-crash
  say "$MARK_WHAT: crash $CRASH_VERSION (arm64): $n commands in $(( SECONDS - started )) s"
}

case ${1:-} in
  setup) setup ;;
  vmlinux) indexed_vmlinux "$(cd "${2:?usage: crash-arm64.sh vmlinux KDIR}" && pwd -P)" ;;
  run) shift; run "$@" ;;
  refs) refs "${2:?usage: crash-arm64.sh refs MADE_DIR}" ;;
  *) die "usage: crash-arm64.sh setup | vmlinux KDIR | run VMLINUX VMCORE | refs MADE_DIR" ;;
esac
