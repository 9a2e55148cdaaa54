package org.kdive.triage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A crash signature: the same for the same bug whatever the dump's format, the boot, the KASLR
 * offset or the kernel build. Made from nothing that changes between those: the panic kind, the
 * faulting module's name (no version) and the top normalized frames (names only).
 */
public final class Signature {
    /** Frames of the stack that go into the signature. */
    public static final int FRAMES = 5;

    private Signature() {
    }

    /** The text that is hashed: "KIND|MODULE|f1,f2,…" (MODULE "-" for the kernel image). */
    public static String input(String kind, String module, List<String> topFrames) {
        return kind + "|" + (module == null || module.isEmpty() ? "-" : module) + "|" + String.join(",", topFrames);
    }

    /** The first 16 hex digits of the SHA-256 of {@link #input}. */
    public static String of(String input) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(input.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JVM", e);
        }
    }
}
