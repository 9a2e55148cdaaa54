#!/usr/bin/env bash
# Makes small crash dumps of the corpus kernel (Debian 6.1.0-50-cloud-amd64, 6.1.176-1) for autopsy's
# tests: boots the kernel under QEMU with a busybox initramfs, triggers one kind of panic, and saves
# the guest's memory with QEMU's `dump-guest-memory -z` (kdump-compressed, zlib).
#
#   make-dumps.sh [OUTDIR [KIND...]]     OUTDIR default ~/.cache/kdive-corpus/extra
#   KIND: sysrq (echo c > /proc/sysrq-trigger), null (NULL dereference in module crashme),
#         warn (WARN_ON with panic_on_warn)                                       default: all three
#
# Needs: apt-get install -y linux-image-6.1.0-50-cloud-amd64 linux-headers-6.1.0-50-cloud-amd64 \
#        qemu-system-x86 busybox-static gcc make cpio python3
# Also OUTDIR/vmcore-sysrq.qemu.elf (QEMU's ELF format, ~200 MiB, for format-elf's test).
# Writes OUTDIR/vmcore-KIND.flat (kdump-zlib in makedumpfile flattened form, as QEMU 7.2 writes it), OUTDIR/console-KIND.log and OUTDIR/crashme.ko (with DWARF).
set -euo pipefail
KREL=6.1.0-50-cloud-amd64
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$HOME/.cache/kdive-corpus/extra}
shift || true
kinds=${*:-sysrq null warn}
kernel=/boot/vmlinuz-$KREL
headers=/usr/src/linux-headers-$KREL
for f in "$kernel" "$headers/Makefile" /bin/busybox; do
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
for a in sh mount echo insmod sleep cat; do ln -s busybox "$root/bin/$a"; done
cp "$mod/crashme.ko" "$root/crashme.ko"
# qemu_fw_cfg hands the guest's VMCOREINFO to QEMU's vmcoreinfo device (it lands in the dump)
cp /lib/modules/$KREL/kernel/drivers/firmware/qemu_fw_cfg.ko "$root/qemu_fw_cfg.ko"
cat > "$root/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
insmod /qemu_fw_cfg.ko
kind=$(cat /proc/cmdline | sed -n 's/.*crashkind=\([a-z]*\).*/\1/p')
echo "crashme: triggering $kind"
case "$kind" in
  sysrq) echo 1 > /proc/sys/kernel/sysrq; echo c > /proc/sysrq-trigger ;;
  null)  insmod /crashme.ko mode=1 ;;
  warn)  echo 1 > /proc/sys/kernel/panic_on_warn; insmod /crashme.ko mode=2 ;;
esac
sleep 1000
INIT
sed -i 's/sed -n/busybox sed -n/' "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$work/initrd.gz"

# TCG by default: it boots this kernel to the panic in ~10 s; nested KVM hung in early boot here
accel=${KDIVE_QEMU_ACCEL:-tcg}
cpu=max
[ "$accel" = kvm ] && cpu=host
for kind in $kinds; do
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
