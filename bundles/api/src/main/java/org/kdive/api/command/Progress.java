package org.kdive.api.command;

/** Progress of one long task; {@code total} may be -1 when unknown. */
public interface Progress extends AutoCloseable {
    void advance(long amount);

    /** Marks the task finished. */
    @Override
    void close();

    Progress NONE = new Progress() {
        @Override public void advance(long amount) { }
        @Override public void close() { }
    };
}
