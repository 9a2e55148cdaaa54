package org.kdive.format.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpNote;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.dump.PhysicalMemory;
import org.kdive.api.dump.VmcoreInfo;
import org.kdive.api.fetch.KernelIdentities;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.format.support.FileSource;
import org.kdive.format.support.Source;
import org.kdive.test.Corpus;
import org.kdive.test.MadeDumps;

/**
 * A real, full /proc/vmcore: the corpus kernel booted under QEMU with crashkernel=, a capture kernel
 * loaded with kexec -p, sysrq-c, and the capture kernel's /proc/vmcore copied byte for byte
 * (dumps/make-dumps.sh, deb12-6.1-cloud/kdump). Beside it: makedumpfile -c -d 31 of the same file, and
 * crash 8.0.2's output on it (refs/crash-8.0.2-proc.txt; a capture is not reproducible, so that
 * reference is made from each capture).
 */
class KdumpProcVmcoreTest {
    private static final long START_KERNEL_MAP = 0xffffffff80000000L;
    private static final int PAGE = 4096;
    // struct elf_prstatus on x86_64: pr_pid at 32, pr_reg at 112 (rip is its 17th register)
    private static final int PR_PID = 32;
    private static final int PR_RIP = 112 + 16 * 8;

    /** The 6.1 kdump capture's files: vmcore.proc, vmcore.kdump, refs/crash-8.0.2-proc.txt. */
    static Path extra(String name) {
        return MadeDumps.require("deb12-6.1-cloud", "kdump").file(name);
    }

    private static ElfCoreHeader header(Path file) throws Exception {
        try (FileSource src = new FileSource(file)) {
            return new ElfCoreHeader(src);
        }
    }

    private static List<ElfCoreHeader.Segment> loads(ElfCoreHeader h) {
        return h.segments.stream().filter(s -> s.type() == ElfCoreHeader.PT_LOAD).toList();
    }

    @Test
    void isAKdumpProcVmcoreWithNotesOfEveryCpu() throws Exception {
        Path file = extra("vmcore.proc");
        byte[] head = new byte[4096];
        try (var in = Files.newInputStream(file)) {
            in.readNBytes(head, 0, head.length);
        }
        ElfFormat format = new ElfFormat();
        assertEquals(90, format.probe(file, ByteBuffer.wrap(head)));
        ElfCoreHeader h = header(file);
        ElfCoreHeader.Segment text = ElfReader.kernelText(h).orElseThrow();
        try (Dump dump = format.open(List.of(file))) {
            var info = dump.info();
            assertEquals("elf", info.format());
            assertEquals("x86_64", info.machine());
            assertEquals(PAGE, info.pageSize());
            assertTrue(dump.warnings().isEmpty(), dump.warnings().toString());
            assertEquals(ElfReader.WRITER_PROC_VMCORE, info.details().get(ElfReader.DETAIL_WRITER));
            assertFalse(dump.notes().stream().anyMatch(n -> n.name().equals("QEMU")));
            assertEquals("no", info.details().get("filtered"));
            assertEquals(String.format("virtual 0x%x = physical 0x%x, %d bytes", text.vaddr(), text.paddr(), text.memsz()),
                    info.details().get(ElfReader.DETAIL_KERNEL_TEXT));

            // one PRSTATUS per CPU of the crashed guest (-smp 2): init (pid 1) wrote to sysrq-trigger
            List<DumpNote> prstatus = dump.notes().stream().filter(n -> n.type() == DumpNote.NT_PRSTATUS).toList();
            assertEquals(2, prstatus.size());
            assertEquals(2, info.cpus());
            assertEquals(1, prstatus.stream().filter(n -> le32(n.desc(), PR_PID) == 1).count(), "the panicking task is init");
            for (DumpNote n : prstatus) {
                assertEquals(336, n.desc().length);
                long rip = le64(n.desc(), PR_RIP);
                assertTrue(Long.compareUnsigned(rip, text.vaddr()) >= 0 && Long.compareUnsigned(rip, text.vaddr() + text.memsz()) < 0,
                        "saved rip in kernel text: " + Long.toHexString(rip));
            }

            VmcoreInfo vi = dump.vmcoreinfo().orElseThrow();
            assertEquals("6.1.0-50-cloud-amd64", vi.osRelease().orElseThrow());
            assertEquals("bb603a9147d3efe4744bf83c83eee397c591cc20", vi.buildId().orElseThrow(), "the corpus kernel");
            assertEquals(PAGE, vi.pageSize().orElseThrow());
            assertTrue(vi.crashTime().isPresent());
            // the text segment is where KASLR put the kernel: _stext = 0xffffffff81000000 + KERNELOFFSET,
            // and its physical address follows from phys_base
            long stext = vi.symbol("_stext").orElseThrow();
            assertEquals(0xffffffff81000000L + vi.kernelOffset().orElseThrow(), stext);
            assertEquals(stext, text.vaddr());
            assertEquals(text.vaddr() - START_KERNEL_MAP + vi.number("phys_base").orElseThrow(), text.paddr());
            // and the kernel finds its own version string (without an architecture, from the banner)
            assertEquals(KernelIdentitiesTest.VERSION, KernelIdentities.of(dump).version());
        }
    }

    @Test
    void kernelTextSegmentRepeatsTheDirectMapPages() throws Exception {
        Path file = extra("vmcore.proc");
        ElfCoreHeader h = header(file);
        ElfCoreHeader.Segment text = ElfReader.kernelText(h).orElseThrow();
        List<ElfCoreHeader.Segment> ram = loads(h).stream().filter(s -> s != text).toList();
        ElfCoreHeader.Segment holder = ram.stream()
                .filter(s -> s.paddr() <= text.paddr() && text.paddr() + text.filesz() <= s.paddr() + s.filesz())
                .findFirst().orElseThrow(() -> new AssertionError("no RAM segment holds the kernel text"));
        assertTrue(text.filesz() > 16 << 20, "the whole kernel image, _text to _end");
        long ramPages = 0;
        for (ElfCoreHeader.Segment s : ram) ramPages += (s.paddr() + s.filesz() + PAGE - 1) / PAGE - s.paddr() / PAGE;
        try (Dump dump = new ElfFormat().open(List.of(file)); FileSource src = new FileSource(file)) {
            PhysicalMemory mem = dump.memory();
            // overlapping segments count once
            assertEquals(Long.toString(ramPages), dump.info().details().get("pages.present"));
            assertEquals(Integer.toString(loads(h).size()), dump.info().details().get("segments"));
            byte[] viaText = new byte[PAGE];
            byte[] viaRam = new byte[PAGE];
            long nonZero = 0;
            for (long off = 0; off < text.filesz(); off += PAGE) {
                long paddr = text.paddr() + off;
                src.readFully(text.offset() + off, viaText, 0, PAGE);
                src.readFully(holder.offset() + (paddr - holder.paddr()), viaRam, 0, PAGE);
                assertArrayEquals(viaRam, viaText, "physical 0x" + Long.toHexString(paddr));
                assertArrayEquals(viaText, mem.read(paddr, PAGE), "physical 0x" + Long.toHexString(paddr));
                if (!java.util.Arrays.equals(viaText, new byte[PAGE])) nonZero++;
            }
            assertTrue(nonZero > text.filesz() / PAGE / 2, nonZero + " non-zero pages of kernel image");
            // the crash kernel's own area is not in its /proc/vmcore: the widest gap between RAM segments
            long hole = widestGapLastPage(ram);
            var e = assertThrows(MemoryAccessException.class, () -> mem.read(hole, 8));
            assertEquals(MemoryAccessException.Reason.NOT_IN_DUMP, e.reason());
        }
    }

    /**
     * A copy cut short 1 MiB (in physical order) before the kernel image's pages. Where the image
     * lies depends on the boot (physical KASLR, the crash kernel's reservation), so the cut, the
     * pages that go missing and the addresses probed are all derived from this capture's segments.
     */
    @Test
    void aCopyCutShortKeepsTheKernelTextAndSaysWhatIsMissing() throws Exception {
        Path file = extra("vmcore.proc");
        ElfCoreHeader h = header(file);
        ElfCoreHeader.Segment text = ElfReader.kernelText(h).orElseThrow();
        List<ElfCoreHeader.Segment> ram = loads(h).stream().filter(s -> s != text).toList();
        assertTrue(text.offset() < ram.get(0).offset(), "the kernel text segment comes first in the file");
        long cutPaddr = cutBefore(ram, text.paddr() - (1 << 20));
        long cut = fileOffset(ram, cutPaddr);
        long textEnd = text.paddr() + text.filesz();
        ElfCoreHeader.Segment lastSeg = ram.get(ram.size() - 1);
        long end = lastSeg.paddr() + lastSeg.filesz();
        // pages of RAM segments at or after the cut, less the kernel image's (still read through its own segment)
        long missing = 0;
        for (ElfCoreHeader.Segment s : ram) {
            for (long p = s.paddr() / PAGE * PAGE; p < s.paddr() + s.filesz(); p += PAGE) {
                boolean inText = p >= text.paddr() && p < textEnd;
                if (s.offset() + Math.max(0, p - s.paddr()) >= cut && !inText) missing++;
            }
        }
        FileSource whole = new FileSource(file);
        Source shortCopy = new Source() {
            @Override public Path path() { return whole.path(); }
            @Override public long size() { return cut; }
            @Override public int read(long pos, byte[] dst, int off, int len) throws java.io.IOException {
                return pos >= cut ? 0 : whole.read(pos, dst, off, (int) Math.min(len, cut - pos));
            }
            @Override public void close() { whole.close(); }
        };
        try (Dump dump = ElfReader.open(shortCopy)) {
            assertEquals(1, dump.warnings().size(), dump.warnings().toString());
            assertTrue(dump.warnings().get(0).contains(String.format("physical 0x%x", cutPaddr)), dump.warnings().get(0));
            assertEquals(Long.toString(missing), dump.info().details().get("pages.missing"));
            PhysicalMemory mem = dump.memory();
            // the kernel text segment lies early in the file: its pages are still there
            try (FileSource src = new FileSource(file)) {
                assertArrayEquals(src.readFully(text.offset(), PAGE), mem.read(text.paddr(), PAGE));
                assertArrayEquals(src.readFully(text.offset() + text.filesz() - PAGE, PAGE), mem.read(textEnd - PAGE, PAGE));
            }
            // RAM pages past the cut, outside the image: the first one cut, the one before the image,
            // the one after it and the last one, wherever this boot put them
            List<Long> probes = new ArrayList<>();
            for (long p : new long[] {cutPaddr, text.paddr() - PAGE, textEnd, end - PAGE}) {
                if (inRam(ram, p) && (p < text.paddr() || p >= textEnd) && fileOffset(ram, p) >= cut) probes.add(p);
            }
            assertTrue(probes.contains(cutPaddr) && probes.contains(end - PAGE), probes.toString());
            for (long p : probes) {
                var e = assertThrows(MemoryAccessException.class, () -> mem.read(p, 8), Long.toHexString(p));
                assertEquals(MemoryAccessException.Reason.TRUNCATED, e.reason());
                assertFalse(mem.isPresent(p));
            }
            assertEquals(text.paddr(), mem.nextPresent(cutPaddr));
            assertEquals(-1, mem.nextPresent(textEnd));
        }
    }

    /** A page-aligned physical address at or before {@code want} inside a RAM segment, below the kernel image. */
    private static long cutBefore(List<ElfCoreHeader.Segment> ram, long want) {
        ElfCoreHeader.Segment best = null;
        for (ElfCoreHeader.Segment s : ram) {
            if (s.paddr() <= want && want < s.paddr() + s.filesz()) return want / PAGE * PAGE;
            if (s.paddr() + s.filesz() <= want && s.filesz() >= 2 * PAGE) best = s;
        }
        assertTrue(best != null, "no RAM segment below 0x" + Long.toHexString(want));
        return (best.paddr() + best.filesz() - PAGE) / PAGE * PAGE;
    }

    private static boolean inRam(List<ElfCoreHeader.Segment> ram, long paddr) {
        return ram.stream().anyMatch(s -> s.paddr() <= paddr && paddr < s.paddr() + s.filesz());
    }

    private static long fileOffset(List<ElfCoreHeader.Segment> ram, long paddr) {
        for (ElfCoreHeader.Segment s : ram) {
            if (s.paddr() <= paddr && paddr < s.paddr() + s.filesz()) return s.offset() + (paddr - s.paddr());
        }
        throw new AssertionError("no RAM segment holds physical 0x" + Long.toHexString(paddr));
    }

    /** The last page of the widest gap between RAM segments (the capture kernel's reservation). */
    private static long widestGapLastPage(List<ElfCoreHeader.Segment> ram) {
        List<ElfCoreHeader.Segment> byAddr = ram.stream().sorted((a, b) -> Long.compareUnsigned(a.paddr(), b.paddr())).toList();
        long best = -1;
        long widest = 0;
        for (int i = 1; i < byAddr.size(); i++) {
            long gapStart = (byAddr.get(i - 1).paddr() + byAddr.get(i - 1).filesz() + PAGE - 1) / PAGE * PAGE;
            long gapEnd = byAddr.get(i).paddr();
            if (gapEnd - gapStart > widest) {
                widest = gapEnd - gapStart;
                best = gapEnd - PAGE;
            }
        }
        assertTrue(widest >= PAGE, "no gap between the RAM segments");
        return best;
    }

    @Test
    void everyPageMakedumpfileKeptReadsTheSame() throws Exception {
        Path proc = extra("vmcore.proc");
        Path kdump = extra("vmcore.kdump");
        try (Dump elf = new ElfFormat().open(List.of(proc)); Dump kd = new DiskdumpFormat().open(List.of(kdump))) {
            assertEquals(elf.vmcoreinfo().orElseThrow().osRelease(), kd.vmcoreinfo().orElseThrow().osRelease());
            assertEquals(elf.vmcoreinfo().orElseThrow().kernelOffset(), kd.vmcoreinfo().orElseThrow().kernelOffset());
            PhysicalMemory a = elf.memory();
            PhysicalMemory b = kd.memory();
            long pages = 0;
            for (long p = b.nextPresent(0); p >= 0; p = b.nextPresent(p + PAGE)) {
                assertTrue(a.isPresent(p), "kdump page 0x" + Long.toHexString(p) + " missing from the ELF");
                byte[] fromKdump = b.read(p, PAGE);
                int n = readable(a, p);
                byte[] fromElf = a.read(p, n);
                assertArrayEquals(fromElf, java.util.Arrays.copyOf(fromKdump, n), "physical 0x" + Long.toHexString(p));
                pages++;
            }
            assertEquals(dumpableBits(kdump), pages, "pages kept at dump level 31: the file's dumpable bitmap");
        }
    }

    /**
     * The bits set in a kdump file's second (dumpable) bitmap, read here from the header alone:
     * block_size at 428, sub_hdr_size at 432, bitmap_blocks at 436 of the disk_dump_header; the
     * bitmaps follow the header block and the sub-header, the dumpable one being their second half.
     */
    static long dumpableBits(Path kdump) throws Exception {
        try (FileSource src = new FileSource(kdump)) {
            java.nio.ByteBuffer h = java.nio.ByteBuffer.wrap(src.readFully(0, 440)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int blockSize = h.getInt(428);
            int subHeaderBlocks = h.getInt(432);
            int bitmapBlocks = h.getInt(436);
            long half = (long) bitmapBlocks * blockSize / 2;
            byte[] dumpable = src.readFully((1L + subHeaderBlocks) * blockSize + half, (int) half);
            long bits = 0;
            for (byte x : dumpable) bits += Integer.bitCount(x & 0xff);
            return bits;
        }
    }

    /** Bytes of the page at p the ELF holds (a segment may end inside a page, as 0x9fc00 does). */
    static int readable(PhysicalMemory m, long p) {
        int n = PAGE;
        while (n > 0) {
            try {
                m.read(p + n - 1, 1);
                return n;
            } catch (MemoryAccessException e) {
                n -= 0x100;
            }
        }
        return 0;
    }

    @Test
    void agreesWithCrash() throws Exception {
        Path file = extra("vmcore.proc");
        Map<String, String> crash = crashOutputs(extra("refs/crash-8.0.2-proc.txt"));
        ElfCoreHeader h = header(file);
        try (Dump dump = new ElfFormat().open(List.of(file)); FileSource src = new FileSource(file)) {
            VmcoreInfo vi = dump.vmcoreinfo().orElseThrow();
            Map<String, String> sys = fields(crash.get("sys"));
            assertEquals(Integer.toString(dump.info().cpus()), sys.get("CPUS"));
            assertEquals(vi.osRelease().orElseThrow(), sys.get("RELEASE"));
            assertEquals(KernelIdentities.of(dump).version(), sys.get("VERSION"));
            // crash prints CRASHTIME from VMCOREINFO as the date
            ZonedDateTime date = ZonedDateTime.parse(sys.get("DATE").replaceAll("\\s+", " "),
                    DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss zzz yyyy", Locale.ROOT));
            assertEquals(vi.crashTime().orElseThrow(), date.toEpochSecond());
            assertEquals("$1 = 0x" + Long.toHexString(vi.number("phys_base").orElseThrow()), crash.get("p/x phys_base").strip());

            // crash's view of the ELF header: the same segments, notes and VMCOREINFO size
            String n = crash.get("help -n");
            assertEquals(loads(h).size(), Integer.parseInt(field(n, "num_pt_load_segments")));
            assertEquals(Integer.parseInt(field(n, "num_prstatus_notes")), dump.info().cpus());
            int vmcoreinfoSize = dump.notes().stream().filter(x -> x.name().equals("VMCOREINFO")).findFirst().orElseThrow().desc().length;
            assertEquals(Integer.parseInt(field(n, "size_vmcoreinfo")), vmcoreinfoSize);
            Matcher seg = Pattern.compile("file_offset: (\\p{XDigit}+)\\s+phys_start: (\\p{XDigit}+)\\s+phys_end: (\\p{XDigit}+)").matcher(n);
            int segments = 0;
            while (seg.find()) {
                long off = Long.parseUnsignedLong(seg.group(1), 16);
                long start = Long.parseUnsignedLong(seg.group(2), 16);
                long end = Long.parseUnsignedLong(seg.group(3), 16);
                assertArrayEquals(src.readFully(off, 64), dump.memory().read(start, 64));
                assertArrayEquals(src.readFully(off + end - start - 64, 64), dump.memory().read(end - 64, 64));
                segments++;
            }
            assertEquals(loads(h).size(), segments);

            // every rd: physical as is, virtual through the PT_LOAD that maps it (kernel text or direct map)
            int rds = 0;
            int failed = 0;
            for (Map.Entry<String, String> c : crash.entrySet()) {
                if (!c.getKey().startsWith("rd ")) continue;
                boolean physical = c.getKey().startsWith("rd -p ");
                if (c.getValue().startsWith("rd: ")) { // crash could not read it: neither can kdive
                    long paddr = Long.parseUnsignedLong(c.getKey().split(" ")[3].substring(2), 16);
                    var e = assertThrows(MemoryAccessException.class, () -> dump.memory().read(paddr, 8), c.getKey());
                    assertEquals(MemoryAccessException.Reason.NOT_IN_DUMP, e.reason());
                    failed++;
                    continue;
                }
                for (String line : c.getValue().split("\n")) {
                    String[] w = line.strip().split("\\s+");
                    long addr = Long.parseUnsignedLong(w[0].substring(0, w[0].length() - 1), 16);
                    long paddr = physical ? addr : virtualToPhysical(h, addr);
                    for (int i = 0; i < 2; i++) {
                        assertEquals(Long.parseUnsignedLong(w[1 + i], 16), dump.memory().readLong(paddr + 8L * i), c.getKey() + ": " + line);
                    }
                }
                rds++;
            }
            assertEquals(6, rds);
            assertEquals(1, failed);
        }
    }

    private static long virtualToPhysical(ElfCoreHeader h, long vaddr) {
        for (ElfCoreHeader.Segment s : loads(h)) {
            if (Long.compareUnsigned(vaddr, s.vaddr()) >= 0 && Long.compareUnsigned(vaddr - s.vaddr(), s.filesz()) < 0) {
                return s.paddr() + (vaddr - s.vaddr());
            }
        }
        throw new AssertionError("no PT_LOAD maps 0x" + Long.toHexString(vaddr));
    }

    /** refs/crash-8.0.2-proc.txt: "crash> CMD" lines, each followed by the command's output. */
    private static Map<String, String> crashOutputs(Path ref) {
        Map<String, String> out = new LinkedHashMap<>();
        String cmd = null;
        List<String> lines = new ArrayList<>();
        for (String line : (Corpus.read(ref) + "crash> \n").split("\n")) {
            if (line.startsWith("crash> ")) {
                if (cmd != null) out.put(cmd, String.join("\n", lines));
                cmd = line.substring(7).strip();
                lines.clear();
            } else {
                lines.add(line);
            }
        }
        return out;
    }

    private static Map<String, String> fields(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(": ");
            if (colon > 0) m.put(line.substring(0, colon).strip(), line.substring(colon + 2).strip());
        }
        return m;
    }

    private static String field(String text, String name) {
        Matcher m = Pattern.compile("^\\s*" + name + ": (\\S+)", Pattern.MULTILINE).matcher(text);
        assertTrue(m.find(), name);
        return m.group(1);
    }

    private static int le32(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (b[o + 3] & 0xff) << 24;
    }

    private static long le64(byte[] b, int o) {
        return (le32(b, o) & 0xffffffffL) | (long) le32(b, o + 4) << 32;
    }
}
