#!/usr/bin/env bash
# Cold (no index cache) and warm (cached index) time of: open vmlinux + `struct task_struct` layout +
# `jiffies` lookup, each in a fresh JVM, against drgn doing the same (load_debug_info + type + variable).
# Usage: bench/symbols-index.sh [runs]   (build first: mvn -o -q install -pl bundles/symbols-dwarf -DskipTests)
# The JVM runs with the flags bin/kdive uses for batch commands (-c/-i): C1 only, parallel GC;
# JVM_OPTS overrides them (e.g. JVM_OPTS=-XX:TieredStopAtLevel=4 for the interactive shell's JIT).
set -euo pipefail
runs=${1:-3}
jvm=${JVM_OPTS:--XX:+UseParallelGC -XX:TieredStopAtLevel=1 -Xss4m}
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${KDIVE_CORPUS:-$HOME/.cache/kdive-corpus}/vqbug-6.1
vmlinux=$corpus/vmlinux-6.1.0-50-cloud-amd64
m2=$HOME/.m2/repository
cp=$root/bundles/symbols-dwarf/target/classes:$m2/org/kdive/kdive-api/0.1.0-SNAPSHOT/kdive-api-0.1.0-SNAPSHOT.jar
cp=$cp:$m2/io/airlift/aircompressor/0.27/aircompressor-0.27.jar:$m2/org/slf4j/slf4j-api/2.0.16/slf4j-api-2.0.16.jar
cp=$cp:$m2/org/osgi/osgi.core/8.0.0/osgi.core-8.0.0.jar
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
javac -d "$work" -cp "$cp" "$root/bench/symbols-index/SymbolsIndexBench.java"
run() { # label, command...
    local label=$1; shift
    /usr/bin/time -f "$label: %e s wall, %U s user, %S s sys, %M KB max RSS" "$@" 2>&1 | grep -v '^SLF4J'
}
echo "load: $(cut -d' ' -f1-3 /proc/loadavg), cores: $(nproc), jvm: $jvm"
for i in $(seq "$runs"); do
    idx=$work/index-$i
    run "kdive cold" java $jvm -Dkdive.index.dir="$idx" -cp "$work:$cp" SymbolsIndexBench "$vmlinux"
    run "kdive warm" java $jvm -Dkdive.index.dir="$idx" -cp "$work:$cp" SymbolsIndexBench "$vmlinux"
    if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import drgn' 2>/dev/null; then
        run "drgn      " /usr/bin/python3 -c "
import drgn
p = drgn.Program()
p.set_core_dump('$corpus/vmcore.kdump-zlib')
p.load_debug_info(['$vmlinux'])
p.type('struct task_struct')
try:
    p['jiffies']
except KeyError:   # drgn 0.0.22 cannot find jiffies (only declared in DWARF); it looks it up by then anyway
    p['jiffies_64']
"
    fi
done
