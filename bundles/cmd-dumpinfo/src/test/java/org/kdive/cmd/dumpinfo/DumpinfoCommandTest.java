package org.kdive.cmd.dumpinfo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kdive.api.command.Result;
import org.kdive.core.BasicCommandContext;
import org.kdive.core.KdiveSessions;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.format.elf.ElfFormat;
import org.kdive.format.flattened.FlattenedFormat;
import org.kdive.test.Corpus;

/** dumpinfo on every corpus dump, opened as `kdive --info` does: real formats, no vmlinux. */
class DumpinfoCommandTest {

    @ParameterizedTest
    @ValueSource(strings = {"vmcore.kdump-zlib", "vmcore.kdump-lzo", "vmcore.flat", "vmcore.elf-d31"})
    @SuppressWarnings("unchecked")
    void showsWhatTheDumpRecordsWithoutVmlinux(String name) throws Exception {
        KdiveSessions sessions = new KdiveSessions(List.of(new DiskdumpFormat(), new ElfFormat(), new FlattenedFormat()),
                List.of(), List.of(), List.of());
        try {
            sessions.openDumpOnly(List.of(Corpus.file(name)));
            Result r = new DumpinfoCommand().execute(new BasicCommandContext(sessions), List.of());
            String text = r.text();
            Map<String, Object> data = (Map<String, Object>) r.data();
            // facts from refs/crash/01-sys-nomods.txt and console.log
            String sys = Corpus.crashRef("01-sys-nomods");
            assertTrue(sys.contains("CPUS: 2") && sys.contains("MEMORY: 1 GB"), sys);
            assertTrue(text.contains("CPUS: 2\n"), text);
            assertTrue(text.contains("MEMORY: 1 GB\n"), text);
            assertTrue(text.contains("RELEASE: 6.1.0-50-cloud-amd64\n"), text);
            assertTrue(text.contains("VERSION: #1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-07-02)\n"), text);
            assertTrue(text.contains("MACHINE: x86_64\n"), text);
            assertTrue(text.contains("BUILD-ID: bb603a9147d3efe4744bf83c83eee397c591cc20\n"), text);
            // crash's sys DATE line is the same instant
            assertTrue(sys.contains("DATE: Thu Nov 26 21:43:37 UTC 2026"), sys);
            assertTrue(text.contains("CRASH TIME: Thu Nov 26 21:43:37 UTC 2026\n"), text);
            assertEquals("2026-11-26T21:43:37Z", data.get("crashTime"));
            assertEquals(4096, data.get("pageSize"));
            String format = name.equals("vmcore.elf-d31") ? "elf" : name.equals("vmcore.flat") ? "flattened" : "kdump-compressed";
            assertEquals(format, data.get("format"));
            assertEquals(name.equals("vmcore.elf-d31") ? null : 31, data.get("dumpLevel"));
            Map<String, Object> pages = (Map<String, Object>) data.get("pages");
            // counted independently from the files: the kdump files' dumpable bitmap has 21923 bits set of the
            // 196469 its RAM bitmap has (the flattened file holds the same kdump); the ELF's PT_LOAD
            // segments hold 21335 pages with file data of the 196470 their memory sizes span
            boolean elf = name.equals("vmcore.elf-d31");
            assertEquals(elf ? 21335L : 21923L, pages.get("present"), pages.toString());
            assertEquals(elf ? 175135L : 174546L, pages.get("excluded"), pages.toString());
            assertEquals(List.of(), data.get("warnings"));
            assertTrue(text.contains("PANIC CPU: unknown\n"), text);
        } finally {
            sessions.close();
        }
    }

    /**
     * A kdump whose bitmap lost one bit (issue 14: pfn 1's, in the first byte of bitmap 2 at 45056)
     * says so in its PAGES line: the pages the reader no longer trusts are counted as damaged, not as
     * "truncated" (the file is whole). pfn 1 is the first dumped page, so none is trusted: of the 21923
     * the bitmap marked, the 21922 still marked are untrusted, and the cleared pfn now counts as excluded
     * (174546 + 1): that is what the damaged bitmap says.
     */
    @org.junit.jupiter.api.Test
    @SuppressWarnings("unchecked")
    void aDamagedBitmapIsReportedAsDamageNotTruncation(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path copy = tmp.resolve("damaged.kdump");
        byte[] b = java.nio.file.Files.readAllBytes(Corpus.file("vmcore.kdump-zlib"));
        assertEquals((byte) 0xfe, b[45056], "pfns 1-7 dumped, pfn 0 not RAM");
        b[45056] &= ~2;
        java.nio.file.Files.write(copy, b);
        KdiveSessions sessions = new KdiveSessions(List.of(new DiskdumpFormat()), List.of(), List.of(), List.of());
        try {
            sessions.openDumpOnly(List.of(copy));
            Result r = new DumpinfoCommand().execute(new BasicCommandContext(sessions), List.of());
            Map<String, Object> pages = (Map<String, Object>) ((Map<String, Object>) r.data()).get("pages");
            assertEquals(21922L, pages.get("untrusted"), pages.toString());
            assertEquals(0L, pages.get("present"), pages.toString());
            assertTrue(r.text().contains("PAGES: 0 present, 174547 excluded, 21922 untrusted (damaged)\n"), r.text());
            assertTrue(!r.text().contains("(truncated)"), r.text());
            assertTrue(r.text().contains("WARNING: "), r.text());
        } finally {
            sessions.close();
        }
    }
}
