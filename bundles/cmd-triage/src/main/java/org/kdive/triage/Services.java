package org.kdive.triage;

import org.kdive.api.command.Command;
import org.kdive.api.kernel.BugTable;
import org.kdive.api.kernel.KernelLog;
import org.kdive.api.kernel.KernelTasks;
import org.kdive.api.kernel.Modules;
import org.kdive.api.kernel.PanicLog;
import org.kdive.api.session.SessionService;

/**
 * What triage reads a dump through, all API services. Any but {@code sessions} may be null when
 * its bundle is missing from the distribution: the record then lacks what that service gives.
 *
 * @param sys the `sys` command (uptime, CPUs, memory, host name as it computes them)
 */
public record Services(SessionService sessions, KernelTasks tasks, Modules modules, BugTable bugs, KernelLog log,
        PanicLog panics, Command sys) {
}
