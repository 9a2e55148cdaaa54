package org.kdive.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.felix.framework.Felix;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.service.log.FormatterLogger;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogService;
import org.osgi.service.log.Logger;

/** The log service as SCR (LoggerFactory), FileInstall (LogService) and the shell (LogReaderService) use it. */
class LogServiceTest {
    @TempDir
    static Path storage;
    private static Felix framework;
    /** A real bundle to log for: the framework's system bundle. */
    private static Bundle bundle;

    @BeforeAll
    static void framework() throws Exception {
        framework = new Felix(Map.of(Constants.FRAMEWORK_STORAGE, storage.toString(),
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
        framework.init();
        bundle = framework;
    }

    @AfterAll
    static void stop() throws Exception {
        framework.stop();
        framework.waitForStop(10_000);
    }

    /** What a listener got, and on which thread. */
    private static class Recorder implements LogListener {
        final BlockingQueue<LogEntry> entries = new LinkedBlockingQueue<>();
        volatile Thread thread;

        @Override
        public void logged(LogEntry entry) {
            thread = Thread.currentThread();
            entries.add(entry);
        }

        LogEntry next() throws InterruptedException {
            LogEntry e = entries.poll(10, TimeUnit.SECONDS);
            assertTrue(e != null, "no entry delivered within 10 s");
            return e;
        }
    }

    @Test
    void levelChecksFollowTheConfiguredLevel() {
        Logger warn = new Loggers(new LogReader(LogLevel.WARN), bundle).getLogger(bundle, Logger.ROOT_LOGGER_NAME, Logger.class);
        assertTrue(warn.isErrorEnabled());
        assertTrue(warn.isWarnEnabled());
        assertFalse(warn.isInfoEnabled());
        assertFalse(warn.isDebugEnabled());
        assertFalse(warn.isTraceEnabled());
        Logger debug = new Loggers(new LogReader(LogLevel.DEBUG), bundle).getLogger("x");
        assertTrue(debug.isDebugEnabled());
        assertFalse(debug.isTraceEnabled());
        assertEquals(LogLevel.DEBUG, LogReader.parse(" debug ", LogLevel.WARN));
        assertEquals(LogLevel.WARN, LogReader.parse("loud", LogLevel.WARN));
        assertEquals(LogLevel.WARN, LogReader.parse(null, LogLevel.WARN));
    }

    @Test
    void disabledLevelsFormatNothingAndMakeNoEntry() throws Exception {
        LogReader hub = new LogReader(LogLevel.WARN);
        Recorder r = new Recorder();
        hub.addLogListener(r);
        AtomicInteger formatted = new AtomicInteger();
        Object argument = new Object() {
            @Override
            public String toString() {
                formatted.incrementAndGet();
                return "argument";
            }
        };
        Loggers loggers = new Loggers(hub, bundle);
        Logger logger = loggers.getLogger(bundle, "org.example.Component", Logger.class);
        FormatterLogger printf = loggers.getLogger("org.example.Printf", FormatterLogger.class);
        logger.debug("value {}", argument);
        logger.info("values {} {}", argument, argument);
        logger.trace("values {} {} {}", argument, argument, argument);
        printf.debug("value %s", argument);
        logger.debug(l -> formatted.incrementAndGet());
        loggers.log(LogService.LOG_INFO, "info " + "text");
        assertEquals(0, formatted.get());
        logger.warn("value {}", argument);
        assertEquals(1, formatted.get());
        LogEntry e = r.next();
        assertEquals("value argument", e.getMessage());
        assertEquals(LogLevel.WARN, e.getLogLevel());
        assertNull(r.entries.poll(200, TimeUnit.MILLISECONDS), "nothing below WARN reaches a listener");
    }

    @Test
    void listenersGetEntriesOnTheirOwnThreadWithEveryField() throws Exception {
        LogReader hub = new LogReader(LogLevel.WARN);
        CountDownLatch release = new CountDownLatch(1);
        Recorder r = new Recorder() {
            @Override
            public void logged(LogEntry entry) {
                try {
                    release.await(10, TimeUnit.SECONDS); // a listener that waits (for SCR, say) must not stop the logging thread
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.logged(entry);
            }
        };
        hub.addLogListener(r);
        Logger logger = new Loggers(hub, bundle).getLogger(bundle, "org.example.Broken", Logger.class);
        IllegalStateException boom = new IllegalStateException("boom");
        long before = System.currentTimeMillis();
        logger.error("activate of {} failed", "org.example.Broken", boom);
        logger.error("second");
        release.countDown();
        LogEntry e = r.next();
        assertSame(bundle, e.getBundle());
        assertEquals("activate of org.example.Broken failed", e.getMessage());
        assertSame(boom, e.getException());
        assertEquals(LogLevel.ERROR, e.getLogLevel());
        assertEquals(LogService.LOG_ERROR, legacyLevel(e));
        assertEquals("org.example.Broken", e.getLoggerName());
        assertEquals(Thread.currentThread().getName(), e.getThreadInfo());
        assertTrue(e.getTime() >= before);
        assertNull(e.getServiceReference());
        LogEntry second = r.next();
        assertEquals("second", second.getMessage());
        assertTrue(second.getSequence() > e.getSequence(), "in order");
        assertNotEquals(Thread.currentThread(), r.thread);
        assertTrue(r.thread.isDaemon(), "the delivering thread must not keep the JVM alive");
    }

    @SuppressWarnings("deprecation")
    private static int legacyLevel(LogEntry e) {
        return e.getLevel();
    }

    @Test
    @SuppressWarnings("deprecation")
    void logServiceEntriesAreTheUsingBundles() throws Exception {
        LogReader hub = new LogReader(LogLevel.WARN);
        Recorder r = new Recorder();
        hub.addLogListener(r);
        LogService log = new Loggers(hub, bundle);
        RuntimeException cause = new RuntimeException("cannot resolve");
        log.log(LogService.LOG_ERROR, "Failed to start bundle", cause);
        LogEntry e = r.next();
        assertSame(bundle, e.getBundle());
        assertEquals(LogLevel.ERROR, e.getLogLevel());
        assertEquals("Failed to start bundle", e.getMessage());
        assertSame(cause, e.getException());
        assertEquals("LogService", e.getLoggerName());
        assertEquals(bundle.getSymbolicName(), OsgiLogger.slf4jName(bundle, e.getLoggerName()));
    }

    @Test
    void removedListenersHearNothingAndNoHistoryIsKept() throws Exception {
        LogReader hub = new LogReader(LogLevel.WARN);
        Recorder kept = new Recorder();
        Recorder removed = new Recorder();
        hub.addLogListener(kept);
        hub.addLogListener(removed);
        hub.removeLogListener(removed);
        new Loggers(hub, bundle).getLogger("x").warn("w");
        assertEquals("w", kept.next().getMessage());
        assertTrue(removed.entries.isEmpty());
        assertFalse(hub.getLog().hasMoreElements());
    }

    @Test
    void aStuckListenerCostsBoundedMemory() throws Exception {
        LogReader hub = new LogReader(LogLevel.WARN);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger delivered = new AtomicInteger();
        hub.addLogListener(e -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            delivered.incrementAndGet();
        });
        Logger logger = new Loggers(hub, bundle).getLogger("x");
        int n = LogReader.QUEUE_CAPACITY * 3;
        for (int i = 0; i < n; i++) logger.error("e{}", i);
        assertTrue(hub.dropped() >= n - LogReader.QUEUE_CAPACITY - 1, "dropped " + hub.dropped());
        release.countDown();
        hub.deactivate();
        assertTrue(delivered.get() <= LogReader.QUEUE_CAPACITY + 1);
        assertEquals(List.of(), java.util.Collections.list(hub.getLog()));
    }
}
