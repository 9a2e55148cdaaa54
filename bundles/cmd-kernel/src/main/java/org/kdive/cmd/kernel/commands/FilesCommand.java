package org.kdive.cmd.kernel.commands;

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
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.api.util.Hex;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.access.XArray;
import org.kdive.cmd.kernel.mem.PageMap;
import org.kdive.cmd.kernel.tasks.TaskTable;
import org.kdive.cmd.kernel.vfs.OpenFiles;
import org.kdive.cmd.kernel.vfs.OpenFiles.OpenFile;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** crash's `files`: a task's root and working directory and its open files with their paths. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=files")
public class FilesCommand implements Command {
    /** crash's column heads: FILE, DENTRY and INODE centred over 16 hex digits. */
    static final String HEADER = " FD       FILE            DENTRY           INODE       TYPE PATH";

    @Override public String name() { return "files"; }

    @Override public String description() { return "open files of a task"; }

    @Override
    public String usage() {
        return "files - open files\n"
                + "files [-d dentry] | [-p inode] | [-c] [-R reference] [pid | task] ...\n"
                + "  the root and current directory and every open file descriptor of the tasks (default:\n"
                + "  the current context task): FD, struct file, dentry, inode, type and path\n"
                + "  -c            instead of file and dentry: the inode's i_mapping and its page count (NRPAGES)\n"
                + "  -R reference  only the files that name it: an fd number, a file/dentry/inode address,\n"
                + "                a TYPE, or part of a path (the task's header shows only when something matches)\n"
                + "  -d dentry     that dentry: its inode, super block, type and path\n"
                + "  -p inode      that inode's page cache: NRPAGES and each page as kmem -p shows it\n";
    }

    static final String NRPAGES_HEADER = " FD      INODE          I_MAPPING     NRPAGES TYPE PATH";
    static final String DENTRY_HEADER = "     DENTRY           INODE           SUPERBLK     TYPE PATH";

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Args a = Args.parse(args, Set.of("c"), Set.of("d", "p", "R"));
        Session s = context.session();
        Kernel k = Kernel.of(s);
        if (a.has("d")) return dentry(k, TaskTable.of(s), Hex.parseAddress(a.value("d")));
        if (a.has("p")) return pageCache(context, k, Hex.parseAddress(a.value("p")));
        TaskTable table = TaskTable.of(s);
        OpenFiles reader = new OpenFiles(k);
        Shown shown = new Shown(k, a.has("c"), a.value("R"));
        if (a.positional().isEmpty()) {
            TaskInfo t = TaskTable.context(s).orElseThrow(() -> new CommandException("files: no task found"));
            shown.task(reader, t, false);
            return Result.of(shown.sb.toString(), Map.of("tasks", shown.data));
        }
        boolean subsequent = false;
        for (String arg : a.positional()) {
            List<TaskInfo> tasks;
            try {
                tasks = table.resolve(arg);
            } catch (CommandException e) {
                context.warn("files: " + e.getMessage());
                subsequent = true;
                continue;
            }
            // crash: a pid ends each of its tasks with a blank line, a task address does not
            boolean byPid = arg.matches("\\d+") && tasks.get(0).pid() == Long.parseLong(arg);
            for (TaskInfo t : tasks) {
                shown.task(reader, t, subsequent);
                if (byPid) shown.sb.append('\n');
            }
            subsequent = true;
        }
        return Result.of(shown.sb.toString(), Map.of("tasks", shown.data));
    }

    /** What files prints for each task, with -c's columns or -R's filter. */
    private static final class Shown {
        final StringBuilder sb = new StringBuilder();
        final List<Object> data = new ArrayList<>();
        final Kernel k;
        final boolean nrpages;
        final String ref;

        Shown(Kernel k, boolean nrpages, String ref) {
            this.k = k;
            this.nrpages = nrpages;
            this.ref = ref;
        }

        void task(OpenFiles reader, TaskInfo t, boolean newline) {
            if (ref != null) {
                referenced(reader, t);
                return;
            }
            if (newline) sb.append('\n');
            sb.append(PsCommand.header(t)).append('\n');
            Map<String, Object> d = taskData(t);
            String[] rootCwd = reader.rootAndCwd(t.task());
            if (rootCwd != null) {
                sb.append("ROOT: ").append(rootCwd[0]).append("    CWD: ").append(rootCwd[1]).append('\n');
                d.put("root", rootCwd[0]);
                d.put("cwd", rootCwd[1]);
            }
            List<OpenFile> files = reader.files(t.task());
            List<Object> rows = new ArrayList<>();
            if (files.isEmpty()) {
                sb.append("No open files\n");
            } else {
                sb.append(nrpages ? NRPAGES_HEADER : HEADER).append('\n');
                for (OpenFile f : files) {
                    sb.append(nrpages ? nrpagesLine(k, f) : line(f)).append('\n');
                    rows.add(fileData(k, f, nrpages));
                }
            }
            d.put("files", rows);
            data.add(d);
        }

        /** -R: the task shows only if its root, cwd or a file matches; then only those lines. */
        private void referenced(OpenFiles reader, TaskInfo t) {
            boolean shownHeader = false;
            boolean fileHeader = false;
            Map<String, Object> d = taskData(t);
            List<Object> rows = new ArrayList<>();
            String[] rootCwd = reader.rootAndCwd(t.task());
            String rootPwd = rootCwd == null ? "" : "ROOT: " + rootCwd[0] + "    CWD: " + rootCwd[1] + " \n";
            if (rootCwd != null && (component(rootCwd[0], ref) || component(rootCwd[1], ref))) {
                sb.append(PsCommand.header(t)).append('\n').append(rootPwd);
                shownHeader = true;
                d.put("root", rootCwd[0]);
                d.put("cwd", rootCwd[1]);
            }
            List<OpenFile> files = reader.files(t.task());
            long maxFds = files.isEmpty() ? 0 : maxFds(t.task());
            for (OpenFile f : files) {
                String l = nrpages ? nrpagesLine(k, f) : line(f);
                if (!matches(l, f, maxFds)) continue;
                if (!shownHeader) {
                    sb.append(PsCommand.header(t)).append('\n').append(rootPwd);
                    shownHeader = true;
                }
                if (!fileHeader) sb.append(nrpages ? NRPAGES_HEADER : HEADER).append('\n');
                fileHeader = true;
                sb.append(l).append('\n');
                rows.add(fileData(k, f, nrpages));
            }
            if (shownHeader) {
                sb.append('\n');
                d.put("files", rows);
                data.add(d);
            }
        }

        private long maxFds(long task) {
            try {
                long files = k.u64(task + k.requireOffset("task_struct", "files"));
                long fdt = k.u64(files + k.requireOffset("files_struct", "fdt"));
                return k.u32(fdt + k.requireOffset("fdtable", "max_fds"));
            } catch (RuntimeException e) {
                return 0;
            }
        }

        /** crash's open_file_reference: the fd, an address column, the TYPE, or part of the path. */
        private boolean matches(String line, OpenFile f, long maxFds) {
            String[] w = line.trim().split("\\s+");
            if (w.length < 5) return false;
            if (ref.matches("(0x)?[0-9a-fA-F]+")) {
                boolean hexOnly = ref.startsWith("0x") || !ref.matches("\\d+");
                long hex = Long.parseUnsignedLong(ref.startsWith("0x") ? ref.substring(2) : ref, 16);
                if (!hexOnly && Long.parseLong(ref) <= maxFds) {
                    if (f.fd() == Long.parseLong(ref)) return true;
                } else if (f.fd() == hex) {
                    return true;
                }
                for (int i = 1; i < 4; i++) {
                    if (!w[i].equals("?") && w[i].matches("[0-9a-f]+") && Long.parseUnsignedLong(w[i], 16) == hex) return true;
                }
            }
            if (ref.equals(w[4])) return true;
            return w.length == 6 && component(w[5], ref);
        }
    }

    /** crash's FILENAME_COMPONENT: "/" matches only "/", anything else a substring of the path. */
    private static boolean component(String path, String c) {
        return (path.equals("/") && c.equals("/")) || (!c.equals("/") && path.contains(c));
    }

    private static Map<String, Object> taskData(TaskInfo t) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("pid", t.pid());
        d.put("task", org.kdive.api.util.Hex.json(t.task()));
        d.put("comm", t.comm());
        return d;
    }

    private static Map<String, Object> fileData(Kernel k, OpenFile f, boolean nrpages) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("fd", f.fd());
        r.put("file", org.kdive.api.util.Hex.json(f.file()));
        r.put("dentry", org.kdive.api.util.Hex.json(f.dentry()));
        r.put("inode", org.kdive.api.util.Hex.json(f.inode()));
        if (nrpages) {
            long[] pc = f.pageCache(k);
            r.put("i_mapping", org.kdive.api.util.Hex.json(pc[0]));
            r.put("nrpages", pc[1]);
        }
        r.put("type", f.type());
        r.put("path", f.path());
        return r;
    }

    /** -c's line: inode, its i_mapping and the mapping's page count instead of file and dentry. */
    static String nrpagesLine(Kernel k, OpenFile f) {
        long[] pc = f.pageCache(k);
        return String.format("%3d %16x %16x %7d %-4s %s", f.fd(), f.inode(), pc[0], pc[1], f.type(), f.path());
    }

    /** -d: a dentry's inode, super block, type and path (the path through pid 1's mount that holds its super block). */
    private static Result dentry(Kernel k, TaskTable table, long dentry) {
        long inode = k.u64(dentry + k.requireOffset("dentry", "d_inode"));
        long sb = inode != 0 ? k.u64(inode + k.requireOffset("inode", "i_sb")) : k.u64(dentry + k.requireOffset("dentry", "d_sb"));
        OpenFiles files = new OpenFiles(k);
        String path = "";
        if (sb != 0) {
            long vfsmount = 0;
            TaskInfo init = table.byPid(1).stream().findFirst().orElse(null);
            if (init != null) {
                for (org.kdive.cmd.kernel.vfs.Mounts.MountInfo m : new org.kdive.cmd.kernel.vfs.Mounts(k).of(init.task())) {
                    if (m.superBlock() == sb) vfsmount = m.mount() + k.requireOffset("mount", "mnt");
                }
            }
            path = files.paths().of(dentry, vfsmount);
        }
        String type = inode != 0 ? String.format("%-4s", files.typeOf(inode)) : "N/A";
        StringBuilder out = new StringBuilder(DENTRY_HEADER).append('\n');
        out.append(String.format("%16x %16x %16x %s %s%n", dentry, inode, sb, type, path));
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("dentry", Hex.json(dentry));
        d.put("inode", Hex.json(inode));
        d.put("superblock", Hex.json(sb));
        d.put("type", inode != 0 ? files.typeOf(inode) : null);
        d.put("path", path);
        return Result.of(out.toString(), d);
    }

    /** -p: an inode's page cache, NRPAGES then every page of its mapping's XArray in kmem -p's layout. */
    private static Result pageCache(CommandContext context, Kernel k, long inode) {
        long mapping = k.u64(inode + k.requireOffset("inode", "i_mapping"));
        long nrpages = k.u64(mapping + k.requireOffset("address_space", "nrpages"));
        return Result.stream("pages", out -> {
            out.text("     INODE        NRPAGES\n" + String.format("%16x  %7d%n%n", inode, nrpages));
            if (nrpages == 0) return Map.of("inode", Hex.json(inode), "nrpages", nrpages);
            PageMap pm = new PageMap(k);
            XArray x = XArray.ofRoot(k, mapping + k.requireOffset("address_space", "i_pages"));
            boolean header = false;
            long count = 0;
            for (XArray.Entry e : x.entries()) {
                context.checkCancelled();
                if (!pm.isPage(e.value())) continue;
                if (!header) out.text(pm.header() + "\n");
                header = true;
                Map<String, Object> r = PageMap.record();
                out.text(pm.line(e.value(), r) + "\n");
                out.record(r);
                count++;
            }
            if (count != nrpages) out.error("count", String.format("files: xarray page count: %d  nrpages: %d%n", count, nrpages));
            return Map.of("inode", Hex.json(inode), "nrpages", nrpages);
        });
    }

    /** One descriptor in crash's columns; a file without dentry or inode shows zeros and "?". */
    static String line(OpenFile f) {
        if (f.dentry() == 0) return String.format("%3d %16x %016x        ?         ?    ?", f.fd(), f.file(), 0L);
        if (f.inode() == 0) return String.format("%3d %16x %16x %016x ?    ?", f.fd(), f.file(), f.dentry(), 0L);
        return String.format("%3d %16x %16x %16x %-4s %s", f.fd(), f.file(), f.dentry(), f.inode(), f.type(), f.path());
    }
}
