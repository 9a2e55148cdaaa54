package org.kdive.format.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Le's field access on the corpus ELF dump's header and notes, whose values readelf shows. */
class LeTest {
    @Test
    void elfHeaderFields() {
        byte[] h = CorpusElf.read(0, 64);
        assertEquals(0x7f, Le.u8(h, 0));
        assertEquals(4, Le.u16(h, 16), "e_type ET_CORE");
        assertEquals(62, Le.u16(h, 18), "e_machine EM_X86_64");
        assertEquals(64, Le.i64(h, 0x20), "e_phoff");
        assertEquals(15, Le.u16(h, 0x38), "e_phnum");
        assertEquals(0x7f454c4602010100L, Le.be64(h, 0), "\\x7fELF, 64-bit, little-endian, version 1, System V");
    }

    @Test
    void highBitsStayUnsignedWhereTheyShould() {
        // the kernel-text PT_LOAD (the second program header): p_vaddr 0xffffffffbca00000
        byte[] ph = CorpusElf.read(64 + 56, 56);
        assertEquals(0xffffffffbca00000L, Le.i64(ph, 16));
        assertEquals(0xffffffffL, Le.u32(ph, 20));
        assertEquals(-1, Le.i32(ph, 20));
        assertEquals(0xbca00000L, Le.u32(ph, 16));
        byte[] b = new byte[12];
        Le.put64(b, 2, 0xffffffffbca00000L);
        Le.put32(b, 0, 0x11223344);
        assertEquals(0x11223344, Le.i32(b, 0));
        assertEquals(0xffffffffbca0L, Le.i64(b, 4), "put32 overwrote the first two bytes of the u64");
    }

    @Test
    void cstringStopsAtNulOrField() {
        byte[] n = CorpusElf.read(0x388 + 12, 8); // "CORE\0" and padding
        assertEquals("CORE", Le.cstring(n, 0, 8));
        assertEquals("CO", Le.cstring(n, 0, 2));
        assertEquals("RE", Le.cstring(n, 2, 100), "the array's end bounds it too");
    }
}
