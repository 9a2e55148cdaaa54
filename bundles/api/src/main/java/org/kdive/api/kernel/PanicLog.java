package org.kdive.api.kernel;

import org.kdive.api.session.Session;

/**
 * Reads the panic out of the crashed kernel's log: the kind of panic, its messages and the stack the
 * kernel printed. Needs only the log (no debuginfo). Published as an OSGi service by kdive-autopsy,
 * whose analysis starts from the same reading.
 */
public interface PanicLog {
    PanicReport read(Session session);
}
