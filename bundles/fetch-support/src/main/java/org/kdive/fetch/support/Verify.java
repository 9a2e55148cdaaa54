package org.kdive.fetch.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.kdive.api.fetch.FetchException;
import org.kdive.api.fetch.KernelIdentity;

/** Checks that a debug file belongs to the dump's kernel. */
public final class Verify {
    private Verify() {
    }

    /**
     * The vmlinux must carry the dump's build-id; when the dump has none, it must contain the
     * dump's "Linux version" banner.
     */
    public static void vmlinux(Path file, KernelIdentity kernel, String origin) throws IOException {
        if (!Elf.isElf(file)) throw new FetchException(origin + ": vmlinux is not an ELF file");
        if (kernel.buildId().isPresent()) {
            String want = kernel.buildId().get().toLowerCase();
            Optional<String> got = Elf.buildId(file);
            if (got.isEmpty()) {
                throw new FetchException(origin + ": vmlinux has no GNU build-id note; the dump's kernel has " + want);
            }
            if (!got.get().equals(want)) {
                throw new FetchException(origin + ": build-id mismatch: the dump's kernel is " + want
                        + ", the fetched vmlinux is " + got.get() + " (not used)");
            }
        } else if (kernel.banner() != null && !kernel.banner().isBlank()) {
            if (!contains(file, kernel.banner().strip().getBytes(StandardCharsets.ISO_8859_1))) {
                throw new FetchException(origin + ": the fetched vmlinux does not contain the dump's banner '"
                        + kernel.banner().strip() + "' (not used)");
            }
        }
    }

    /** A module debug file must carry the build-id the dump lists for it (when it lists one). */
    public static void module(Path file, String module, KernelIdentity kernel, String origin) throws IOException {
        String want = kernel.moduleBuildIds() == null ? null : kernel.moduleBuildIds().get(module);
        if (want == null) return;
        Optional<String> got = Elf.buildId(file);
        if (got.isPresent() && !got.get().equalsIgnoreCase(want)) {
            throw new FetchException(origin + ": build-id mismatch for module " + module + ": the dump has "
                    + want.toLowerCase() + ", the fetched file " + got.get() + " (not used)");
        }
    }

    /** Whether the file contains the bytes (a streaming search; used only when no build-id is known). */
    static boolean contains(Path file, byte[] needle) throws IOException {
        if (needle.length == 0) return true;
        byte[] buf = new byte[(1 << 20) + needle.length];
        int keep = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf, keep, buf.length - keep)) > 0) {
                int len = keep + n;
                outer:
                for (int i = 0; i + needle.length <= len; i++) {
                    for (int j = 0; j < needle.length; j++) {
                        if (buf[i + j] != needle[j]) continue outer;
                    }
                    return true;
                }
                keep = Math.min(needle.length - 1, len);
                System.arraycopy(buf, len - keep, buf, 0, keep);
            }
        }
        return false;
    }
}
