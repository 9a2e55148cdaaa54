package org.kdive.api;

import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

/** What every pluggable service says about itself, so `plugins` can list it. */
public interface Plugin {
    /** Short unique name, e.g. "kdump-compressed", "x86_64", "bt". */
    String name();

    /** One line for humans. */
    String description();

    /** Defaults to the version of the bundle that implements the service. */
    default String version() {
        Bundle bundle = FrameworkUtil.getBundle(getClass());
        return bundle == null ? "dev" : bundle.getVersion().toString();
    }
}
