package org.kdive.launcher.log;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Sends java.util.logging (used by JLine and FileInstall) to kdive's sinks instead of raw stderr. */
public final class JulBridge extends Handler {
    /**
     * Called by java.util.logging when something first uses it (named by the system property
     * {@code java.util.logging.config.class}), in place of reading the JDK's logging.properties
     * and then resetting it: the launcher itself no longer pays for setting JUL up.
     */
    public static final class Config {
        public Config() {
            Logger root = Logger.getLogger("");
            for (Handler h : root.getHandlers()) root.removeHandler(h);
            // libraries' debug records (the JDK's HTTP client writes hundreds of thousands per fetch)
            // are not even made
            root.setLevel(Level.INFO);
            root.addHandler(new JulBridge());
        }
    }

    private JulBridge() {
    }

    /** Makes java.util.logging end in kdive's sinks once anything uses it. */
    public static void install() {
        System.setProperty("java.util.logging.config.class", Config.class.getName());
    }

    @Override
    public void publish(LogRecord r) {
        org.slf4j.event.Level level = r.getLevel().intValue() >= Level.SEVERE.intValue() ? org.slf4j.event.Level.ERROR
                : r.getLevel().intValue() >= Level.WARNING.intValue() ? org.slf4j.event.Level.WARN
                : r.getLevel().intValue() >= Level.INFO.intValue() ? org.slf4j.event.Level.INFO
                : org.slf4j.event.Level.DEBUG;
        // (library warnings go to the log file only: LogSink keeps libraries off the console but for errors)
        String msg = r.getMessage();
        if (msg != null && r.getParameters() != null && r.getParameters().length > 0) {
            try {
                msg = java.text.MessageFormat.format(msg, r.getParameters());
            } catch (IllegalArgumentException e) {
                // keep the raw message
            }
        }
        LogSink.log(r.getLoggerName() == null ? "jul" : r.getLoggerName(), level, String.valueOf(msg), r.getThrown());
    }

    @Override
    public void flush() {
        LogSink.flush();
    }

    @Override
    public void close() {
        flush();
    }
}
