package org.kdive.log;

import java.util.Arrays;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.log.FormatterLogger;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerConsumer;
import org.slf4j.helpers.MessageFormatter;

/**
 * An OSGi {@link Logger} (or, with {@code printf}, a {@link FormatterLogger}) of one bundle. Level
 * checks compare two numbers; messages are formatted only for entries that are logged.
 */
final class OsgiLogger implements FormatterLogger {
    private final LogReader hub;
    private final Bundle bundle;
    private final String name;
    private final boolean printf;
    private final org.slf4j.Logger out;

    OsgiLogger(LogReader hub, Bundle bundle, String name, boolean printf) {
        this.hub = hub;
        this.bundle = bundle;
        this.name = name;
        this.printf = printf;
        this.out = org.slf4j.LoggerFactory.getLogger(slf4jName(bundle, name));
    }

    /** The bundle's symbolic name for its root logger (and for LogService's), else the logger's name. */
    static String slf4jName(Bundle bundle, String name) {
        if (name == null || ROOT_LOGGER_NAME.equals(name) || Loggers.LOG_SERVICE_LOGGER.equals(name)) {
            String bsn = bundle == null ? null : bundle.getSymbolicName();
            return bsn != null ? bsn : bundle != null ? "bundle." + bundle.getBundleId() : "osgi";
        }
        return name;
    }

    @Override public String getName() { return name; }

    @Override public boolean isTraceEnabled() { return hub.enabled(LogLevel.TRACE); }

    @Override public boolean isDebugEnabled() { return hub.enabled(LogLevel.DEBUG); }

    @Override public boolean isInfoEnabled() { return hub.enabled(LogLevel.INFO); }

    @Override public boolean isWarnEnabled() { return hub.enabled(LogLevel.WARN); }

    @Override public boolean isErrorEnabled() { return hub.enabled(LogLevel.ERROR); }

    @Override public void trace(String message) { log(LogLevel.TRACE, message, null, null); }
    @Override public void trace(String format, Object arg) { format(LogLevel.TRACE, format, arg); }
    @Override public void trace(String format, Object arg1, Object arg2) { format(LogLevel.TRACE, format, arg1, arg2); }
    @Override public void trace(String format, Object... arguments) { format(LogLevel.TRACE, format, arguments); }

    @Override public void debug(String message) { log(LogLevel.DEBUG, message, null, null); }
    @Override public void debug(String format, Object arg) { format(LogLevel.DEBUG, format, arg); }
    @Override public void debug(String format, Object arg1, Object arg2) { format(LogLevel.DEBUG, format, arg1, arg2); }
    @Override public void debug(String format, Object... arguments) { format(LogLevel.DEBUG, format, arguments); }

    @Override public void info(String message) { log(LogLevel.INFO, message, null, null); }
    @Override public void info(String format, Object arg) { format(LogLevel.INFO, format, arg); }
    @Override public void info(String format, Object arg1, Object arg2) { format(LogLevel.INFO, format, arg1, arg2); }
    @Override public void info(String format, Object... arguments) { format(LogLevel.INFO, format, arguments); }

    @Override public void warn(String message) { log(LogLevel.WARN, message, null, null); }
    @Override public void warn(String format, Object arg) { format(LogLevel.WARN, format, arg); }
    @Override public void warn(String format, Object arg1, Object arg2) { format(LogLevel.WARN, format, arg1, arg2); }
    @Override public void warn(String format, Object... arguments) { format(LogLevel.WARN, format, arguments); }

    @Override public void error(String message) { log(LogLevel.ERROR, message, null, null); }
    @Override public void error(String format, Object arg) { format(LogLevel.ERROR, format, arg); }
    @Override public void error(String format, Object arg1, Object arg2) { format(LogLevel.ERROR, format, arg1, arg2); }
    @Override public void error(String format, Object... arguments) { format(LogLevel.ERROR, format, arguments); }

    @Override public void audit(String message) { log(LogLevel.AUDIT, message, null, null); }
    @Override public void audit(String format, Object arg) { format(LogLevel.AUDIT, format, arg); }
    @Override public void audit(String format, Object arg1, Object arg2) { format(LogLevel.AUDIT, format, arg1, arg2); }
    @Override public void audit(String format, Object... arguments) { format(LogLevel.AUDIT, format, arguments); }

    @Override
    public <E extends Exception> void trace(LoggerConsumer<E> consumer) throws E {
        if (isTraceEnabled()) consumer.accept(this);
    }

    @Override
    public <E extends Exception> void debug(LoggerConsumer<E> consumer) throws E {
        if (isDebugEnabled()) consumer.accept(this);
    }

    @Override
    public <E extends Exception> void info(LoggerConsumer<E> consumer) throws E {
        if (isInfoEnabled()) consumer.accept(this);
    }

    @Override
    public <E extends Exception> void warn(LoggerConsumer<E> consumer) throws E {
        if (isWarnEnabled()) consumer.accept(this);
    }

    @Override
    public <E extends Exception> void error(LoggerConsumer<E> consumer) throws E {
        if (isErrorEnabled()) consumer.accept(this);
    }

    /**
     * A trailing Throwable and/or ServiceReference among the arguments is the entry's exception and
     * service, not a value for the message (as the OSGi Logger specifies).
     */
    private void format(LogLevel level, String format, Object... args) {
        if (!hub.enabled(level)) return;
        Object[] a = args == null ? new Object[0] : args;
        Throwable t = null;
        ServiceReference<?> ref = null;
        for (int k = 0; k < 2 && a.length > 0; k++) {
            Object last = a[a.length - 1];
            if (t == null && last instanceof Throwable th) {
                t = th;
            } else if (ref == null && last instanceof ServiceReference<?> sr) {
                ref = sr;
            } else {
                break;
            }
            a = Arrays.copyOf(a, a.length - 1);
        }
        String message;
        if (printf) {
            try {
                message = String.format(format, a);
            } catch (java.util.IllegalFormatException e) {
                message = format + " " + Arrays.toString(a);
            }
        } else {
            message = MessageFormatter.basicArrayFormat(format, a);
        }
        log(level, message, t, ref);
    }

    /** Used by LogService's methods too. */
    void log(LogLevel level, String message, Throwable t, ServiceReference<?> ref) {
        if (!hub.enabled(level)) return;
        toSlf4j(level, message, t);
        Thread th = Thread.currentThread();
        hub.publish(new Entry(bundle, ref, level, message, t, System.currentTimeMillis(), name, hub.nextSequence(),
                th.getName()));
    }

    /**
     * To kdive's log file. Problems are written at INFO, their OSGi level in the text: the user hears
     * of a failing plug-in once, from the shell's drop-in watcher (a listener), not here as well.
     */
    private void toSlf4j(LogLevel level, String message, Throwable t) {
        switch (level) {
            case AUDIT, ERROR, WARN -> {
                if (out.isInfoEnabled()) out.info(level + ": " + message, t);
            }
            case INFO -> out.info(message, t);
            case DEBUG -> out.debug(message, t);
            case TRACE -> out.trace(message, t);
        }
    }
}
