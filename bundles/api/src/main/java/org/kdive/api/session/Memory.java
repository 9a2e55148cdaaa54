package org.kdive.api.session;

import java.nio.charset.StandardCharsets;

/**
 * The crashed kernel's virtual address space (little-endian). Reads throw
 * {@link org.kdive.api.dump.MemoryAccessException} with the reason.
 */
public interface Memory {
    void read(long vaddr, byte[] dst, int off, int len);

    default byte[] read(long vaddr, int len) {
        byte[] b = new byte[len];
        read(vaddr, b, 0, len);
        return b;
    }

    default long u64(long vaddr) { return le(read(vaddr, 8), 8); }

    default long u32(long vaddr) { return le(read(vaddr, 4), 4); }

    default int u16(long vaddr) { return (int) le(read(vaddr, 2), 2); }

    default int u8(long vaddr) { return read(vaddr, 1)[0] & 0xff; }

    default long pointer(long vaddr) { return u64(vaddr); }

    /** Unsigned little-endian value of {@code size} (1,2,4,8) bytes. */
    default long unsigned(long vaddr, int size) { return le(read(vaddr, size), size); }

    /**
     * A NUL-terminated string of at most {@code max} bytes. Read a 4 KiB page piece at a time (one
     * translation each, not one per byte); an unreadable page before the NUL throws.
     */
    default String cString(long vaddr, int max) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        long at = vaddr;
        int left = max;
        while (left > 0) {
            int n = (int) Math.min(left, 4096 - (at & 4095));
            byte[] chunk = read(at, n);
            for (int i = 0; i < n; i++) {
                if (chunk[i] == 0) {
                    out.write(chunk, 0, i);
                    return out.toString(StandardCharsets.UTF_8);
                }
            }
            out.write(chunk, 0, n);
            at += n;
            left -= n;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Whether {@code vaddr} can be read. */
    boolean isReadable(long vaddr);

    /** Physical address behind a kernel virtual address. */
    long toPhysical(long vaddr);

    static long le(byte[] b, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xff);
        }
        return v;
    }
}
