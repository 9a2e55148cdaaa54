#!/usr/bin/env bash
# Makes one dump of dumps.list into $KDIVE_CORPUS/made/ID/KIND (layout: README.md): boots the
# kernel under QEMU with a busybox initramfs (guest-init.sh), crashes it as the row says, saves
# the dump, checks it, writes dump.properties, facts.properties, the references (refs.sh) and,
# last, STAMP. Nothing is kept of a failed attempt; every failure exits non-zero with its cause
# and the console's tail. A dump whose STAMP is still valid is not made again.
#
#   make-one.sh ID KIND
#   KDIVE_QEMU_ACCEL=kvm    use KVM instead of TCG (TCG boots these kernels in ~5 s here)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
id=${1:?usage: make-one.sh ID KIND} kind=${2:?usage: make-one.sh ID KIND}
row=$(dump_row "$id" "$kind")
[ -n "$row" ] || die "no row $id $kind in dumps.list"
read -r _ _ trigger capture cpus paging outputs refs options <<<"$row"
opt() { local v; v=$(tr , '\n' <<<"$options" | sed -n "s/^$1=//p"); echo "${v:-$2}"; }
MARK_WHAT=$id/$kind
kdir=$("$DUMPS_HOME/fetch-kernel.sh" "$id")
release=$(prop "$kdir/kernel.properties" release)
build=$(kernel_row "$id" | awk '{print $5}')
out=$MADE_DIR/$id/$kind
case $trigger in vqbug) module=vqbug src=$(shared_dir)/corpus/vqbug-6.1/vqbug.c ;;
                 null|warn) module=crashme src=$DUMPS_HOME/crashme.c ;;
                 pagefault|gpf|softlockup|hungtask|panic|oom) module=panicker src=$DUMPS_HOME/panicker.c ;;
                 bpf) module="" src=$DUMPS_HOME/bpfload.c ;;  # a static program, not a module
                 busy) module="" src=$DUMPS_HOME/busy.c ;;  # a static program, not a module
                 *) module="" src="" ;; esac
recipe=$(recipe_hash "$DUMPS_HOME"/{lib.sh,make-one.sh,guest-init.sh,qemu-monitor.py,facts.py,refs.sh,crash-commands.txt,drgn-refs.py} \
  ${src:+"$src"} -- "$row" "$(grep '^recipe' "$kdir/STAMP")" "$SCRIPT_VERSION")
if stamp_check "$out" "$recipe"; then say "$id/$kind: made and verified (cached)"; exit 0; fi
# one maker per kind (make-dumps.sh runs a dump another one needs first, e.g. zstd's source capture):
# a second caller waits here, then finds the dump made
mkdir -p "$MADE_DIR/$id"
exec 7>"$MADE_DIR/$id/.$kind.lock"
flock -w 3600 7 || die "$id/$kind: $MADE_DIR/$id/.$kind.lock held for an hour"
if stamp_check "$out" "$recipe"; then say "$id/$kind: made and verified (cached)"; exit 0; fi
mark wait-kernel

started=$(date +%s)
rm -rf "$out"
mkdir -p "$out"
work=$(mktemp -d "$CORPUS/.make-$id-$kind.XXXX")
qemu_pid=""
cleanup() {
  local rc=$?
  set +e  # a cleanup step that fails (QEMU already gone) must not stop the others
  [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null
  rm -rf "$work"
  if [ $rc != 0 ]; then
    rm -rf "$out"
    say "$id/$kind: FAILED (nothing kept)"
  fi
  exit $rc
}
trap cleanup EXIT
console=$out/console.log
fail() {
  say "$id/$kind: $*"
  if [ -s "$console" ]; then echo "--- last lines of $console:" >&2; tail -40 "$console" >&2; echo "---" >&2; fi
  exit 1
}

# the test module, built against this kernel's headers with DWARF (build folder per kernel, so
# the path in the DWARF, and the build-id, stay the same between makes)
if [ -n "$module" ]; then
  ko=$(build_module "$id" "$kdir" "$build" "$src")
  cp "$ko" "${ko}.debug" "$src" "$out/"
  mark module
fi

# the initramfs: busybox, the guest's modules, guest-init.sh as /init, the test module
root=$work/root
mkdir -p "$root"/{bin,sbin,proc,sys,dev,modules}
cp /bin/busybox "$root/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"; done
cp "$kdir"/modules/*.ko "$root/modules/"
prop "$kdir/kernel.properties" modules.load > "$root/modules.load"
cp "$DUMPS_HOME/guest-init.sh" "$root/init"
chmod +x "$root/init"
[ -n "$module" ] && cp "$out/$module.ko" "$root/"
if [ "$trigger" = bpf ]; then
  gcc -static -O2 -o "$root/bpfload" "$src" || fail "gcc -static bpfload.c failed"
  cp "$src" "$out/"
fi
if [ "$trigger" = busy ]; then
  gcc -static -O2 -o "$root/busy" "$src" || fail "gcc -static busy.c failed"
  cp "$src" "$out/"
fi
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$work/initrd.gz"
initrd=$work/initrd.gz
if [ "$capture" = kdump ]; then
  # a second cpio archive (the kernel unpacks both) with kexec and its libraries, the kernel,
  # and initrd.gz itself for the capture kernel
  extra=$work/kdump-extra
  mkdir -p "$extra/sbin"
  cp "$(command -v kexec)" "$extra/sbin/kexec"
  for lib in $(ldd "$(command -v kexec)" | grep -o '/[^ ]*'); do
    mkdir -p "$extra$(dirname "$lib")"; cp -L "$lib" "$extra$lib"
  done
  cp "$kdir/vmlinuz" "$extra/vmlinuz"
  cp "$work/initrd.gz" "$extra/initrd.gz"
  (cd "$extra" && find . | cpio -o -H newc 2>/dev/null | gzip -1) | cat "$work/initrd.gz" - > "$work/initrd-kdump.gz"
  initrd=$work/initrd-kdump.gz
fi

mark initramfs
accel=${KDIVE_QEMU_ACCEL:-tcg}
cpu=max
[ "$accel" = kvm ] && cpu=host
append="console=ttyS0 oops=panic kdive.trigger=$trigger quiet loglevel=7"
[ "$paging" = 4 ] && append+=" no5lvl"
qemu=(qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -smp "$cpus" -display none -no-reboot
      -kernel "$kdir/vmlinuz" -initrd "$initrd" -serial "file:$console")
# wait_console SECONDS PATTERN: until the console shows PATTERN; a "kdive-error:" line, QEMU's
# exit or the time bound fail the make
wait_console() {
  local limit=$1 pattern=$2 deadline=$((SECONDS + $1))
  while ! grep -q "$pattern" "$console" 2>/dev/null; do
    grep -q '^kdive-error:' "$console" 2>/dev/null && fail "the guest says: $(grep -m1 '^kdive-error:' "$console")"
    kill -0 "$qemu_pid" 2>/dev/null || { wait "$qemu_pid" || true; qemu_pid=""; \
      grep -q "$pattern" "$console" 2>/dev/null && return 0; fail "QEMU exited before '$pattern'"; }
    [ $SECONDS -lt $deadline ] || fail "no '$pattern' on the console within ${limit}s"
    sleep 0.5
  done
}

if [ "$capture" = kdump ]; then
  # Guest RAM and crashkernel= keep /proc/vmcore near 200 MiB: RAM outside the capture kernel's
  # area + the kernel text segment. The 6.1 capture kernel ran out of memory with 72M, worked with 80M.
  mem=$(opt mem 248)
  disk=$work/vmcore.raw
  truncate -s 1G "$disk"
  "${qemu[@]}" -m "$mem" -append "$append panic=1 kdive.kdump=1 crashkernel=$(opt crashkernel 88M)" \
    -drive file="$disk",format=raw,if=virtio &
  qemu_pid=$!
  wait_console 240 'kdive-kdump: capture kernel loaded'
  wait_console 300 '^kdive-vmcore-size:'
  # the capture kernel powers off after the line; QEMU must exit by itself
  for _ in $(seq 1 60); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$qemu_pid" 2>/dev/null && fail "QEMU did not exit after the capture kernel's poweroff"
  wait "$qemu_pid" || true; qemu_pid=""
  size=$(sed -n 's/^kdive-vmcore-size: \([0-9]*\).*/\1/p' "$console" | tail -1)
  truncate -s "$size" "$disk"
  mv "$disk" "$out/vmcore.proc"
  [ "$(head -c 4 "$out/vmcore.proc" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || fail "vmcore.proc is not ELF"
  say "$id/$kind: /proc/vmcore saved, $size bytes, $(( $(date +%s) - started )) s"
  mark qemu-kdump
  if [[ ,$outputs, == *,kdump,* ]]; then
    # Debian 13's makedumpfile 1.7.6: the host's 1.7.2 predates 6.10's page_type encoding and
    # drops slab pages (task_structs) of 6.12 as if they were free
    bounded 300 "$work/makedumpfile.log" "$DUMPS_HOME/in-trixie.sh" makedumpfile -c -d 31 "$out/vmcore.proc" "$out/vmcore.kdump"
    [ "$(head -c 8 "$out/vmcore.kdump")" = "KDUMP   " ] || fail "makedumpfile wrote no kdump file"
    chmod 644 "$out/vmcore.kdump"
    mark makedumpfile
  fi
  [[ ,$outputs, == *,proc,* ]] || rm -f "$out/vmcore.proc"
else
  mem=$(opt mem 256)
  mon=()
  # QEMU 7.2 writes kdump-zlib as a makedumpfile flattened stream
  [[ ,$outputs, == *,flat,* ]] && mon+=("kdump-zlib:$out/vmcore.flat")
  [[ ,$outputs, == *,elf,* ]] && mon+=("elf:$out/vmcore.qemu.elf")
  # Now and then (3 of ~60 dumps here) QEMU finds no guest VMCOREINFO note at dump time although
  # qemu_fw_cfg probed ("warning: guest note is not present"): such a dump cannot be opened
  # without a vmlinux guess, so the guest is booted once more, and a second miss fails the make.
  for attempt in 1 2; do
    rm -f "$out"/vmcore.* "$console" "$work/qmp.sock"
    # panic=0: the guest stays in panic() (no reboot) so its memory can be saved
    "${qemu[@]}" -m "$mem" -no-shutdown -device vmcoreinfo -append "$append panic=0" \
      -qmp "unix:$work/qmp.sock,server=on,wait=off" &
    qemu_pid=$!
    wait_console 300 'end Kernel panic'
    sleep 1  # the panic CPU stops the others and settles in its loop
    python3 "$DUMPS_HOME/qemu-monitor.py" "$work/qmp.sock" 300 "${mon[@]}" 2>"$work/qmp.err" \
      || { cat "$work/qmp.err" >&2; fail "QEMU's dump-guest-memory failed"; }
    for _ in $(seq 1 60); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.5; done
    wait "$qemu_pid" || true; qemu_pid=""
    # grep -c reads all of head's output (grep -q would stop early: SIGPIPE, and pipefail fails)
    [ "$(head -c 64M "${mon[0]#*:}" | grep -a -c 'OSRELEASE=')" -gt 0 ] && break
    say "$id/$kind: attempt $attempt of 2: QEMU saved no guest VMCOREINFO note"
  done
  mark qemu-dump
  [ ! -e "$out/vmcore.flat" ] || [ "$(head -c 12 "$out/vmcore.flat")" = makedumpfile ] || fail "vmcore.flat is not a flattened dump"
  [ ! -e "$out/vmcore.qemu.elf" ] || [ "$(head -c 4 "$out/vmcore.qemu.elf" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] \
    || fail "vmcore.qemu.elf is not ELF"
  if [[ ,$outputs, == *,kdump,* ]]; then
    # the flattened stream rearranged into a plain kdump file (drgn's libkdumpfile reads only that)
    bounded 300 "$work/makedumpfile.log" "$DUMPS_HOME/in-trixie.sh" makedumpfile -R "$out/vmcore.kdump" < "$out/vmcore.flat"
    [ "$(head -c 8 "$out/vmcore.kdump")" = "KDUMP   " ] || fail "makedumpfile -R wrote no kdump file"
    mark makedumpfile-R
  fi
  chmod 644 "$out"/vmcore.*
fi
say "$id/$kind: dump made, $(( $(date +%s) - started )) s"

# the main dump and what it must say of itself: this release, the paging asked for
files=()
for o in ${outputs//,/ }; do
  case $o in kdump) files+=(vmcore.kdump) ;; proc) files+=(vmcore.proc) ;; flat) files+=(vmcore.flat) ;; elf) files+=(vmcore.qemu.elf) ;;
             *) fail "unknown output $o" ;; esac
done
for f in "${files[@]}"; do [ -s "$out/$f" ] || fail "$f not made"; done
vmci=$(head -c 64M "$out/${files[0]}" | grep -a -o -m1 'OSRELEASE=[^[:space:]]*' || true)
[ "$vmci" = "OSRELEASE=$release" ] || fail "${files[0]}: VMCOREINFO says '$vmci', expected OSRELEASE=$release"
l5=$(head -c 64M "$out/${files[0]}" | grep -a -o -m1 'NUMBER(pgtable_l5_enabled)=[01]' || true)
[ -z "$l5" ] || [ "${l5#*=}" = $((paging == 5 ? 1 : 0)) ] || fail "asked for $paging-level paging, VMCOREINFO says $l5"

{
  echo "kernel=$id"
  echo "kind=$kind"
  echo "release=$release"
  echo "arch=x86_64"
  echo "trigger=$trigger"
  echo "capture=$capture"
  echo "cpus=$cpus"
  echo "paging=$paging"
  echo "mem=$mem"
  echo "dump=${files[0]}"
  echo "dumps=${files[*]}"
  echo "vmlinux=$(realpath -s --relative-to="$out" "$kdir/vmlinux")"
  echo "kernel.dir=$(realpath -s --relative-to="$out" "$kdir")"
  [ -n "$module" ] && echo "module.$module=$module.ko" && echo "module.$module.debug=$module.ko.debug" \
    && echo "module.$module.source=$(basename "$src")"
  echo "console=console.log"
  echo "facts=facts.properties"
  echo "qemu=$(qemu-system-x86_64 --version | head -1)"
  [[ ,$outputs, == *,kdump,* ]] && echo "makedumpfile=$("$DUMPS_HOME/in-trixie.sh" makedumpfile -v 2>&1 | head -1)"
  echo "script=$SCRIPT_VERSION"
} > "$out/dump.properties"
python3 "$DUMPS_HOME/facts.py" "$console" "$cpus" > "$out/facts.properties" || fail "facts.py could not read the console"
mark check-facts

if [ "$refs" != - ]; then
  "$DUMPS_HOME/refs.sh" "$out" "$refs" || fail "references failed"
  mark refs
  for r in ${refs//,/ }; do
    case $r in crash) echo "refs.crash=refs/crash-8.0.6" ;; drgn) echo "refs.drgn=refs/drgn-0.0.31" ;;
                crash802proc) echo "refs.crash802proc=refs/crash-8.0.2-proc.txt" ;; esac
  done >> "$out/dump.properties"
fi
mapfile -t all < <(cd "$out" && find . -type f ! -name STAMP ! -name make.log | sed 's|^\./||' | sort)
stamp_write "$out" "$recipe" "${all[@]}"
mark stamp
say "$id/$kind: made in $(( $(date +%s) - started )) s: ${files[*]} ($(du -sh "$out" | cut -f1))"
