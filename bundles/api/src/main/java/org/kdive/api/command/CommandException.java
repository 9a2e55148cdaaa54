package org.kdive.api.command;

import org.kdive.api.KdiveException;

/** A user error (bad arguments, nothing found); the shell prints the message, no trace. */
public class CommandException extends KdiveException {
    private static final long serialVersionUID = 1L;

    public CommandException(String message) {
        super(message);
    }
}
