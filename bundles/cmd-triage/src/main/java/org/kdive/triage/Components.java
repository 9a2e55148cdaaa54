package org.kdive.triage;

import org.kdive.api.command.Command;
import org.kdive.api.kernel.BugTable;
import org.kdive.api.kernel.KernelLog;
import org.kdive.api.kernel.KernelTasks;
import org.kdive.api.kernel.Modules;
import org.kdive.api.kernel.PanicLog;
import org.kdive.api.session.SessionService;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** The services both triage components read dumps through (DS field injection). */
abstract class Components {
    @Reference
    volatile SessionService sessions;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile KernelTasks tasks;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile Modules modules;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile BugTable bugs;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile KernelLog log;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile PanicLog panics;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, target = "(" + Command.NAME_PROPERTY + "=sys)")
    volatile Command sys;

    Services services() {
        return new Services(sessions, tasks, modules, bugs, log, panics, sys);
    }
}
