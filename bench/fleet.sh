#!/usr/bin/env bash
# Fleet triage throughput: dumps per minute per core for
#   (a) one kdive process per dump        (kdive triage DUMP, KDIVE_SERVER=off: a JVM and a framework each)
#   (b) the framework reused in one JVM   (kdive triage DUMP... : one process, dumps one after another)
#   (c) the Spark job, kdive fleet, with 1 and 2 executor cores (local[1], local[2]: one executor JVM,
#       one kdive framework shared by its task threads), and with STANDALONE=1 also a Spark standalone
#       cluster on this machine with 1 and 2 executor JVMs of one core each (a framework per executor)
# for N dumps each (default "10 20 40"): the corpus and made dumps (vqbug BUG_ON in 4 formats; sysrq in
# flattened, QEMU ELF, kdump and /proc/vmcore; NULL dereference; WARN), repeated under new names.
# Every run gets the corpus vmlinux (--vmlinux), as a fleet gets debuginfo from its cache.
# Prints wall seconds, CPU seconds (user+sys of the process tree) and dumps/min per core used
# (cores used: 1 for (a) and (b), the executor cores for (c)).
# Needs the fleet distribution built (mvn -o -q install -pl distro/default,distro/fleet -DskipTests).
# Usage: bench/fleet.sh [N...]     (ROUNDS is 1: each figure is one run; the machine is shared)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kdive=$root/distro/fleet/target/kdive/bin/kdive
corpus=${KDIVE_CORPUS:-$HOME/.cache/kdive-corpus}
vmlinux=$corpus/vqbug-6.1/vmlinux-6.1.0-50-cloud-amd64
[ -x "$kdive" ] || { echo "fleet.sh: build the fleet distribution first: mvn -o -q install -pl distro/default,distro/fleet -DskipTests" >&2; exit 1; }
sources=()
for f in vqbug-6.1/vmcore.kdump-zlib vqbug-6.1/vmcore.kdump-lzo vqbug-6.1/vmcore.flat vqbug-6.1/vmcore.elf-d31 \
         made/deb12-6.1-cloud/sysrq/vmcore.flat made/deb12-6.1-cloud/sysrq/vmcore.qemu.elf made/deb12-6.1-cloud/kdump/vmcore.kdump made/deb12-6.1-cloud/kdump/vmcore.proc \
         made/deb12-6.1-cloud/null/vmcore.flat made/deb12-6.1-cloud/warn/vmcore.flat; do
    [ -f "$corpus/$f" ] || { echo "fleet.sh: $corpus/$f is missing" >&2; exit 1; }
    sources+=("$(readlink -f "$corpus/$f")")
done
work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${master_pid:-}" ] && kill $master_pid $worker_pid 2>/dev/null; true' EXIT
export KDIVE_SERVER=off

# N dumps as symbolic links under host folders, cycling through the sources
make_dumps() {
    local n=$1 dir=$work/dumps-$1
    rm -rf "$dir"; mkdir -p "$dir"
    for ((i = 0; i < n; i++)); do
        local s=${sources[$((i % ${#sources[@]}))]}
        mkdir -p "$dir/host-$((i % 7))"
        ln -s "$s" "$dir/host-$((i % 7))/vmcore-$i-$(basename "$s")"
    done
    echo "$dir"
}

# runs "$@", prints "wall cpu" in seconds (CPU of the whole process tree, from /proc of this shell's children)
measure() {
    local t0 c0 t1 c1 me=$BASHPID
    t0=$(date +%s.%N); c0=$(awk '{print $16+$17}' /proc/$me/stat)
    if ! "$@" >"$work/out.txt" 2>"$work/err.txt"; then
        echo "fleet.sh: failed: ${*:1:3} ..." >&2; grep -v '^\s*at ' "$work/err.txt" | tail -3 >&2; echo "FAILED"; return
    fi
    t1=$(date +%s.%N); c1=$(awk '{print $16+$17}' /proc/$me/stat)
    echo "$(echo "$t1 - $t0" | bc) $(echo "($c1 - $c0) / $(getconf CLK_TCK)" | bc -l)"
}

report() { # label n cores "wall cpu"
    local label=$1 n=$2 cores=$3 wall cpu
    read -r wall cpu <<<"$4"
    [ "$wall" = FAILED ] && { printf "%-34s %5d %s\n" "$label" "$n" "failed"; return; }
    printf "%-34s %5d %6.1f %8.1f %10.1f\n" "$label" "$n" "$wall" "$cpu" "$(echo "$n / ($wall / 60) / $cores" | bc -l)"
}

one_per_process() {
    for f in $(find "$1" -type l | sort); do "$kdive" triage --no-fetch --vmlinux "$vmlinux" "$f" >/dev/null 2>&1 || true; done
}

echo "load: $(cut -d' ' -f1-3 /proc/loadavg), cores: $(nproc), $(java -version 2>&1 | head -1)"
printf "%-34s %5s %6s %8s %10s\n" "mode" "dumps" "wall s" "CPU s" "dumps/min/core"
"$kdive" triage --no-fetch --vmlinux "$vmlinux" "${sources[0]}" >/dev/null 2>&1 || true # CDS archive, DWARF index
for n in ${*:-10 20 40}; do
    d=$(make_dumps "$n")
    report "(a) one kdive process per dump" "$n" 1 "$(measure one_per_process "$d")"
    report "(b) one JVM, framework reused" "$n" 1 "$(measure "$kdive" triage --no-fetch --vmlinux "$vmlinux" $(find "$d" -type l | sort))"
    for c in 1 2; do
        report "(c) kdive fleet, local[$c]" "$n" "$c" \
            "$(measure "$kdive" fleet --master "local[$c]" --no-fetch --vmlinux "$vmlinux" --out "$work/out-$n-$c" "$d")"
    done
    if [ "${STANDALONE:-0}" = 1 ]; then
        # a standalone cluster on this machine: executors are separate JVMs, each with its own framework
        if [ -z "${master_pid:-}" ]; then
            mkdir -p "$work/spark/jars"; ln -s "$root"/distro/fleet/target/kdive/lib/fleet/*.jar "$work/spark/jars/"
            opens=$(tr '\n' ' ' < "$root/distro/fleet/target/kdive/lib/fleet/jvm.options")
            # the worker builds executor command lines from SPARK_HOME/jars and needs the Scala version
            export SPARK_HOME=$work/spark SPARK_SCALA_VERSION=2.13
            java $opens -cp "$work/spark/jars/*" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 7177 --webui-port 0 \
                >"$work/master.log" 2>&1 & master_pid=$!
            sleep 4
            java $opens -cp "$work/spark/jars/*" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 2 --memory 4g \
                --webui-port 0 --work-dir "$work/spark/work" spark://127.0.0.1:7177 >"$work/worker.log" 2>&1 & worker_pid=$!
            sleep 4
        fi
        for c in 1 2; do
            # executor CPU is in the worker's children: measured from the worker's tree instead of this shell's
            w0=$(awk '{print $14+$15+$16+$17}' /proc/$worker_pid/stat)
            r=$(measure "$kdive" fleet --master spark://127.0.0.1:7177 --conf spark.executor.cores=1 --conf spark.cores.max=$c \
                --conf spark.executor.memory=1500m --conf "spark.executor.extraJavaOptions=$opens" \
                --no-fetch --vmlinux "$vmlinux" --out "$work/sa-$n-$c" "$d")
            w1=$(awk '{print $14+$15+$16+$17}' /proc/$worker_pid/stat)
            read -r rw rc <<<"$r"
            if [ "$rw" = FAILED ]; then report "(c) standalone, $c executor JVM(s)" "$n" "$c" FAILED; continue; fi
            report "(c) standalone, $c executor JVM(s)" "$n" "$c" "$rw $(echo "$rc + ($w1 - $w0) / $(getconf CLK_TCK)" | bc -l)"
        done
    fi
done
