# Shared by the dump-making scripts (sourced). Layout: see dumps/README.md.
# shellcheck shell=bash

DUMPS_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CORPUS=${KDIVE_CORPUS:-$HOME/.cache/kdive-corpus}
KERNELS_DIR=$CORPUS/kernels
MADE_DIR=$CORPUS/made

# bumped when what the scripts make changes in a way the recipe hashes do not see
SCRIPT_VERSION="kdive-dumps 1"

die() { echo "$(basename "$0"): $*" >&2; exit 1; }
# --- timings. `mark STEP` prints the wall and CPU seconds spent since the previous mark (or since
# lib.sh was sourced) by this shell and the children it waited for (a background QEMU counts once
# it is reaped), as "NAME: time STEP: W s wall, C s cpu" on stderr (the make log). When make-dumps.sh
# runs, each mark is also appended to $KDIVE_TIMINGS as "WHAT STEP WALL_MS CPU_MS" (WHAT:
# $MARK_WHAT, e.g. ID/KIND) and summed up at its end. CPU, not wall, is what compares across runs
# on a shared machine.
_MARK_HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)
_mark_read() {  # sets _now_us and _now_ticks (self + reaped children: user + system)
  local line st
  read -r line < /proc/$BASHPID/stat
  read -r -a st <<<"${line##*) }"
  _now_us=${EPOCHREALTIME/[.,]/}
  _now_ticks=$(( st[11] + st[12] + st[13] + st[14] ))
}
mark_reset() { _mark_read; _MARK_US=$_now_us _MARK_TICKS=$_now_ticks; }
mark() {
  local wall cpu
  _mark_read
  wall=$(( (_now_us - _MARK_US) / 1000 )) cpu=$(( (_now_ticks - _MARK_TICKS) * 1000 / _MARK_HZ ))
  printf '%s: time %s: %d.%d s wall, %d.%d s cpu\n' "$(basename "$0")" "$1" $((wall / 1000)) $((wall % 1000 / 100)) \
    $((cpu / 1000)) $((cpu % 1000 / 100)) >&2
  if [ -n "${KDIVE_TIMINGS:-}" ]; then echo "${MARK_WHAT:-$(basename "$0")} $1 $wall $cpu" >> "$KDIVE_TIMINGS"; fi
  _MARK_US=$_now_us _MARK_TICKS=$_now_ticks
}
mark_reset

say() { echo "$(basename "$0"): $*" >&2; }

# sha256 of the named files' contents and of the extra words given after --, for stamps' recipes
recipe_hash() {
  local files=() words=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do files+=("$1"); shift; done
  [ "${1:-}" = -- ] && shift
  words=("$@")
  { for f in "${files[@]}"; do echo "== $(basename "$f")"; cat "$f"; done; printf '%s\n' "${words[@]}"; } \
    | sha256sum | cut -d' ' -f1
}

# stamp_write DIR RECIPE FILE...: DIR/STAMP lists each file (relative to DIR, links followed) with
# its sha256, size and mtime. Written last, so a stamp means every listed file was verified.
stamp_write() {
  local dir=$1 recipe=$2 f; shift 2
  {
    echo "# kdive stamp: every file below was made and verified by dumps/ scripts"
    echo "recipe $recipe"
    echo "made $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    for f in "$@"; do
      [ -e "$dir/$f" ] || { echo "stamp_write: $dir/$f missing" >&2; return 1; }
      echo "file $(sha256sum < "$dir/$f" | cut -d' ' -f1) $(stat -L -c '%s %Y' "$dir/$f") $f"
    done
  } > "$dir/STAMP.tmp" && mv "$dir/STAMP.tmp" "$dir/STAMP"
}

# stamp_check DIR RECIPE: 0 when DIR/STAMP has this recipe and every file it lists is still the
# one verified (same size; same mtime, or else the same sha256 — then the stamp's mtime is renewed).
stamp_check() {
  local dir=$1 recipe=$2 stamp=$1/STAMP tag sum size mtime f now renew=0 line
  [ -f "$stamp" ] || return 1
  grep -qx "recipe $recipe" "$stamp" || return 1
  while read -r tag sum size mtime f; do
    [ "$tag" = file ] || continue
    [ -e "$dir/$f" ] || return 1
    now=$(stat -L -c '%s %Y' "$dir/$f")
    [ "${now% *}" = "$size" ] || return 1
    if [ "${now#* }" != "$mtime" ]; then
      [ "$(sha256sum < "$dir/$f" | cut -d' ' -f1)" = "$sum" ] || return 1
      renew=1
    fi
  done < "$stamp"
  if [ $renew = 1 ]; then
    while IFS= read -r line; do
      read -r tag sum size mtime f <<<"$line"
      if [ "$tag" = file ]; then echo "file $sum $size $(stat -L -c %Y "$dir/$f") $f"; else echo "$line"; fi
    done < "$stamp" > "$stamp.tmp" && mv "$stamp.tmp" "$stamp"
  fi
  return 0
}

# the files a stamp lists
stamp_files() { sed -n 's/^file [0-9a-f]* [0-9]* [0-9]* //p' "$1/STAMP"; }

# kernels.list / dumps.list rows without comments: kernel_row ID prints that kernel's fields
kernel_row() {
  local list
  for list in "$DUMPS_HOME/kernels.list" "$DUMPS_HOME"/*/kernels.list; do
    if [ -f "$list" ]; then awk -v id="$1" '!/^#/ && NF && $1 == id' "$list"; fi
  done | head -1
}

# dump_row ID KIND prints that dump's row of dumps.list (or of an extension's dumps/*/dumps.list)
dump_row() {
  local list
  for list in "$DUMPS_HOME/dumps.list" "$DUMPS_HOME"/*/dumps.list; do
    if [ -f "$list" ]; then awk -v id="$1" -v kind="$2" '!/^#/ && NF && $1 == id && $2 == kind' "$list"; fi
  done | head -1
}

# prop FILE KEY: a value of a key=value file
prop() { sed -n "s/^$2=//p" "$1" | head -1; }

# the shared folder beside the repository (read-only)
shared_dir() { (cd "$DUMPS_HOME/../../shared" && pwd -P); }

# corpus_setup: the shared corpus unpacked into the cache (../shared/corpus/setup.sh), printing the
# cache's path; one unpacker at a time (test.sh unpacks it while make-dumps.sh starts, and
# fetch-kernel.sh needs its vmlinux), a second caller waits and then finds it verified
corpus_setup() {
  mkdir -p "$CORPUS"
  (
    exec 5>"$CORPUS/.corpus-setup.lock"
    flock -w 1800 5 || die "$CORPUS/.corpus-setup.lock held for 30 minutes"
    bash "$DUMPS_HOME/../../shared/corpus/setup.sh" "$CORPUS"
  )
}

# build_module ID KDIR BUILD SRC: builds SRC (NAME.c) against the kernel's headers, with DWARF,
# in KDIR/build/NAME (a fixed folder: its path is in the DWARF and so in the build-id); prints
# the path of NAME.ko (NAME.ko.debug beside it). Cached under a stamp.
build_module() {
  local id=$1 kdir=$2 build=$3 src=$4 name bdir recipe hdr release
  name=$(basename "$src" .c)
  bdir=$kdir/build/$name
  release=$(prop "$kdir/kernel.properties" release)
  recipe=$(recipe_hash "$src" -- "$build" "$release" "$SCRIPT_VERSION")
  if ! stamp_check "$bdir" "$recipe"; then
    rm -rf "$bdir"
    mkdir -p "$bdir"
    cp "$src" "$bdir/"
    echo "obj-m := $name.o" > "$bdir/Kbuild"
    hdr=$kdir/$(prop "$kdir/kernel.properties" headers)
    # no BTF for the module: it needs pahole and the kernel's vmlinux in the build tree
    set -- CONFIG_DEBUG_INFO_BTF_MODULES= modules
    case $build in
      # the host's gcc (12): the kernel's own for 6.1, close enough to 5.10's gcc-10 for a module
      host) bounded 600 "$bdir/build.log" make -C "$hdr" M="$bdir" CC=gcc "$@" ;;
      # trixie's kbuild tools need trixie's libc, and its headers gcc-14
      trixie) bounded 600 "$bdir/build.log" "$DUMPS_HOME/in-trixie.sh" make -C "$hdr" M="$bdir" "$@" ;;
      *) die "$id: kernels.list says this kernel builds no modules (build=$build), $name needs one" ;;
    esac
    # grep -c reads all its input: with pipefail, grep -q's early exit would fail readelf (SIGPIPE)
    [ "$(readelf -S "$bdir/$name.ko" | grep -c '\.debug_info')" -gt 0 ] || die "$id: $bdir/$name.ko has no DWARF"
    [ "$(modinfo -F vermagic "$bdir/$name.ko" | cut -d' ' -f1)" = "$release" ] \
      || die "$id: $name.ko's vermagic is not $release: $(modinfo -F vermagic "$bdir/$name.ko")"
    objcopy --only-keep-debug "$bdir/$name.ko" "$bdir/$name.ko.debug"
    stamp_write "$bdir" "$recipe" "$name.c" "$name.ko" "$name.ko.debug"
  fi
  echo "$bdir/$name.ko"
}

# the private apt state (never the host's): all suites the kernels come from
APT_DIR=$CORPUS/apt
apt_opts() {
  echo "-o Dir::Etc::sourcelist=$APT_DIR/sources.list -o Dir::Etc::sourceparts=- -o Dir::State::Lists=$APT_DIR/lists \
-o Dir::Cache=$APT_DIR/cache -o Dir::State::status=$APT_DIR/status -o APT::Architecture=${APT_ARCH:-amd64} \
-o APT::Architectures=${APT_ARCH:-amd64} -o Debug::NoLocking=1 -o APT::Sandbox::User=root"
}
DEBIAN_MIRROR=${KDIVE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_SECURITY=${KDIVE_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
apt_update() {
  # once per run (APT_UPDATED marks it), at most once an hour, one process at a time (flock:
  # make-dumps.sh fetches kernels side by side)
  local key=/usr/share/keyrings/debian-archive-keyring.gpg
  [ -n "${APT_UPDATED:-}" ] && return 0
  mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
  touch "$APT_DIR/status"
  exec 9>"$APT_DIR/.lock"
  flock -w 600 9 || die "apt-get update: $APT_DIR/.lock held for 600 s"
  {
    echo "deb [signed-by=$key] $DEBIAN_MIRROR bullseye main"
    echo "deb [signed-by=$key] $DEBIAN_SECURITY bullseye-security main"
    echo "deb [signed-by=$key] $DEBIAN_MIRROR bookworm main"
    echo "deb [signed-by=$key] $DEBIAN_MIRROR trixie main"
    echo "deb [signed-by=$key] $DEBIAN_SECURITY trixie-security main"
  } > "$APT_DIR/sources.list.new"
  if ! cmp -s "$APT_DIR/sources.list.new" "$APT_DIR/sources.list" || [ ! -f "$APT_DIR/lists/.updated" ] \
     || [ -n "$(find "$APT_DIR/lists/.updated" -mmin +60)" ]; then
    mv "$APT_DIR/sources.list.new" "$APT_DIR/sources.list"
    rm -f "$APT_DIR/lists/.updated"
    say "apt-get update (private state in $APT_DIR)"
    # shellcheck disable=SC2046
    timeout 300 apt-get $(apt_opts) update -qq >"$APT_DIR/update.log" 2>&1 \
      || { tail -20 "$APT_DIR/update.log" >&2; die "apt-get update failed (log: $APT_DIR/update.log)"; }
    touch "$APT_DIR/lists/.updated"
  fi
  rm -f "$APT_DIR/sources.list.new"
  flock -u 9
  export APT_UPDATED=1
}

# run CMD... with a time bound; on failure print the tail of LOG and fail
bounded() {
  local secs=$1 log=$2; shift 2
  if ! timeout "$secs" "$@" >>"$log" 2>&1; then
    tail -25 "$log" >&2
    die "failed or timed out after ${secs}s: $* (log: $log)"
  fi
}

# A crash reference session's input, from a command list (NAME COMMAND lines; {VAR} filled from the
# caller's associative array v; a command whose variable has no value is left out): writes
# WORK/session.in (each command's output to WORK/out/NAME.txt) and WORK/commands.tsv; sets n.
# It starts with `gdb set language c`: gdb's language is "auto", which follows frames crash selects,
# and on one boot of a loaded guest it turned to C++ for the whole session (member types printed
# without their struct keyword); the kernel is C.
crash_session_input() {  # LIST WORK
  local list=$1 work=$2 name cmd var val missing
  mkdir -p "$work/out"
  : > "$work/commands.tsv"
  n=0
  {
    echo "gdb set language c"
    while read -r name cmd; do
      [[ -z $name || $name == \#* ]] && continue
      missing=""
      for var in $(grep -o '{[A-Z_]*}' <<<"$cmd" | tr -d '{}' || true); do
        val=${v[$var]:-}
        if [ -z "$val" ]; then missing=$var; break; fi
        cmd=${cmd//\{$var\}/$val}
      done
      [ -n "$missing" ] && continue
      printf '%s\t%s\n' "$name" "$cmd" >> "$work/commands.tsv"
      echo "$cmd > $work/out/$name.txt"
      n=$((n + 1))
    done < "$list"
    echo quit
  } > "$work/session.in"
}

# Each command's output of a crash session as DIR/NAME.txt (first line "crash> COMMAND"), with
# COMMANDS.tsv and the session's log.
crash_session_outputs() {  # WORK DIR WHO
  local work=$1 dir=$2 who=$3 name cmd
  mkdir -p "$dir"
  while IFS=$'\t' read -r name cmd; do
    [ -f "$work/out/$name.txt" ] || die "$who wrote no output for '$cmd'"
    { echo "crash> $cmd"; cat "$work/out/$name.txt"; } > "$dir/$name.txt"
  done < "$work/commands.tsv"
  cp "$work/commands.tsv" "$dir/COMMANDS.tsv"
  cp "$work/session.log" "$dir/session.log"
}
