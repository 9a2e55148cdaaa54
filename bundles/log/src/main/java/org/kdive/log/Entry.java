package org.kdive.log;

import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogService;

/** One log entry, as listeners see it. */
record Entry(Bundle bundle, ServiceReference<?> ref, LogLevel level, String message, Throwable exception, long time,
        String loggerName, long sequence, String threadInfo) implements LogEntry {

    @Override public Bundle getBundle() { return bundle; }

    @Override public ServiceReference<?> getServiceReference() { return ref; }

    @Override
    @SuppressWarnings("deprecation")
    public int getLevel() {
        return switch (level) {
            case AUDIT, ERROR -> LogService.LOG_ERROR;
            case WARN -> LogService.LOG_WARNING;
            case INFO -> LogService.LOG_INFO;
            case DEBUG, TRACE -> LogService.LOG_DEBUG;
        };
    }

    @Override public String getMessage() { return message; }

    @Override public Throwable getException() { return exception; }

    @Override public long getTime() { return time; }

    @Override public LogLevel getLogLevel() { return level; }

    @Override public String getLoggerName() { return loggerName; }

    @Override public long getSequence() { return sequence; }

    @Override public String getThreadInfo() { return threadInfo; }

    /** Not recorded: finding the caller means walking the stack at every entry. */
    @Override public StackTraceElement getLocation() { return null; }
}
