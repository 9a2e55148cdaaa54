package org.kdive.cmd.dis;

import java.util.Optional;
import org.kdive.api.kernel.BugSite;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Symbol;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** The __bug_table decoding that `dis` annotates with, as a service for other bundles (autopsy). */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = org.kdive.api.kernel.BugTable.class)
public class BugTableService implements org.kdive.api.kernel.BugTable {
    @Override
    public Optional<BugSite> at(Session session, long address) {
        Symbol sym = session.symbols().containing(address).orElse(null);
        return BugTable.of(session, sym).at(address)
                .map(b -> new BugSite(b.address(), b.file(), b.line(), b.warning()));
    }
}
