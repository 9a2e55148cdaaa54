package org.kdive.api.fetch;

import org.kdive.api.KdiveException;

/** Fetching failed; the message says what to download by hand and where to put it. */
public class FetchException extends KdiveException {
    private static final long serialVersionUID = 1L;

    public FetchException(String message) {
        super(message);
    }

    public FetchException(String message, Throwable cause) {
        super(message, cause);
    }
}
