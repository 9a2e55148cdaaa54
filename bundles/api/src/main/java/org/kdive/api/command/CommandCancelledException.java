package org.kdive.api.command;

/**
 * Thrown on a command's thread once the command was cancelled (Ctrl-C in the shell, a kdive
 * server's client gone): by {@link CommandContext#checkCancelled()} and by every write to an
 * {@link Output}. Deliberately not a {@link org.kdive.api.KdiveException}: code that catches
 * kdive's errors to go on with the next item (an unreadable page, a broken list entry) must let it
 * through. Commands never catch it.
 */
public final class CommandCancelledException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CommandCancelledException() {
        super("cancelled");
    }
}
