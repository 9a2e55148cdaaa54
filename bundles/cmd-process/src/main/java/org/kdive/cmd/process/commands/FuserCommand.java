package org.kdive.cmd.process.commands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.kdive.cmd.process.access.PathNames;
import org.kdive.cmd.process.access.Tasks;
import org.kdive.cmd.process.mm.AddressSpaces;
import org.kdive.cmd.process.mm.Vma;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * crash's `fuser`: the tasks using a path name or an inode/dentry/file address, as their root or
 * working directory ("root", "cwd"), an open file ("fd") or a mapping ("mmap"). crash finds them by
 * searching the lines of `foreach files -i` and `foreach vm -i` for the word; this does the same
 * search on the same lines (a match is the word's first occurrence in a line, ending at a blank or
 * the line's end), so it answers what crash answers.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=fuser")
public final class FuserCommand implements Command {
    static final String HEADER = " PID   " + Columns.center("TASK", 16, false) + "  COMM             USAGE\n";
    /** sysctl_nr_open's ceiling; bounds the descriptor bitmap walk over corrupt tables. */
    private static final long MAX_FDS = 1L << 24;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile KernelTasks tasks;

    public FuserCommand() {
    }

    public FuserCommand(KernelTasks tasks) {
        this.tasks = tasks;
    }

    @Override public String name() { return "fuser"; }

    @Override public String description() { return "file users"; }

    @Override
    public String usage() {
        return """
                fuser - file users
                fuser [pathname | inode]
                  The tasks that use a file: by its full path name, or by the hexadecimal address of its
                  inode (or dentry, or struct file). USAGE says how: root and cwd (the task's root or
                  working directory), fd (an open file descriptor), mmap (a mapped file).
                """;
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        if (args.isEmpty()) throw new CommandException("Usage: fuser [pathname | inode]", CommandException.USAGE);
        Session s = context.session();
        Layout k = Layout.of(s);
        long kernelBase = s.arch().addressSpace(s).kernelBase();
        List<String> specs = new ArrayList<>();
        for (String a : args) {
            String w = a.startsWith("0x") || a.startsWith("0X") ? a.substring(2) : a;
            boolean addr = w.matches("[0-9a-fA-F]{1,16}") && Long.compareUnsigned(Long.parseUnsignedLong(w, 16), kernelBase) >= 0;
            if (!addr && !a.startsWith("/")) throw new CommandException("invalid argument: " + a, CommandException.USAGE);
            specs.add(a.startsWith("0x") && w.matches("[0-9a-fA-F]+") ? w : a);
        }
        Tasks t = new Tasks(tasks, s);
        return Result.stream("users", out -> {
            Lines lines = new Lines(k, context);
            List<TaskLines> all = new ArrayList<>();
            for (TaskInfo ti : t.all()) {
                context.checkCancelled();
                all.add(lines.of(ti));
            }
            for (String spec : specs) {
                boolean header = false;
                for (TaskLines tl : all) {
                    String uses = uses(tl, spec);
                    if (uses.isEmpty()) continue;
                    if (!header) {
                        out.text(HEADER);
                        header = true;
                    }
                    out.text(row(tl.task, uses));
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("file", spec);
                    r.put("pid", tl.task.pid());
                    r.put("task", Hex.json(tl.task.task()));
                    r.put("comm", tl.task.comm());
                    r.put("usage", List.of(uses.trim().split(" ")));
                    out.record(r);
                }
                if (!header) out.text("No users of " + spec + " found\n");
            }
            return null;
        });
    }

    /** crash's show_fuser: PID, TASK right-aligned, COMM cut to 16 characters of '"comm"'. */
    static String row(TaskInfo t, String uses) {
        String quoted = "\"" + t.comm() + "\"\n";
        char[] c = (quoted.length() > 16 ? quoted.substring(0, 16) : quoted).toCharArray();
        char[] comm = new char[16];
        System.arraycopy(c, 0, comm, 0, c.length);
        for (int i = c.length - 1; i < 16; i++) comm[i] = ' ';
        return String.format("%5s  %s  %s %s%n", Integer.toString(t.pid()), Columns.right(Long.toHexString(t.task()), 16), new String(comm), uses)
                .replace("\r\n", "\n");
    }

    /** The search crash's cmd_fuser makes over one task's lines. */
    static String uses(TaskLines tl, String spec) {
        StringBuilder uses = new StringBuilder();
        int len = spec.length();
        if (tl.rootCwd != null) {
            int at = tl.rootCwd.indexOf(spec);
            if (at >= 0 && ends(tl.rootCwd, at + len)) {
                if (tl.rootCwd.indexOf("CWD:", at) >= 0) {
                    uses.append("root ");
                    int next = tl.rootCwd.indexOf(spec, at + len);
                    if (next >= 0 && ends(tl.rootCwd, next + len)) uses.append("cwd ");
                } else {
                    uses.append("cwd ");
                }
            }
        }
        if (tl.fds.stream().anyMatch(l -> firstMatch(l, spec))) uses.append("fd ");
        if (tl.vmas.stream().anyMatch(l -> firstMatch(l, spec))) uses.append("mmap ");
        return uses.toString();
    }

    private static boolean firstMatch(String line, String spec) {
        int at = line.indexOf(spec);
        return at >= 0 && ends(line, at + spec.length());
    }

    private static boolean ends(String line, int i) {
        return i >= line.length() || line.charAt(i) == ' ' || line.charAt(i) == '\n';
    }

    /** One task's lines of `files -i` (root/cwd with inodes, descriptors) and `vm -i` (VMAs with inodes). */
    record TaskLines(TaskInfo task, String rootCwd, List<String> fds, List<String> vmas) {
    }

    private static final class Lines {
        private final Layout k;
        private final PathNames paths;
        private final AddressSpaces spaces;

        Lines(Layout k, CommandContext ctx) {
            this.k = k;
            this.paths = new PathNames(k);
            this.spaces = new AddressSpaces(k, ctx::checkCancelled);
        }

        TaskLines of(TaskInfo t) {
            String rootCwd = null;
            List<String> fds = new ArrayList<>();
            List<String> vmas = new ArrayList<>();
            try {
                rootCwd = rootCwd(t.task());
            } catch (RuntimeException e) {
                rootCwd = null;
            }
            try {
                fds(t.task(), fds);
            } catch (RuntimeException e) {
                // an unreadable descriptor table: what was read stays
            }
            if (t.mm() != 0) {
                try {
                    spaces.each(t.mm(), a -> vmas.add(vmaLine(spaces.read(a))));
                } catch (RuntimeException e) {
                    // an unreadable VMA tree: what was read stays
                }
            }
            return new TaskLines(t, rootCwd, fds, vmas);
        }

        private String rootCwd(long task) {
            long fs = k.pointer(task, "task_struct", "fs");
            if (fs == 0) return null;
            long root = fs + k.requireOffset("fs_struct", "root");
            long pwd = fs + k.requireOffset("fs_struct", "pwd");
            long rootDentry = k.u64(root + k.requireOffset("path", "dentry"));
            long pwdDentry = k.u64(pwd + k.requireOffset("path", "dentry"));
            String rootPath = rootDentry == 0 ? "" : paths.of(rootDentry, k.u64(root + k.requireOffset("path", "mnt")));
            String pwdPath = pwdDentry == 0 ? "" : paths.of(pwdDentry, k.u64(pwd + k.requireOffset("path", "mnt")));
            if (rootDentry != 0 && pwdDentry != 0) {
                return "ROOT: " + Long.toHexString(inode(rootDentry)) + " " + rootPath + "    CWD: " + Long.toHexString(inode(pwdDentry))
                        + " " + pwdPath + "\n";
            }
            return "ROOT: " + rootPath + "    CWD: " + pwdPath + "\n";
        }

        private long inode(long dentry) {
            return k.pointer(dentry, "dentry", "d_inode");
        }

        private void fds(long task, List<String> out) {
            long files = k.pointer(task, "task_struct", "files");
            if (files == 0) return;
            long fdt = k.pointer(files, "files_struct", "fdt");
            if (fdt == 0) return;
            long maxFds = Math.min(k.u32(fdt + k.requireOffset("fdtable", "max_fds")), MAX_FDS);
            long open = k.pointer(fdt, "fdtable", "open_fds");
            long fdArray = k.pointer(fdt, "fdtable", "fd");
            if (open == 0 || fdArray == 0) return;
            for (long word = 0; word * 64 < maxFds; word++) {
                long bits = k.u64(open + word * 8);
                for (int b = 0; bits != 0 && b < 64; b++, bits >>>= 1) {
                    if ((bits & 1) == 0) continue;
                    long fd = word * 64 + b;
                    if (fd >= maxFds) break;
                    long file = k.u64(fdArray + 8 * fd);
                    if (file != 0) out.add(fdLine(fd, file));
                }
            }
        }

        /** A descriptor line as crash's files prints it: FD, FILE, DENTRY, INODE, TYPE, PATH. */
        private String fdLine(long fd, long file) {
            long dentry = k.u64(file + k.requireOffset("file", "f_path.dentry"));
            long inode = dentry == 0 ? 0 : inode(dentry);
            String path = dentry == 0 ? "" : paths.ofFile(file);
            return String.format("%3d %16x %16x %16x %-4s %s\n", fd, file, dentry, inode, type(inode), path);
        }

        /** crash's inode_type: the file type of i_mode. */
        private String type(long inode) {
            if (inode == 0) return "?";
            try {
                int mode = k.memory().u16(inode + k.requireOffset("inode", "i_mode")) & 0170000;
                return switch (mode) {
                    case 0100000 -> "REG";
                    case 0040000 -> "DIR";
                    case 0020000 -> "CHR";
                    case 0060000 -> "BLK";
                    case 0120000 -> "LNK";
                    case 0010000 -> "FIFO";
                    case 0140000 -> "SOCK";
                    default -> "UNKN";
                };
            } catch (RuntimeException e) {
                return "?";
            }
        }

        /** A VMA line as `vm -i` prints it: with the inode of a mapped file, else crash's usual line. */
        private String vmaLine(Vma v) {
            long inode = 0;
            if (v.file() != 0) {
                try {
                    long dentry = k.u64(v.file() + k.requireOffset("file", "f_path.dentry"));
                    inode = dentry == 0 ? 0 : inode(dentry);
                } catch (RuntimeException e) {
                    inode = 0;
                }
            }
            String head = Long.toHexString(v.address()) + " " + Columns.right(Long.toHexString(v.start()), 10) + " "
                    + Columns.right(Long.toHexString(v.end()), 10) + " " + String.format("%6x", v.flags()) + " ";
            return inode != 0 ? head + Long.toHexString(inode) + " " + v.path() + "\n" : head + v.path() + "\n";
        }
    }
}
