package org.kdive.cmd.process.commands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.kernel.KernelTasks;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.api.util.Hex;
import org.kdive.cmd.process.access.Columns;
import org.kdive.cmd.process.access.Layout;
import org.kdive.cmd.process.access.Tasks;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * crash's `ipcs`: the System V shared memory segments, semaphore arrays and message queues of an
 * IPC namespace (the one of pid 0, or of -n's task), found in ipc_namespace.ids[] through each
 * ipc_ids' IDR (an XArray on the kernels read here).
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=ipcs")
public final class IpcsCommand implements Command {
    private static final int SEM = 0;
    private static final int MSG = 1;
    private static final int SHM = 2;
    private static final long SHM_DEST = 01000;
    private static final long SHM_LOCKED = 02000;
    /** More IPC objects than IPCMNI allows: a corrupt tree. */
    private static final int MAX_IDS = 1 << 24;

    static final String SHM_HEADER = Columns.left("SHMID_KERNEL", 16) + " " + Columns.left("KEY", 8) + " " + Columns.left("SHMID", 10) + " "
            + Columns.left("UID", 5) + " " + Columns.left("PERMS", 5) + " " + Columns.left("BYTES", 10) + " " + Columns.left("NATTCH", 6) + " "
            + Columns.left("STATUS", 6) + "\n";
    static final String SEM_HEADER = Columns.left("SEM_ARRAY", 16) + " " + Columns.left("KEY", 8) + " " + Columns.left("SEMID", 10) + " "
            + Columns.left("UID", 5) + " " + Columns.left("PERMS", 5) + " " + Columns.left("NSEMS", 10) + "\n";
    static final String MSG_HEADER = Columns.left("MSG_QUEUE", 16) + " " + Columns.left("KEY", 8) + " " + Columns.left("MSQID", 10) + " "
            + Columns.left("UID", 5) + " " + Columns.left("PERMS", 5) + " " + Columns.left("USED-BYTES", 12) + " " + Columns.left("MESSAGES", 12) + "\n";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile KernelTasks tasks;

    public IpcsCommand() {
    }

    public IpcsCommand(KernelTasks tasks) {
        this.tasks = tasks;
    }

    @Override public String name() { return "ipcs"; }

    @Override public String description() { return "System V IPC facilities"; }

    @Override
    public String usage() {
        return """
                ipcs - System V IPC facilities
                ipcs [-smMq] [-n pid|task] [id | addr]
                  The System V IPC objects of an IPC namespace (default: the one of PID 0).
                    -s           semaphore arrays
                    -m           shared memory segments
                    -M           shared memory segments with their pages allocated, resident and
                                 swapped, and their inode
                    -q           message queues
                    -n pid|task  the IPC namespace of that task
                    id | addr    only the object with that IPC id or kernel address
                  Without -s, -m, -M or -q: all three kinds.
                """;
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Args a = Args.parse(args, Set.of("s", "m", "M", "q"), Set.of("n"));
        Session s = context.session();
        Layout k = Layout.of(s);
        Tasks t = new Tasks(tasks, s);
        TaskInfo task;
        if (a.has("n")) {
            task = t.resolve(a.value("n")).map(x -> x.tasks().get(0))
                    .orElseThrow(() -> new CommandException("invalid task or pid value: " + a.value("n"), CommandException.NOT_FOUND));
        } else {
            task = t.all().stream().filter(x -> x.pid() == 0).findFirst().orElseThrow(() -> new CommandException("no pid 0"));
        }
        boolean shm = a.has("m") || a.has("M");
        boolean sem = a.has("s");
        boolean msg = a.has("q");
        boolean verbose = a.has("M");
        if (!shm && !sem && !msg) shm = sem = msg = true;
        List<Long> values = new ArrayList<>();
        for (String w : a.positional()) values.add(number(w));
        long ns = k.pointer(k.pointer(task.task(), "task_struct", "nsproxy"), "nsproxy", "ipc_ns");
        long ids = ns + k.requireOffset("ipc_namespace", "ids");
        long idsSize = k.size("ipc_ids");
        StringBuilder sb = new StringBuilder();
        Map<String, Object> data = new LinkedHashMap<>();
        List<Object> shmRows = new ArrayList<>();
        List<Object> semRows = new ArrayList<>();
        List<Object> msgRows = new ArrayList<>();
        Ipc ipc = new Ipc(k, context);
        if (values.isEmpty()) {
            if (shm) listShm(sb, ipc, ids + SHM * idsSize, verbose, -1, false, shmRows);
            if (sem) listOther(sb, ipc, ids + SEM * idsSize, SEM, -1, false, semRows);
            if (msg) listOther(sb, ipc, ids + MSG * idsSize, MSG, -1, false, msgRows);
        } else {
            for (int i = 0; i < values.size(); i++) {
                boolean found = false;
                if (shm) found |= listShm(sb, ipc, ids + SHM * idsSize, verbose, values.get(i), true, shmRows);
                if (sem) found |= listOther(sb, ipc, ids + SEM * idsSize, SEM, values.get(i), true, semRows);
                if (msg) found |= listOther(sb, ipc, ids + MSG * idsSize, MSG, values.get(i), true, msgRows);
                if (!found) sb.append("invalid id or address: ").append(a.positional().get(i)).append("\n\n");
            }
        }
        if (shm) data.put("shared_memory", shmRows);
        if (sem) data.put("semaphore_arrays", semRows);
        if (msg) data.put("message_queues", msgRows);
        return Result.of(sb.toString(), data);
    }

    /** crash's stol: decimal when it reads as one, else hexadecimal. */
    private static long number(String w) {
        if (w.matches("\\d{1,19}")) return Long.parseLong(w);
        String h = w.startsWith("0x") || w.startsWith("0X") ? w.substring(2) : w;
        if (h.matches("[0-9a-fA-F]{1,16}")) return Long.parseUnsignedLong(h, 16);
        throw new CommandException("not a valid number: " + w, CommandException.USAGE);
    }

    private static boolean listShm(StringBuilder sb, Ipc ipc, long idsAddr, boolean verbose, long value, boolean specified, List<Object> rows) {
        Layout k = ipc.k;
        if (!verbose && !specified) sb.append(SHM_HEADER);
        List<Long> perms = ipc.objects(idsAddr);
        boolean found = false;
        if (perms == null) {
            if (!specified) sb.append(verbose ? SHM_HEADER : "").append("(none allocated)\n\n");
            return false;
        }
        for (long perm : perms) {
            long shp = perm - k.requireOffset("shmid_kernel", "shm_perm");
            if (deleted(k, perm)) continue;
            int key = (int) k.u32(perm + k.requireOffset("kern_ipc_perm", "key"));
            int id = (int) k.u32(perm + k.requireOffset("kern_ipc_perm", "id"));
            if (specified && id != value && shp != value) continue;
            long uid = k.u32(perm + k.requireOffset("kern_ipc_perm", "uid"));
            long mode = k.u32(perm + k.requireOffset("kern_ipc_perm", "mode"));
            long bytes = k.pointer(shp, "shmid_kernel", "shm_segsz");
            long nattch = k.pointer(shp, "shmid_kernel", "shm_nattch");
            if (verbose || specified) sb.append(SHM_HEADER);
            sb.append(Columns.left(Long.toHexString(shp), 16)).append(' ').append(String.format("%08x %-10d %-5d %-5o %-10d %-6d %s %s",
                    key, id, uid, mode & 0777, bytes, nattch, (mode & SHM_DEST) != 0 ? "dest" : "", (mode & SHM_LOCKED) != 0 ? "locked" : ""))
                    .append('\n');
            Map<String, Object> r = row(shp, key, id, uid, mode);
            r.put("bytes", bytes);
            r.put("nattch", nattch);
            r.put("dest", (mode & SHM_DEST) != 0);
            r.put("locked", (mode & SHM_LOCKED) != 0);
            if (verbose) {
                long file = k.pointer(shp, "shmid_kernel", "shm_file");
                long inode = k.pointer(k.u64(file + k.requireOffset("file", "f_path.dentry")), "dentry", "d_inode");
                long nrpages = k.pointer(k.pointer(inode, "inode", "i_mapping"), "address_space", "nrpages");
                long swapped = k.hasMember("shmem_inode_info", "swapped")
                        ? k.pointer(inode - k.requireOffset("shmem_inode_info", "vfs_inode"), "shmem_inode_info", "swapped") : 0;
                long page = k.pageSize();
                sb.append("PAGES ALLOCATED/RESIDENT/SWAPPED: ").append((bytes + page - 1) / page).append('/').append(nrpages).append('/')
                        .append(swapped).append('\n');
                sb.append("INODE: ").append(Long.toHexString(inode)).append('\n');
                r.put("pages_allocated", (bytes + page - 1) / page);
                r.put("pages_resident", nrpages);
                r.put("pages_swapped", swapped);
                r.put("inode", Hex.json(inode));
            }
            if (verbose || specified) sb.append('\n');
            rows.add(r);
            found = true;
            if (specified) break;
        }
        // crash: an IDR in use ends the list with a blank line, whether anything was printed or not
        if (!specified && !verbose) sb.append('\n');
        return found;
    }

    private static boolean listOther(StringBuilder sb, Ipc ipc, long idsAddr, int kind, long value, boolean specified, List<Object> rows) {
        Layout k = ipc.k;
        String header = kind == SEM ? SEM_HEADER : MSG_HEADER;
        if (!specified) sb.append(header);
        boolean found = false;
        List<Long> perms = ipc.objects(idsAddr);
        if (perms == null) {
            if (!specified) sb.append("(none allocated)\n\n");
            return false;
        }
        for (long perm : perms) {
            if (deleted(k, perm)) continue;
            long obj = perm - k.requireOffset(kind == SEM ? "sem_array" : "msg_queue", kind == SEM ? "sem_perm" : "q_perm");
            int key = (int) k.u32(perm + k.requireOffset("kern_ipc_perm", "key"));
            int id = (int) k.u32(perm + k.requireOffset("kern_ipc_perm", "id"));
            if (specified && id != value && obj != value) continue;
            long uid = k.u32(perm + k.requireOffset("kern_ipc_perm", "uid"));
            long mode = k.u32(perm + k.requireOffset("kern_ipc_perm", "mode"));
            if (specified) sb.append(header);
            Map<String, Object> r = row(obj, key, id, uid, mode);
            sb.append(Columns.left(Long.toHexString(obj), 16)).append(' ').append(String.format("%08x %-10d %-5d %-5o ", key, id, uid, mode & 0777));
            if (kind == SEM) {
                long nsems = k.read(obj, "sem_array", "sem_nsems");
                sb.append(String.format("%-10d", nsems));
                r.put("nsems", nsems);
            } else {
                long bytes = k.pointer(obj, "msg_queue", "q_cbytes");
                long qnum = k.pointer(obj, "msg_queue", "q_qnum");
                sb.append(String.format("%-12d %-12d", bytes, qnum));
                r.put("used_bytes", bytes);
                r.put("messages", qnum);
            }
            sb.append('\n');
            if (specified) sb.append('\n');
            rows.add(r);
            found = true;
            if (specified) break;
        }
        if (!specified) sb.append('\n');
        return found;
    }

    private static boolean deleted(Layout k, long perm) {
        return k.memory().u8(perm + k.requireOffset("kern_ipc_perm", "deleted")) != 0;
    }

    private static Map<String, Object> row(long addr, int key, int id, long uid, long mode) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("address", Hex.json(addr));
        r.put("key", key & 0xffffffffL);
        r.put("id", id);
        r.put("uid", uid);
        r.put("perms", mode & 0777);
        return r;
    }

    /** The kern_ipc_perm pointers an ipc_ids holds (its IDR's XArray, in index order). */
    private static final class Ipc {
        final Layout k;
        final CommandContext ctx;

        Ipc(Layout k, CommandContext ctx) {
            this.k = k;
            this.ctx = ctx;
        }

        List<Long> objects(long ids) {
            List<Long> out = new ArrayList<>();
            long inUse = k.u32(ids + k.requireOffset("ipc_ids", "in_use"));
            if (inUse == 0) return null;
            long idr = ids + k.requireOffset("ipc_ids", "ipcs_idr");
            long rt = idr + k.requireOffset("idr", "idr_rt");
            String head = k.hasMember("xarray", "xa_head") ? "xa_head" : null;
            long root = head != null ? k.u64(rt + k.requireOffset("xarray", "xa_head"))
                    : k.u64(rt + k.requireOffset("radix_tree_root", "xa_head"));
            entries(root, out, 0);
            return out;
        }

        private void entries(long entry, List<Long> out, int depth) {
            if (entry == 0) return;
            if (depth > 16 || out.size() > MAX_IDS) throw new CommandException("the IDR tree is corrupt (too deep or too large)");
            if ((entry & 3) == 2 && Long.compareUnsigned(entry, 4096) > 0) {
                ctx.checkCancelled();
                long node = entry - 2;
                long slots = node + k.requireOffset("xa_node", "slots");
                long count = k.memberCount("xa_node", "slots");
                for (int i = 0; i < count; i++) entries(k.u64(slots + 8L * i), out, depth + 1);
            } else if ((entry & 3) == 0) {
                out.add(entry);
            }
        }
    }
}
