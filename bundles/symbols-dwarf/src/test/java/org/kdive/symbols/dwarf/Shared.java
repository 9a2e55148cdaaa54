package org.kdive.symbols.dwarf;

import java.util.Map;
import org.kdive.api.symbols.LoadSpec;
import org.kdive.symbols.dwarf.elf.ElfFile;
import org.kdive.test.Corpus;

/** One opened vmlinux (and vqbug module) per test JVM. */
final class Shared {
    /** KERNELOFFSET of the corpus dump: crash shows machine_kexec at ffffffffbca6c53f, nm at ffffffff8106c380 + 0x1bf. */
    static final long KASLR = 0x3ba00000L;
    /** vqbug's .text in the crashed kernel (crash: module base ffffffffc0619000, vqb_virtqueue_add at +0x30). */
    static final long VQBUG_TEXT = 0xffffffffc0619000L;
    private static DwarfDebugInfo vmlinux, vqbug;

    private Shared() {
    }

    static synchronized DwarfDebugInfo vmlinux() {
        if (vmlinux == null) {
            try {
                vmlinux = new DwarfDebugInfo(ElfFile.open(Corpus.vmlinux()), LoadSpec.vmlinux(KASLR));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return vmlinux;
    }

    static synchronized DwarfDebugInfo vqbug() {
        if (vqbug == null) {
            try {
                vqbug = new DwarfDebugInfo(ElfFile.open(Corpus.file("vqbug.ko.debug")),
                        LoadSpec.module("vqbug", Map.of(".text", VQBUG_TEXT)));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return vqbug;
    }
}
