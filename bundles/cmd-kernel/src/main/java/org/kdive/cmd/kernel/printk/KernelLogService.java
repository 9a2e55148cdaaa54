package org.kdive.cmd.kernel.printk;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.kdive.api.kernel.KernelLog;
import org.kdive.api.kernel.LogMessage;
import org.kdive.api.session.Session;
import org.kdive.cmd.kernel.access.Kernel;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** The printk reader behind `log`, as a service for other bundles (autopsy …); read once per session. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = KernelLog.class)
public class KernelLogService implements KernelLog {
    @Override
    public List<LogMessage> messages(Session session) {
        return session.cached("cmd-kernel.log-messages", () -> read(session));
    }

    private static List<LogMessage> read(Session session) {
        PrintkReader.Log log = new PrintkReader(Kernel.of(session)).read(false);
        List<LogMessage> out = new ArrayList<>();
        if (log.isPlain()) {
            for (String line : log.plainText().split("\n")) out.add(new LogMessage(-1, -1, line));
            return List.copyOf(out);
        }
        for (LogRecord r : log.records()) {
            if (r.empty()) continue;
            out.add(new LogMessage(r.tsNsec(), r.level(), new String(r.text(), StandardCharsets.UTF_8)));
        }
        return List.copyOf(out);
    }
}
