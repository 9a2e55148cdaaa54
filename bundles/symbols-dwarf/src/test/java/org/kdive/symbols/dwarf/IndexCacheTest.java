package org.kdive.symbols.dwarf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.util.Optional;
import org.kdive.symbols.dwarf.dwarf.DwarfFile;
import org.kdive.symbols.dwarf.dwarf.Unit;
import org.kdive.symbols.dwarf.elf.ElfFile;
import org.kdive.symbols.dwarf.elf.ElfSection;
import org.kdive.api.symbols.LoadSpec;
import org.kdive.test.Corpus;
import org.kdive.symbols.dwarf.index.Category;
import org.kdive.symbols.dwarf.index.NameIndex;

/** The on-disk name index: written whole in the background, read back identical, never misread when damaged. */
class IndexCacheTest {
    @TempDir
    Path dir;

    /** Names of every category, present and absent, in vmlinux. */
    private static final Object[][] VMLINUX_NAMES = {
        {Category.VARIABLE, "jiffies"}, {Category.VARIABLE, "init_task"}, {Category.STRUCT, "task_struct"},
        {Category.STRUCT, "list_head"}, {Category.UNION, "thread_union"}, {Category.ENUM, "pid_type"},
        {Category.TYPEDEF, "pid_t"}, {Category.BASE, "long unsigned int"}, {Category.FUNCTION, "schedule"},
        {Category.FUNCTION, "machine_kexec"}, {Category.FUNCTION, "no_such_function_anywhere"},
        {Category.STRUCT, "jiffies"},
    };

    @Test
    void cachedVmlinuxIndexAnswersAsTheBuiltOne() throws IOException {
        DwarfFile dwarf = Shared.vmlinux().dwarf();
        NameIndex built = withCacheDir(() -> NameIndex.loadOrBuild(dwarf, "test-vmlinux"));
        assertFalse(built.fromCache());
        assertTrue(built.problems().isEmpty(), built.problems().toString());
        built.awaitSaved(60_000);
        assertEquals(List.of("test-vmlinux.idx"), files(), "the index and no temporary file");
        NameIndex cached = withCacheDir(() -> NameIndex.loadOrBuild(dwarf, "test-vmlinux"));
        assertTrue(cached.fromCache());
        for (Object[] n : VMLINUX_NAMES) {
            Category c = (Category) n[0];
            String name = (String) n[1];
            assertEquals(built.lookup(c, name), cached.lookup(c, name), c + " " + name);
        }
        assertTrue(cached.lookup(Category.STRUCT, "task_struct") >= 0);
        assertTrue(cached.lookup(Category.VARIABLE, "jiffies") >= 0);
        assertEquals(-1, cached.lookup(Category.FUNCTION, "no_such_function_anywhere"));
        assertEquals(-1, cached.lookup(Category.STRUCT, "jiffies"), "names are per category");

        // where the units start comes with it: a look-up reads the one unit header it needs
        long[] starts = cached.unitStarts();
        assertTrue(starts != null && starts.length > 1000, "vmlinux has thousands of units");
        org.junit.jupiter.api.Assertions.assertArrayEquals(built.unitStarts(), starts);
        DwarfFile fresh = new DwarfFile(dwarf.path, dwarf.sections);
        assertTrue(withCacheDir(() -> NameIndex.loadOrBuild(fresh, "test-vmlinux")).fromCache());
        assertNamesAsIn(dwarf, fresh, cached);
        assertEquals(null, fresh.unitStarts(), "no listing of every unit header");
        // a start that is no unit's (a file damaged with a valid checksum): every header is listed after all
        long[] wrong = starts.clone();
        wrong[starts.length / 2] += 1;
        DwarfFile misled = new DwarfFile(dwarf.path, dwarf.sections);
        misled.adoptUnitStarts(wrong);
        for (int i = starts.length / 2 - 1; i <= starts.length / 2; i++) {
            assertEquals(dwarf.unitAt(false, starts[i]).offset, misled.unitAt(false, starts[i]).offset);
        }
        assertNamesAsIn(dwarf, misled, cached);
    }

    /** The name of each indexed DIE, read through {@code other}, is the one read through {@code dwarf}. */
    private static void assertNamesAsIn(DwarfFile dwarf, DwarfFile other, NameIndex index) {
        for (Object[] n : VMLINUX_NAMES) {
            long ref = index.lookup((Category) n[0], (String) n[1]);
            if (ref >= 0) assertEquals(dwarf.die(ref).name(), other.die(ref).name(), (String) n[1]);
        }
    }

    @Test
    void damagedOrOldCacheIsRebuiltNotRead() throws IOException {
        DwarfFile dwarf = Shared.vqbug().dwarf();
        NameIndex first = withCacheDir(() -> NameIndex.loadOrBuild(dwarf, "test-vqbug"));
        first.awaitSaved(60_000);
        long struct = first.lookup(Category.STRUCT, "vqb_vring_virtqueue");
        long function = first.lookup(Category.FUNCTION, "vqb_virtqueue_add");
        assertTrue(struct >= 0 && function >= 0);
        Path file = dir.resolve("test-vqbug.idx");
        byte[] good = Files.readAllBytes(file);
        assertTrue(withCacheDir(() -> NameIndex.loadOrBuild(dwarf, "test-vqbug")).fromCache());

        // one flipped bit in the table, a format version from before, a cut-off file, another identity
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 1;
        byte[] older = good.clone();
        ByteBuffer.wrap(older).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2);
        byte[] cut = java.util.Arrays.copyOf(good, good.length - 100);
        for (byte[] bad : List.of(flipped, older, cut)) {
            Files.write(file, bad);
            NameIndex again = withCacheDir(() -> NameIndex.loadOrBuild(dwarf, "test-vqbug"));
            assertFalse(again.fromCache());
            assertEquals(struct, again.lookup(Category.STRUCT, "vqb_vring_virtqueue"));
            assertEquals(function, again.lookup(Category.FUNCTION, "vqb_virtqueue_add"));
            again.awaitSaved(60_000);
            assertTrue(java.util.Arrays.equals(good, Files.readAllBytes(file)), "rewritten whole");
        }
        Files.move(file, dir.resolve("test-other.idx"));
        assertFalse(withCacheDir(() -> NameIndex.loadOrBuild(dwarf, "test-other")).fromCache(),
                "a file renamed to another identity");
    }

    @Test
    void temporariesOfKilledRunsAreRemoved() throws IOException {
        DwarfFile dwarf = Shared.vqbug().dwarf();
        Path stale = dir.resolve("test-tmp.idx.12345-678.tmp");
        Path recent = dir.resolve("test-tmp.idx.12345-999.tmp");
        Files.write(stale, new byte[10]);
        Files.write(recent, new byte[10]);
        Files.setLastModifiedTime(stale, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        withCacheDir(() -> NameIndex.loadOrBuild(dwarf, "test-tmp")).awaitSaved(60_000);
        assertEquals(List.of("test-tmp.idx", "test-tmp.idx.12345-999.tmp"), files(),
                "the stale one is gone, one that may belong to a running process stays");
        try (FileChannel ch = FileChannel.open(dir.resolve("test-tmp.idx"), StandardOpenOption.READ)) {
            assertNotEquals(0, ch.size());
        }
    }

    /**
     * Issue 14 §2: a copy of vmlinux with a damaged .debug_info (same build-id, same size) must neither
     * be answered from the good file's index nor leave its half index for the good file.
     */
    @Test
    void damagedDwarfOfTheSameBuildNeverSharesTheIndex(@TempDir Path work) throws IOException {
        DwarfDebugInfo good = Shared.vmlinux();
        String buildId = good.buildId().orElseThrow();
        NameIndex reference = withCacheDir(() -> NameIndex.loadOrBuild(good.dwarf(), buildId));
        reference.awaitSaved(60_000);
        Path idx = dir.resolve(buildId + ".idx");

        Path copy = work.resolve("vmlinux");
        sparseCopyOfTheIndexedParts(good.elf(), copy);
        try (DwarfDebugInfo same = new DwarfDebugInfo(ElfFile.open(copy), LoadSpec.vmlinux(Shared.KASLR))) {
            NameIndex first = withCacheDir(() -> NameIndex.loadOrBuild(same.dwarf(), buildId));
            assertTrue(first.fromCache() && first.verifiedByChecksum(), "another file: its content is checked once");
            first.awaitSaved(60_000);
            NameIndex second = withCacheDir(() -> NameIndex.loadOrBuild(same.dwarf(), buildId));
            assertTrue(second.fromCache() && !second.verifiedByChecksum(), "then known by its stamp");
            assertEquals(reference.lookup(Category.FUNCTION, "schedule"), second.lookup(Category.FUNCTION, "schedule"));
        }
        byte[] saved = Files.readAllBytes(idx);

        // the unit defining schedule() and all after it become unreadable: a reserved unit length
        long schedule = reference.lookup(Category.FUNCTION, "schedule");
        Unit unit = java.util.Arrays.stream(good.dwarf().units()).filter(u -> u.offset <= schedule && schedule < u.end)
                .findFirst().orElseThrow();
        long at = good.elf().section(".debug_info").orElseThrow().offset() + unit.offset;
        try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xf0, -1, -1, -1}), at);
        }
        try (DwarfDebugInfo damaged = new DwarfDebugInfo(ElfFile.open(copy), LoadSpec.vmlinux(Shared.KASLR))) {
            assertEquals(Optional.of(buildId), damaged.buildId());
            assertEquals(Files.size(Corpus.vmlinux()), Files.size(copy));
            NameIndex half = withCacheDir(() -> NameIndex.loadOrBuild(damaged.dwarf(), buildId));
            assertFalse(half.fromCache(), "the good file's index is not the damaged file's");
            assertEquals(1, half.problems().size(), half.problems().toString());
            assertTrue(half.problems().get(0).contains("offset 0x" + Long.toHexString(unit.offset)), half.problems().get(0));
            assertNotEquals(schedule, half.lookup(Category.FUNCTION, "schedule"));
            half.awaitSaved(60_000);
            assertTrue(java.util.Arrays.equals(saved, Files.readAllBytes(idx)), "the good index stays as it was");

            // the order: the damaged file first, with nothing cached, then the good one
            Files.delete(idx);
            NameIndex again = withCacheDir(() -> NameIndex.loadOrBuild(damaged.dwarf(), buildId));
            again.awaitSaved(60_000);
            assertEquals(List.of(), files(), "an index built while units were skipped is not cached");
        }
        NameIndex after = withCacheDir(() -> NameIndex.loadOrBuild(good.dwarf(), buildId));
        assertFalse(after.fromCache());
        for (Object[] n : VMLINUX_NAMES) {
            assertEquals(reference.lookup((Category) n[0], (String) n[1]), after.lookup((Category) n[0], (String) n[1]));
        }
        assertEquals(schedule, after.lookup(Category.FUNCTION, "schedule"));
    }

    /**
     * A copy of the file as large as it, holding only what the name index reads (ELF headers, section
     * names, notes and the DWARF sections it scans): the rest are holes, ~170 of 561 MiB written.
     */
    private static void sparseCopyOfTheIndexedParts(ElfFile elf, Path to) throws IOException {
        List<String> kept = List.of(".debug_info", ".debug_types", ".debug_abbrev", ".debug_str", ".debug_line_str",
                ".debug_str_offsets", ".shstrtab");
        try (FileChannel in = FileChannel.open(elf.path(), StandardOpenOption.READ);
             FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                     StandardOpenOption.SPARSE)) {
            ByteBuffer eh = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            in.read(eh, 0);
            long shoff = eh.getLong(0x28);
            long shsize = (long) (eh.getShort(0x3a) & 0xffff) * (eh.getShort(0x3c) & 0xffff);
            copy(in, out, 0, 4096); // ELF and program headers
            copy(in, out, shoff, shsize);
            for (ElfSection s : elf.sections()) {
                if (kept.contains(s.name()) || s.type() == ElfSection.SHT_NOTE) copy(in, out, s.offset(), s.size());
            }
            if (out.size() < in.size()) out.write(ByteBuffer.wrap(new byte[1]), in.size() - 1);
        }
    }

    private static void copy(FileChannel in, FileChannel out, long at, long n) throws IOException {
        for (long done = 0; done < n; ) {
            done += in.transferTo(at + done, n - done, out.position(at + done));
        }
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private NameIndex withCacheDir(java.util.function.Supplier<NameIndex> f) {
        String old = System.getProperty("kdive.index.dir");
        System.setProperty("kdive.index.dir", dir.toString());
        try {
            return f.get();
        } finally {
            if (old == null) System.clearProperty("kdive.index.dir");
            else System.setProperty("kdive.index.dir", old);
        }
    }
}
