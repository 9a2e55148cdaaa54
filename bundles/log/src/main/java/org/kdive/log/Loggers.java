package org.kdive.log;

import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.log.FormatterLogger;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogService;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * LoggerFactory and LogService for one using bundle (SCR tracks the LoggerFactory, FileInstall
 * calls LogService): entries of the LogService's own methods are that bundle's.
 */
@Component(service = {LoggerFactory.class, LogService.class}, scope = ServiceScope.BUNDLE)
public class Loggers implements LogService {
    /** The logger name of entries made through LogService's methods (as the OSGi log specifies). */
    static final String LOG_SERVICE_LOGGER = "LogService";

    @Reference
    LogReader hub;
    private Bundle using;
    private volatile OsgiLogger logServiceLogger;

    public Loggers() {
    }

    Loggers(LogReader hub, Bundle using) {
        this.hub = hub;
        this.using = using;
    }

    @Activate
    void activate(ComponentContext context) {
        using = context.getUsingBundle();
    }

    @Override
    public Logger getLogger(String name) {
        return new OsgiLogger(hub, using, name, false);
    }

    @Override
    public Logger getLogger(Class<?> clazz) {
        return getLogger(clazz.getName());
    }

    @Override
    public <L extends Logger> L getLogger(String name, Class<L> loggerType) {
        return getLogger(using, name, loggerType);
    }

    @Override
    public <L extends Logger> L getLogger(Class<?> clazz, Class<L> loggerType) {
        return getLogger(using, clazz.getName(), loggerType);
    }

    @Override
    public <L extends Logger> L getLogger(Bundle bundle, String name, Class<L> loggerType) {
        if (loggerType != Logger.class && loggerType != FormatterLogger.class) {
            throw new IllegalArgumentException("no logger of type " + loggerType.getName());
        }
        return loggerType.cast(new OsgiLogger(hub, bundle, name, loggerType == FormatterLogger.class));
    }

    private OsgiLogger logServiceLogger() {
        OsgiLogger l = logServiceLogger;
        if (l == null) logServiceLogger = l = new OsgiLogger(hub, using, LOG_SERVICE_LOGGER, false);
        return l;
    }

    @Override
    @SuppressWarnings("deprecation")
    public void log(int level, String message) {
        log(null, level, message, null);
    }

    @Override
    @SuppressWarnings("deprecation")
    public void log(int level, String message, Throwable exception) {
        log(null, level, message, exception);
    }

    @Override
    @SuppressWarnings("deprecation")
    public void log(ServiceReference<?> sr, int level, String message) {
        log(sr, level, message, null);
    }

    @Override
    @SuppressWarnings("deprecation")
    public void log(ServiceReference<?> sr, int level, String message, Throwable exception) {
        LogLevel l = level(level);
        if (hub.enabled(l)) logServiceLogger().log(l, message, exception, sr);
    }

    /** The OSGi log's legacy integer levels: 1 error, 2 warning, 3 info, 4 debug. */
    @SuppressWarnings("deprecation")
    static LogLevel level(int legacy) {
        return switch (legacy) {
            case LOG_ERROR -> LogLevel.ERROR;
            case LOG_WARNING -> LogLevel.WARN;
            case LOG_INFO -> LogLevel.INFO;
            case LOG_DEBUG -> LogLevel.DEBUG;
            default -> LogLevel.TRACE;
        };
    }
}
