package org.kdive.format.elf;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpInfo;
import org.kdive.api.dump.DumpNote;
import org.kdive.api.dump.VmcoreInfo;
import org.kdive.format.support.BasicDump;
import org.kdive.format.support.Details;
import org.kdive.format.support.ElfNotes;
import org.kdive.format.support.Source;

/** Opens an ELF core (vmcore) from a source; the source is owned by the returned dump. */
public final class ElfReader {
    public static final String FORMAT = "elf";
    private static final long MAX_NOTES = 64L << 20;

    /** DumpInfo detail: which program wrote the file, when the layout tells. */
    public static final String DETAIL_WRITER = "writer";
    public static final String WRITER_QEMU = "QEMU dump-guest-memory";
    public static final String WRITER_PROC_VMCORE = "kdump (/proc/vmcore as the capture kernel exports it)";
    /** DumpInfo detail: the kernel text PT_LOAD (it repeats RAM that another PT_LOAD holds). */
    public static final String DETAIL_KERNEL_TEXT = "segment.kernel_text";

    private ElfReader() {
    }

    /**
     * The layout the kernel gives /proc/vmcore (fs/proc/vmcore.c): notes start on a page, and each
     * PT_LOAD's data lies at a file offset congruent to its physical address modulo the page size
     * (so the capture kernel can mmap it). QEMU and makedumpfile -E pack their data unaligned.
     */
    private static boolean procVmcoreLayout(ElfCoreHeader h, int pageSize) {
        boolean anyNote = false;
        for (ElfCoreHeader.Segment s : h.segments) {
            if (s.type() == ElfCoreHeader.PT_NOTE) {
                anyNote = true;
                if (s.offset() % pageSize != 0) return false;
            } else if (s.type() == ElfCoreHeader.PT_LOAD && s.filesz() > 0
                    && Math.floorMod(s.offset(), pageSize) != Math.floorMod(s.paddr(), pageSize)) {
                return false;
            }
        }
        return anyNote;
    }

    /**
     * The PT_LOAD whose virtual addresses are kernel text: kexec-tools adds the kernel image's mapping
     * to the ELF header (on x86_64) as a second view of RAM that the other PT_LOADs hold at another
     * virtual offset. Found without knowing the architecture's layout: the segments mapping most bytes
     * share one virtual-minus-physical offset (the direct map); the first segment with another offset
     * whose physical range overlaps theirs is the kernel text (makedumpfile -E may split both views).
     */
    static Optional<ElfCoreHeader.Segment> kernelText(ElfCoreHeader h) {
        if (!h.is64) return Optional.empty();
        List<ElfCoreHeader.Segment> loads = h.segments.stream()
                .filter(s -> s.type() == ElfCoreHeader.PT_LOAD && s.filesz() > 0 && s.memsz() > 0).toList();
        Map<Long, Long> bytesByOffset = new LinkedHashMap<>();
        for (ElfCoreHeader.Segment s : loads) bytesByOffset.merge(s.vaddr() - s.paddr(), s.memsz(), Long::sum);
        if (bytesByOffset.size() < 2) return Optional.empty();
        long main = bytesByOffset.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        for (ElfCoreHeader.Segment s : loads) {
            if (s.vaddr() - s.paddr() == main) continue;
            for (ElfCoreHeader.Segment ram : loads) {
                if (ram.vaddr() - ram.paddr() == main && Long.compareUnsigned(s.paddr(), ram.paddr() + ram.memsz()) < 0
                        && Long.compareUnsigned(ram.paddr(), s.paddr() + s.memsz()) < 0) {
                    return Optional.of(s);
                }
            }
        }
        return Optional.empty();
    }

    public static Dump open(Source src) throws IOException {
        try {
            return doOpen(src);
        } catch (IOException | RuntimeException e) {
            src.close();
            throw e;
        }
    }

    private static Dump doOpen(Source src) throws IOException {
        ElfCoreHeader h = new ElfCoreHeader(src);
        List<String> warnings = new ArrayList<>();
        List<DumpNote> notes = new ArrayList<>();
        long size = src.size();
        for (ElfCoreHeader.Segment s : h.segments) {
            if (s.type() != ElfCoreHeader.PT_NOTE || s.filesz() == 0) continue;
            if (s.filesz() > MAX_NOTES || s.offset() > size - s.filesz()) {
                warnings.add(String.format("%s: PT_NOTE at 0x%x (%d bytes) lies outside the file; notes missing",
                        src.path(), s.offset(), s.filesz()));
                continue;
            }
            notes.addAll(ElfNotes.parse(src.path(), src.readFully(s.offset(), (int) s.filesz()), s.offset()));
        }
        Optional<VmcoreInfo> vmcoreinfo = ElfNotes.vmcoreinfo(notes);
        long ps = vmcoreinfo.map(v -> v.pageSize().orElse(0)).orElse(0L);
        int pageSize = ps >= 512 && ps <= (1 << 18) && Long.bitCount(ps) == 1 ? (int) ps : 4096;

        ElfMemory.Builder mem = new ElfMemory.Builder();
        boolean filtered = false;
        long truncatedFrom = -1;
        List<ElfCoreHeader.Segment> loads = h.segments.stream()
                .filter(s -> s.type() == ElfCoreHeader.PT_LOAD && s.memsz() > 0 && s.paddr() != -1L).toList();
        for (ElfCoreHeader.Segment s : loads) {
            long inFile = Math.max(0, Math.min(s.filesz(), size - s.offset()));
            if (inFile < s.filesz() && (truncatedFrom < 0 || s.paddr() + inFile < truncatedFrom)) {
                truncatedFrom = s.paddr() + inFile;
            }
            if (inFile > 0) mem.add(s.paddr(), s.paddr() + inFile, s.offset(), ElfMemory.DATA);
        }
        for (ElfCoreHeader.Segment s : loads) {
            long inFile = Math.max(0, Math.min(s.filesz(), size - s.offset()));
            if (inFile < s.filesz()) mem.add(s.paddr() + inFile, s.paddr() + s.filesz(), -1, ElfMemory.TRUNCATED);
        }
        for (ElfCoreHeader.Segment s : loads) {
            if (s.filesz() < s.memsz()) {
                filtered = true;
                mem.add(s.paddr() + s.filesz(), s.paddr() + s.memsz(), -1, ElfMemory.EXCLUDED);
            }
        }
        ElfMemory memory = mem.build(src, pageSize);
        if (truncatedFrom >= 0) {
            warnings.add(String.format("%s: truncated: the file ends at 0x%x; pages from physical 0x%x on are"
                    + " missing in %s", src.path(), size, truncatedFrom, "the segments beyond the end"));
        }

        Map<String, String> d = new LinkedHashMap<>();
        // like max_mapnr in kdump headers: up to the highest address, holes included
        d.put(DumpInfo.DETAIL_MEMORY, Long.toString(memory.limit()));
        d.put("memory.in_segments", Long.toString(memory.bytes()));
        d.put(Details.PAGES_PRESENT, Long.toString(memory.pages(ElfMemory.DATA)));
        d.put(Details.PAGES_EXCLUDED, Long.toString(memory.pages(ElfMemory.EXCLUDED)));
        long missing = memory.pages(ElfMemory.TRUNCATED);
        if (missing > 0) d.put("pages.missing", Long.toString(missing));
        d.put("segments", Long.toString(loads.size()));
        d.put("filtered", filtered ? "yes (p_filesz < p_memsz: excluded pages)" : "no");
        boolean qemu = notes.stream().anyMatch(n -> n.name().equals("QEMU"));
        if (qemu) {
            d.put(DETAIL_WRITER, WRITER_QEMU);
        } else if (vmcoreinfo.isPresent() && !filtered && procVmcoreLayout(h, pageSize)) {
            d.put(DETAIL_WRITER, WRITER_PROC_VMCORE);
        }
        kernelText(h).ifPresent(t -> d.put(DETAIL_KERNEL_TEXT, String.format(
                "virtual 0x%x = physical 0x%x, %d bytes", t.vaddr(), t.paddr(), t.memsz())));
        warnings.addAll(ElfNotes.cpuNoteWarnings(src.path(), notes, -1));
        int cpus = ElfNotes.countCpuNotes(notes);
        DumpInfo info = new DumpInfo(FORMAT, h.is64 ? "ELF64" : "ELF32", "none", -1, pageSize,
                cpus > 0 ? cpus : -1, h.machineName(), -1, d);
        return new BasicDump(List.of(src.path()), info, memory, notes, vmcoreinfo, warnings, List.of(src));
    }
}
