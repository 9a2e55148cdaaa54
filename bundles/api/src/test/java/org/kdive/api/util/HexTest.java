package org.kdive.api.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.kdive.api.command.CommandException;

/** Addresses as crash users type and read them (the corpus panic's exception RIP, 0xffffffffc061907d). */
class HexTest {
    private static final long RIP = 0xffffffffc061907dL;

    @Test
    void formats() {
        assertEquals("ffffffffc061907d", Hex.addr(RIP));
        assertEquals("0000000000001000", Hex.addr(0x1000));
        assertEquals("0xffffffffc061907d", Hex.json(RIP));
        assertEquals("0x1000", Hex.json(0x1000));
        assertEquals("0x0", Hex.json(0));
    }

    @Test
    void parses() {
        assertEquals(RIP, Hex.parseAddress("ffffffffc061907d"));
        assertEquals(RIP, Hex.parseAddress(" 0xFFFFFFFFC061907D "));
        assertEquals(0x10, Hex.parseAddress("10"), "crash reads addresses as hex");
        CommandException e = assertThrows(CommandException.class, () -> Hex.parseAddress("vqb_virtqueue_add"));
        assertEquals("invalid address: vqb_virtqueue_add", e.getMessage());
        assertThrows(CommandException.class, () -> Hex.parseAddress("1ffffffffc061907d"), "more than 64 bits");
        assertThrows(CommandException.class, () -> Hex.parseAddress("0x"));
    }

    @Test
    void addressesAndNamesApart() {
        assertTrue(Hex.looksLikeAddress("ffffffffc061907d"));
        assertTrue(Hex.looksLikeAddress("0xdead"));
        assertTrue(Hex.looksLikeAddress("1000"), "digits only");
        assertTrue(Hex.looksLikeAddress("c061907d"), "eight hex digits");
        assertFalse(Hex.looksLikeAddress("dead"), "a short hex word may be a name");
        assertFalse(Hex.looksLikeAddress("schedule"));
        assertFalse(Hex.looksLikeAddress("0x"));
        assertFalse(Hex.looksLikeAddress(""));
        assertFalse(Hex.looksLikeAddress("1ffffffffc061907d"), "17 digits");
    }
}
