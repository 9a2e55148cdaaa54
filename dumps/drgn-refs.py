"""drgn 0.0.31's view of a made dump, written by refs.sh into refs/drgn-0.0.31/ (run inside
in-trixie.sh: drgn -c DUMP -s VMLINUX ... drgn-refs.py OUTDIR BLOCKED_PID). The truth where crash
is wrong or fails:
  ps.txt            every task: PID PPID CPU TASK ST COMM (as the corpus' refs/drgn/ps.txt)
  bt.txt            the crashed thread's stack (drgn's own format)
  bt-frames.txt     the same frames: index, stack pointer, pc, function
  blocked.txt       the blocked `sleep` task's stack, blocked-frames.txt its frames
  dmesg.txt         the kernel log
  cpus.txt          online / possible / present CPU lists and counts (cpu_online_mask)
  kernel.txt        release, 5-level paging, task count
  rss.txt           every task's resident set in kB (the truth for ps RSS, see the end)
  vars.txt          addresses crash-commands.txt needs (PANIC_TASK, RIP, VQB_QUEUE, ...)
"""
import os
import sys

from drgn import TypeKind
from drgn.helpers.linux.percpu import percpu_counter_sum
from drgn.helpers.linux.cpumask import for_each_online_cpu, for_each_possible_cpu, for_each_present_cpu
from drgn.helpers.linux.pid import find_task, for_each_task
from drgn.helpers.linux.printk import get_dmesg
from drgn.helpers.linux.sched import task_cpu, task_state_to_char

out, blocked_pid = sys.argv[1], int(sys.argv[2])
os.makedirs(out, exist_ok=True)


def write(name, text):
    with open(os.path.join(out, name), "w") as f:
        f.write(text if text.endswith("\n") else text + "\n")


def comm(task):
    return task.comm.string_().decode(errors="replace")


def frames(trace):
    rows = []
    for i, frame in enumerate(trace):
        name = frame.name or "?"
        rows.append("#%d sp %016x pc %016x %s" % (i, frame.sp, frame.pc, name))
    return "\n".join(rows)


rows = ["PID PPID CPU TASK ST COMM"]
tasks = list(for_each_task(prog))
for t in tasks:
    rows.append("%d %d %d %x %s %s" % (t.pid.value_(), t.real_parent.pid.value_(), task_cpu(t), t.value_(),
                                       task_state_to_char(t), comm(t)))
write("ps.txt", "\n".join(rows))

thread = prog.crashed_thread()
task = thread.object
trace = thread.stack_trace()
write("bt.txt", "crashed thread: pid %d comm %s cpu %d\n%s" % (thread.tid, comm(task), task_cpu(task), trace))
write("bt-frames.txt", frames(trace))

blocked = find_task(prog, blocked_pid)
if not blocked:
    sys.exit("drgn-refs.py: no task with pid %d (the guest's blocked sleep)" % blocked_pid)
btrace = prog.stack_trace(blocked)
write("blocked.txt", "pid %d comm %s state %s\n%s" % (blocked_pid, comm(blocked), task_state_to_char(blocked), btrace))
write("blocked-frames.txt", frames(btrace))

write("dmesg.txt", get_dmesg(prog).decode(errors="replace"))


def cpulist(cpus):
    return ",".join(str(c) for c in cpus)


online, possible, present = list(for_each_online_cpu(prog)), list(for_each_possible_cpu(prog)), list(for_each_present_cpu(prog))
write("cpus.txt", "online %s\nonline_count %d\npossible %s\npossible_count %d\npresent %s\npresent_count %d"
      % (cpulist(online), len(online), cpulist(possible), len(possible), cpulist(present), len(present)))

try:
    l5 = prog["__pgtable_l5_enabled"].value_()
except KeyError:  # kernels built without CONFIG_X86_5LEVEL (Debian 11's cloud kernel)
    l5 = 0
write("kernel.txt", "release %s\npgtable_l5_enabled %d\ntasks %d"
      % (prog["init_uts_ns"].name.release.string_().decode(), l5, len(tasks)))

# addresses crash-commands.txt needs, from this dump (refs.sh fills {VAR} with them)
trace0 = trace[0]
variables = {"PANIC_PID": thread.tid, "PANIC_TASK": "%x" % task.value_(), "RIP": "%x" % trace0.pc}
try:
    variables["VQB_QUEUE"] = "0x%x" % prog["vqb_queue"].value_()
except KeyError:  # no vqbug module in this dump
    pass
write("vars.txt", "\n".join("%s=%s" % kv for kv in variables.items()))


# resident pages of every task with an mm: MM_FILEPAGES + MM_ANONPAGES + MM_SHMEMPAGES, summed as
# the kernel does: per-CPU counters on 6.2+ (percpu_counter_sum), atomics before. crash 8.0.6 reads
# 6.2+ counters without their per-CPU parts (its ps RSS is then wrong): this is the truth for ps.
def rss_pages(mm):
    members = [prog.constant(n).value_() for n in ("MM_FILEPAGES", "MM_ANONPAGES", "MM_SHMEMPAGES")]
    stat = mm.rss_stat
    if stat.type_.kind == TypeKind.ARRAY:
        return sum(percpu_counter_sum(stat[i]) for i in members)
    return sum(stat.count[i].counter.value_() for i in members)


rows = ["PID RSS_KB"]
page_kb = prog["PAGE_SIZE"].value_() // 1024 if "PAGE_SIZE" in prog else 4
for t in tasks:
    if t.mm:
        rows.append("%d %d" % (t.pid.value_(), rss_pages(t.mm) * page_kb))
write("rss.txt", "\n".join(rows))
