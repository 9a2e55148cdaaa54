package org.kdive.arch.x86;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdive.api.arch.AddressSpace;
import org.kdive.api.arch.KernelArch;
import org.kdive.api.arch.MappedRange;
import org.kdive.api.dump.Dump;
import org.kdive.api.fetch.KernelIdentities;
import org.kdive.api.session.Session;
import org.kdive.format.elf.ElfFormat;
import org.kdive.test.Corpus;

/**
 * The x86_64 address space of vmcore.kdump-zlib (5-level paging, KASLR), what commands see instead
 * of x86 constants. Bases as crash 8.0.2/8.0.6 show them: page_offset_base ff22839880000000 (help -m,
 * vtop's subtraction), the struct page of physical 125c000 at ffde691180049700 (vtop's page line),
 * _text at ffffffffbca00000 = physical 26200000.
 */
class AddressSpaceCorpusTest {
    private final Session session = CorpusSession.get();
    private final KernelArch arch = session.arch();
    private final AddressSpace space = arch.addressSpace(session);

    @Test
    void regionsAsCrashSeesThem() {
        assertEquals(0xff00000000000000L, space.kernelBase(), "5-level kvbase");
        assertEquals(0xff22839880000000L, space.directMap().start());
        assertEquals(0xff228398826f8000L, space.directMapAddress(0x26f8000L));
        assertTrue(space.directMap().contains(0xff228398826f8000L));
        assertEquals(0xffffffff80000000L, space.kernelImage().start());
        assertTrue(space.kernelImage().contains(0xffffffffbca00000L));
        assertFalse(space.kernelImage().contains(0xffffffffc061907dL), "module text is not the image");
        assertTrue(space.modules().contains(0xffffffffc061907dL));
        assertEquals(0xffffffffbca00000L - 0x26200000L, space.imageOffset());
        assertEquals(64, space.pageStructSize());
        assertEquals(0xffde691180049700L, space.pageStruct(0x125c000L));
        assertEquals(0x125cL, space.pfnOfPageStruct(0xffde691180049700L));
        assertTrue(space.maxPfn() > 0x3f000 && space.maxPfn() <= 0x40000, "1 GiB guest: " + Long.toHexString(space.maxPfn()));
        assertEquals(-1, space.pageStruct(space.maxPfn() * 4096));
        assertTrue(space.vmalloc().contains(0xff61e9284036be90L), "the panic task's vmalloc'd stack");
    }

    @Test
    void perCpuOffsetsAreTheKernels() {
        long[] offsets = space.perCpuOffsets();
        assertEquals(2, offsets.length, "nr_cpu_ids");
        long base = session.symbols().address("__per_cpu_offset");
        for (int cpu = 0; cpu < 2; cpu++) {
            assertEquals(session.memory().u64(base + 8L * cpu), offsets[cpu]);
            assertEquals(offsets[cpu], space.perCpuOffset(cpu));
        }
        assertEquals(0, space.perCpuOffset(2), "no such CPU");
        offsets[0] = 0;
        assertArrayEquals(new long[] {space.perCpuOffset(0), space.perCpuOffset(1)}, space.perCpuOffsets(), "a copy each call");
    }

    /** The ranges of the vmalloc'd stack area: mapped pages agree with toPhysical, the guard page below is a gap. */
    @Test
    void mappingsStepOverHoles() {
        long stack = 0xff61e9284036be90L & -16384L; // the panic task's THREAD_SIZE stack
        long from = stack - 4096;
        List<MappedRange> ranges = new ArrayList<>();
        Iterator<MappedRange> it = arch.mappings(arch.kernelPageTable(), from, stack + 16384);
        while (it.hasNext()) ranges.add(it.next());
        assertFalse(ranges.get(0).mapped(), "the guard page below the stack");
        long covered = 0;
        for (MappedRange r : ranges) {
            if (r.mapped()) assertEquals(arch.toPhysical(r.start()), r.physical(), Long.toHexString(r.start()));
            covered += r.size();
        }
        assertEquals(4096 + 16384, covered);
        // an empty top-level entry is one gap, not 2^39 / 4096 pages
        Iterator<MappedRange> empty = arch.mappings(arch.kernelPageTable(), 0xff00000000000000L, 0xff00008000000000L);
        MappedRange gap = empty.next();
        assertFalse(gap.mapped());
        assertTrue(gap.size() >= 1L << 39, Long.toHexString(gap.size()));
    }

    /** The ELF dump has no utsname header: with the architecture, the version comes from init_uts_ns. */
    @Test
    void kernelIdentityThroughTheArchitecture() throws IOException {
        try (Dump dump = new ElfFormat().open(List.of(Corpus.file("vmcore.elf-d31")))) {
            KernelArch elfArch = new X86Architecture().attach(dump, dump.vmcoreinfo().orElseThrow());
            assertEquals("#1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-07-02)", KernelIdentities.of(dump, elfArch).version());
            assertEquals("", KernelIdentities.of(dump, elfArch).banner(), "no banner scan was needed");
        }
    }
}
