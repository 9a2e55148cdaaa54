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
import org.kdive.api.util.Hex;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.tasks.TaskTable;
import org.kdive.cmd.kernel.vfs.Mounts;
import org.kdive.cmd.kernel.vfs.Mounts.MountInfo;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * crash's `mount`: the mounted filesystems of a mount namespace (by default the one of the task
 * with the lowest pid above 0, as crash chooses; -n pid|task for another), optionally only those
 * whose row names a given mount, vfsmount, super_block, device or directory.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=mount")
public class MountCommand implements Command {
    /** crash's column heads: MOUNT and SUPERBLK centred over 16 hex digits, TYPE and DEVNAME left-aligned. */
    static final String HEADER = "     MOUNT           SUPERBLK     TYPE   DEVNAME   DIRNAME";

    @Override public String name() { return "mount"; }

    @Override public String description() { return "mounted filesystem data"; }

    @Override
    public String usage() {
        return "mount - mounted filesystem data\n"
                + "mount [-f] [-i] [-n pid|task] [mount|vfsmount|superblock|dev|dir] ...\n"
                + "  the mount, super_block, filesystem type, device name and mountpoint of each mount in the\n"
                + "  mount namespace of the task given with -n (default: the task with the lowest pid above 0);\n"
                + "  arguments select the mounts whose row shows them\n"
                + "  -f  the open files of each super block (super_block.s_files: Linux before 3.13 only)\n"
                + "  -i  the dirty inodes of each super block (super_block.s_dirty: Linux before 2.6.38 only)\n";
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Args a = Args.parse(args, Set.of("f", "i"), Set.of("n"));
        Kernel k = Kernel.of(context.session());
        if (a.has("i")) {
            if (!k.hasMember("super_block", "s_dirty")) {
                throw new CommandException("the super_block.s_dirty linked list does not exist in this kernel\n"
                        + "mount: -i option not supported or applicable on this architecture or kernel");
            }
            // s_dirty went away in Linux 2.6.38; kdive reads no older kernel
            throw new CommandException("-i option not supported or applicable on this architecture or kernel");
        }
        if (a.has("f")) {
            if (!k.hasMember("super_block", "s_files") && !k.hasSymbol("inuse_filps")) {
                throw new CommandException("the super_block.s_files linked list does not exist in this kernel\n"
                        + "mount: -f option not supported or applicable on this architecture or kernel");
            }
            // s_files went away in Linux 3.13; kdive reads no older kernel
            throw new CommandException("-f option not supported or applicable on this architecture or kernel");
        }
        TaskTable table = TaskTable.of(context.session());
        TaskInfo task = a.has("n") ? resolve(table, a.value("n")) : lowestPid(table);
        Mounts mounts = new Mounts(k);
        List<MountInfo> all = mounts.of(task.task());
        long mntOffset = k.requireOffset("mount", "mnt");

        StringBuilder sb = new StringBuilder();
        List<Object> data = new ArrayList<>();
        List<String> specs = a.positional();
        boolean header = false;
        for (int round = 0; round < Math.max(1, specs.size()); round++) {
            for (MountInfo m : all) {
                String row = row(m);
                if (!specs.isEmpty() && !matches(row, m.mount() + mntOffset, specs.get(round))) continue;
                if (!header) sb.append(HEADER).append('\n');
                header = true;
                sb.append(row).append('\n');
                data.add(json(m));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("task", org.kdive.api.util.Hex.json(task.task()));
        out.put("mounts", data);
        if (mounts.problem() != null) {
            context.warn("mount: " + mounts.problem());
            out.put("problem", mounts.problem());
        }
        return Result.of(sb.toString(), out);
    }

    private static TaskInfo resolve(TaskTable table, String arg) {
        try {
            return table.resolve(arg).get(0);
        } catch (CommandException e) {
            throw new CommandException("mount: " + e.getMessage());
        }
    }

    private static TaskInfo lowestPid(TaskTable table) {
        TaskInfo best = null;
        for (TaskInfo t : table.tasks()) {
            if (t.pid() > 0 && (best == null || t.pid() < best.pid())) best = t;
        }
        if (best == null) throw new CommandException("mount: no task with a pid above 0 found");
        return best;
    }

    /**
     * One row in crash's layout: TYPE padded to 6 and DEVNAME to 9, then the pair's trailing
     * blanks cut down to one, but never below 17 characters; DIRNAME padded to 10.
     */
    static String row(MountInfo m) {
        String typeDev = String.format("%-6s %-9s ", m.type() == null ? "unknown" : m.type(),
                m.devname() == null ? "(unknown)" : m.devname());
        while (typeDev.length() > 17 && typeDev.charAt(typeDev.length() - 2) == ' ') {
            typeDev = typeDev.substring(0, typeDev.length() - 1);
        }
        return String.format("%16x %16x %s%-10s", m.mount(), m.superBlock(), typeDev, m.dirname());
    }

    /** crash matches a row when one of its words equals the argument, or the argument is the row's vfsmount. */
    private static boolean matches(String row, long vfsmount, String spec) {
        String s = spec.startsWith("0x") && spec.length() > 2 && spec.substring(2).matches("[0-9a-fA-F]+") ? spec.substring(2) : spec;
        for (String word : row.trim().split("\\s+")) {
            if (word.equals(s)) return true;
        }
        return s.matches("[0-9a-fA-F]+") && s.length() <= 16 && Hex.parseAddress(s) == vfsmount;
    }

    private static Map<String, Object> json(MountInfo m) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mount", org.kdive.api.util.Hex.json(m.mount()));
        d.put("superblock", org.kdive.api.util.Hex.json(m.superBlock()));
        d.put("type", m.type());
        d.put("devname", m.devname());
        d.put("dirname", m.dirname());
        return d;
    }
}
