#!/usr/bin/env bash
# Start-up cost of the framework: time from JVM start to the shell being ready (logged by the
# shell), and the wall and CPU time of a batch that runs one trivial command, median of N runs;
# on the default JDK (17: class-data archive) and on a JDK 25+ if one is in /usr/lib/jvm or given
# as JDK25=DIR (the JDK's ahead-of-time cache), each with a cache of its own made before timing.
#   bench/startup.sh [RUNS]   (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
kdive=$PWD/distro/default/target/kdive/bin/kdive
export KDIVE_SERVER=off   # the JVM and framework start-up is what this measures
[ -x "$kdive" ] || { echo "startup: build kdive first (mvn install -DskipTests)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
if [ -z "${JDK25:-}" ]; then
  for r in /usr/lib/jvm/*/release; do
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$r")
    [ -n "$v" ] && [ "$v" -ge 25 ] && [ ! -L "$(dirname "$r")" ] && JDK25=$(dirname "$r")
  done
fi
measure() { # label JAVA_HOME-or-empty
  local label=$1 jdk=$2 log=$work/$1.log
  export KDIVE_CACHE=$work/$1
  if [ -n "$jdk" ]; then export JAVA_HOME=$jdk; else unset JAVA_HOME; fi
  "$kdive" -c help >/dev/null   # installs the bundles, starts making the start-up cache
  for _ in $(seq 300); do ls "$KDIVE_CACHE"/cds/*.training >/dev/null 2>&1 || break; sleep 0.1; done
  "$kdive" -c help >/dev/null
  local ready=() wall=() cpu=()
  for _ in $(seq "$runs"); do
    t0=$(date +%s%N)
    c=$( { /usr/bin/time -f '%U %S' "$kdive" --log "$log" -c help >/dev/null; } 2>&1 | tail -1 | awk '{printf "%d", ($1 + $2) * 1000}')
    t1=$(date +%s%N)
    wall+=($(( (t1 - t0) / 1000000 )))
    cpu+=("$c")
    ready+=($(sed -n 's/.*shell ready \([0-9]*\) ms after launch.*/\1/p' "$log"))
  done
  echo "$label: framework start to shell ready $(median "${ready[@]}") ms (JVM start excluded);" \
    "'kdive -c help' wall $(median "${wall[@]}") ms, CPU $(median "${cpu[@]}") ms (medians of $runs; $(ls "$KDIVE_CACHE"/cds 2>/dev/null | tr '\n' ' '))"
}
measure default ""
if [ -n "${JDK25:-}" ]; then measure jdk25 "$JDK25"; else echo "jdk25: none found (JDK25=DIR)"; fi
