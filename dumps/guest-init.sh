#!/bin/sh
# /init of the guests make-one.sh boots (busybox). The kernel command line says what to do:
#   kdive.trigger=T   how to crash: sysrq | vqbug | null | warn | ... (see the case below)
#   kdive.kdump=1     arm kdump first: kexec -p this kernel with /initrd.gz as the capture kernel
#   kdivecapture      this is the capture kernel: copy /proc/vmcore to /dev/vda and power off
# Lines starting "kdive-" are read by make-one.sh from the serial console; "kdive-error:" fails the make.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
arg() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
fail() { echo "kdive-error: $*"; poweroff -f; sleep 30; }
modules() { for m in $(cat /modules.load); do insmod "/modules/$m.ko" 2>/dev/null; done; }

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
# QEMU's dump needs the guest's VMCOREINFO, which qemu_fw_cfg hands over when it probes
if [ -e /modules/qemu_fw_cfg.ko ]; then
  for _ in $(seq 1 50); do [ -d /sys/firmware/qemu_fw_cfg/by_key ] && break; sleep 0.1; done
  [ -d /sys/firmware/qemu_fw_cfg/by_key ] || fail "qemu_fw_cfg did not probe: QEMU's dump would have no VMCOREINFO"
fi
trigger=$(arg kdive.trigger)
# a task blocked in the kernel, for references of a sleeping task's backtrace
sleep 100000 &
echo "kdive-blocked-pid: $!"
if [ "$(arg kdive.kdump)" = 1 ]; then
  # the capture kernel is this same kernel with this same initramfs (/initrd.gz, its first part)
  kexec -p /vmlinuz --initrd=/initrd.gz \
    --append="console=ttyS0 irqpoll nr_cpus=1 reset_devices panic=1 kdivecapture $(grep -o no5lvl /proc/cmdline) quiet loglevel=7" \
    || { dmesg | grep -i -e crashkernel -e 'crash kernel' -e 'Memory:'; fail "kexec -p failed"; }
  [ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ] || fail "kexec -p: no capture kernel loaded"
  echo "kdive-kdump: capture kernel loaded"
fi
echo "kdive-trigger: $trigger"
case "$trigger" in
  sysrq) echo 1 > /proc/sys/kernel/sysrq; echo c > /proc/sysrq-trigger ;;
  vqbug) insmod /vqbug.ko || fail "insmod vqbug"; echo 1 > /sys/module/vqbug/parameters/trigger ;;
  null)  insmod /crashme.ko mode=1 ;;
  warn)  echo 1 > /proc/sys/kernel/panic_on_warn; insmod /crashme.ko mode=2 ;;
  # the panic kinds autopsy recognises (module panicker.c), each made a panic by its sysctl
  pagefault) insmod /panicker.ko mode=1 ;;
  gpf)   insmod /panicker.ko mode=2 ;;
  softlockup) echo 1 > /proc/sys/kernel/softlockup_panic; echo 1 > /proc/sys/kernel/watchdog_thresh
         insmod /panicker.ko mode=3 ;;
  hungtask) echo 1 > /proc/sys/kernel/hung_task_panic; insmod /panicker.ko mode=4
         echo 2 > /proc/sys/kernel/hung_task_timeout_secs; sleep 60 ;;
  panic) insmod /panicker.ko mode=5 ;;
  oom)   echo 1 > /proc/sys/vm/panic_on_oom; insmod /panicker.ko mode=6 ;;
  *)     fail "unknown trigger '$trigger'" ;;
esac
sleep 5
fail "trigger $trigger returned without a panic"
