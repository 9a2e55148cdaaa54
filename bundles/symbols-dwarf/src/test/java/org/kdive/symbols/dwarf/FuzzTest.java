package org.kdive.symbols.dwarf;

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
import org.kdive.test.Fuzzing;
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
        Fuzzing.of(what, original).mutation(FuzzTest::scattered).rounds(ROUNDS).randomSeed(seed)
                .allow(KdiveException.class) // a clear format error is the right answer to bad input
                .eachWithin(Duration.ofSeconds(10)).run(target);
    }

    /** A truncation, or 1 to 4 random bytes, 1 to 32 random bytes, 1 to 32 0xff bytes anywhere. */
    private static byte[] scattered(byte[] m, Random rnd) {
        int kind = rnd.nextInt(4);
        if (kind == 3) return java.util.Arrays.copyOf(m, rnd.nextInt(m.length)); // truncation
        int flips = 1 + rnd.nextInt(kind == 0 ? 4 : 32);
        for (int i = 0; i < flips; i++) {
            int at = rnd.nextInt(m.length);
            m[at] = kind == 2 ? (byte) 0xff : (byte) rnd.nextInt(256);
        }
        return m;
    }
}
