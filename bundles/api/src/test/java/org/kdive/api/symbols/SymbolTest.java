package org.kdive.api.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Symbol names as crash keeps them, and the module qualifier. */
class SymbolTest {
    @Test
    void cloneEndingsCutAsCrashDoes() {
        assertEquals("__flush_work", Symbol.crashName("__flush_work.isra.0"));
        assertEquals("kmem_cache_free_bulk", Symbol.crashName("kmem_cache_free_bulk.part.0"));
        assertEquals("foo", Symbol.crashName("foo.llvm.123456"));
        assertEquals("vqb_probe.cold", Symbol.crashName("vqb_probe.cold"), ".cold stays");
        assertEquals("memcpy_orig.constprop.0", Symbol.crashName("memcpy_orig.constprop.0"), ".constprop stays");
        assertEquals("a.constprop.0", Symbol.crashName("a.constprop.0.isra.0"), "the ending and all after it go");
        assertEquals(".isra.0", Symbol.crashName(".isra.0"), "nothing before the ending: kept");
        assertEquals("schedule", Symbol.crashName("schedule"));
        assertNull(Symbol.crashName(null));
    }

    @Test
    void qualifiedNamesAndText() {
        Symbol m = new Symbol("vqb_virtqueue_add", 0xffffffffc0619030L, 0x100, 't', "vqbug");
        assertEquals("vqbug:vqb_virtqueue_add", m.qualifiedName());
        assertTrue(m.isText());
        Symbol k = new Symbol("jiffies_64", 0xffffffffbe005000L, 8, 'D', null);
        assertEquals("jiffies_64", k.qualifiedName());
        assertFalse(k.isText());
        assertTrue(new Symbol("x", 0, 0, 'W', null).isText());
        assertFalse(new Symbol("x", 0, 0, 'A', null).isText());
    }
}
