package org.kdive.cmd.kernel.tasks;

import java.util.List;
import java.util.Optional;
import org.kdive.api.arch.StackFrame;
import org.kdive.api.kernel.KernelTasks;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** The task table as a service for other bundles (autopsy …); same cached data the commands use. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = KernelTasks.class)
public class KernelTasksService implements KernelTasks {
    @Override
    public List<TaskInfo> tasks(Session session) { return TaskTable.of(session).tasks(); }

    @Override
    public List<String> problems(Session session) { return TaskTable.of(session).problems(); }

    @Override
    public int panicCpu(Session session) { return TaskTable.of(session).panicCpu(); }

    @Override
    public Optional<TaskInfo> panicTask(Session session) { return TaskTable.of(session).panicTask(); }

    @Override
    public List<StackFrame> backtrace(Session session, TaskInfo task) { return Backtraces.of(session, task).frames(); }

    @Override
    public Optional<StackFrame> panicExceptionFrame(Session session) {
        return panicTask(session).flatMap(t -> Backtraces.exceptionFrame(backtrace(session, t)));
    }

    @Override
    public Optional<TaskInfo> currentTask(Session session) { return TaskTable.context(session); }
}
