package org.kdive.cmd.process.access;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.kdive.api.command.CommandException;
import org.kdive.api.kernel.KernelTasks;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;

/** Tasks as crash's commands take them: "pid | taskp" arguments, the current context, crash's task header. */
public final class Tasks {
    private final KernelTasks service;
    private final Session session;

    public Tasks(KernelTasks service, Session session) {
        if (service == null) throw new CommandException("the task list is not available (no KernelTasks service)");
        this.service = service;
        this.session = session;
    }

    public List<TaskInfo> all() {
        return service.tasks(session);
    }

    /** The current context: the panic task or the one `set` chose. */
    public TaskInfo current() {
        return service.currentTask(session).orElseThrow(() -> new CommandException("no current task"));
    }

    /**
     * crash's str_to_context: a decimal word is a pid (every thread of it, as crash lists them: one
     * context per pid here) or a task address; a hex word a task address (or a pid written in hex).
     * Empty when neither names a task.
     */
    public Optional<Selected> resolve(String word) {
        String w = word.startsWith("0x") || word.startsWith("0X") ? word.substring(2) : word;
        List<TaskInfo> all = all();
        if (word.matches("\\d+")) {
            long pid = Long.parseLong(word);
            List<TaskInfo> byPid = new ArrayList<>();
            for (TaskInfo t : all) if (t.pid() == pid) byPid.add(t);
            if (!byPid.isEmpty()) return Optional.of(new Selected(true, byPid));
        }
        if (w.matches("[0-9a-fA-F]{1,16}")) {
            long addr = Long.parseUnsignedLong(w, 16);
            for (TaskInfo t : all) if (t.task() == addr) return Optional.of(new Selected(false, List.of(t)));
        }
        return Optional.empty();
    }

    /** What a word selected: by pid (crash's STR_PID) or by task address (STR_TASK). */
    public record Selected(boolean byPid, List<TaskInfo> tasks) {
    }

    /** crash's print_task_header: PID, TASK, CPU, COMMAND. */
    public static String header(TaskInfo t) {
        return String.format("PID: %-7d  TASK: %-16x  CPU: %-3s  COMMAND: \"%s\"", t.pid(), t.task(), Integer.toString(t.cpu()), t.comm());
    }
}
