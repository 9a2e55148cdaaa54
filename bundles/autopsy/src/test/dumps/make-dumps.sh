#!/usr/bin/env bash
# Makes small crash dumps of the corpus kernel (Debian 6.1.0-50-cloud-amd64, 6.1.176-1) for autopsy's
# tests: boots the kernel under QEMU with a busybox initramfs, triggers one kind of panic, and saves
# the guest's memory with QEMU's `dump-guest-memory -z` (kdump-compressed, zlib).
#
#   make-dumps.sh [OUTDIR [KIND...]]     OUTDIR default ~/.cache/kdive-corpus/extra
#   KIND: sysrq (echo c > /proc/sysrq-trigger), null (NULL dereference in module crashme),
#         warn (WARN_ON with panic_on_warn),
#         kdump (a real kdump capture: crashkernel=, kexec -p, sysrq c, the capture kernel saves
#                /proc/vmcore byte for byte)                                      default: all four
#
# Needs: apt-get install -y linux-image-6.1.0-50-cloud-amd64 linux-headers-6.1.0-50-cloud-amd64 \
#        qemu-system-x86 busybox-static gcc make cpio python3 kexec-tools makedumpfile crash
#        (crash, with the corpus vmlinux, only for OUTDIR/crash-kdump.txt; KDIVE_VMLINUX overrides its path)
# Also OUTDIR/vmcore-sysrq.qemu.elf (QEMU's ELF format, ~200 MiB, for format-elf's test).
# Writes OUTDIR/vmcore-KIND.flat (kdump-zlib in makedumpfile flattened form, as QEMU 7.2 writes it), OUTDIR/console-KIND.log and OUTDIR/crashme.ko (with DWARF).
# kdump writes OUTDIR/vmcore-kdump.proc (the ELF /proc/vmcore of the crashed kernel, as kdump saves it),
# OUTDIR/vmcore-kdump.kdump (makedumpfile -c -d 31 of it), OUTDIR/console-kdump.log (both kernels) and,
# when crash and the corpus vmlinux are there, OUTDIR/crash-kdump.txt (crash's view of the .proc file).
set -euo pipefail
KREL=6.1.0-50-cloud-amd64
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$HOME/.cache/kdive-corpus/extra}
shift || true
kinds=${*:-sysrq null warn kdump}
kernel=/boot/vmlinuz-$KREL
headers=/usr/src/linux-headers-$KREL
need=("$kernel" "$headers/Makefile" /bin/busybox)
case " $kinds " in *" kdump "*) need+=(/sbin/kexec /usr/bin/makedumpfile) ;; esac
for f in "${need[@]}"; do
  [ -e "$f" ] || { echo "missing $f: see the apt-get line at the top of $0" >&2; exit 1; }
done
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# the test module, built against the installed headers (same kernel as the corpus vmlinux)
# Built in a fixed folder: the path is in the DWARF and so in the build-id, which must stay the
# same when only some kinds are remade (dumps of other kinds hold the module's build-id).
mod="$out/.crashme-build"
rm -rf "$mod"
mkdir -p "$mod"
cp "$here/crashme.c" "$mod/"
echo 'obj-m := crashme.o' > "$mod/Makefile"
make -s -C "$headers" M="$mod" modules >/dev/null
cp "$mod/crashme.ko" "$here/crashme.c" "$out/"

# a busybox initramfs whose init triggers the panic named on the kernel command line
root="$work/root"
mkdir -p "$root"/{bin,proc,sys,dev}
cp /bin/busybox "$root/bin/busybox"
for a in sh mount echo insmod sleep cat grep seq stat dd sync poweroff; do ln -s busybox "$root/bin/$a"; done
cp "$mod/crashme.ko" "$root/crashme.ko"
# qemu_fw_cfg hands the guest's VMCOREINFO to QEMU's vmcoreinfo device (it lands in the dump)
cp /lib/modules/$KREL/kernel/drivers/firmware/qemu_fw_cfg.ko "$root/qemu_fw_cfg.ko"
# the kdump capture kernel writes /proc/vmcore to a virtio disk (modules in dependency order)
mkdir -p "$root/virtio"
for m in virtio/virtio virtio/virtio_ring virtio/virtio_pci_legacy_dev virtio/virtio_pci_modern_dev \
         virtio/virtio_pci block/virtio_blk; do
  cp /lib/modules/$KREL/kernel/drivers/$m.ko "$root/virtio/"
done
cat > "$root/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
if grep -q kdivecapture /proc/cmdline; then
  # the kdump capture kernel: save the crashed kernel's /proc/vmcore on /dev/vda, then power off
  mount -t devtmpfs devtmpfs /dev
  for m in virtio virtio_ring virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk; do
    insmod /virtio/$m.ko
  done
  for _ in $(seq 1 50); do [ -b /dev/vda ] && break; sleep 0.2; done
  size=$(stat -c %s /proc/vmcore)
  echo "kdump: saving /proc/vmcore ($size bytes)"
  dd if=/proc/vmcore of=/dev/vda bs=1M 2>&1
  sync
  echo "kdive-vmcore-size: $size"
  poweroff -f
fi
insmod /qemu_fw_cfg.ko
kind=$(cat /proc/cmdline | sed -n 's/.*crashkind=\([a-z]*\).*/\1/p')
echo "crashme: triggering $kind"
case "$kind" in
  sysrq) echo 1 > /proc/sys/kernel/sysrq; echo c > /proc/sysrq-trigger ;;
  kdump)
    # the capture kernel is this same kernel with this same initramfs (/initrd.gz, its first part)
    mount -t devtmpfs devtmpfs /dev
    /sbin/kexec -p /vmlinuz --initrd=/initrd.gz \
      --append="console=ttyS0 irqpoll nr_cpus=1 reset_devices panic=1 kdivecapture quiet loglevel=7" \
      && echo "kdump: capture kernel loaded" \
      && echo 1 > /proc/sys/kernel/sysrq && echo c > /proc/sysrq-trigger
    echo "kdump: kexec -p failed"; poweroff -f ;;
  null)  insmod /crashme.ko mode=1 ;;
  warn)  echo 1 > /proc/sys/kernel/panic_on_warn; insmod /crashme.ko mode=2 ;;
esac
sleep 1000
INIT
sed -i 's/sed -n/busybox sed -n/' "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$work/initrd.gz"

# kdump: the first kernel's initramfs is initrd.gz plus a second cpio archive (the kernel unpacks
# both) with kexec and its libraries, the kernel, and initrd.gz itself for the capture kernel
if [[ " $kinds " == *" kdump "* ]]; then
  extra="$work/kdump-extra"
  mkdir -p "$extra/sbin"
  cp /sbin/kexec "$extra/sbin/kexec"
  for lib in $(ldd /sbin/kexec | grep -o '/[^ ]*'); do
    mkdir -p "$extra$(dirname "$lib")"
    cp -L "$lib" "$extra$lib"
  done
  cp "$kernel" "$extra/vmlinuz"
  cp "$work/initrd.gz" "$extra/initrd.gz"
  (cd "$extra" && find . | cpio -o -H newc 2>/dev/null | gzip -1) | cat "$work/initrd.gz" - > "$work/initrd-kdump.gz"
fi

# A real kdump capture. Guest RAM and crashkernel= are chosen so /proc/vmcore stays near 200 MiB:
# (248 - 88) MiB of RAM outside the crash kernel's area + the kernel text segment (~40 MiB). The
# capture kernel ran out of memory while booting with 72M and worked with 80M: 88M leaves a margin.
kdump_capture() {
  local start log disk size
  start=$(date +%s)
  log="$out/console-kdump.log"
  disk="$work/vmcore.raw"
  rm -f "$log" "$out/vmcore-kdump.proc" "$out/vmcore-kdump.kdump" "$out/crash-kdump.txt"
  truncate -s 512M "$disk"
  timeout 180 qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -m 248 -smp 2 -display none -no-reboot \
    -kernel "$kernel" -initrd "$work/initrd-kdump.gz" \
    -append "console=ttyS0 crashkernel=${KDIVE_CRASHKERNEL:-88M} panic=1 oops=panic crashkind=kdump quiet loglevel=7" \
    -drive file="$disk",format=raw,if=virtio -serial "file:$log" || true
  size=$(sed -n 's/^kdive-vmcore-size: \([0-9]*\).*/\1/p' "$log" | tail -1)
  if [ -z "$size" ]; then
    echo "kdump: no vmcore saved (QEMU exited or was stopped after 180 s; see $log)" >&2
    return 0
  fi
  truncate -s "$size" "$disk"
  mv "$disk" "$out/vmcore-kdump.proc"
  echo "kdump: $out/vmcore-kdump.proc ($size bytes, $(( $(date +%s) - start )) s, $accel)"
  timeout 120 makedumpfile -c -d 31 "$out/vmcore-kdump.proc" "$out/vmcore-kdump.kdump" >"$work/makedumpfile.log" 2>&1 \
    || { cat "$work/makedumpfile.log" >&2; echo "kdump: makedumpfile failed" >&2; }
  [ -f "$out/vmcore-kdump.kdump" ] && echo "kdump: $out/vmcore-kdump.kdump ($(du -h "$out/vmcore-kdump.kdump" | cut -f1))"
  kdump_crash_reference
}

# crash 8.0.2's view of the capture, for format-elf's test. A capture is not reproducible (KASLR,
# timestamps, memory contents), so the reference is made anew from each capture: OUTDIR/crash-kdump.txt,
# each command as "crash> CMD" followed by its output.
kdump_crash_reference() {
  local vmcore="$out/vmcore-kdump.proc" ref="$out/crash-kdump.txt" vmlinux i
  vmlinux=${KDIVE_VMLINUX:-$out/../vqbug-6.1/vmlinux-$KREL}
  rm -f "$ref"
  if ! command -v crash >/dev/null || [ ! -f "$vmlinux" ]; then
    echo "kdump: $ref not made (needs crash and $vmlinux)" >&2
    return 0
  fi
  # the kernel text segment (virtual 0xffffffff8.......), the direct-map address of its first byte,
  # the end of the last RAM segment, and a hole (the crash kernel's own area is not in /proc/vmcore)
  local tv="" tp="" alias="" last="" hole="" type off va pa fs rest prev=0
  while read -r type off va pa fs rest; do
    [ "$type" = LOAD ] || continue
    if [[ $va == 0xffffffff* ]]; then tv=$va tp=$pa; continue; fi
    [ -n "$tp" ] && (( pa <= tp && tp < pa + fs )) && alias=$(printf 0x%x $(( va + tp - pa )))
    (( pa - prev >= 0x2000 )) && (( prev > 0 )) && hole=$(printf 0x%x $(( prev + 0x1000 )))
    prev=$(( pa + fs ))
    last=$(printf 0x%x $(( pa + fs - 32 )))
  done < <(readelf -lW "$vmcore")
  local cmds=("sys" "p/x phys_base" "help -n" "rd -64 init_uts_ns 8"
              "rd -p -64 $tp 4" "rd -64 $tv 4" "rd -64 $alias 4"
              "rd -p -64 $(printf 0x%x $((tp + 0x1000000))) 4" "rd -p -64 $last 4" "rd -p -64 $hole 2")
  mkdir -p "$work/crash"
  for i in "${!cmds[@]}"; do echo "${cmds[$i]} > $work/crash/$i.txt"; done > "$work/crash/input"
  echo quit >> "$work/crash/input"
  timeout 300 crash -s "$vmlinux" "$vmcore" < "$work/crash/input" > "$work/crash/log" 2>&1 \
    || { cat "$work/crash/log" >&2; echo "kdump: crash failed" >&2; return 0; }
  for i in "${!cmds[@]}"; do
    echo "crash> ${cmds[$i]}"
    cat "$work/crash/$i.txt"
  done > "$ref"
  echo "kdump: $ref"
}

# TCG by default: it boots this kernel to the panic in ~10 s; nested KVM hung in early boot here
accel=${KDIVE_QEMU_ACCEL:-tcg}
cpu=max
[ "$accel" = kvm ] && cpu=host
for kind in $kinds; do
  if [ "$kind" = kdump ]; then kdump_capture; continue; fi
  start=$(date +%s)
  dump="$out/vmcore-$kind.flat"  # QEMU 7.2 writes kdump-zlib as a makedumpfile flattened stream
  log="$out/console-$kind.log"
  rm -f "$dump" "$log"
  # panic=0: the guest stays in panic() (no reboot) so its memory can be saved
  qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -m 192 -smp 2 -display none -no-reboot -no-shutdown \
    -device vmcoreinfo -kernel "$kernel" -initrd "$work/initrd.gz" \
    -append "console=ttyS0 panic=0 oops=panic crashkind=$kind quiet loglevel=7" \
    -serial "file:$log" -monitor "unix:$work/mon-$kind.sock,server,nowait" &
  qemu=$!
  for _ in $(seq 1 600); do
    grep -q "end Kernel panic" "$log" 2>/dev/null && break
    kill -0 $qemu 2>/dev/null || break
    sleep 0.5
  done
  if ! grep -q "end Kernel panic" "$log" 2>/dev/null; then
    echo "$kind: no panic within 300 s (see $log)" >&2
    kill $qemu 2>/dev/null || true
    wait $qemu 2>/dev/null || true
    continue
  fi
  # the sysrq guest is also saved as QEMU's plain ELF (dump-guest-memory without -z): format-elf's test
  elf=""
  [ "$kind" = sysrq ] && elf="$out/vmcore-$kind.qemu.elf" && rm -f "$elf"
  python3 - "$work/mon-$kind.sock" "$dump" "$elf" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.settimeout(180)  # a stuck monitor fails the script instead of hanging it
s.connect(sys.argv[1])
def until(marker):
    buf = b""
    while marker not in buf:
        buf += s.recv(4096)
    return buf
until(b"(qemu)")
s.sendall(("dump-guest-memory -z " + sys.argv[2] + "\n").encode())
until(b"(qemu)")
if sys.argv[3]:
    s.sendall(("dump-guest-memory " + sys.argv[3] + "\n").encode())
    until(b"(qemu)")
s.sendall(b"quit\n")
time.sleep(0.5)
PY
  wait $qemu 2>/dev/null || true
  echo "$kind: $dump ($(du -h "$dump" | cut -f1), $(( $(date +%s) - start )) s, $accel)"
done
