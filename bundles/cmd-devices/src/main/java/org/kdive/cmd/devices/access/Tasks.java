package org.kdive.cmd.devices.access;

import java.util.ArrayList;
import java.util.List;
import org.kdive.api.command.CommandException;
import org.kdive.api.kernel.KernelTasks;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.api.util.Hex;

/** The task list (KernelTasks, published by kdive-cmd-kernel) as crash's commands address tasks. */
public final class Tasks {
    private Tasks() {
    }

    public static KernelTasks require(KernelTasks tasks, String command) {
        if (tasks == null) throw new CommandException(command + ": the task list is not available (kdive-cmd-kernel is not installed)");
        return tasks;
    }

    /** crash's print_task_header: "PID: …  TASK: …  CPU: …  COMMAND: "…"". */
    public static String header(TaskInfo t, boolean newline) {
        return String.format("%sPID: %-7d  TASK: %s  CPU: %-3s  COMMAND: \"%s\"\n", newline ? "\n" : "", t.pid(),
                Fmt.mk(Long.toHexString(t.task()), 16, Fmt.LJUST), t.cpu() < 0 ? "-" : String.valueOf(t.cpu()), t.comm());
    }

    public static TaskInfo byAddress(KernelTasks tasks, Session s, long task) {
        for (TaskInfo t : tasks.tasks(s)) {
            if (t.task() == task) return t;
        }
        return null;
    }

    /**
     * crash's str_to_context: a decimal word is a PID (every task with it), a hex word a task_struct
     * address; an empty list when neither names a task.
     */
    public static List<TaskInfo> resolve(KernelTasks tasks, Session s, String word) {
        List<TaskInfo> out = new ArrayList<>();
        if (word.chars().allMatch(Character::isDigit)) {
            int pid;
            try {
                pid = Integer.parseInt(word);
            } catch (NumberFormatException e) {
                return out;
            }
            for (TaskInfo t : tasks.tasks(s)) {
                if (t.pid() == pid) out.add(t);
            }
            if (!out.isEmpty()) return out;
        }
        if (Hex.looksLikeAddress(word)) {
            try {
                TaskInfo t = byAddress(tasks, s, Hex.parseAddress(word));
                if (t != null) out.add(t);
            } catch (CommandException e) {
                // not a number
            }
        }
        return out;
    }
}
