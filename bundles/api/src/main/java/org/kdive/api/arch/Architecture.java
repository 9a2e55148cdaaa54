package org.kdive.api.arch;

import org.kdive.api.Plugin;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.VmcoreInfo;

/** An architecture; the session picks the one that supports the dump's machine. */
public interface Architecture extends Plugin {
    /** uname -m names, e.g. "x86_64". */
    boolean supports(String machine);

    /** Binds to a dump; must be cheap (no page-table walks up front). */
    KernelArch attach(Dump dump, VmcoreInfo vmcoreinfo);
}
