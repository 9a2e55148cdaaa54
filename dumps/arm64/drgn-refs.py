#!/usr/bin/env python3
"""drgn's view of an arm64 dump, written right after the dump was made (same boot, same KASLR).

    drgn-refs.py VMCORE VMLINUX MODULE.ko REFSDIR

REFSDIR/ps.txt       every task: PID PPID CPU TASK ST COMM (idle tasks of every CPU included)
REFSDIR/bt.txt       the crashed thread: pid, comm, cpu; its frames; the registers of frame #0
REFSDIR/dmesg.txt    the kernel log
REFSDIR/modules.txt  NAME BASE SIZE per loaded module (core layout)
REFSDIR/prstatus.txt CPU by CPU (file order), the registers of each NT_PRSTATUS note (ELF dumps)
REFSDIR/facts.txt    KEY VALUE lines: kernel offset, crashed pid/cpu, pc, lr, sp of the crashed thread
REFSDIR/stack.txt    ADDR WORD: every 64-bit word of the crashed task's stack (task->stack, THREAD_SIZE)
REFSDIR/irqstack-N.txt  ADDR WORD: every word of CPU N's IRQ stack (irq_stack_ptr)
REFSDIR/vtop.txt     VADDR PADDR: follow_phys() through init_mm (drgn >= 0.0.25; absent before)
REFSDIR/vqbug.txt    KEY VALUE: the vqbug module's queue (vqb_queue and its vqb_vring_virtqueue members)
REFSDIR/meminfo.txt  KEY VALUE: totalram pages, free pages (vm_zone_stat[NR_FREE_PAGES])
Written for drgn 0.0.22 (Debian 12's python3-drgn); works with newer drgn too.
"""
import os
import sys

import drgn
from drgn import Program, cast
from drgn.helpers.linux.cpumask import for_each_possible_cpu
from drgn.helpers.linux.list import list_for_each_entry
from drgn.helpers.linux.percpu import per_cpu
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.printk import get_dmesg

vmcore, vmlinux, module, refs = sys.argv[1:5]
os.makedirs(refs, exist_ok=True)


def with_virtual_segments(path):
    """QEMU's ELF (dump-guest-memory without paging) has physical addresses only, and drgn (0.0.22
    and 0.0.31) cannot then find swapper_pg_dir on arm64 ("recursive address translation"). Returns
    a temporary copy whose program headers also map the RAM at the linear map and the kernel image
    at its KASLR address, both from the dump's own VMCOREINFO, as /proc/vmcore's headers do; the
    memory itself is copied unchanged. Returns path itself when it already has kernel addresses."""
    import struct
    import tempfile
    with open(path, "rb") as f:
        ehdr = f.read(64)
        if ehdr[:4] != b"\x7fELF":
            return path  # a kdump file: drgn finds its way through it
        phoff, = struct.unpack_from("<Q", ehdr, 32)
        phnum, = struct.unpack_from("<H", ehdr, 56)
        f.seek(phoff)
        phdrs = [struct.unpack("<IIQQQQQQ", f.read(56)) for _ in range(phnum)]
        loads = [p for p in phdrs if p[0] == 1]
        if any(p[3] >= 1 << 63 for p in loads):
            return path
        info = {}
        for p in phdrs:
            if p[0] != 4:
                continue
            f.seek(p[2])
            notes = f.read(p[5])
            off = 0
            while off + 12 <= len(notes):
                namesz, descsz, _ = struct.unpack_from("<III", notes, off)
                name = notes[off + 12:off + 12 + namesz].rstrip(b"\0")
                doff = off + 12 + (namesz + 3 & ~3)
                if name == b"VMCOREINFO":
                    for line in notes[doff:doff + descsz].decode(errors="replace").splitlines():
                        if "=" in line:
                            k, v = line.split("=", 1)
                            info[k] = v
                off = doff + (descsz + 3 & ~3)
        kv = int(info["NUMBER(kimage_voffset)"], 16)
        phys_offset = int(info["NUMBER(PHYS_OFFSET)"], 16)
        va_bits = int(info["NUMBER(VA_BITS)"])
        page_offset = (-(1 << va_bits)) & (1 << 64) - 1
        text = int(info["SYMBOL(_stext)"], 16) & ~0x1fffff  # _text: 2 MiB aligned, below _stext
        extra = []
        for p in loads:
            _, flags, off, _, paddr, filesz, memsz, align = p
            extra.append((1, flags, off, page_offset + paddr - phys_offset, paddr, filesz, memsz, align))
            if paddr <= text - kv < paddr + filesz:
                skip = text - kv - paddr
                extra.append((1, flags, off + skip, text, paddr + skip, filesz - skip, filesz - skip, align))
        out = tempfile.NamedTemporaryFile(prefix="drgn-view-", suffix=".elf", delete=False)
        new = phdrs + extra
        shift = 64 + 56 * len(new) - phoff  # the new header is longer: every file offset moves
        shift = (shift + 4095) & ~4095
        ehdr = bytearray(ehdr)
        struct.pack_into("<Q", ehdr, 32, 64)
        struct.pack_into("<H", ehdr, 56, len(new))
        struct.pack_into("<Q", ehdr, 40, 0)  # no section headers
        struct.pack_into("<H", ehdr, 60, 0)
        out.write(bytes(ehdr))
        for p in new:
            out.write(struct.pack("<IIQQQQQQ", p[0], p[1], p[2] + shift, *p[3:]))
        out.write(b"\0" * (shift + phoff - out.tell()))
        f.seek(phoff)  # the rest of the file as it was (notes and memory)
        while True:
            chunk = f.read(1 << 24)
            if not chunk:
                break
            out.write(chunk)
        out.close()
        return out.name


def prstatus_notes(path):
    """(pr_pid, [x0..x30, sp, pc, pstate]) of every NT_PRSTATUS note, in file order (= CPU order)."""
    import struct
    result = []
    with open(path, "rb") as f:
        ehdr = f.read(64)
        if ehdr[:4] != b"\x7fELF":
            return result
        phoff, = struct.unpack_from("<Q", ehdr, 32)
        phnum, = struct.unpack_from("<H", ehdr, 56)
        f.seek(phoff)
        phdrs = [struct.unpack("<IIQQQQQQ", f.read(56)) for _ in range(phnum)]
        for p in phdrs:
            if p[0] != 4:
                continue
            f.seek(p[2])
            notes = f.read(p[5])
            off = 0
            while off + 12 <= len(notes):
                namesz, descsz, ntype = struct.unpack_from("<III", notes, off)
                name = notes[off + 12:off + 12 + namesz].rstrip(b"\0")
                doff = off + 12 + (namesz + 3 & ~3)
                if name == b"CORE" and ntype == 1:
                    pid, = struct.unpack_from("<i", notes, doff + 32)
                    regs = struct.unpack_from("<34Q", notes, doff + 112)
                    result.append((pid, regs))
                off = doff + (descsz + 3 & ~3)
    return result


prstatus = []
for cpu, (pid, regs) in enumerate(prstatus_notes(vmcore)):
    prstatus.append("cpu %d pr_pid %d" % (cpu, pid))
    names = ["x%d" % i for i in range(31)] + ["sp", "pc", "pstate"]
    prstatus.extend("  %s %016x" % (n, v) for n, v in zip(names, regs))

view = with_virtual_segments(vmcore)
prog = Program()
prog.set_core_dump(view)
if view != vmcore:
    os.unlink(view)  # drgn holds it open
try:
    prog.load_debug_info([vmlinux, module])
except drgn.MissingDebugInfoError as e:
    # only debuginfo for the modules we do not have (qemu_fw_cfg, virtio...) may be missing
    print("drgn: " + str(e).splitlines()[0], file=sys.stderr)


def write(name, lines):
    with open(os.path.join(refs, name), "w") as f:
        for line in lines:
            f.write(line + "\n")


def state(task):
    # crash's single-letter states for the common cases
    st = task.__state.value_() if hasattr(task, "__state") else task.state.value_()
    exit_state = task.exit_state.value_()
    if exit_state & 0x10:
        return "ZO"
    if exit_state & 0x20:
        return "DE"
    if st == 0:
        return "RU"
    if st & 0x402 == 0x402:
        return "ID"
    if st & 1:
        return "IN"
    if st & 2:
        return "UN"
    if st & 4:
        return "ST"
    if st & 8:
        return "TR"
    return hex(st)


def task_cpu(task):
    return task.cpu.value_() if hasattr(task, "cpu") else task.thread_info.cpu.value_()


rows = []
for cpu in for_each_possible_cpu(prog):
    idle = per_cpu(prog["runqueues"], cpu).idle
    rows.append((0, 0, cpu, idle))
for task in for_each_task(prog):
    rows.append((task.pid.value_(), task.real_parent.pid.value_(), task_cpu(task), task))
write("ps.txt", ["PID PPID CPU TASK ST COMM"] + [
    "%d %d %d %x %s %s" % (pid, ppid, cpu, t.value_(), state(t), t.comm.string_().decode())
    for pid, ppid, cpu, t in rows])

# the task that panicked: the one running on panic_cpu (drgn 0.0.22's crashed_thread() takes the
# first CPU note's, which on arm64 is CPU 0's whichever CPU panicked)
panic_cpu = prog["panic_cpu"].counter.value_()
task = per_cpu(prog["runqueues"], panic_cpu).curr
trace = prog.stack_trace(task)
lines = ["crashed thread: pid %d comm %s cpu %d" % (task.pid.value_(), task.comm.string_().decode(), panic_cpu)]
if view != vmcore:
    # drgn matches a running task to a CPU note through the note's pid, which QEMU sets to the
    # vCPU's number: what follows is the task's saved context, not where the CPU stopped
    lines.append("(QEMU ELF: drgn unwinds from the task's switch_to context, not from the CPU's registers)")
for i, frame in enumerate(trace):
    name = frame.name or "?"
    try:
        src = "%s:%d" % frame.source()[:2]
    except LookupError:
        src = ""
    try:
        pc = frame.pc
    except LookupError:  # drgn 0.0.31: a frame without a known pc ends what it can say
        lines.append("#%-2d ? %s %s" % (i, name, src))
        break
    lines.append("#%-2d %016x %s %s" % (i, pc, name, src))
regs = trace[0].registers()
lines.append("registers of #0:")
try:
    lines.append("pc %016x" % trace[0].pc)
except LookupError:
    lines.append("pc ?")
for k in sorted(regs, key=lambda r: (len(r), r)):
    lines.append("%s %016x" % (k, regs[k]))
write("bt.txt", lines)

write("prstatus.txt", prstatus)
write("dmesg.txt", get_dmesg(prog).decode(errors="replace").splitlines())

mods = []
for mod in list_for_each_entry("struct module", prog["modules"].address_of_(), "list"):
    layout = mod.core_layout
    mods.append("%s %x %d" % (mod.name.string_().decode(), layout.base.value_(), layout.size.value_()))
write("modules.txt", mods)

def pc_of(frame):
    try:
        return "%x" % frame.pc
    except LookupError:
        return "?"


facts = ["crashed_pid %d" % task.pid.value_(),
         "crashed_cpu %d" % panic_cpu,
         "crashed_comm %s" % task.comm.string_().decode(),
         "crashed_task %x" % task.value_(),
         "pc %s" % pc_of(trace[0]),
         "sp %x" % regs.get("sp", 0),
         "x30 %x" % regs.get("x30", 0),
         "kimage_voffset %x" % prog["kimage_voffset"].value_()]
write("facts.txt", facts)


# --- raw stack words, for bt -f (THREAD_SIZE: 16 KiB with 4 KiB pages, no KASAN)
THREAD_SIZE = 16384


def words(base, size):
    data = prog.read(base, size)
    return ["%x %016x" % (base + i, int.from_bytes(data[i:i + 8], "little")) for i in range(0, size, 8)]


write("stack.txt", words(task.stack.value_(), THREAD_SIZE))
for cpu in for_each_possible_cpu(prog):
    try:
        irq = per_cpu(prog["irq_stack_ptr"], cpu).value_()
        write("irqstack-%d.txt" % cpu, words(irq, THREAD_SIZE))
    except drgn.FaultError:
        pass

# --- page-table walks drgn does itself (follow_phys is newer than 0.0.22)
try:
    from drgn.helpers.linux.mm import follow_phys
    init_mm = prog["init_mm"].address_of_()
    targets = [prog.symbol("jiffies_64").address, task.value_(), task.stack.value_()]
    try:
        targets.append(prog["vqb_queue"].value_())
        targets.append(prog.symbol("vqb_queue").address)
    except (KeyError, LookupError):
        pass
    write("vtop.txt", ["%x %x" % (v, follow_phys(init_mm, v).value_()) for v in targets])
except ImportError:
    pass

# --- the vqbug module's queue, as its own types say
try:
    from drgn import container_of
    q = prog["vqb_queue"]
    vvq = container_of(q, "struct vqb_vring_virtqueue", "vq")
    write("vqbug.txt", ["vqb_queue %x" % q.value_(), "vqb_total_sg %d" % prog["vqb_total_sg"].value_(),
                        "vring.num %d" % vvq.vring.num.value_(), "indirect %s" % str(bool(vvq.indirect)).lower(),
                        "event %s" % str(bool(vvq.event)).lower(), "broken %s" % str(bool(vvq.broken)).lower(),
                        "free_head %d" % vvq.free_head.value_(), "num_added %d" % vvq.num_added.value_(),
                        "last_used_idx %d" % vvq.last_used_idx.value_(), "vq.num_free %d" % vvq.vq.num_free.value_(),
                        "vq.name %s" % vvq.vq.name.string_().decode(),
                        "sizeof %d" % drgn.sizeof(prog.type("struct vqb_vring_virtqueue"))])
except (KeyError, LookupError) as e:
    print("drgn: no vqbug queue: %s" % e, file=sys.stderr)

# --- memory counters (kmem -i)
free = prog["vm_zone_stat"][prog["NR_FREE_PAGES"]].counter.value_()
total = prog["_totalram_pages"].counter.value_()
write("meminfo.txt", ["totalram_pages %d" % total, "free_pages %d" % free])
