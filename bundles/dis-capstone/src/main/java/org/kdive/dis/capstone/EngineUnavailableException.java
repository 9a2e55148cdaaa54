package org.kdive.dis.capstone;

import org.kdive.api.KdiveException;

/** The capstone library is missing or unusable; the message tells how to install it. */
public class EngineUnavailableException extends KdiveException {
    private static final long serialVersionUID = 1L;

    public EngineUnavailableException(String message) {
        super(message);
    }
}
