package org.kdive.cmd.dis;

import java.io.ByteArrayOutputStream;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.session.Memory;

/** Reads code page by page, so that an unreadable page only cuts the listing short where it starts. */
final class CodeReader {
    private static final long PAGE = 4096;
    private final Memory memory;

    CodeReader(Memory memory) {
        this.memory = memory;
    }

    /**
     * Up to {@code max} bytes at {@code address}, stopping at the first unreadable page.
     *
     * @throws MemoryAccessException when not even the first byte can be read
     */
    byte[] read(long address, int max) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long at = address;
        while (out.size() < max) {
            long pageEnd = (at & ~(PAGE - 1)) + PAGE;
            int n = (int) Math.min(max - out.size(), pageEnd - at);
            byte[] b;
            try {
                b = memory.read(at, n);
            } catch (MemoryAccessException e) {
                if (out.size() == 0) throw e;
                break;
            }
            out.write(b, 0, b.length);
            at += n;
        }
        return out.toByteArray();
    }
}
