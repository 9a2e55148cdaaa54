package org.kdive.log;

import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;

/**
 * Where every entry goes: to kdive's log (slf4j) at once, and to the {@link LogListener}s from one
 * daemon thread, in order. Asynchronous on purpose: a listener (the shell's drop-in watcher) may
 * call into SCR, and SCR logs while it holds its own locks. Keeps no history.
 */
@Component(service = {LogReaderService.class, LogReader.class})
public class LogReader implements LogReaderService {
    /** Framework property: the least severe level logged (AUDIT ... TRACE), WARN unless set. */
    public static final String LEVEL_PROPERTY = "kdive.osgi.log.level";
    /** Entries waiting for the listeners; past this, new ones are dropped (and counted), never kept unbounded. */
    static final int QUEUE_CAPACITY = 1024;

    private final List<LogListener> listeners = new CopyOnWriteArrayList<>();
    private final BlockingQueue<LogEntry> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Object threadLock = new Object();
    private Thread dispatcher;
    private volatile boolean closed;
    private long dropped;
    private long sequence;
    /** Ordinal of the least severe level that is logged: the whole of an isXxxEnabled check. */
    private volatile int threshold = LogLevel.WARN.ordinal();

    public LogReader() {
    }

    LogReader(LogLevel threshold) {
        this.threshold = threshold.ordinal();
    }

    @Activate
    void activate(BundleContext context) {
        threshold = parse(context.getProperty(LEVEL_PROPERTY), LogLevel.WARN).ordinal();
    }

    @Deactivate
    void deactivate() {
        closed = true;
        synchronized (threadLock) {
            if (dispatcher != null) dispatcher.interrupt();
        }
        listeners.clear();
        queue.clear();
    }

    static LogLevel parse(String value, LogLevel fallback) {
        if (value == null || value.isBlank()) return fallback;
        try {
            return LogLevel.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return fallback;
        }
    }

    boolean enabled(LogLevel level) {
        return level.ordinal() <= threshold;
    }

    synchronized long nextSequence() {
        return ++sequence;
    }

    /** Hands an entry to the listeners, if any (the caller has written it to slf4j). */
    void publish(LogEntry entry) {
        if (listeners.isEmpty() || closed) return;
        if (!queue.offer(entry)) {
            synchronized (this) {
                dropped++;
            }
            return;
        }
        synchronized (threadLock) {
            if (dispatcher == null && !closed) {
                // started at the first entry: a run that logs nothing starts no thread
                dispatcher = new Thread(this::dispatch, "kdive-log-listeners");
                dispatcher.setDaemon(true);
                dispatcher.start();
            }
        }
    }

    private void dispatch() {
        while (!closed) {
            LogEntry e;
            try {
                e = queue.take();
            } catch (InterruptedException ie) {
                return;
            }
            for (LogListener l : listeners) {
                try {
                    l.logged(e);
                } catch (RuntimeException | LinkageError ex) {
                    org.slf4j.LoggerFactory.getLogger(LogReader.class).debug("log listener {} failed", l, ex);
                }
            }
        }
    }

    /** Entries that found the listeners' queue full and were not delivered to them. */
    synchronized long dropped() {
        return dropped;
    }

    @Override
    public void addLogListener(LogListener listener) {
        if (!listeners.contains(listener)) listeners.add(listener);
    }

    @Override
    public void removeLogListener(LogListener listener) {
        listeners.remove(listener);
    }

    /** No history is kept: entries are in kdive's log file. */
    @Override
    @SuppressWarnings("deprecation")
    public Enumeration<LogEntry> getLog() {
        return Collections.emptyEnumeration();
    }
}
