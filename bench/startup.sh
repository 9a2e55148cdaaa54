#!/usr/bin/env bash
# Start-up cost of the framework: time from JVM start to the shell being ready (logged by the
# shell) and the wall time of a batch that runs one trivial command, median of N runs.
#   bench/startup.sh [RUNS]   (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
kdive=$PWD/distro/default/target/kdive/bin/kdive
export KDIVE_SERVER=off   # the JVM and framework start-up is what this measures
[ -x "$kdive" ] || { echo "startup: build kdive first (mvn install -DskipTests)" >&2; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$kdive" --log "$log" -c help >/dev/null   # first run installs bundles into the framework cache
ready=(); wall=()
for _ in $(seq "$runs"); do
  t0=$(date +%s%N)
  "$kdive" --log "$log" -c help >/dev/null
  t1=$(date +%s%N)
  wall+=($(( (t1 - t0) / 1000000 )))
  ready+=($(sed -n 's/.*shell ready \([0-9]*\) ms after launch.*/\1/p' "$log"))
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "framework start to shell ready (median of $runs): $(median "${ready[@]}") ms (JVM start excluded)"
echo "wall time of 'kdive -c help' (median of $runs):   $(median "${wall[@]}") ms (JVM start included)"
