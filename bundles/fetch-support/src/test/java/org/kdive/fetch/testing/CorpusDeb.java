package org.kdive.fetch.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.kdive.fetch.support.DebuginfoCache;
import org.kdive.test.Corpus;

/** The corpus kernel's Debian debug package, as a Debian mirror would serve it, for end-to-end fetch tests. */
public final class CorpusDeb {
    public static final String PACKAGE = "linux-image-6.1.0-50-cloud-amd64-dbg";
    public static final String VERSION = "6.1.176-1";

    private CorpusDeb() {
    }

    /**
     * Builds {@code deb} with dpkg-deb (data.tar uncompressed) around the corpus vmlinux, hard-linked
     * when the file system allows it (561 MiB); the package tree is made under {@code work} and removed.
     */
    public static Path build(Path work, Path deb) throws IOException, InterruptedException {
        Path root = work.resolve("pkg");
        Files.createDirectories(root.resolve("DEBIAN"));
        Files.createDirectories(root.resolve("usr/lib/debug/boot"));
        Files.writeString(root.resolve("DEBIAN/control"), "Package: " + PACKAGE + "\nVersion: " + VERSION + "\nArchitecture: amd64\n"
                + "Maintainer: kdive tests <t@example.org>\nDescription: corpus debuginfo\n test\n");
        Path inPkg = root.resolve("usr/lib/debug/boot/" + Corpus.VMLINUX);
        try {
            Files.createLink(inPkg, Corpus.vmlinux());
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(Corpus.vmlinux(), inPkg);
        }
        Files.createDirectories(deb.getParent());
        Tools.run(null, "dpkg-deb", "--root-owner-group", "-Znone", "--build", root.toString(), deb.toString());
        DebuginfoCache.deleteTree(root);
        return deb;
    }
}
