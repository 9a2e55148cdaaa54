package org.kdive.fetch.deb;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the seeds of {@link DebFuzzTest}: DebFetcherTest's debug package (a small vmlinux, a module, a README)
 * built by dpkg-deb with xz, gzip, zstd and no compression; the ar seeds are these packages; the tar seed is the
 * uncompressed package's data.tar. Run from the module: {@code java -cp <test classpath>
 * org.kdive.fetch.deb.DebFuzzSeeds src/test/resources}.
 */
public final class DebFuzzSeeds {
    public static void main(String[] args) throws Exception {
        Path inputs = Path.of(args[0], "org/kdive/fetch/deb/DebFuzzTestInputs");
        Path work = Files.createTempDirectory("deb-seeds");
        for (String c : new String[] {"xz", "gzip", "zstd", "none"}) {
            Path d = DebFetcherTest.buildDeb(work.resolve(c), "linux-image-dbg", "6.1.1", c,
                    DebFetcherTest.debianFiles("0123456789abcdef0123456789abcdef01234567"));
            byte[] deb = Files.readAllBytes(d);
            Files.write(Files.createDirectories(inputs.resolve("deb")).resolve("seed-" + c), deb);
            if (c.equals("xz") || c.equals("none")) Files.write(Files.createDirectories(inputs.resolve("ar")).resolve("seed-" + c), deb);
            if (c.equals("none")) {
                ArReader ar = new ArReader(new ByteArrayInputStream(deb), "seed");
                for (ArReader.Member m; (m = ar.next()) != null; ) {
                    if (m.name().equals("data.tar")) {
                        Files.write(Files.createDirectories(inputs.resolve("tar")).resolve("seed-data.tar"), m.data().readAllBytes());
                    }
                }
            }
        }
        try (var s = Files.walk(work)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
