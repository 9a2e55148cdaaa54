package org.kdive.api.dump;

/**
 * Physical memory as a dump holds it. Implementations must be thread-safe and must not load
 * the whole dump into memory.
 */
public interface PhysicalMemory {
    int pageSize();

    /** One past the highest physical address the dump describes. */
    long limit();

    /**
     * Reads {@code len} bytes at physical address {@code paddr}, possibly across pages.
     *
     * @throws MemoryAccessException if any byte is not present, with the reason
     */
    void read(long paddr, byte[] dst, int off, int len);

    /** Whether the page containing {@code paddr} can be read. */
    boolean isPresent(long paddr);

    /**
     * The start of the first present page at or after {@code paddr}, or -1 if none:
     * lets callers iterate over present memory without knowing the format.
     */
    long nextPresent(long paddr);

    default byte[] read(long paddr, int len) {
        byte[] b = new byte[len];
        read(paddr, b, 0, len);
        return b;
    }

    /** Little-endian 64-bit read (all supported architectures so far are little-endian). */
    default long readLong(long paddr) {
        byte[] b = read(paddr, 8);
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xff);
        }
        return v;
    }
}
