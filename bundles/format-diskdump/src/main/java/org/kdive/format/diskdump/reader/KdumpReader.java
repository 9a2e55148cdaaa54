package org.kdive.format.diskdump.reader;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.api.dump.DumpInfo;
import org.kdive.api.dump.DumpNote;
import org.kdive.api.dump.VmcoreInfo;
import org.kdive.format.support.BasicDump;
import org.kdive.format.support.Details;
import org.kdive.format.support.ElfNotes;
import org.kdive.format.support.Source;

/**
 * Opens kdump-compressed content from sources: plain files, split sets, or the logical file a
 * flattened stream describes. The sources are owned by the returned dump.
 */
public final class KdumpReader {
    /** Notes larger than this are not what makedumpfile writes (bounds allocation). */
    private static final long MAX_NOTES = 64L << 20;
    /** DumpInfo detail: dumped pages not read because the bitmap and the page descriptors disagree. */
    public static final String PAGES_UNTRUSTED = "pages.untrusted";

    private KdumpReader() {
    }

    /**
     * @param format     the DumpInfo format name ("kdump-compressed", "flattened")
     * @param sources    one source, or the files of a split dump in any order
     * @param warnings   warnings found before (e.g. while indexing a flattened stream)
     */
    public static Dump open(String format, List<? extends Source> sources, List<String> warnings) throws IOException {
        try {
            return doOpen(format, sources, new ArrayList<>(warnings));
        } catch (IOException | RuntimeException e) {
            BasicDump.closeQuietly(sources);
            throw e;
        }
    }

    private static Dump doOpen(String format, List<? extends Source> sources, List<String> warnings) throws IOException {
        List<KdumpFile> files = new ArrayList<>();
        for (Source s : sources) {
            try {
                files.add(new KdumpFile(s));
            } catch (java.io.EOFException e) {
                throw new DumpFormatException(s.path(), s.size(), "a complete kdump header and bitmaps", "end of file");
            }
        }
        files.sort(Comparator.comparingLong(f -> f.header.rangeStart()));
        KdumpFile first = files.get(0);
        KdumpHeader h = first.header;
        checkSplitSet(files, warnings);

        long dumped = 0;
        long inFile = 0;
        long excluded = 0;
        long untrusted = 0;
        for (KdumpFile f : files) {
            long s = f.header.rangeStart();
            long e = f.header.rangeEnd();
            dumped += f.descCount;
            inFile += f.dataComplete < f.trustedCount ? f.readableCount() : f.trustedCount;
            excluded += (f.present.rank(e) - f.present.rank(s)) - (f.dumped.rank(e) - f.dumped.rank(s));
            if (f.check.warning != null) {
                warnings.add(f.check.warning);
                untrusted += f.descCount - f.trustedCount;
            }
            if (f.dataComplete < f.trustedCount) {
                long pfn = f.dumped.select(f.rankBase + f.dataComplete);
                warnings.add(String.format("%s: truncated: the file ends at 0x%x; %d of %d dumped pages present,"
                        + " pages from physical 0x%x on are missing", f.src.path(), f.src.size(), f.dataComplete,
                        f.descCount, pfn * h.blockSize));
            }
            if ((f.header.status & KdumpHeader.COMPRESSED_INCOMPLETE) != 0) {
                warnings.add(f.src.path() + ": makedumpfile marked this dump incomplete (it stopped writing early)");
            }
        }

        List<DumpNote> notes = new ArrayList<>();
        Optional<VmcoreInfo> vmcoreinfo = Optional.empty();
        if (h.offsetNote > 0 && h.sizeNote > 0) {
            byte[] b = bounded(first, h.offsetNote, h.sizeNote, "ELF notes", warnings);
            if (b != null) notes.addAll(ElfNotes.parse(first.src.path(), b, h.offsetNote));
            vmcoreinfo = ElfNotes.vmcoreinfo(notes);
        }
        if (vmcoreinfo.isEmpty() && h.offsetVmcoreinfo > 0 && h.sizeVmcoreinfo > 0) {
            byte[] b = bounded(first, h.offsetVmcoreinfo, h.sizeVmcoreinfo, "VMCOREINFO", warnings);
            if (b != null) {
                notes.add(new DumpNote("VMCOREINFO", DumpNote.NT_VMCOREINFO, b, h.offsetVmcoreinfo));
                vmcoreinfo = Optional.of(VmcoreInfo.parse(ElfNotes.text(b)));
            }
        }

        // (headers before version 4 carry no CPU notes to count)
        boolean cpuNotes = h.offsetNote > 0 && h.sizeNote > 0;
        warnings.addAll(ElfNotes.cpuNoteWarnings(first.src.path(), notes, cpuNotes ? h.nrCpus : -1));
        int cpus = h.nrCpus > 0 ? h.nrCpus : ElfNotes.countCpuNotes(notes);
        Map<String, String> d = new LinkedHashMap<>();
        d.put("utsname.sysname", h.sysname);
        d.put(DumpInfo.DETAIL_UTS_NODENAME, h.nodename);
        d.put(DumpInfo.DETAIL_UTS_RELEASE, h.release);
        d.put(DumpInfo.DETAIL_UTS_VERSION, h.utsVersion);
        d.put(DumpInfo.DETAIL_TIMESTAMP, Long.toString(h.timestamp));
        d.put(DumpInfo.DETAIL_MEMORY, Long.toString(h.maxMapnr * h.blockSize));
        d.put(Details.PAGES_PRESENT, Long.toString(inFile));
        d.put(Details.PAGES_EXCLUDED, Long.toString(excluded));
        // missing: cut off by the file's end; untrusted: in the file, but not matched to their pfns
        if (inFile + untrusted < dumped) d.put("pages.missing", Long.toString(dumped - untrusted - inFile));
        if (untrusted > 0) d.put(PAGES_UNTRUSTED, Long.toString(untrusted));
        d.put(Details.PHYS_BASE, "0x" + Long.toHexString(h.physBase));
        d.put("max_mapnr", Long.toString(h.maxMapnr));
        if (files.size() > 1 || h.split) d.put("split.files", Integer.toString(files.size()));
        d.put("compression.decoder", NativeCodecs.decoderFor(h.status));
        DumpInfo info = new DumpInfo(format, Integer.toString(h.version), h.compressionName(), h.dumpLevel,
                h.blockSize, cpus, h.machine, -1, d);
        List<java.nio.file.Path> paths = files.stream().map(f -> f.src.path()).toList();
        return new BasicDump(paths, info, new KdumpMemory(files), notes, vmcoreinfo, warnings, sources);
    }

    private static void checkSplitSet(List<KdumpFile> files, List<String> warnings) {
        KdumpHeader h0 = files.get(0).header;
        if (files.size() == 1) {
            if (h0.split) {
                warnings.add(String.format("%s is one file of a split dump (pfn 0x%x..0x%x): open all its files together",
                        files.get(0).src.path(), h0.startPfn, h0.endPfn));
            }
            return;
        }
        long expect = 0;
        for (KdumpFile f : files) {
            KdumpHeader h = f.header;
            if (!h.split) {
                throw new DumpFormatException(f.src.path(), h.blockSize + 12L,
                        "a file of a split dump (several files were given)", "split = 0");
            }
            if (h.blockSize != h0.blockSize || h.maxMapnr != h0.maxMapnr) {
                throw new DumpFormatException(f.src.path(), 428, "the block size and max_mapnr of "
                        + files.get(0).src.path().getFileName(), h.blockSize + "/" + h.maxMapnr);
            }
            if (h.startPfn > expect) {
                warnings.add(String.format("split dump: no file for pfn 0x%x..0x%x", expect, h.startPfn));
            } else if (h.startPfn < expect) {
                throw new DumpFormatException(f.src.path(), h.blockSize + 16L,
                        "a split range that does not overlap another file's", h.startPfn + ".." + h.endPfn);
            }
            expect = h.endPfn;
        }
        if (expect < h0.maxMapnr) {
            warnings.add(String.format("split dump: no file for pfn 0x%x..0x%x (a split file missing?)", expect, h0.maxMapnr));
        }
    }

    private static byte[] bounded(KdumpFile f, long off, long size, String what, List<String> warnings) throws IOException {
        if (size > MAX_NOTES || size > f.src.storedBytes() || off < 0 || off > f.src.size() - size) {
            warnings.add(String.format("%s: %s at 0x%x (%d bytes) lies outside the file; ignored", f.src.path(), what, off, size));
            return null;
        }
        return f.src.readFully(off, (int) size);
    }
}
