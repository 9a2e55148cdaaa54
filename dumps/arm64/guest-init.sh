#!/bin/sh
# /init of the arm64 guests make-arm64-dumps.sh boots (busybox). The kernel command line says what to do:
#   kdive.trigger=T   sysrq | vqbug | serial-break (the host sends a serial BREAK and 'c': sysrq-c in the
#                     PL011's interrupt handler, on the IRQ stack) | overflow (stackover.ko overflows
#                     the kernel stack on load: a panic on the overflow stack)
#   kdive.kdump=1     arm kdump first: kexec -p this kernel with /initrd.gz as the capture kernel
#   kdivecapture      this is the capture kernel: copy /proc/vmcore to /dev/vda and power off
# Lines starting "kdive-" are read by the maker from the serial console; "kdive-error:" fails the make.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
arg() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
fail() { echo "kdive-error: $*"; poweroff -f; sleep 30; }
modules() { for m in $(cat /modules.load); do insmod "/modules/$m.ko" || fail "insmod $m"; done; }

if grep -q kdivecapture /proc/cmdline; then
  modules
  for _ in $(seq 1 50); do [ -b /dev/vda ] && break; sleep 0.2; done
  [ -b /dev/vda ] || fail "capture kernel: no /dev/vda"
  size=$(stat -c %s /proc/vmcore) || fail "capture kernel: no /proc/vmcore"
  echo "kdive-capture: saving /proc/vmcore ($size bytes)"
  dd if=/proc/vmcore of=/dev/vda bs=1M 2>&1 || fail "capture kernel: dd of /proc/vmcore failed"
  sync
  echo "kdive-vmcore-size: $size"
  poweroff -f
  sleep 30
fi

modules
insmod /vqbug.ko || fail "insmod vqbug"
trigger=$(arg kdive.trigger)
# a task blocked in the kernel, for references of a sleeping task's backtrace
sleep 100000 &
echo "kdive-blocked-pid: $!"
if [ "$(arg kdive.kdump)" = 1 ]; then
  # kexec-tools 2.0.25 finds the linear map's base and the kernel text's segment from _text in
  # /proc/kallsyms, which 6.1 on arm64 does not list (it starts at _stext = _text + 0x10000, _text
  # being 2 MiB aligned): without it the ELF header of /proc/vmcore is garbage. Add the line.
  text=$(sed -n 's/^\([0-9a-f]*\)10000 T _stext$/\100000 T _text/p' /proc/kallsyms)
  [ -n "$text" ] || fail "no _stext at a 2 MiB boundary + 0x10000 in /proc/kallsyms"
  { echo "$text"; cat /proc/kallsyms; } > /kallsyms
  mount -o bind /kallsyms /proc/kallsyms || fail "bind mount of /proc/kallsyms"
  # the capture kernel is this same kernel with this same initramfs (/initrd.gz, its first part)
  kexec -p /vmlinuz --initrd=/initrd.gz \
    --append="console=ttyAMA0 cma=0 nr_cpus=1 reset_devices panic=1 kdivecapture loglevel=7" \
    || fail "kexec -p failed"
  [ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ] || fail "kexec -p: no capture kernel loaded"
  echo "kdive-kdump: capture kernel loaded"
fi
echo "kdive-trigger: $trigger"
case "$trigger" in
  sysrq) echo 1 > /proc/sys/kernel/sysrq; echo c > /proc/sysrq-trigger ;;
  vqbug) echo 1 > /sys/module/vqbug/parameters/trigger ;;
  overflow) insmod /stackover.ko ;;
  serial-break)
    echo 1 > /proc/sys/kernel/sysrq
    echo "kdive-break-now"
    sleep 60 ;;
  *)     fail "unknown trigger '$trigger'" ;;
esac
sleep 5
fail "trigger $trigger returned without a panic"
