package org.kdive.api.command;

import org.kdive.api.KdiveException;

/**
 * A user error (bad arguments, nothing found); the shell prints the message on stderr, no trace,
 * and a batch run exits with status 1. Under {@code --json} it is a JSON document whose
 * {@code error.code} is {@link #code()}: a stable, machine-readable kind (docs/json.md lists them).
 */
public class CommandException extends KdiveException {
    private static final long serialVersionUID = 1L;
    /** Bad arguments or options. */
    public static final String USAGE = "usage";
    /** A named thing (symbol, type, member, task, file) does not exist. */
    public static final String NOT_FOUND = "not-found";
    /** Anything else the command refuses (the default). */
    public static final String FAILED = "command-failed";

    private final String code;

    public CommandException(String message) {
        this(message, FAILED);
    }

    /** @param code one of the constants here, or a short lower-case kebab-case word of one's own */
    public CommandException(String message, String code) {
        super(message);
        this.code = code == null ? FAILED : code;
    }

    public String code() { return code; }
}
