package org.kdive.launcher.log;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** An slf4j logger writing through {@link LogSink}. */
final class KdiveLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    KdiveLogger(String name) {
        this.name = name;
    }

    @Override public boolean isTraceEnabled() { return LogSink.enabled(name, Level.TRACE); }

    @Override public boolean isDebugEnabled() { return LogSink.enabled(name, Level.DEBUG); }

    @Override public boolean isInfoEnabled() { return LogSink.enabled(name, Level.INFO); }

    @Override public boolean isWarnEnabled() { return LogSink.enabled(name, Level.WARN); }

    @Override public boolean isErrorEnabled() { return LogSink.enabled(name, Level.ERROR); }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable t) {
        if (!LogSink.enabled(name, level)) return;
        String msg = MessageFormatter.basicArrayFormat(pattern, args);
        LogSink.log(name, level, msg, t);
    }
}
