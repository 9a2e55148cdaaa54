package org.kdive.cmd.devices.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The instruction forms bpfload.c's programs do not make (the made dumps cover the others against
 * crash 8.0.6): atomic operations other than add (Linux 5.12), spelled as the kernel's
 * kernel/bpf/disasm.c prints them, and an ld_imm64 of a constant that is no map.
 */
class XlatedPrinterTest {
    private static final XlatedPrinter PRINTER = new XlatedPrinter(a -> a == 0xffff888001234000L ? "map[id:7]" : null, imm -> "unknown");

    private static String one(int code, int dst, int src, int off, int imm) {
        byte[] b = {(byte) code, (byte) (dst | src << 4), (byte) off, (byte) (off >> 8), (byte) imm, (byte) (imm >> 8), (byte) (imm >> 16),
                (byte) (imm >> 24)};
        return PRINTER.lines(b).get(0).text();
    }

    @Test
    void atomics() {
        assertEquals("(db) lock *(u64 *)(r0 +0) += r1", one(0xdb, 0, 1, 0, 0x00));
        assertEquals("(c3) lock *(u32 *)(r2 -8) |= r3", one(0xc3, 2, 3, -8, 0x40));
        assertEquals("(db) r1 = atomic64_fetch_and((u64 *)(r0 +16), r1)", one(0xdb, 0, 1, 16, 0x51));
        assertEquals("(c3) r4 = atomic_fetch_xor((u32 *)(r5 +0), r4)", one(0xc3, 5, 4, 0, 0xa1));
        assertEquals("(db) r2 = atomic64_xchg((u64 *)(r1 +8), r2)", one(0xdb, 1, 2, 8, 0xe1));
        assertEquals("(db) r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r3)", one(0xdb, 1, 3, 0, 0xf1));
    }

    @Test
    void wideConstantsAndMaps() {
        byte[] map = {0x18, 0x21, 0, 0, 0x00, 0x40, 0x23, 0x01, 0, 0, 0, 0, (byte) 0x80, (byte) 0x88, (byte) 0xff, (byte) 0xff};
        byte[] value = {0x18, 0x01, 0, 0, 0x10, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0x02, 0, 0, 0};
        List<XlatedPrinter.Line> l = PRINTER.lines(map);
        assertEquals("(18) r1 = map[id:7]", l.get(0).text());
        assertEquals("   0: (18) r1 = map[id:7]\n       18 21 00 00 00 40 23 01 00 00 00 00 80 88 ff ff\n", XlatedPrinter.render(l, true));
        assertEquals("(18) r1 = 0x200000010", PRINTER.lines(value).get(0).text());
    }
}
