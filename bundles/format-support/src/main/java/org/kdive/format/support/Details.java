package org.kdive.format.support;

/** Keys of DumpInfo.details() the format bundles add beyond the API's DETAIL_* ones. */
public final class Details {
    public static final String PAGES_PRESENT = "pages.present";
    public static final String PAGES_EXCLUDED = "pages.excluded";
    public static final String PHYS_BASE = "phys_base";
    public static final String FILES = "files";

    private Details() {
    }
}
