#!/usr/bin/env bash
# Builds kdive (if needed) and opens the shared sample dump with it.
#   ./sample.sh                         interactive shell on the sample dump
#   ./sample.sh -c "sys; bt; autopsy"   batch
# Progress (build, corpus unpacking) goes to stderr; stdout carries only kdive's output.
set -euo pipefail
cd "$(dirname "$0")"
log=${KDIVE_CACHE:-$HOME/.cache/kdive}/sample-build.log
mkdir -p "$(dirname "$log")"

# The corpus: verified and unpacked once (the vmlinux is ~560 MB), quick afterwards.
dest=${KDIVE_CORPUS:-$HOME/.cache/kdive-corpus}
if [ ! -f "$dest/vqbug-6.1/.verified" ]; then
  echo "sample.sh: verifying and unpacking the sample corpus into $dest (first time: a minute or two) ..." >&2
  ( while sleep 5; do
      part=$(find "$dest" -name '*.part' -printf '%f %s\n' 2>/dev/null | head -1)
      [ -n "$part" ] && echo "sample.sh:   unpacking ${part% *}: $(( ${part##* } / 1048576 )) MiB" >&2
    done ) &
  ticker=$!
  trap 'kill $ticker 2>/dev/null' EXIT
fi
corpus=$(bash ../shared/corpus/setup.sh)/vqbug-6.1
[ -n "${ticker:-}" ] && { kill "$ticker" 2>/dev/null || true; trap - EXIT; echo "sample.sh: corpus ready: $corpus" >&2; }

kdive=distro/default/target/kdive/bin/kdive
if [ ! -x "$kdive" ] || [ -n "$(find bundles framework distro -newer "$kdive" -name '*.java' -o -newer "$kdive" -name pom.xml 2>/dev/null | head -1)" ]; then
  echo "sample.sh: building kdive (mvn install -DskipTests; the full log: $log) ..." >&2
  start=$(date +%s)
  # one line per module on stderr; Maven's own output (colour codes included) stays out of stdout
  if ! mvn -B -ntp install -DskipTests 2>&1 | tee "$log" \
      | sed -un 's/^\[INFO\] Building \(.*\) [0-9][^ ]*SNAPSHOT *\(\[[0-9]*\/[0-9]*\]\)$/sample.sh:   \2 \1/p' >&2; then
    echo "sample.sh: the build failed; the end of $log:" >&2
    tail -30 "$log" >&2
    exit 1
  fi
  echo "sample.sh: built in $(( $(date +%s) - start )) s" >&2
fi
exec "$kdive" "$corpus/vmcore.kdump-zlib" "$corpus/vmlinux-6.1.0-50-cloud-amd64" "$@"
