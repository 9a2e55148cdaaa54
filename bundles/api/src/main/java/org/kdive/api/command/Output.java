package org.kdive.api.command;

/**
 * Where a streamed {@link Result} writes its output while it produces it (see
 * {@link Result#stream}). The shell prints text as it arrives (a pipe or the terminal sees the
 * first lines within moments, and nothing accumulates in memory) and prints each record as one
 * JSON line. A command writes text when {@link #json()} is false and records when it is true;
 * writing both is allowed (the unwanted kind is dropped), but building it costs time.
 *
 * <p>Every write is a cancellation point: the shell's implementation throws
 * {@link CommandCancelledException} once the command was cancelled.
 */
public interface Output {
    /** Whether the user asked for JSON: write {@link #record records}, text is dropped. */
    boolean json();

    /** Crash text, exactly as crash prints it; any amount, lines end with '\n'. */
    void text(CharSequence text);

    /** {@code text(line)} and a newline. */
    default void line(CharSequence line) {
        text(line);
        text("\n");
    }

    /**
     * One JSON-ready record ({@code Map}, {@code List}, String, Number, Boolean or null), e.g. one
     * struct, one task's backtrace or one line of {@code rd}. Printed as one JSON line
     * {@code {"command":…,"record":…}}; dropped in text mode.
     */
    void record(Object record);

    /**
     * A failure the command reports and gets past (one symbol of several not found, memory ending
     * in an excluded page): the text, exactly as crash prints it (lines ending with '\n'), goes to
     * stderr, the command counts as failed (a batch run exits 1) and under JSON it becomes an error
     * document {@code {"command":…,"error":{"code":CODE,"message":…}}}. Collected into memory
     * ({@link Result#text()}) it stays in place in the text, where crash prints it.
     *
     * @param code a stable error code, e.g. {@link CommandException#NOT_FOUND}
     */
    void error(String code, CharSequence text);
}
