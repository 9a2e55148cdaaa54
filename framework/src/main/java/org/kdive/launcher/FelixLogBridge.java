package org.kdive.launcher;

import org.apache.felix.framework.Logger;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.slf4j.LoggerFactory;

/**
 * Routes the framework's own messages to the log file. The user hears of failing bundles once,
 * from the shell's drop-in watcher, or from the launcher when the shell itself cannot start.
 */
final class FelixLogBridge extends Logger {
    private final org.slf4j.Logger log = LoggerFactory.getLogger("org.apache.felix.framework");

    @Override
    protected void doLog(Bundle bundle, ServiceReference sr, int level, String msg, Throwable throwable) {
        route(level, bundle == null ? msg : bundle.getSymbolicName() + ": " + msg, throwable);
    }

    /**
     * The bundle cache logs through this one, e.g. when a jar was removed from bundles/ (BundleSync
     * then uninstalls it): without it Felix printed its stack trace on the console.
     */
    @Override
    protected void doLog(int level, String msg, Throwable throwable) {
        route(level, msg, throwable);
    }

    private void route(int level, String msg, Throwable throwable) {
        String text = msg + (throwable == null || throwable.getMessage() == null ? "" : ": " + throwable.getMessage());
        switch (level) {
            case LOG_ERROR, LOG_WARNING -> log.info("framework problem: {}", text, throwable);
            default -> log.trace(text, throwable);
        }
    }
}
