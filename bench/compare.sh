#!/usr/bin/env bash
# Times kdive against crash and drgn on the same corpus dump with equivalent work, several runs each
# (hyperfine), and prints medians and kdive's ratio to each peer, all from one run of this script:
#   crash 8.0.2 and drgn 0.0.22 (this host: apt-get install crash python3-drgn hyperfine), crash 8.0.6
#   and drgn 0.0.31 (Debian 13 chroot: dumps/in-trixie.sh, made on first use).
#   bench/compare.sh [RUNS]        (default 5)
# kdive "cold" runs start without kdive's DWARF index cache, "warm" ones with it. The plain kdive
# cases run each command line in a JVM of its own (KDIVE_SERVER=off); the "server" cases go through
# the kdive server that a batch run leaves behind, after 3 untimed runs (its compiler warmed up), as
# in a session of several kdive commands in a row. The chroot's peers pay for entering it (a mount
# namespace and a chroot): "trixie.noop" times that alone, and their "net" ratios subtract it.
# JAVA_HOME picks kdive's JDK (17: class-data archive; 25+: the JDK's ahead-of-time cache).
# Last, the server's resident memory: right after the runs, and idle 40 s later.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
corpus=$(bash ../shared/corpus/setup.sh)/vqbug-6.1
dump=$corpus/vmcore.kdump-zlib
vmlinux=$corpus/vmlinux-6.1.0-50-cloud-amd64
kdive_bin=${KDIVE_BIN:-$PWD/distro/default/target/kdive/bin/kdive}  # KDIVE_BIN: another installation
trixie=$PWD/dumps/in-trixie.sh
kdive="env KDIVE_SERVER=off $kdive_bin"
served="env KDIVE_SERVER=on $kdive_bin"
for tool in crash hyperfine; do
  command -v $tool >/dev/null || { echo "bench: $tool missing (apt-get install crash python3-drgn hyperfine)" >&2; exit 1; }
done
/usr/bin/python3 -c 'import drgn' 2>/dev/null || { echo "bench: drgn missing (apt-get install python3-drgn)" >&2; exit 1; }
[ -x "$kdive_bin" ] || { echo "bench: build kdive first (mvn install -DskipTests)" >&2; exit 1; }
"$trixie" true || { echo "bench: the Debian 13 chroot (dumps/chroot-trixie.sh) cannot be entered" >&2; exit 1; }
work=$(mktemp -d)
stop_server() { # and wait till it is gone, before its cache goes
  $served --stop-server >/dev/null 2>&1 || true
  for _ in $(seq 100); do pgrep -f -- "--serve $work/" >/dev/null || break; sleep 0.2; done
}
trap 'stop_server; rm -rf "$work"' EXIT
# every kdive cache of this run (framework, class-data archive or AOT cache, index, server) is its own
export KDIVE_CACHE=$work/cache
unset KDIVE_INDEX_DIR
index=$KDIVE_CACHE/index
# one run to install the bundles into the framework cache and make the class-data archive, as a
# user's first session does (not part of any case; it leaves no DWARF index behind)
$kdive "$dump" "$vmlinux" -c "sys; bt; p jiffies; struct -o task_struct; ps; log" >/dev/null 2>&1 || true
sleep 20 # (on JDK 25 the ahead-of-time cache is made by a training run in the background)
rm -rf "$index"

drgn_script() { # $1 = case
  cat > "$work/drgn_$1.py" <<PY  # not types.py: it would shadow the stdlib module
import drgn, sys
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.printk import get_dmesg
p = drgn.Program()
p.set_core_dump("$dump")
if "$1" != "info":
    p.load_debug_info(["$vmlinux"])
if "$1" == "info":
    print(p.platform)
elif "$1" == "types":
    print(p["jiffies_64"])  # drgn 0.0.22 cannot resolve jiffies (a linker-script alias)
    print(p.type("struct task_struct"))
else:
    print(p["init_uts_ns"].name.release)
    print(p.crashed_thread().stack_trace())
    for t in for_each_task(p):
        print(t.pid.value_(), t.comm.string_().decode())
    sys.stdout.write(get_dmesg(p).decode())
PY
}
crash_input() { # $1 = file, rest = commands
  local f=$1; shift
  printf '%s\n' "$@" q > "$work/$f"
}
for c in info types state; do drgn_script $c; done
crash_input types.crash "p jiffies" "struct -o task_struct"
crash_input state.crash sys bt ps log

results=$work/results
mkdir -p "$results"
bench() { # name [hyperfine options] command
  local name=$1; shift
  echo "  $name" >&2
  hyperfine --style none --runs "$runs" --export-json "$results/$name.json" "$@" >/dev/null \
    || { echo "bench: $name failed; its output:" >&2; sh -c "${@: -1}" >&2; exit 1; }
}
echo "bench: $runs runs per case on $(basename "$dump") ($(nproc) cores)" >&2
bench trixie.noop "$trixie true"
bench info.kdive "$kdive --info $dump"
bench info.crash-8.0.2 "crash --osrelease $dump"
bench info.crash-8.0.6 "$trixie crash --osrelease $dump"
bench info.drgn-0.0.22 "/usr/bin/python3 $work/drgn_info.py"
bench info.drgn-0.0.31 "$trixie python3 $work/drgn_info.py"
bench types.kdive-cold --prepare "rm -rf $index" "$kdive $dump $vmlinux -c 'p jiffies; struct -o task_struct'"
bench types.kdive-warm "$kdive $dump $vmlinux -c 'p jiffies; struct -o task_struct'"
bench types.crash-8.0.2 "sh -c 'crash -s $vmlinux $dump < $work/types.crash'"
bench types.crash-8.0.6 "sh -c '$trixie crash -s $vmlinux $dump < $work/types.crash'"
bench types.drgn-0.0.22 "/usr/bin/python3 $work/drgn_types.py"
bench types.drgn-0.0.31 "$trixie python3 $work/drgn_types.py"
bench state.kdive-warm "$kdive $dump $vmlinux -c 'sys; bt; ps; log'"
bench state.kdive-cold --prepare "rm -rf $index" "$kdive $dump $vmlinux -c 'sys; bt; ps; log'"
bench state.crash-8.0.2 "sh -c 'crash -s $vmlinux $dump < $work/state.crash'"
bench state.crash-8.0.6 "sh -c '$trixie crash -s $vmlinux $dump < $work/state.crash'"
bench state.drgn-0.0.22 "/usr/bin/python3 $work/drgn_state.py"
bench state.drgn-0.0.31 "$trixie python3 $work/drgn_state.py"
# the server: started by a batch run, ready once its warm-up repeat of that run is over
stop_server
$served "$dump" "$vmlinux" -c "sys; bt; p jiffies; struct -o task_struct; ps; log" >/dev/null 2>&1 || true
for _ in $(seq 600); do
  ls "$KDIVE_CACHE"/server/*.warmup >/dev/null 2>&1 || break
  sleep 0.1
done
bench info.kdive-server --warmup 3 "$served --info $dump"
bench types.kdive-server-cold --warmup 3 --prepare "rm -rf $index" "$served $dump $vmlinux -c 'p jiffies; struct -o task_struct'"
bench types.kdive-server-warm --warmup 3 "$served $dump $vmlinux -c 'p jiffies; struct -o task_struct'"
bench state.kdive-server-cold --warmup 3 --prepare "rm -rf $index" "$served $dump $vmlinux -c 'sys; bt; ps; log'"
bench state.kdive-server-warm --warmup 3 "$served $dump $vmlinux -c 'sys; bt; ps; log'"
server=$(pgrep -f -- "--serve $KDIVE_CACHE/server/" | head -1 || true)
rss() { [ -n "$server" ] && awk '/^VmRSS/ {printf "%d MB", $2 / 1024}' "/proc/$server/status" 2>/dev/null || echo "?"; }
after_runs=$(rss)
sleep 40
idle=$(rss)

python3 - "$results" <<'PY'
import json, os, sys
d = sys.argv[1]
med = {}
for f in sorted(os.listdir(d)):
    r = json.load(open(os.path.join(d, f)))["results"][0]
    med[f[:-5]] = r["median"]
print(f"{'case':<26} {'median s':>9}")
for k, v in med.items():
    print(f"{k:<26} {v:9.3f}")
print()
noop = med.get("trixie.noop", 0.0)
peers = ("crash-8.0.2", "crash-8.0.6", "drgn-0.0.22", "drgn-0.0.31")
print(f"{'kdive / peer':<26} " + " ".join(f"{p:>12}" for p in peers) + f" {'drgn-0.0.31 net':>16}")
for case in ("info", "types", "state"):
    for ours in sorted(k for k in med if k.startswith(case + ".kdive")):
        row = []
        for peer in peers:
            p = med.get(f"{case}.{peer}")
            row.append(f"{med[ours] / p:12.2f}" if p else f"{'':>12}")
        p = med.get(f"{case}.drgn-0.0.31")
        net = f"{med[ours] / (p - noop):16.2f}" if p and p > noop else f"{'':>16}"
        print(f"{ours:<26} " + " ".join(row) + net)
PY
echo
echo "kdive server resident: $after_runs after the runs, $idle idle 40 s later"
