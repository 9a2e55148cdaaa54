package org.kdive.api.kernel;

import java.util.List;
import org.kdive.api.session.Session;

/**
 * The kernel log (printk buffer) of the crashed kernel, in whichever layout the kernel has.
 * Published as an OSGi service by kdive-cmd-kernel (the reader behind `log`).
 */
public interface KernelLog {
    /** Every readable message, oldest first; problems reading the buffer end the list early. */
    List<LogMessage> messages(Session session);
}
