package org.kdive.cmd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.cmd.kernel.commands.KmemCommand;
import org.kdive.test.Corpus;
import org.kdive.test.CrashText;
import org.kdive.test.session.CorpusSession;

/**
 * `kmem -s` / `kmem -S` against crash 8.0.2 on the corpus (Debian 6.1, SLUB with hardened freelists,
 * one node, two CPUs). References: src/test/resources/refs/crash-kmem_*.txt.
 */
class KmemSlabTest {
    private static String kmem(String... args) {
        return CrashText.layout(CorpusSession.run(new KmemCommand(), args));
    }

    private static String ref(String name) {
        return CrashText.layout(LocalRefs.crash(name));
    }

    @Test
    void everyCacheMatchesCrash() {
        assertEquals(ref("kmem_-s"), kmem("-s"));
    }

    @Test
    void oneCacheByNameOrAddressMatchesCrash() {
        assertEquals(ref("kmem_-s_kmalloc-192"), kmem("-s", "kmalloc-192"));
        // a kmem_cache's own address selects it
        assertEquals(ref("kmem_-s_kmalloc-192"), kmem("-s", "ff22839881034800"));
    }

    @Test
    void perSlabDetailMatchesCrash() {
        assertEquals(ref("kmem_-S_kmalloc-8k"), kmem("-S", "kmalloc-8k"));
        assertEquals(ref("kmem_-S_kmalloc-192"), kmem("-S", "kmalloc-192"));
    }

    /** Every cache's CPU slabs, CPU partial slabs and node partial lists, with their objects (13,600 lines). */
    @Test
    void perSlabDetailOfEveryCacheMatchesCrash() {
        assertEquals(ref("kmem_-S"), kmem("-S"));
    }

    @Test
    void addressesInSlabsMatchCrash() {
        // an allocated object: only its line
        assertEquals(ref("kmem_-s_ff228398a7b700c0"), kmem("-s", "ff228398a7b700c0"));
        // inside a free object, with -S: the whole slab
        assertEquals(ref("kmem_-S_ff228398a7b70010"), kmem("-S", "ff228398a7b70010"));
        // a slab's page descriptor: the whole slab
        assertEquals(ref("kmem_-s_ffde6911809edc00"), kmem("-s", "ffde6911809edc00"));
    }

    @Test
    void cacheListMatchesCrash() {
        assertEquals(ref("kmem_-s_list"), kmem("-s", "list"));
    }

    @Test
    void badArgumentsAreRefused() {
        // crash: "kmem: address is not allocated in slab subsystem: ff22839880000012" (a small number is physical)
        CommandException e = assertThrows(CommandException.class, () -> kmem("-s", "12"));
        assertEquals(LocalRefs.crash("kmem_-s_12").strip(), e.getMessage());
        // crash prints nothing for an unknown name; kdive says why
        e = assertThrows(CommandException.class, () -> kmem("-s", "no-such-cache"));
        assertEquals("kmem: no kmem_cache named no-such-cache", e.getMessage());
        e = assertThrows(CommandException.class, () -> kmem("-s", "-i"));
        assertEquals("only one flag allowed!", e.getMessage()); // the shell prints "kmem: " before it
        e = assertThrows(CommandException.class, () -> kmem("-s", "kmalloc-8k", "kmalloc-192"));
        assertEquals("kmem: only one kmem_cache reference is allowed", e.getMessage());
        assertThrows(CommandException.class, () -> kmem("-s", "-q"));
    }

    @Test
    void dataHasOneEntryPerCacheWithTheNumbers() {
        Result r = new KmemCommand().execute(CorpusSession.context(), List.of("-s"));
        List<?> caches = (List<?>) ((Map<?, ?>) r.data()).get("caches");
        long refLines = LocalRefs.crash("kmem_-s").lines().filter(l -> l.matches("[0-9a-f]{16} .*")).count();
        assertEquals(refLines, caches.size());
        Map<?, ?> k192 = caches.stream().map(c -> (Map<?, ?>) c).filter(c -> "kmalloc-192".equals(c.get("name"))).findFirst().orElseThrow();
        assertEquals("0xff22839881034800", k192.get("address"));
        assertEquals(192L, k192.get("objsize"));
        assertEquals(292L, k192.get("allocated"));
        assertEquals(315L, k192.get("total"));
        assertEquals(15L, k192.get("slabs"));
        assertEquals(4096L, k192.get("slab_size"));

        Result s = new KmemCommand().execute(CorpusSession.context(), List.of("-S", "kmalloc-8k"));
        Map<?, ?> c8k = (Map<?, ?>) ((List<?>) ((Map<?, ?>) s.data()).get("caches")).get(0);
        Map<?, ?> cpu0 = (Map<?, ?>) ((List<?>) c8k.get("cpus")).get(0);
        List<?> objects = (List<?>) ((Map<?, ?>) cpu0.get("slab")).get("objects");
        assertEquals(4, objects.size());
        assertEquals(Map.of("address", "0xff22839882502000", "free", false), objects.get(1));
        assertEquals(0, ((Map<?, ?>) objects.get(0)).get("cpu_cache"));
    }

    @Test
    void usageNamesTheSlabOptions() {
        String u = new KmemCommand().usage();
        assertTrue(u.contains("kmem -i | -s [name|address|list] | -S[=cpus] [name|address]"), u);
        assertTrue(u.contains("  -S       as -s, and each CPU's slab"), u);
    }
}
