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
  # eBPF programs and maps loaded and pinned in a bpffs (bpfload.c), for crash's bpf command
  bpf)   mkdir -p /sys/fs/bpf; mount -t bpf bpf /sys/fs/bpf || fail "mount bpffs"
         /bpfload || fail "bpfload"; echo 1 > /proc/sys/kernel/sysrq; echo c > /proc/sysrq-trigger ;;
  # a busy machine (busy.c): CPU burners in nested cgroup2 CPU groups (a/b, a/c) and a sibling (d)
  # on every CPU, RT tasks on the last CPU (SCHED_FIFO 10 running; two SCHED_RR 5 and a SCHED_FIFO 2
  # queued behind it, RT throttling off so it stays so; PREEMPT_RT: two SCHED_RR 1), sockets of several
  # families held by two tasks
  # and busybox nc; init stays on CPU 0. The kdive-busy-* lines name them (refs.sh, the tests)
  busy)  ip link set lo up || fail "ip link set lo up"
         echo 1 > /proc/sys/kernel/kptr_restrict  # /proc/net/* show the real struct sock (%pK, root)
         ncpu=$(grep -c ^processor /proc/cpuinfo); last=$((ncpu - 1))
         taskset -p 1 $$ > /dev/null || fail "taskset init"
         /busy sockets & sleep 0.5
         nc -l -p 7074 & echo "kdive-busy-nc-pid: $!"
         mount -t cgroup2 none /sys/fs/cgroup || fail "mount cgroup2"
         echo +cpu > /sys/fs/cgroup/cgroup.subtree_control || fail "cgroup2: no cpu controller"
         mkdir -p /sys/fs/cgroup/a /sys/fs/cgroup/d && echo +cpu > /sys/fs/cgroup/a/cgroup.subtree_control \
           && mkdir /sys/fs/cgroup/a/b /sys/fs/cgroup/a/c || fail "cgroup2 groups"
         echo 200 > /sys/fs/cgroup/d/cpu.weight
         /busy spin cfs-ab0 0 /sys/fs/cgroup/a/b &
         for cpu in $(seq 1 $last); do
           /busy spin "cfs-ab$cpu" "$cpu" /sys/fs/cgroup/a/b & /busy spin "cfs-ac$cpu" "$cpu" /sys/fs/cgroup/a/c &
           /busy spin "cfs-d$cpu" "$cpu" /sys/fs/cgroup/d &
         done
         # every burner in its group before the RT tasks take the last CPU: on PREEMPT_RT its rcuc
         # thread (SCHED_FIFO 1) then never runs, RCU grace periods stop and a cgroup join hangs
         busy_ready() { for _ in $(seq 1 150); do [ -f /busy.ready ] && [ "$(wc -l < /busy.ready)" -ge "$1" ] && return 0
           sleep 0.1; done; fail "busy: only $(tr '\n' ' ' < /busy.ready 2>/dev/null) in place"; }
         busy_ready $((1 + 3 * last))
         echo -1 > /proc/sys/kernel/sched_rt_runtime_us
         if uname -v | grep -q PREEMPT_RT; then
           # PREEMPT_RT runs timers and RCU callbacks in SCHED_FIFO 1 threads (ktimers/N, rcuc/N): an RT
           # task above them stops the kernel within seconds, so here two SCHED_RR 1 that take turns with them
           /busy rt rr 1 rt-rr1a $last & /busy rt rr 1 rt-rr1b $last & busy_ready $((3 + 3 * last))
         else
           /busy rt fifo 10 rt-fifo10 $last & busy_ready $((2 + 3 * last))
           /busy rt rr 5 rt-rr5a $last & /busy rt rr 5 rt-rr5b $last & /busy rt fifo 2 rt-fifo2 $last &
           busy_ready $((5 + 3 * last))
         fi
         sleep 1
         echo "kdive-busy-tasks:$(for p in /proc/[0-9]*; do c=$(cat "$p/comm" 2>/dev/null)
           case $c in cfs-*|rt-*|sockets*|nc) printf ' %s:%s' "${p#/proc/}" "$c" ;; esac; done)"
         # the TCP listener's struct sock (net -s -R), shared by busy.c's two tasks
         awk '$2 == "0100007F:1B9E" && $4 == "0A" {print "kdive-busy-sock: " $12}' /proc/net/tcp
         echo 1 > /proc/sys/kernel/sysrq; echo c > /proc/sysrq-trigger ;;
  *)     fail "unknown trigger '$trigger'" ;;
esac
sleep 5
fail "trigger $trigger returned without a panic"
