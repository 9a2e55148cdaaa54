package org.kdive.symbols.dwarf;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Random;
import java.util.function.Consumer;
import org.kdive.api.KdiveException;
import org.kdive.symbols.dwarf.elf.ElfFile;
import org.kdive.symbols.dwarf.elf.ElfSection;
import org.kdive.test.Corpus;
import org.junit.jupiter.api.Test;

/** Seeded random mutations of real inputs: only KdiveException may escape, nothing may hang. */
class FuzzTest {
    private static final int ROUNDS = 300;

    @Test
    void mutatedModule() throws Exception {
        byte[] image = Files.readAllBytes(Corpus.file("vqbug.ko.debug"));
        Fuzz.elf(image); // the original parses
        mutate("elf", image, Fuzz::elf, 1);
    }

    @Test
    void mutatedAbbrevAndDies() throws Exception {
        ElfFile e = ElfFile.open(Corpus.file("vqbug.ko.debug"));
        byte[] abbrev = bytes(e, ".debug_abbrev"), info = bytes(e, ".debug_info");
        e.close();
        ByteBuffer b = ByteBuffer.allocate(4 + abbrev.length + info.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(abbrev.length).put(abbrev).put(info);
        mutate("dies", b.array(), Fuzz::abbrevAndDies, 2);
    }

    @Test
    void mutatedLineProgram() throws Exception {
        ElfFile e = ElfFile.open(Corpus.file("vqbug.ko.debug"));
        byte[] line = bytes(e, ".debug_line");
        e.close();
        mutate("line", line, Fuzz::lineProgram, 3);
    }

    private static byte[] bytes(ElfFile e, String name) {
        ElfSection s = e.section(name).orElseThrow();
        ByteBuffer b = e.data(s);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static void mutate(String what, byte[] original, Consumer<byte[]> target, long seed) {
        Random rnd = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            byte[] m = original.clone();
            int kind = rnd.nextInt(4);
            if (kind == 3) {
                m = java.util.Arrays.copyOf(m, rnd.nextInt(m.length)); // truncation
            } else {
                int flips = 1 + rnd.nextInt(kind == 0 ? 4 : 32);
                for (int i = 0; i < flips; i++) {
                    int at = rnd.nextInt(m.length);
                    m[at] = kind == 2 ? (byte) 0xff : (byte) rnd.nextInt(256);
                }
            }
            byte[] input = m;
            int r = round;
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                try {
                    target.accept(input);
                } catch (KdiveException expected) {
                    // a clear format error is the right answer to bad input
                } catch (Throwable t) {
                    fail(what + " round " + r + ": " + t, t);
                }
            }, what + " round " + r + " hung");
        }
    }
}
