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
import org.kdive.cmd.kernel.access.Kernel;
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
                + "files [pid | task] ...\n"
                + "  the root and current directory and every open file descriptor of the tasks (default:\n"
                + "  the current context task): FD, struct file, dentry, inode, type and path\n";
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Args a = Args.parse(args, Set.of("c"), Set.of("d", "p", "R"));
        for (String unsupported : new String[] {"c", "d", "p", "R"}) {
            if (a.has(unsupported)) throw new CommandException("files: -" + unsupported + " is not supported yet");
        }
        Session s = context.session();
        TaskTable table = TaskTable.of(s);
        OpenFiles reader = new OpenFiles(Kernel.of(s));
        StringBuilder sb = new StringBuilder();
        List<Object> data = new ArrayList<>();
        if (a.positional().isEmpty()) {
            TaskInfo t = TaskTable.context(s).orElseThrow(() -> new CommandException("files: no task found"));
            show(sb, data, reader, t, false);
            return Result.of(sb.toString(), Map.of("tasks", data));
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
                show(sb, data, reader, t, subsequent);
                if (byPid) sb.append('\n');
            }
            subsequent = true;
        }
        return Result.of(sb.toString(), Map.of("tasks", data));
    }

    private static void show(StringBuilder sb, List<Object> data, OpenFiles reader, TaskInfo t, boolean newline) {
        if (newline) sb.append('\n');
        sb.append(PsCommand.header(t)).append('\n');
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("pid", t.pid());
        d.put("task", org.kdive.api.util.Hex.json(t.task()));
        d.put("comm", t.comm());
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
            sb.append(HEADER).append('\n');
            for (OpenFile f : files) {
                sb.append(line(f)).append('\n');
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("fd", f.fd());
                r.put("file", org.kdive.api.util.Hex.json(f.file()));
                r.put("dentry", org.kdive.api.util.Hex.json(f.dentry()));
                r.put("inode", org.kdive.api.util.Hex.json(f.inode()));
                r.put("type", f.type());
                r.put("path", f.path());
                rows.add(r);
            }
        }
        d.put("files", rows);
        data.add(d);
    }

    /** One descriptor in crash's columns; a file without dentry or inode shows zeros and "?". */
    static String line(OpenFile f) {
        if (f.dentry() == 0) return String.format("%3d %16x %016x        ?         ?    ?", f.fd(), f.file(), 0L);
        if (f.inode() == 0) return String.format("%3d %16x %16x %016x ?    ?", f.fd(), f.file(), f.dentry(), 0L);
        return String.format("%3d %16x %16x %16x %-4s %s", f.fd(), f.file(), f.dentry(), f.inode(), f.type(), f.path());
    }
}
