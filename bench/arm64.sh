#!/usr/bin/env bash
# Times `sys; bt; ps; log` on the made arm64 kdump (dumps/make-arm64-dumps.sh: arm64-vqbug-kdump)
# with kdive against drgn 0.0.31 (Debian 13 chroot, dumps/in-trixie.sh) and drgn 0.0.22 (the host's
# python3-drgn) doing the same work: the kernel release, the panic task's stack, every task, the
# kernel log. crash is not in it: an x86 host's crash cannot read arm64 dumps.
#   bench/arm64.sh [RUNS] [DUMPFILE]   (default 5 runs on vmcore.kdump; vmcore.proc is the ELF of
#                                       the same boot)
# Each case runs RUNS times after one untimed run, each in a process of its own (kdive: a JVM
# without the kdive server, KDIVE_SERVER=off, its DWARF index cache warm); the figures are the
# median wall time and the median peak resident memory (/usr/bin/time -v).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
corpus=${KDIVE_CORPUS:-$HOME/.cache/kdive-corpus}
made=$corpus/made/deb12-6.1-cloud-arm64/arm64-vqbug-kdump
[ -f "$made/STAMP" ] || { echo "bench: no made arm64 dump at $made (run dumps/make-arm64-dumps.sh)" >&2; exit 1; }
dump=$made/${2:-vmcore.kdump}
vmlinux=$made/vmlinux
kdive_bin=$PWD/distro/default/target/kdive/bin/kdive
[ -x "$kdive_bin" ] || { echo "bench: build kdive first (mvn install -DskipTests)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
/usr/bin/python3 -c 'import drgn' 2>/dev/null || { echo "bench: drgn 0.0.22 missing (apt-get install python3-drgn)" >&2; exit 1; }
work=$(mktemp -d /tmp/kdive-bench-arm64.XXXX)  # under /tmp: the chroot sees it
trap 'rm -rf "$work"' EXIT

# drgn: the same work as crash's sys; bt; ps; log (the panic task is the one running on panic_cpu)
cat > "$work/state.py" <<'PY'
import sys
import drgn
from drgn.helpers.linux.percpu import per_cpu
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.printk import get_dmesg
p = drgn.Program()
p.set_core_dump(sys.argv[1])
try:
    p.load_debug_info([sys.argv[2]])
except drgn.MissingDebugInfoError:
    pass  # modules without debuginfo, as kdive runs without them
print(p["init_uts_ns"].name.release.string_().decode())
task = per_cpu(p["runqueues"], p["panic_cpu"].counter.value_()).curr
print(p.stack_trace(task))
for t in for_each_task(p):
    print(t.pid.value_(), t.comm.string_().decode())
sys.stdout.write(get_dmesg(p).decode(errors="replace"))
PY

# one case: NAME COMMAND... ; prints "NAME  wall-median s  peak-RSS-median MB"
measure() {
  local name=$1 i; shift
  "$@" >/dev/null 2>&1 || { echo "bench: $name failed: $*" >&2; "$@" 2>&1 | tail -5 >&2; exit 1; }
  : > "$work/$name.times"
  for ((i = 0; i < runs; i++)); do
    /usr/bin/time -f '%e %M' -o "$work/t" "$@" >/dev/null 2>&1
    cat "$work/t" >> "$work/$name.times"
  done
  local wall rss
  wall=$(cut -d' ' -f1 "$work/$name.times" | sort -n | awk -v n="$runs" 'NR == int((n + 1) / 2)')
  rss=$(cut -d' ' -f2 "$work/$name.times" | sort -n | awk -v n="$runs" 'NR == int((n + 1) / 2) {printf "%.0f", $1 / 1024}')
  printf '%-14s %8s s %8s MB\n' "$name" "$wall" "$rss"
}

echo "sys; bt; ps; log on $(basename "$dump") ($(du -h "$dump" | cut -f1)), $runs runs each, medians (wall, peak RSS)"
measure kdive env KDIVE_SERVER=off "$kdive_bin" --no-fetch "$dump" "$vmlinux" -c "sys; bt; ps; log"
measure drgn-0.0.31 dumps/in-trixie.sh python3 "$work/state.py" "$dump" "$vmlinux"
measure drgn-0.0.22 /usr/bin/python3 "$work/state.py" "$dump" "$vmlinux"
