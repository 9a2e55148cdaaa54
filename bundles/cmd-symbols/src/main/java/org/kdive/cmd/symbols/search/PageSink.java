package org.kdive.cmd.symbols.search;

/** Receives the searched memory a page (or the part of it inside the bounds) at a time. */
public interface PageSink {
    /**
     * @param address address of {@code page[from]} in the searched space (virtual or physical)
     * @param page    the page buffer, reused for the next call
     * @param from    first byte to search (8-byte aligned)
     * @param to      end of the bytes to search; {@code to - from} is a multiple of 8
     * @return false to stop the search (too many matches)
     */
    boolean chunk(long address, byte[] page, int from, int to);
}
