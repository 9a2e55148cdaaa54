package org.kdive.symbols.btf.format;

import org.kdive.api.KdiveException;

/** Damaged BTF: names the blob (where it was read from), the byte offset in it, and what was expected. */
public final class BtfException extends KdiveException {
    private static final long serialVersionUID = 1L;

    public BtfException(String source, long offset, String expected, String found) {
        super(String.format("%s: offset 0x%x: expected %s, found %s", source, offset, expected, found));
    }
}
