package org.kdive.api;

/**
 * Base of every error kdive shows to a user. Unchecked, so command code stays short;
 * the shell prints {@link #getMessage()} and never a stack trace.
 */
public class KdiveException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KdiveException(String message) {
        super(message);
    }

    public KdiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
