#!/usr/bin/env bash
# Zero-download analysis (issue 17): how fast kdive answers from the dump alone.
#   bench/zero-download.sh [RUNS] [DUMP [VMLINUX]]     (default 5 runs, the corpus' kdump-zlib)
# Times `kdive --no-fetch DUMP -c "sys; bt; ps; log; struct task_struct"`:
#   - without vmlinux: types from the dump's BTF, symbols from kallsyms, stacks from ORC;
#   - with the vmlinux, the DWARF name index cold (removed before each run) and warm;
#   - drgn 0.0.31 (Debian 13 chroot, dumps/in-trixie.sh) without debuginfo (--no-default-symbols,
#     kallsyms registered by hand): what it can do of the same work (it prints which parts fail),
#     with the chroot's own start (in-trixie.sh true) measured apart.
# Each kdive run is a JVM of its own (KDIVE_SERVER=off). Prints median wall seconds and peak RSS
# (MB, GNU time's maximum resident set) per case, the ratios, and the BTF load itself
# (bench/zero-download/BtfLoad.java on the same bytes, objcopy'd from the vmlinux's .BTF).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
corpus=$(bash ../shared/corpus/setup.sh)/vqbug-6.1
dump=${2:-$corpus/vmcore.kdump-zlib}
vmlinux=${3:-$corpus/vmlinux-6.1.0-50-cloud-amd64}
kdive=$PWD/distro/default/target/kdive/bin/kdive
[ -x "$kdive" ] || { echo "bench: build kdive first (mvn install -DskipTests)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: GNU time missing (apt-get install time)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# a cache of its own: a vmlinux fetched earlier into the user's cache would make the "without
# vmlinux" case open it (KDIVE_CACHE moves every cache; the index apart, to remove it for cold runs)
export KDIVE_SERVER=off KDIVE_CACHE=$work/cache KDIVE_INDEX_DIR=$work/index TZ=UTC
cmds="sys; bt; ps; log; struct task_struct"

# one untimed run: Felix's bundle cache and the class-data-sharing archive, as a first session makes them
"$kdive" --no-fetch "$dump" -c "sys" >/dev/null 2>&1 || true

measure() { # name prepare command...
  local name=$1 prepare=$2; shift 2
  : > "$work/$name.times"
  for _ in $(seq "$runs"); do
    eval "$prepare"
    /usr/bin/time -f "%e %M" -o "$work/t" "$@" > "$work/$name.out" 2>&1 || { echo "bench: $name failed:" >&2; tail -5 "$work/$name.out" >&2; exit 1; }
    cat "$work/t" >> "$work/$name.times"
  done
  echo "  $name done" >&2
}
measure kdive-btf ":" "$kdive" --no-fetch "$dump" -c "$cmds"
measure kdive-vmlinux-cold "rm -rf $KDIVE_INDEX_DIR" "$kdive" --no-fetch "$dump" "$vmlinux" -c "$cmds"
measure kdive-vmlinux-warm ":" "$kdive" --no-fetch "$dump" "$vmlinux" -c "$cmds"

cat > "$work/drgn_nodebug.py" <<'PY'
# drgn without debuginfo: what it can do of "sys; bt; ps; log; struct task_struct"
import sys
try:
    from drgn.helpers.linux.kallsyms import load_vmlinux_kallsyms
    prog.register_symbol_finder("vmlinux_kallsyms", load_vmlinux_kallsyms(prog), enable_index=0)
    print("[kallsyms] ok")
except Exception as e:
    print(f"[kallsyms] failed: {type(e).__name__}: {e}")
def attempt(name, f):
    try:
        f()
        print(f"[{name}] ok")
    except Exception as e:
        print(f"[{name}] failed: {type(e).__name__}: {e}")
attempt("sys", lambda: print(prog["init_uts_ns"].name.release))
attempt("bt", lambda: print(prog.crashed_thread().stack_trace()))
def ps():
    from drgn.helpers.linux.pid import for_each_task
    for t in for_each_task(prog):
        print(t.pid.value_(), t.comm.string_().decode())
attempt("ps", ps)
def log():
    from drgn.helpers.linux.printk import get_dmesg
    sys.stdout.write(get_dmesg(prog).decode())
attempt("log", log)
attempt("struct task_struct", lambda: print(prog.type("struct task_struct")))
PY
drgn_ok=1
timeout 300 dumps/in-trixie.sh true >/dev/null 2>&1 || drgn_ok=0
if [ $drgn_ok = 1 ]; then
  measure chroot-start ":" dumps/in-trixie.sh true
  measure drgn-nodebug ":" dumps/in-trixie.sh drgn -c "$dump" --no-default-symbols "$work/drgn_nodebug.py"
fi

python3 - "$work" <<'PY'
import os, statistics, sys
d = sys.argv[1]
rows = {}
for f in sorted(os.listdir(d)):
    if f.endswith(".times"):
        vals = [l.split() for l in open(os.path.join(d, f)) if l.strip()]
        rows[f[:-6]] = (statistics.median(float(v[0]) for v in vals), max(int(v[1]) for v in vals) / 1024)
print(f"{'case':<22} {'median s':>9} {'peak RSS MB':>12}")
for k, (s, m) in rows.items():
    print(f"{k:<22} {s:9.2f} {m:12.0f}")
b = rows["kdive-btf"][0]
for k in ("kdive-vmlinux-cold", "kdive-vmlinux-warm", "drgn-nodebug"):
    if k in rows:
        print(f"kdive-btf / {k:<20} = {b / rows[k][0]:5.2f}")
if "drgn-nodebug" in rows:
    print("drgn without debuginfo did:", " ".join(l.strip() for l in open(os.path.join(d, "drgn-nodebug.out")) if l.startswith("[")))
PY
grep -q "types from the dump's BTF" "$work/kdive-btf.out" || echo "bench: WARNING: the BTF run did not use the dump's BTF" >&2

# the BTF load itself, on the same bytes
if command -v objcopy >/dev/null && [ -d bundles/symbols-btf/target/classes ]; then
  objcopy -O binary --only-section=.BTF "$vmlinux" "$work/vmlinux.btf"
  cp="bundles/symbols-btf/target/classes:bundles/api/target/classes"
  javac -d "$work/cls" -cp "$cp" bench/zero-download/BtfLoad.java
  java -cp "$work/cls:$cp" BtfLoad "$work/vmlinux.btf" 20
fi
