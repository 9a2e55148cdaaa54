#!/usr/bin/env bash
# Times kdive against crash 8.0.2 and drgn 0.0.22 on the same corpus dump with equivalent work,
# several runs each (hyperfine), and prints medians and kdive's ratio to each peer.
#   bench/compare.sh [RUNS]        (default 5; needs: apt-get install crash python3-drgn hyperfine)
# kdive "cold" runs start without kdive's DWARF index cache, "warm" ones with it. The plain kdive
# cases run each command line in a JVM of its own (KDIVE_SERVER=off); the "server" cases go through
# the kdive server that a batch run leaves behind, after 3 untimed runs (its compiler warmed up), as
# in a session of several kdive commands in a row.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
corpus=$(bash ../shared/corpus/setup.sh)/vqbug-6.1
dump=$corpus/vmcore.kdump-zlib
vmlinux=$corpus/vmlinux-6.1.0-50-cloud-amd64
kdive_bin=$PWD/distro/default/target/kdive/bin/kdive
kdive="env KDIVE_SERVER=off $kdive_bin"
served="env KDIVE_SERVER=on $kdive_bin"
# drgn is Debian's python3-drgn: run it with Debian's python3, whatever else is first on PATH
for tool in crash drgn hyperfine; do
  command -v $tool >/dev/null || { echo "bench: $tool missing (apt-get install crash python3-drgn hyperfine)" >&2; exit 1; }
done
[ -x "$kdive_bin" ] || { echo "bench: build kdive first (mvn install -DskipTests)" >&2; exit 1; }
work=$(mktemp -d)
trap '$served --stop-server >/dev/null 2>&1; rm -rf "$work"' EXIT
export KDIVE_INDEX_DIR=$work/index
# one run to install the bundles into the framework cache and make the class-data-sharing archive,
# as a user's first session does (not part of any case; it leaves no DWARF index behind)
$kdive "$dump" "$vmlinux" -c "sys; bt; p jiffies; struct -o task_struct; ps; log" >/dev/null 2>&1 || true
rm -rf "$KDIVE_INDEX_DIR"

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
bench info.kdive "$kdive --info $dump"
bench info.crash "crash --osrelease $dump"
bench info.drgn "/usr/bin/python3 $work/drgn_info.py"
bench types.kdive-cold --prepare "rm -rf $KDIVE_INDEX_DIR" "$kdive $dump $vmlinux -c 'p jiffies; struct -o task_struct'"
bench types.kdive-warm "$kdive $dump $vmlinux -c 'p jiffies; struct -o task_struct'"
bench types.crash "sh -c 'crash -s $vmlinux $dump < $work/types.crash'"
bench types.drgn "/usr/bin/python3 $work/drgn_types.py"
bench state.kdive-warm "$kdive $dump $vmlinux -c 'sys; bt; ps; log'"
bench state.kdive-cold --prepare "rm -rf $KDIVE_INDEX_DIR" "$kdive $dump $vmlinux -c 'sys; bt; ps; log'"
bench state.crash "sh -c 'crash -s $vmlinux $dump < $work/state.crash'"
bench state.drgn "/usr/bin/python3 $work/drgn_state.py"
# the server: started by a batch run, ready once its warm-up repeat of that run is over
$served --stop-server >/dev/null 2>&1 || true
$served "$dump" "$vmlinux" -c "sys; bt; p jiffies; struct -o task_struct; ps; log" >/dev/null 2>&1 || true
for _ in $(seq 600); do
  ls "${KDIVE_CACHE:-$HOME/.cache/kdive}"/server/*.warmup >/dev/null 2>&1 || break
  sleep 0.1
done
bench info.kdive-server --warmup 3 "$served --info $dump"
bench types.kdive-server-cold --warmup 3 --prepare "rm -rf $KDIVE_INDEX_DIR" "$served $dump $vmlinux -c 'p jiffies; struct -o task_struct'"
bench types.kdive-server-warm --warmup 3 "$served $dump $vmlinux -c 'p jiffies; struct -o task_struct'"
bench state.kdive-server-cold --warmup 3 --prepare "rm -rf $KDIVE_INDEX_DIR" "$served $dump $vmlinux -c 'sys; bt; ps; log'"
bench state.kdive-server-warm --warmup 3 "$served $dump $vmlinux -c 'sys; bt; ps; log'"

python3 - "$results" <<'PY'
import json, os, sys
d = sys.argv[1]
med = {}
for f in sorted(os.listdir(d)):
    r = json.load(open(os.path.join(d, f)))["results"][0]
    med[f[:-5]] = r["median"]
print(f"{'case':<20} {'median s':>9}")
for k, v in med.items():
    print(f"{k:<20} {v:9.3f}")
print()
for case in ("info", "types", "state"):
    for ours in sorted(k for k in med if k.startswith(case + ".kdive")):
        for peer in ("crash", "drgn"):
            p = med.get(f"{case}.{peer}")
            if p:
                print(f"{ours:<20} / {peer:<6} = {med[ours] / p:5.2f}")
PY
