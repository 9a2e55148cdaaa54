#!/usr/bin/env bash
# `sys; bt; ps; log` on each kernel generation the dump factory makes (dumps/make-dumps.sh; Debian 11
# 5.10, 12 6.1 and its PREEMPT_RT build, 13 6.12), timed with hyperfine and with each tool's peak
# resident memory (/usr/bin/time -f %M of one more run): kdive (its own JVM, KDIVE_SERVER=off; "cold"
# without its DWARF index cache, "warm" with it), crash 8.0.6 and drgn 0.0.31 (Debian 13 chroot:
# dumps/in-trixie.sh; their times include entering it, "trixie.noop" on the first line). drgn reads a
# QEMU-written dump's ELF output (vmcore.qemu.elf), the others its main one.
#   bench/generations.sh [RUNS] [KERNEL/KIND ...]   (default 3 runs; every x86 dump with crash refs)
# e.g. bench/generations.sh 5 deb13-6.12-cloud/vqbug-kdump
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
shift || true
made=${KDIVE_CORPUS:-$HOME/.cache/kdive-corpus}/made
kdive_bin=${KDIVE_BIN:-$PWD/distro/default/target/kdive/bin/kdive}
trixie=$PWD/dumps/in-trixie.sh
command -v hyperfine >/dev/null || { echo "bench: hyperfine missing (apt-get install hyperfine)" >&2; exit 1; }
[ -x "$kdive_bin" ] || { echo "bench: build kdive first (mvn install -DskipTests)" >&2; exit 1; }
"$trixie" true || { echo "bench: the Debian 13 chroot (dumps/chroot-trixie.sh) cannot be entered" >&2; exit 1; }
if [ $# -eq 0 ]; then
  set -- $(awk '!/^#/ && NF >= 8 && $8 ~ /crash/ && $1 !~ /arm64/ {print $1 "/" $2}' dumps/dumps.list)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export KDIVE_CACHE=$work/cache KDIVE_SERVER=off
unset KDIVE_INDEX_DIR
index=$KDIVE_CACHE/index
results=$work/results
mkdir -p "$results"
printf '%s\n' sys bt ps log q > "$work/state.crash"
cat > "$work/state.py" <<'PY'
import drgn, sys
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.printk import get_dmesg
p = drgn.Program()
p.set_core_dump(sys.argv[1])
p.load_debug_info([sys.argv[2]])
print(p["init_uts_ns"].name.release)
print(p.crashed_thread().stack_trace())
for t in for_each_task(p):
    print(t.pid.value_(), t.comm.string_().decode())
sys.stdout.write(get_dmesg(p).decode())
PY
bench() { # name command
  local name=$1; shift
  echo "  $name" >&2
  hyperfine --style none --runs "$runs" --export-json "$results/$name.json" "$@" >/dev/null \
    || { echo "bench: $name failed; its output:" >&2; sh -c "${@: -1}" >&2; exit 1; }
}
peak() { # name command: peak resident KiB of one run (the chroot's wrapper is a shell around the tool)
  /usr/bin/time -f %M -o "$results/$1.rss" sh -c "$2" >/dev/null 2>&1 || true
}
bench trixie.noop "$trixie true"
for id in "$@"; do
  d=$made/$id
  [ -f "$d/STAMP" ] || { echo "bench: $id is not made (dumps/make-dumps.sh $id)" >&2; exit 1; }
  dump=$(realpath "$d/$(sed -n 's/^dump=//p' "$d/dump.properties")")
  vmlinux=$(realpath "$d/$(sed -n 's/^vmlinux=//p' "$d/dump.properties")")
  name=${id//\//:}
  kdive="$kdive_bin $dump $vmlinux -c 'sys; bt; ps; log'"
  crash="sh -c '$trixie crash -s $vmlinux $dump < $work/state.crash'"
  # drgn (libkdumpfile) reads neither makedumpfile's flattened form nor QEMU's kdump files: their ELF twin
  drgn_dump=$dump
  [ -f "$d/vmcore.qemu.elf" ] && drgn_dump=$(realpath "$d/vmcore.qemu.elf")
  drgn="$trixie python3 $work/state.py $drgn_dump $vmlinux"
  $kdive_bin "$dump" "$vmlinux" -c sys >/dev/null 2>&1 || true # framework and class-data caches, as a first session
  bench "$name.kdive-cold" --prepare "rm -rf $index" "$kdive"
  bench "$name.kdive-warm" "$kdive"
  bench "$name.crash-8.0.6" "$crash"
  bench "$name.drgn-0.0.31" "$drgn"
  rm -rf "$index"; peak "$name.kdive-cold" "$kdive"
  peak "$name.kdive-warm" "$kdive"
  peak "$name.crash-8.0.6" "$crash"
  peak "$name.drgn-0.0.31" "$drgn"
done
python3 - "$results" <<'PY'
import json, os, sys
d = sys.argv[1]
rows = {}
for f in sorted(os.listdir(d)):
    key, ext = f.rsplit(".", 1)
    if ext == "json":
        rows.setdefault(key, {})["s"] = json.load(open(os.path.join(d, f)))["results"][0]["median"]
    elif ext == "rss":
        v = open(os.path.join(d, f)).read().strip().splitlines()
        rows.setdefault(key, {})["rss"] = int(v[-1]) // 1024 if v and v[-1].isdigit() else None
print(f"{'dump / tool (sys; bt; ps; log)':<52} {'median s':>9} {'peak MB':>8}")
for k, v in rows.items():
    rss = v.get("rss")
    print(f"{k:<52} {v.get('s', float('nan')):9.2f} {rss if rss is not None else '':>8}")
PY
