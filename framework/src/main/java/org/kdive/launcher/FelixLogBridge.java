package org.kdive.launcher;

import org.apache.felix.framework.Logger;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.slf4j.LoggerFactory;

/** Routes the framework's own messages (resolution errors …) to slf4j, naming the bundle. */
final class FelixLogBridge extends Logger {
    private final org.slf4j.Logger log = LoggerFactory.getLogger("org.apache.felix.framework");

    @Override
    protected void doLog(Bundle bundle, ServiceReference sr, int level, String msg, Throwable throwable) {
        String text = (bundle == null ? msg : bundle.getSymbolicName() + ": " + msg)
                + (throwable == null || throwable.getMessage() == null ? "" : ": " + throwable.getMessage());
        switch (level) {
            case LOG_ERROR -> log.error(text, throwable);
            case LOG_WARNING -> log.warn(text, throwable);
            case LOG_INFO -> log.info(text, throwable);
            default -> log.debug(text, throwable);
        }
    }
}
