package org.kdive.api.session;

/**
 * Told when a dump has been opened, before any command runs: for bundles that add to every
 * session (e.g. module symbols from the dump's kallsyms, as crash loads them at start-up).
 * Must be quick and must not throw for a damaged dump (log and return instead).
 */
public interface SessionListener {
    void opened(Session session);
}
