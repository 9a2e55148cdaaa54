package org.kdive.fetch.rpm;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.kdive.fetch.testing.TinyElf;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * Writes the seeds of {@link RpmFuzzTest}: RpmFetcherTest's debuginfo rpm (two small ELF files) with an xz, a
 * gzip and a zstd payload, and xz streams of text and of an ELF file. Run from the module: {@code java -cp
 * <test classpath> org.kdive.fetch.rpm.RpmFuzzSeeds src/test/resources}.
 */
public final class RpmFuzzSeeds {
    public static void main(String[] args) throws Exception {
        Path inputs = Path.of(args[0], "org/kdive/fetch/rpm/RpmFuzzTestInputs");
        Path rpm = Files.createDirectories(inputs.resolve("rpm"));
        Path work = Files.createTempDirectory("rpm-seeds");
        String id = "0123456789abcdef0123456789abcdef01234567";
        for (String payload : new String[] {"w2.xzdio", "w9.gzdio", "w3.zstdio"}) {
            Path p = RpmFetcherTest.rpmbuild(work, "kernel-debuginfo", "1" + payload.charAt(3), payload,
                    RpmFetcherTest.debuginfoFiles(id));
            Files.copy(p, rpm.resolve("seed-" + payload), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Path xz = Files.createDirectories(inputs.resolve("xz"));
        byte[][] plain = {"Package: linux-image\nVersion: 6.1\n".repeat(20).getBytes(), TinyElf.bytes(id, "Linux version 6.1")};
        for (int i = 0; i < plain.length; i++) {
            ByteArrayOutputStream bo = new ByteArrayOutputStream();
            try (XZOutputStream x = new XZOutputStream(bo, new LZMA2Options(i))) {
                x.write(plain[i]);
            }
            Files.write(xz.resolve("seed-" + i), bo.toByteArray());
        }
        try (var s = Files.walk(work)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
