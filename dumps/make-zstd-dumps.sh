#!/usr/bin/env bash
# makedumpfile's own zstd and snappy output (zstd/dumps.list; make-dumps.sh runs this script after
# the main list): makedumpfile built from source with both (makedumpfile-src.sh) compresses the full
# /proc/vmcore capture of deb12-6.1-cloud/kdump with `-z -d 31` (vmcore.zstd) and `-p -d 31`
# (vmcore.snappy) into made/deb12-6.1-cloud/makedumpfile-zstd-snappy/, with makedumpfile's page
# report of each (makedumpfile-OUTPUT.log: "Remaining pages") and crash 8.0.6's sys, bt and log on
# each file (refs/crash-8.0.6/OUTPUT-CMD.txt). Remade when the capture, these scripts or the
# makedumpfile build change; a valid STAMP costs a stat per file. Every failure is an error.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
id=deb12-6.1-cloud kind=makedumpfile-zstd-snappy
src=$MADE_DIR/$id/kdump
out=$MADE_DIR/$id/$kind
[ -f "$src/STAMP" ] && [ -f "$src/vmcore.proc" ] \
  || die "$id/$kind needs the capture $src/vmcore.proc (dumps.list row $id kdump; it is not made: see $MADE_DIR/$id/kdump.failed.log)"
mdf=$("$DUMPS_HOME/makedumpfile-src.sh")
recipe=$(recipe_hash "$0" "$DUMPS_HOME/zstd/dumps.list" "$DUMPS_HOME/lib.sh" -- "$(grep '^file .* vmcore.proc$' "$src/STAMP")" \
  "$(grep '^recipe' "$(dirname "$mdf")/STAMP")" "$SCRIPT_VERSION")
if stamp_check "$out" "$recipe"; then say "$id/$kind: made and verified (cached)"; exit 0; fi

rm -rf "$out"
mkdir -p "$out/refs/crash-8.0.6"
trap 'rc=$?; [ $rc = 0 ] || { rm -rf "$out"; say "$id/$kind: FAILED (nothing kept)"; }' EXIT
log=$out/make.log
note() { say "$*"; echo "$*" >> "$log"; }
for o in zstd:-z snappy:-p; do
  name=${o%%:*} flag=${o#*:}
  bounded 600 "$out/makedumpfile-$name.log" "$mdf" "$flag" -d 31 --message-level 31 "$src/vmcore.proc" "$out/vmcore.$name"
  grep -q '^  Remaining pages  : 0x' "$out/makedumpfile-$name.log" || die "makedumpfile $flag printed no page report"
  note "$id/$kind: vmcore.$name: $(stat -c %s "$out/vmcore.$name") bytes"
done
cp "$src/console.log" "$src/facts.properties" "$out/"
vmlinux=$(cd "$src" && realpath "$(prop "$src/dump.properties" vmlinux)")
{
  sed -e "s/^kind=.*/kind=$kind/" -e 's/^dump=.*/dump=vmcore.zstd/' -e 's/^dumps=.*/dumps=vmcore.zstd vmcore.snappy/' \
      -e '/^makedumpfile=/d' -e '/^refs\./d' "$src/dump.properties"
  echo "makedumpfile=$(head -1 "$(dirname "$mdf")/version.txt") (makedumpfile-src.sh)"
  echo "source=../kdump/vmcore.proc"
  echo "refs.crash=refs/crash-8.0.6"
} > "$out/dump.properties"

# crash 8.0.6 on each file, one session per file
refs=$out/refs/crash-8.0.6
: > "$refs/COMMANDS.tsv"
files=()
for name in zstd snappy; do
  work=$(mktemp -d "$CORPUS/.zstd-refs.XXXX")
  for c in sys bt log; do echo "$c > $work/$c.txt"; done > "$work/in"
  echo quit >> "$work/in"
  timeout 600 "$DUMPS_HOME/in-trixie.sh" crash -s "$vmlinux" "$out/vmcore.$name" < "$work/in" > "$work/session.log" 2>&1 \
    || { tail -20 "$work/session.log" >&2; rm -rf "$work"; die "crash 8.0.6 failed on vmcore.$name"; }
  for c in sys bt log; do
    [ -s "$work/$c.txt" ] || { tail -20 "$work/session.log" >&2; rm -rf "$work"; die "crash 8.0.6 wrote no $c for vmcore.$name"; }
    { echo "crash> $c"; cat "$work/$c.txt"; } > "$refs/$name-$c.txt"
    printf '%s\t%s\n' "$name-$c" "$c" >> "$refs/COMMANDS.tsv"
    files+=("refs/crash-8.0.6/$name-$c.txt")
  done
  grep -q "DUMPFILE: $out/vmcore.$name" "$refs/$name-sys.txt" || die "crash 8.0.6's sys on vmcore.$name: $(head -5 "$refs/$name-sys.txt")"
  rm -rf "$work"
done
stamp_write "$out" "$recipe" vmcore.zstd vmcore.snappy makedumpfile-zstd.log makedumpfile-snappy.log console.log \
  facts.properties dump.properties refs/crash-8.0.6/COMMANDS.tsv "${files[@]}"
note "$id/$kind: made"
