#!/usr/bin/env bash
# The reference outputs of one made dump, from that same dump (KASLR and task addresses change
# with every boot): make-one.sh runs it before writing the dump's STAMP.
#
#   refs.sh MADE_DIR REFS      REFS: comma list of
#     crash         crash 8.0.6 (dumps/in-trixie.sh) runs crash-commands.txt in one session:
#                   MADE_DIR/refs/crash-8.0.6/NAME.txt (first line "crash> CMD") + COMMANDS.tsv
#     drgn          drgn 0.0.31 runs drgn-refs.py: MADE_DIR/refs/drgn-0.0.31/
#     crash802proc  the host's crash 8.0.2 on vmcore.proc: sys, phys_base, help -n and rd at
#                   physical addresses taken from the ELF header: MADE_DIR/refs/crash-8.0.2-proc.txt
# Any tool failure is an error (with its log's tail).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
out=$(cd "${1:?usage: refs.sh MADE_DIR REFS}" && pwd -P) refs=${2:?usage: refs.sh MADE_DIR REFS}
MARK_WHAT=$(basename "$(dirname "$out")")/$(basename "$out")
p() { prop "$out/dump.properties" "$1"; }
dump=$out/$(p dump)
vmlinux=$(cd "$out" && realpath "$(p vmlinux)")
kdir=$(cd "$out" && realpath "$(p kernel.dir)")
release=$(p release)
work=$(mktemp -d "$CORPUS/.refs.XXXX")   # under the cache: seen inside the chroot at the same path
trap 'rm -rf "$work"' EXIT
mkdir -p "$out/refs"

# every loaded module's debuginfo in one folder (mod -S, drgn -s)
mkdir -p "$work/mods"
for f in "$kdir"/debug/*.ko; do [ -e "$f" ] && ln -s "$(realpath "$f")" "$work/mods/"; done
[ -n "$(p module.vqbug)" ] && ln -s "$out/vqbug.ko" "$work/mods/vqbug.ko"
[ -n "$(p module.crashme)" ] && ln -s "$out/crashme.ko" "$work/mods/crashme.ko"

run_crash() {  # INPUT LOG: one crash 8.0.6 session
  timeout 900 "$DUMPS_HOME/in-trixie.sh" crash -s "$vmlinux" "$dump" < "$1" > "$2" 2>&1 \
    || { tail -20 "$2" >&2; die "crash 8.0.6 failed on $dump (exit $?)"; }
  local fatal
  fatal=$(grep '^crash: ' "$2" | grep -v 'cannot find' | head -1 || true)
  [ -z "$fatal" ] || { tail -20 "$2" >&2; die "crash 8.0.6: $fatal"; }
}

crash_refs() {
  local dir=$out/refs/crash-8.0.6 name cmd var val missing n=0
  # the addresses the command list needs, found by drgn in this same dump (drgn_refs ran first)
  [ -f "$out/refs/drgn-0.0.31/vars.txt" ] || die "crash references need drgn's (refs crash,drgn)"
  declare -A v=()
  while IFS='=' read -r var val; do v[$var]=$val; done < "$out/refs/drgn-0.0.31/vars.txt"
  v[BLOCKED_PID]=$(prop "$out/facts.properties" blocked.pid)
  v[MODDIR]=$work/mods
  # the IDs the kernel gave bpfload.c's objects (trigger bpf): a kprobe program with two maps, a per-CPU map
  v[BPF_PROG_ID]=$(sed -n 's/^kdive-bpf: prog kd_kprobe id \([0-9]*\) .*/\1/p' "$out/console.log" | head -1)
  v[BPF_MAP_ID]=$(sed -n 's/^kdive-bpf: map kd_pcpu id \([0-9]*\) .*/\1/p' "$out/console.log" | head -1)
  # busy.c's socket holders, busybox nc and their TCP listener's struct sock (trigger busy: guest-init.sh)
  v[BUSY_PID]=$(tr -d '\r' < "$out/console.log" | sed -n 's/^kdive-busy-sockets: pid \([0-9]*\) .*/\1/p' | head -1)
  v[BUSY_CHILD]=$(tr -d '\r' < "$out/console.log" | sed -n 's/^kdive-busy-sockets: pid [0-9]* child \([0-9]*\) .*/\1/p' | head -1)
  v[BUSY_NC]=$(tr -d '\r' < "$out/console.log" | sed -n 's/^kdive-busy-nc-pid: \([0-9]*\)$/\1/p' | head -1)
  v[BUSY_SOCK]=$(tr -d '\r' < "$out/console.log" | sed -n 's/^kdive-busy-sock: \([0-9a-f]\{16\}\)$/\1/p' | head -1)
  if [ "$(p trigger)" = busy ]; then
    for var in BUSY_PID BUSY_CHILD BUSY_NC BUSY_SOCK; do
      [ -n "${v[$var]}" ] || die "the console of a busy dump names no $var (kdive-busy-* lines)"
    done
  fi
  if [ -n "$(p module.vqbug)" ]; then
    v[VQBUG_KO]=$out/vqbug.ko
    [ -n "${v[VQB_QUEUE]:-}" ] || die "drgn found no vqb_queue in the vqbug module"
  fi
  [ -n "${v[PANIC_PID]}" ] && [ -n "${v[PANIC_TASK]}" ] || die "crash 8.0.6's bt names no panic task: $(head -3 "$work/first.bt")"
  [ -n "${v[BLOCKED_PID]}" ] || die "the console names no blocked pid (kdive-blocked-pid:)"
  # second pass: the command list, each output to its own file
  rm -rf "$dir"
  crash_session_input "$DUMPS_HOME/crash-commands.txt" "$work"
  run_crash "$work/session.in" "$work/session.log"
  crash_session_outputs "$work" "$dir" "crash 8.0.6"
  grep -q "RELEASE: $release\$" "$dir/04-sys.txt" || die "crash 8.0.6's sys does not say RELEASE: $release: $(cat "$dir/04-sys.txt")"
  grep -q "^PID: ${v[PANIC_PID]} " "$dir/05-bt.txt" || die "crash 8.0.6's bt failed: $(head -3 "$dir/05-bt.txt")"
  say "$(basename "$(dirname "$out")")/$(basename "$out"): crash 8.0.6: $n commands"
}

drgn_refs() {
  local dir=$out/refs/drgn-0.0.31 syms=()
  for f in "$work"/mods/*.ko; do [ -e "$f" ] && syms+=(-s "$(realpath "$f")"); done
  rm -rf "$dir"
  # drgn (libkdumpfile) reads neither makedumpfile's flattened form nor QEMU's kdump files (their
  # header names no architecture): it reads QEMU's ELF of the same dump
  local core=$dump
  if [[ $dump == *.flat ]]; then
    [ -f "$out/vmcore.qemu.elf" ] || die "drgn references of a QEMU dump need its ELF too (outputs flat,elf)"
    core=$out/vmcore.qemu.elf
  fi
  timeout 600 "$DUMPS_HOME/in-trixie.sh" drgn -q -c "$core" -s "$vmlinux" "${syms[@]}" --main-symbols \
    "$DUMPS_HOME/drgn-refs.py" "$dir" "$(prop "$out/facts.properties" blocked.pid)" > "$work/drgn.log" 2>&1 \
    || { tail -20 "$work/drgn.log" >&2; die "drgn 0.0.31 failed on $core"; }
  for f in ps bt bt-frames blocked blocked-frames dmesg cpus kernel vars; do
    [ -s "$dir/$f.txt" ] || die "drgn 0.0.31 wrote no $f.txt: $(tail -5 "$work/drgn.log")"
  done
  grep -qx "release $release" "$dir/kernel.txt" || die "drgn 0.0.31 reads another release: $(head -1 "$dir/kernel.txt")"
  say "$(basename "$(dirname "$out")")/$(basename "$out"): drgn 0.0.31: $(($(wc -l < "$dir/ps.txt") - 1)) tasks"
}

# crash 8.0.2's view of a /proc/vmcore capture, for format-elf's test: the kernel text segment
# (virtual 0xffffffff8.......), the direct-map address of its first byte, the end of the last RAM
# segment, and a hole (the crash kernel's own area is not in /proc/vmcore)
crash802_proc() {
  local vmcore=$out/vmcore.proc ref=$out/refs/crash-8.0.2-proc.txt i
  command -v crash >/dev/null || die "crash802proc needs the host's crash (apt-get install crash)"
  local tv="" tp="" alias="" last="" hole="" type off va pa fs rest prev=0
  while read -r type off va pa fs rest; do
    [ "$type" = LOAD ] || continue
    if [[ $va == 0xffffffff* ]]; then tv=$va tp=$pa; continue; fi
    [ -n "$tp" ] && (( pa <= tp && tp < pa + fs )) && alias=$(printf 0x%x $(( va + tp - pa )))
    (( pa - prev >= 0x2000 )) && (( prev > 0 )) && hole=$(printf 0x%x $(( prev + 0x1000 )))
    prev=$(( pa + fs ))
    last=$(printf 0x%x $(( pa + fs - 32 )))
  done < <(readelf -lW "$vmcore")
  [ -n "$tv" ] && [ -n "$alias" ] && [ -n "$hole" ] || die "vmcore.proc: no kernel text segment, alias or hole in its PT_LOADs"
  local cmds=("sys" "p/x phys_base" "help -n" "rd -64 init_uts_ns 8"
              "rd -p -64 $tp 4" "rd -64 $tv 4" "rd -64 $alias 4"
              "rd -p -64 $(printf 0x%x $((tp + 0x1000000))) 4" "rd -p -64 $last 4" "rd -p -64 $hole 2")
  mkdir -p "$work/c802"
  for i in "${!cmds[@]}"; do echo "${cmds[$i]} > $work/c802/$i.txt"; done > "$work/c802/input"
  echo quit >> "$work/c802/input"
  timeout 300 crash -s "$vmlinux" "$vmcore" < "$work/c802/input" > "$work/c802/log" 2>&1 \
    || { tail -20 "$work/c802/log" >&2; die "crash 8.0.2 failed on $vmcore"; }
  for i in "${!cmds[@]}"; do
    [ -f "$work/c802/$i.txt" ] || die "crash 8.0.2 wrote no output for '${cmds[$i]}'"
    echo "crash> ${cmds[$i]}"
    cat "$work/c802/$i.txt"
  done > "$ref"
  grep -q "RELEASE: $release\$" "$ref" || die "crash 8.0.2's sys does not say RELEASE: $release"
}

# drgn first: crash's command list takes addresses from it
for r in $(tr , '\n' <<<"$refs" | sort -t: -k1,1 | awk '$0=="drgn"{print; next} {rest=rest" "$0} END{print rest}'); do
  case $r in
    crash) crash_refs; mark refs-crash ;;
    drgn) drgn_refs; mark refs-drgn ;;
    crash802proc) crash802_proc; mark refs-crash802proc ;;
    *) die "unknown reference kind $r" ;;
  esac
done
