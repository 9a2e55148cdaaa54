package org.kdive.cmd.symbols.user;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.kdive.api.KdiveException;
import org.kdive.api.command.CommandException;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.kernel.KernelTasks;
import org.kdive.api.kernel.MapleTree;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Type;
import org.kdive.cmd.symbols.types.OffsetLayout;

/**
 * A process's user address space, as crash reads it ("UVADDR"): its own page table
 * ({@code mm->pgd}, walked by the architecture), its VMAs (the {@code mm->mmap} list before Linux
 * 6.1, the maple tree {@code mm->mm_mt} since) and the files they map. Kernel threads have none.
 */
public final class UserSpace {
    /** crash's message when the context is a kernel thread. */
    public static final String NO_USER_SPACE = "current context has no user address space";
    private static final int MAX_VMAS = 1 << 20;

    private final Session s;
    private final TaskInfo task;
    private final long mm;
    private final long pgdPhys;

    private UserSpace(Session s, TaskInfo task, long mm, long pgdPhys) {
        this.s = s;
        this.task = task;
        this.mm = mm;
        this.pgdPhys = pgdPhys;
    }

    /** The current context's user space (crash's current task: the panic task, or the one `set` chose). */
    public static UserSpace current(Session s, KernelTasks tasks) {
        Optional<TaskInfo> t = tasks == null ? Optional.empty() : tasks.currentTask(s);
        if (t.isEmpty()) throw new CommandException("no current task (the task list is not available)");
        return of(s, t.get()).orElseThrow(() -> new CommandException(NO_USER_SPACE));
    }

    /** The task's user space, empty for a kernel thread (no mm). */
    public static Optional<UserSpace> of(Session s, TaskInfo task) {
        long mm = mm(s, task.task());
        if (mm == 0) return Optional.empty();
        long pgd;
        try {
            pgd = s.memory().toPhysical(s.memory().u64(mm + off(s, "mm_struct", "pgd")));
        } catch (KdiveException e) {
            throw new CommandException(String.format("mm_struct %x of pid %d: its page table is unreadable (%s)", mm, task.pid(), e.getMessage()));
        }
        return Optional.of(new UserSpace(s, task, mm, pgd));
    }

    /** task_struct.mm of a task, 0 for kernel threads. */
    public static long mm(Session s, long task) {
        try {
            return s.memory().u64(task + off(s, "task_struct", "mm"));
        } catch (KdiveException e) {
            throw new CommandException("invalid task or pid value: " + Long.toHexString(task) + " (" + e.getMessage() + ")");
        }
    }

    public TaskInfo task() { return task; }

    public long mm() { return mm; }

    /** Physical address of the process's top-level page table. */
    public long pgdPhys() { return pgdPhys; }

    /**
     * Reads user memory, page by page through the process's page table; the crash-style reason when
     * it cannot ("invalid user virtual address: …", "page excluded: user virtual address: …").
     */
    public void read(long vaddr, byte[] dst, String type) {
        int done = 0;
        while (done < dst.length) {
            long va = vaddr + done;
            int n = (int) Math.min(dst.length - done, 4096 - (va & 4095));
            long pa;
            try {
                pa = s.arch().toPhysical(pgdPhys, va);
            } catch (KdiveException e) {
                throw new MemoryAccessException(va, false, MemoryAccessException.Reason.UNMAPPED,
                        "invalid user virtual address: " + Long.toHexString(va) + "  type: \"" + type + "\"");
            }
            try {
                s.dump().memory().read(pa, dst, done, n);
            } catch (MemoryAccessException e) {
                String why = e.reason() == MemoryAccessException.Reason.EXCLUDED ? "page excluded: user virtual address: " : "invalid user virtual address: ";
                throw new MemoryAccessException(va, false, e.reason(), why + Long.toHexString(va) + "  type: \"" + type + "\"");
            }
            done += n;
        }
    }

    /** The VMA containing {@code vaddr}, if any. */
    public Optional<Vma> vma(long vaddr) {
        long vmaAddr = hasMember(s, "mm_struct", "mmap") ? fromList(vaddr) : fromMapleTree(vaddr);
        if (vmaAddr == 0) return Optional.empty();
        Vma v = vmaAt(vmaAddr);
        return Long.compareUnsigned(v.start(), vaddr) <= 0 && Long.compareUnsigned(vaddr, v.end()) < 0 ? Optional.of(v) : Optional.empty();
    }

    /** The lowest VMA's start (crash's search -u start), or -1 without VMAs. */
    public long firstVmaStart() {
        if (hasMember(s, "mm_struct", "mmap")) {
            long first = s.memory().u64(mm + off(s, "mm_struct", "mmap"));
            return first == 0 ? -1 : vmaAt(first).start();
        }
        long v = MapleTree.of(s).first(mm + off(s, "mm_struct", "mm_mt"));
        return v == 0 ? -1 : vmaAt(v).start();
    }

    private long fromList(long vaddr) {
        long next = off(s, "vm_area_struct", "vm_next");
        long v = s.memory().u64(mm + off(s, "mm_struct", "mmap"));
        for (int n = 0; v != 0 && n < MAX_VMAS; n++) {
            Vma x = vmaAt(v);
            if (Long.compareUnsigned(vaddr, x.end()) < 0) return v;
            v = s.memory().u64(v + next);
        }
        return 0;
    }

    private long fromMapleTree(long vaddr) {
        return MapleTree.of(s).find(mm + off(s, "mm_struct", "mm_mt"), vaddr);
    }

    /** One VMA: its address, range, flags and the path of the file it maps (null for anonymous memory). */
    public record Vma(long address, long start, long end, long flags, String file) {
    }

    Vma vmaAt(long vma) {
        long start = s.memory().u64(vma + off(s, "vm_area_struct", "vm_start"));
        long end = s.memory().u64(vma + off(s, "vm_area_struct", "vm_end"));
        long flags = s.memory().u64(vma + off(s, "vm_area_struct", "vm_flags"));
        long file = s.memory().u64(vma + off(s, "vm_area_struct", "vm_file"));
        String path = null;
        if (file != 0) {
            long pathOff = off(s, "file", "f_path");
            long dentry = s.memory().u64(file + pathOff + off(s, "path", "dentry"));
            long mnt = s.memory().u64(file + pathOff + off(s, "path", "mnt"));
            path = dentry == 0 ? "" : path(dentry, mnt);
        }
        return new Vma(vma, start, end, flags, path);
    }

    /** crash's get_pathname: names up through d_parent, crossing mounts at their roots. */
    private String path(long dentry, long vfsmount) {
        StringBuilder path = new StringBuilder();
        long d = dentry;
        long mnt = vfsmount;
        long mountToVfs = off(s, "mount", "mnt");
        for (int n = 0; n < 4096; n++) {
            long parent = s.memory().u64(d + off(s, "dentry", "d_parent"));
            if (parent == d) {
                if (mnt == 0) break;
                long mount = mnt - mountToVfs;
                long parentMount = s.memory().u64(mount + off(s, "mount", "mnt_parent"));
                if (parentMount == mount) break;
                d = s.memory().u64(mount + off(s, "mount", "mnt_mountpoint"));
                mnt = parentMount + mountToVfs;
                continue;
            }
            path.insert(0, "/" + name(d));
            d = parent;
        }
        return path.length() == 0 ? "/" : path.toString();
    }

    private String name(long dentry) {
        long qstr = dentry + off(s, "dentry", "d_name");
        long nameAddr = s.memory().u64(qstr + off(s, "qstr", "name"));
        byte[] b = s.memory().cString(nameAddr, 256).getBytes(StandardCharsets.UTF_8);
        return new String(b, StandardCharsets.UTF_8);
    }

    static long off(Session s, String struct, String member) {
        Type t = s.symbols().type("struct " + struct).orElseThrow(() -> new CommandException("struct " + struct + " is not known (no vmlinux debuginfo?)"));
        Member m = OffsetLayout.findMember(t, member).orElseThrow(() -> new CommandException("struct " + struct + " has no member " + member));
        return m.offset();
    }

    /** Whether the struct has the member, also inside an anonymous struct (5.10's mm_struct keeps mmap in one). */
    static boolean hasMember(Session s, String struct, String member) {
        return s.symbols().type("struct " + struct).flatMap(t -> OffsetLayout.findMember(t, member)).isPresent();
    }
}
