package org.kdive.format.flattened;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpNote;
import org.kdive.api.dump.PhysicalMemory;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.format.elf.ElfFormat;
import org.kdive.test.Corpus;

/** The four corpus dumps of one crash must agree page by page, note by note. */
class CrossFormatTest {
    static Dump zlib;
    static Dump lzo;
    static Dump flat;
    static Dump elf;

    @BeforeAll
    static void open() throws Exception {
        zlib = new DiskdumpFormat().open(List.of(Corpus.file("vmcore.kdump-zlib")));
        lzo = new DiskdumpFormat().open(List.of(Corpus.file("vmcore.kdump-lzo")));
        flat = new FlattenedFormat().open(List.of(Corpus.file("vmcore.flat")));
        elf = new ElfFormat().open(List.of(Corpus.file("vmcore.elf-d31")));
    }

    @AfterAll
    static void close() {
        for (Dump d : new Dump[] {zlib, lzo, flat, elf}) if (d != null) d.close();
    }

    static Map<Long, String> hashes(PhysicalMemory m) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        Map<Long, String> h = new HashMap<>();
        byte[] page = new byte[m.pageSize()];
        for (long p = m.nextPresent(0); p >= 0; p = m.nextPresent(p + m.pageSize())) {
            m.read(p, page, 0, page.length);
            h.put(p, java.util.HexFormat.of().formatHex(md.digest(page)));
        }
        return h;
    }

    static boolean allZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    static String runs(List<Long> pages) {
        StringBuilder sb = new StringBuilder();
        long start = -1;
        long prev = -1;
        for (long p : pages) {
            if (p != prev + 4096) {
                if (start >= 0) sb.append(String.format("0x%x-0x%x ", start, prev + 4096));
                start = p;
            }
            prev = p;
        }
        if (start >= 0) sb.append(String.format("0x%x-0x%x", start, prev + 4096));
        return sb.toString();
    }

    /**
     * zlib, lzo and flat hold the same 21923 pages with the same content. The filtered ELF (a
     * separate makedumpfile -E -d 31 run) agrees on every page both hold, but presents two kinds
     * of pages differently: zero pages, which kdump-compressed keeps in its bitmap (all sharing one
     * stored zero page) and ELF leaves out as holes (p_filesz &lt; p_memsz), and short runs of
     * excluded pages, which -E keeps inside a segment rather than split it.
     */
    @Test
    void everyPageReadsTheSameInAllFormats() throws Exception {
        Map<Long, String> z = hashes(zlib.memory());
        Map<Long, String> l = hashes(lzo.memory());
        Map<Long, String> f = hashes(flat.memory());
        Map<Long, String> e = hashes(elf.memory());
        assertEquals(21923, z.size());
        assertEquals(z, f, "flattened stream and its makedumpfile -R copy");
        assertEquals(z, l, "zlib and lzo dumps of the same crash");
        byte[] pg = new byte[4096];
        int common = 0;
        for (var en : z.entrySet()) {
            String h = e.get(en.getKey());
            if (h != null) {
                assertEquals(en.getValue(), h, String.format("page 0x%x", en.getKey()));
                common++;
            } else {
                zlib.memory().read(en.getKey(), pg, 0, pg.length);
                assertTrue(allZero(pg), String.format("page 0x%x missing from the ELF dump is not a zero page", en.getKey()));
                assertEquals(org.kdive.api.dump.MemoryAccessException.Reason.EXCLUDED,
                        org.junit.jupiter.api.Assertions.assertThrows(org.kdive.api.dump.MemoryAccessException.class,
                                () -> elf.memory().read(en.getKey(), 1)).reason());
            }
        }
        assertEquals(21923 - 1180, common);
        List<Long> extra = e.keySet().stream().filter(k -> !z.containsKey(k)).sorted().toList();
        assertEquals(592, extra.size());
        // every extra run is short: -E keeps gaps under 256 pages inside a segment
        for (String run : runs(extra).split(" ")) {
            String[] se = run.split("-");
            long len = (Long.decode(se[1]) - Long.decode(se[0])) / 4096;
            assertTrue(len < 256, run);
            assertTrue(zlib.memory().nextPresent(Long.decode(se[0])) != Long.decode(se[0]));
        }
    }

    @Test
    void notesAndVmcoreinfoAgreeAcrossFormats() {
        for (Dump d : new Dump[] {lzo, flat, elf}) {
            assertEquals(zlib.vmcoreinfo().orElseThrow().text(), d.vmcoreinfo().orElseThrow().text());
            assertEquals(zlib.notes().size(), d.notes().size());
            for (int i = 0; i < zlib.notes().size(); i++) {
                assertEquals(zlib.notes().get(i).name(), d.notes().get(i).name());
                assertArrayEquals(zlib.notes().get(i).desc(), d.notes().get(i).desc());
            }
        }
    }

    /**
     * NT_PRSTATUS of CPU 1 holds the registers kdump saved at crash_kexec: the BUG trap's frame,
     * the same values crash's bt prints under "exception RIP" (refs/crash/02-bt.txt) and the
     * console shows in the oops.
     */
    @Test
    void prstatusOfThePanickingCpuHoldsTheOopsRegisters() {
        String bt = Corpus.crashRef("02-bt");
        String console = Corpus.read(Corpus.file("console.log"));
        assertTrue(bt.contains("RIP: ffffffffc061907d  RSP: ff61e9284036be90"), bt);
        assertTrue(console.contains("RDX: 0000000000000081 RSI: 0000000000000080 RDI: ff228398826f8000"));
        for (Dump d : new Dump[] {zlib, lzo, flat, elf}) {
            List<DumpNote> pr = d.notes().stream().filter(n -> n.type() == DumpNote.NT_PRSTATUS).toList();
            assertEquals(2, pr.size());
            byte[] cpu1 = pr.get(1).desc();
            assertEquals(336, cpu1.length);
            assertEquals(41, le(cpu1, 32, 4), "pr_pid: kworker/1:1H");
            int regs = 112; // pr_reg: user_regs_struct r15 … gs
            assertEquals(0xffffffffc061907dL, le(cpu1, regs + 16 * 8, 8), "rip");
            assertEquals(0xff61e9284036be90L, le(cpu1, regs + 19 * 8, 8), "rsp");
            assertEquals(0x81, le(cpu1, regs + 12 * 8, 8), "rdx = total_sg 129");
            assertEquals(0x80, le(cpu1, regs + 13 * 8, 8), "rsi = vring.num 128");
            assertEquals(0xff228398826f8000L, le(cpu1, regs + 14 * 8, 8), "rdi");
            assertEquals(0xff228398beb31680L, le(cpu1, regs + 4 * 8, 8), "rbp");
            assertEquals(0x297, le(cpu1, regs + 18 * 8, 8), "eflags");
            assertEquals(0, le(pr.get(0).desc(), 32, 4), "CPU 0 was idle");
        }
        String sys = Corpus.crashRef("01-sys-nomods");
        assertTrue(sys.contains("RELEASE: 6.1.0-50-cloud-amd64"));
        assertEquals("6.1.0-50-cloud-amd64", zlib.vmcoreinfo().orElseThrow().osRelease().orElseThrow());
        // KASLR: _stext moved from its link address 0xffffffff81000000 by KERNELOFFSET
        var vi = zlib.vmcoreinfo().orElseThrow();
        assertEquals(0xffffffff81000000L + vi.kernelOffset().orElseThrow(), vi.symbol("_stext").orElseThrow());
    }

    static long le(byte[] b, int off, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = v << 8 | (b[off + i] & 0xff);
        return v;
    }
}
