package org.kdive.autopsy.panic;

import java.util.ArrayList;
import java.util.List;
import org.kdive.api.kernel.KernelLog;
import org.kdive.api.kernel.LogMessage;
import org.kdive.api.kernel.PanicLog;
import org.kdive.api.kernel.PanicReport;
import org.kdive.api.session.Session;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;

/** autopsy's reading of the kernel log ({@link Oops}) for other bundles (triage). */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = PanicLog.class)
public class PanicLogService implements PanicLog {
    @Reference
    private volatile KernelLog log;

    public PanicLogService() {
    }

    /** Outside OSGi (tests, tools). */
    public PanicLogService(KernelLog log) {
        this.log = log;
    }

    @Override
    public PanicReport read(Session session) {
        List<LogMessage> messages = log.messages(session);
        Oops oops = Oops.of(messages);
        PanicKind kind = oops.kind();
        List<PanicReport.TraceEntry> trace = new ArrayList<>();
        for (Object[] e : oops.trace()) {
            trace.add(new PanicReport.TraceEntry((String) e[0], (long) e[1], (long) e[2], (String) e[3], !(boolean) e[4]));
        }
        List<Integer> hung = new ArrayList<>();
        for (String[] h : oops.hungTasks()) hung.add(Integer.parseInt(h[1]));
        return new PanicReport(kind.name(), kind.title(), oops.headline().orElse(null), oops.panicMessage().orElse(null), oops.block(),
                oops.taint(), List.copyOf(trace), List.copyOf(hung));
    }
}
