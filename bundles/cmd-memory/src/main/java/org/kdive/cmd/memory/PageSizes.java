package org.kdive.cmd.memory;

import org.kdive.api.session.Session;

/** The dump's page size: its header's, else the architecture's base page. */
final class PageSizes {
    private PageSizes() {
    }

    static int of(Session s) {
        int p = s.dump().info().pageSize();
        if (p > 0 && Integer.bitCount(p) == 1) return p;
        return s.arch().addressSpace(s).pageSize();
    }
}
