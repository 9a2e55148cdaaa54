package org.kdive.api.kernel;

import java.util.Optional;
import org.kdive.api.session.Session;

/**
 * The crashed kernel's BUG()/WARN() sites, read from vmlinux's and each module's __bug_table in the
 * dump (no module debuginfo needed). Published as an OSGi service by kdive-cmd-dis.
 */
public interface BugTable {
    /** The BUG/WARN site whose trapping instruction is at {@code address}, if any. */
    Optional<BugSite> at(Session session, long address);
}
