package org.kdive.arch.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdive.api.arch.KernelArch;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.session.Session;
import org.kdive.test.Corpus;
import org.kdive.test.CrashText;

/** Kernel address translation on vmcore.kdump-zlib (5-level paging, KASLR) against crash 8.0.2. */
class TranslationCorpusTest {
    private final Session session = CorpusSession.get();
    private final KernelArch arch = session.arch();

    @Test
    void translatesLikeCrashVtop() {
        // physical addresses from crash 8.0.2 `vtop` on the same dump
        assertEquals(0x26f8000L, arch.toPhysical(0xff228398826f8000L), "direct map (RDI, 2 MiB page)");
        assertEquals(0x24f807dL, arch.toPhysical(0xffffffffc061907dL), "module text (RIP)");
        assertEquals(0x22cae90L, arch.toPhysical(0xff61e9284036be90L), "vmalloc'd task stack (RSP)");
        assertEquals(0x2626c53fL, arch.toPhysical(0xffffffffbca6c53fL), "kernel text");
        // the same through the page-table walk from the kernel's pgd (no image-mapping shortcut)
        assertEquals(0x2626c53fL, arch.toPhysical(arch.kernelPageTable(), 0xffffffffbca6c53fL));
    }

    @Test
    void readsTheStackCrashReads() {
        // refs/crash/15-rd.txt: rd ff61e9284036be90 8
        String ref = Corpus.crashRef("15-rd");
        StringBuilder ours = new StringBuilder();
        for (int line = 0; line < 4; line++) {
            long a = 0xff61e9284036be90L + 16L * line;
            ours.append(String.format("%x:  %016x %016x", a, session.memory().u64(a), session.memory().u64(a + 8)));
            ours.append('\n');
        }
        // crash's layout, column for column (its ASCII column follows)
        String[] refLines = CrashText.layout(ref).split("\n");
        String[] ourLines = CrashText.layout(ours.toString()).split("\n");
        for (int i = 0; i < 4; i++) {
            assertTrue(refLines[i].startsWith(ourLines[i]), "line " + i + ": " + ourLines[i] + " vs " + refLines[i]);
        }
    }

    @Test
    void explainsLikeCrashVtop() {
        List<String> steps = arch.walk(arch.kernelPageTable(), 0xff228398826f8000L).lines();
        assertEquals(List.of(
                "PGD DIRECTORY: ffffffffbe410000",
                "PAGE DIRECTORY: 28a01067",
                "   P4D: 28a01838 => 28a02067",
                "   PUD: 28a02310 => 28a03067",
                "   PMD: 28a03098 => 80000000026001e3",
                "  PAGE: 2600000  (2MB)"), steps);
        steps = arch.walk(arch.kernelPageTable(), 0xff61e9284036be90L).lines();
        assertEquals(List.of(
                "PGD DIRECTORY: ffffffffbe410000",
                "PAGE DIRECTORY: 1000067",
                "   P4D: 1000e90 => 11a4067",
                "   PUD: 11a4508 => 11a5067",
                "   PMD: 11a5008 => 22bd067",
                "   PTE: 22bdb58 => 80000000022ca163",
                "  PAGE: 22ca000"), steps);
    }

    @Test
    void unmappedAddressesNameTheLevel() {
        // the guard page below the panic task's vmalloc'd stack
        MemoryAccessException e = assertThrows(MemoryAccessException.class,
                () -> arch.toPhysical(0xff61e92840367ff8L));
        assertEquals(MemoryAccessException.Reason.UNMAPPED, e.reason());
        assertTrue(e.getMessage().startsWith("pte entry not present at physical 0x"), e.getMessage());
        assertTrue(e.getMessage().contains("for virtual 0xff61e92840367ff8"), e.getMessage());

        e = assertThrows(MemoryAccessException.class, () -> arch.toPhysical(0xff00000000000000L));
        assertEquals(MemoryAccessException.Reason.UNMAPPED, e.reason());
        assertTrue(e.getMessage().startsWith("pgd entry not present"), e.getMessage());

        e = assertThrows(MemoryAccessException.class, () -> arch.toPhysical(0x0100000000000000L));
        assertTrue(e.getMessage().startsWith("non-canonical address"), e.getMessage());

        var walk = arch.walk(arch.kernelPageTable(), 0xff61e92840367ff8L);
        assertTrue(walk.failure().startsWith("pte entry not present"), walk.failure());
        assertEquals("PTE", walk.steps().get(walk.steps().size() - 1).level());
        assertEquals(-1, walk.physical());
    }

    /**
     * Kernel-image addresses whose PMD entry is 0 (the image mapping before _text and after _end) are
     * not mapped. crash 8.0.6 translates them by subtraction all the same: its `vtop ffffffff97a5c180`
     * prints PHYSICAL 125c180 under the walk below (ending at "PMD: 27c165e8 => 0") and its `rd`
     * there returns the page's data, read through the direct map's page. The page tables and drgn
     * 0.0.31 say otherwise: prog.read_u64(0xffffffff97a5c180) raises FaultError "Page table not
     * present: pmd[189] = 0x0". So the walk is crash's, the translation fails.
     */
    @Test
    void unmappedKernelImageAddressesFailWhereCrashSubtracts() {
        long belowText = 0xffffffff97a5c180L; // swapper/1's task_struct (physical 125c180) seen through the image mapping
        long afterEnd = 0xffffffffbf800000L;  // _end is ffffffffbf230000
        assertEquals(List.of(
                "PGD DIRECTORY: ffffffffbe410000",
                "PAGE DIRECTORY: 27c14067",
                "   P4D: 27c14ff8 => 27c15067",
                "   PUD: 27c15ff0 => 27c16063",
                "   PMD: 27c165e8 => 0"), arch.walk(arch.kernelPageTable(), belowText).lines());
        assertEquals(List.of(
                "PGD DIRECTORY: ffffffffbe410000",
                "PAGE DIRECTORY: 27c14067",
                "   P4D: 27c14ff8 => 27c15067",
                "   PUD: 27c15ff0 => 27c16063",
                "   PMD: 27c16fe0 => 0"), arch.walk(arch.kernelPageTable(), afterEnd).lines());
        for (long v : new long[] {belowText, afterEnd}) {
            MemoryAccessException e = assertThrows(MemoryAccessException.class, () -> arch.toPhysical(v));
            assertEquals(MemoryAccessException.Reason.UNMAPPED, e.reason());
            assertTrue(e.getMessage().startsWith("pmd entry not present"), e.getMessage());
            assertThrows(MemoryAccessException.class, () -> session.memory().u64(v));
        }
        // the data is in the dump: through the direct map the same physical page reads
        assertEquals(0x4000L, session.memory().u64(0xff2283988125c180L));
        // the mapped image still translates as crash does: _text, PMD 262001e1 (2 MiB page)
        assertEquals(0x26200000L, arch.toPhysical(0xffffffffbca00000L));
        assertEquals("PMD", arch.walk(arch.kernelPageTable(), 0xffffffffbca00000L).leaf().orElseThrow().level());
        assertEquals(List.of("PRESENT", "ACCESSED", "DIRTY", "PSE", "GLOBAL"),
                arch.walk(arch.kernelPageTable(), 0xffffffffbca00000L).leaf().orElseThrow().flags());
    }

    @Test
    void translationCacheIsFast() {
        long base = 0xff22839880000000L; // page_offset_base from crash's `help -m`
        long t0 = System.nanoTime();
        long sum = 0;
        int n = 2_000_000;
        for (int i = 0; i < n; i++) {
            sum += arch.toPhysical(base + ((i * 4096L * 7919) & 0x1fffffffL));
        }
        long ns = (System.nanoTime() - t0) / n;
        System.out.printf("direct-map translation: %d ns each (%x)%n", ns, sum);
        assertEquals(0x26f8000L, arch.toPhysical(0xff228398826f8000L));
        assertTrue(ns < 5_000, "translation too slow: " + ns + " ns");
    }
}
