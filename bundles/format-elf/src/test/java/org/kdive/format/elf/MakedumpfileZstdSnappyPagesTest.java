package org.kdive.format.elf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.PhysicalMemory;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.test.Corpus;
import org.kdive.test.MadeDump;
import org.kdive.test.MadeDumps;

/**
 * makedumpfile's own zstd and snappy kdump files (dumps/make-zstd-dumps.sh: makedumpfile 1.7.7 built
 * from source, `-z -d 31` and `-p -d 31` of the full /proc/vmcore capture of deb12-6.1-cloud/kdump):
 * kdive reads every page makedumpfile kept, each equal to the capture's page, in both files; the pages
 * kept are those the same capture's zlib kdump file keeps (vmcore.kdump: makedumpfile 1.7.6 of Debian
 * 13, `-c -d 31`), and they add up to makedumpfile's own report of the run (makedumpfile-OUTPUT.log):
 * its "Pages filled with zero" are kept as all-zero pages (one shared zero page in the file), and its
 * "Remaining pages" are the other kept pages plus the pages its "Original pages" count that the
 * file's memory bitmap does not hold (the crash kernel's reservation, absent from /proc/vmcore). sys/bt/log
 * against crash 8.0.6 on the same files: cmd-kernel's MakedumpfileZstdSnappyTest.
 */
class MakedumpfileZstdSnappyPagesTest {
    private static final int PAGE = 4096;

    @Test
    void zstdPagesAreTheCapturesPages() throws Exception {
        samePages("zstd", "zstd");
    }

    /** The same with the pure-Java zstd decoder (the one used where no libzstd loads). */
    @Test
    void zstdPagesThroughTheJavaDecoder() throws Exception {
        String was = System.setProperty("kdive.codecs.java", "true");
        try {
            samePages("zstd", "zstd");
        } finally {
            if (was == null) System.clearProperty("kdive.codecs.java"); else System.setProperty("kdive.codecs.java", was);
        }
    }

    @Test
    void snappyPagesAreTheCapturesPages() throws Exception {
        samePages("snappy", "snappy");
    }

    private static void samePages(String output, String compression) throws Exception {
        MadeDump made = MadeDumps.require("deb12-6.1-cloud", "makedumpfile-zstd-snappy");
        Path proc = MadeDumps.require("deb12-6.1-cloud", "kdump").file("vmcore.proc");
        Path file = made.file("vmcore." + output);
        String report = Corpus.read(made.file("makedumpfile-" + output + ".log"));
        Path zlib = MadeDumps.require("deb12-6.1-cloud", "kdump").file("vmcore.kdump");
        try (Dump elf = new ElfFormat().open(List.of(proc)); Dump kd = new DiskdumpFormat().open(List.of(file));
             Dump other = new DiskdumpFormat().open(List.of(zlib))) {
            assertTrue(kd.warnings().isEmpty(), kd.warnings().toString());
            assertEquals(compression, kd.info().compression());
            assertEquals(31, kd.info().dumpLevel());
            assertEquals("zlib", other.info().compression());
            PhysicalMemory a = elf.memory();
            PhysicalMemory b = kd.memory();
            PhysicalMemory c = other.memory();
            long pages = 0;
            long zeroPages = 0;
            byte[] zero = new byte[PAGE];
            for (long p = b.nextPresent(0); p >= 0; p = b.nextPresent(p + PAGE)) {
                assertTrue(a.isPresent(p), output + " page 0x" + Long.toHexString(p) + " missing from the capture");
                assertTrue(c.isPresent(p), output + " page 0x" + Long.toHexString(p) + " missing from the zlib file");
                byte[] fromKdump = b.read(p, PAGE);
                int n = KdumpProcVmcoreTest.readable(a, p);
                assertArrayEquals(a.read(p, n), Arrays.copyOf(fromKdump, n), output + ": physical 0x" + Long.toHexString(p));
                if (Arrays.equals(zero, fromKdump)) zeroPages++;
                pages++;
            }
            assertEquals(KdumpProcVmcoreTest.dumpableBits(file), pages, "pages kept: the file's dumpable bitmap");
            assertEquals(other.info().details().get("pages.present"), Long.toString(pages), "pages kept: as in the zlib file");
            assertEquals(Long.toString(pages), kd.info().details().get("pages.present"));
            assertEquals(reported(report, "Pages filled with zero"), zeroPages, "all-zero pages kept");
            // the pages the file says RAM had (its first bitmap): kept + excluded; the capture's partial
            // page at 0x9f000 (a segment ends at 0x9fc00) is not among them
            long captured = pages + Long.parseLong(kd.info().details().get("pages.excluded"));
            assertEquals(reported(report, "Remaining pages"), pages - zeroPages + reported(report, "Original pages") - captured,
                    "makedumpfile's count of remaining pages");
        }
    }

    /** A count of makedumpfile's page report, e.g. "  Remaining pages  : 0x0000000000005bb4". */
    private static long reported(String report, String what) {
        Matcher m = Pattern.compile("^\\s*" + what + "\\s*: 0x([0-9a-f]+)$", Pattern.MULTILINE).matcher(report);
        assertTrue(m.find(), "no '" + what + "' in makedumpfile's report");
        return Long.parseLong(m.group(1), 16);
    }
}
