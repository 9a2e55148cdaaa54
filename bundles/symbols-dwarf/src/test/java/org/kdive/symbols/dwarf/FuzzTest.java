package org.kdive.symbols.dwarf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.api.symbols.LoadSpec;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Type;
import org.kdive.symbols.dwarf.elf.ElfFile;
import org.kdive.symbols.dwarf.elf.ElfSection;
import org.kdive.test.Corpus;
import org.kdive.test.Fuzzing;

/**
 * Random mutations of real inputs (a fresh random seed each run, named on failure): only DumpFormatException,
 * the typed error naming file and offset, may escape (not any KdiveException: a wrapped NullPointerException is
 * a bug), nothing may hang, and what a mutation cannot touch must read as in the unmutated file.
 */
class FuzzTest {
    private static final int ROUNDS = 500;

    @Test
    void mutatedModule() throws Exception {
        byte[] image = Files.readAllBytes(Corpus.file("vqbug.ko.debug"));
        Fuzz.elf(image); // the original parses
        mutate("elf", image, Fuzz::elf, FuzzTest::scattered);
    }

    @Test
    void mutatedAbbrevAndDies() throws Exception {
        ElfFile e = ElfFile.open(Corpus.file("vqbug.ko.debug"));
        byte[] abbrev = bytes(e, ".debug_abbrev"), info = bytes(e, ".debug_info");
        e.close();
        ByteBuffer b = ByteBuffer.allocate(4 + abbrev.length + info.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(abbrev.length).put(abbrev).put(info);
        mutate("dies", b.array(), Fuzz::abbrevAndDies, FuzzTest::scattered);
    }

    @Test
    void mutatedLineProgram() throws Exception {
        ElfFile e = ElfFile.open(Corpus.file("vqbug.ko.debug"));
        byte[] line = bytes(e, ".debug_line");
        e.close();
        mutate("line", line, Fuzz::lineProgram, FuzzTest::scattered);
    }

    /** Edits inside .debug_line of the module only: line lookups may fail, the types must read as before. */
    @Test
    void aDamagedLineTableLeavesTheTypesAsTheyWere() throws Exception {
        lineOnly(null, 200);
    }

    /**
     * The run that found an extended opcode whose length (near 2^63) wrapped the program position
     * backwards, so the line program looped for ever (round 43 of this seed): replayed as it was.
     */
    @Test
    void anExtendedOpcodeLengthThatWrapsIsAnErrorNotALoop() throws Exception {
        lineOnly(2873647974276926091L, 44);
    }

    private static void lineOnly(Long pinnedSeed, int rounds) throws Exception {
        byte[] image = Files.readAllBytes(Corpus.file("vqbug.ko.debug"));
        ElfSection line;
        try (ElfFile e = ElfFile.open(Corpus.file("vqbug.ko.debug"))) {
            line = e.section(".debug_line").orElseThrow();
        }
        String expected = layout(image);
        int from = (int) line.offset(), size = (int) line.size();
        Fuzzing f = Fuzzing.of("line-only", image);
        if (pinnedSeed != null) f.randomSeed(pinnedSeed);
        f.rounds(rounds).allow(DumpFormatException.class).eachWithin(Duration.ofSeconds(10))
                .mutation((m, r) -> {
                    for (int i = 1 + r.nextInt(16); i > 0; i--) m[from + r.nextInt(size)] = (byte) r.nextInt(256);
                    return m;
                })
                .run(m -> {
                    assertEquals(expected, layout(m), "types of a module whose line table is damaged");
                    DwarfDebugInfo d = open(m);
                    d.line(MODULE_TEXT + 0x40);
                    d.lines(MODULE_TEXT, MODULE_TEXT + 0x100);
                });
    }

    private static final long MODULE_TEXT = 0xffffffffc0000000L;

    private static DwarfDebugInfo open(byte[] image) {
        return new DwarfDebugInfo(ElfFile.of(java.nio.file.Path.of("<fuzz>"), image),
                LoadSpec.module("fuzz", Map.of(".text", MODULE_TEXT)));
    }

    /** The layout of the module's structures and a function, as text. */
    private static String layout(byte[] image) {
        DwarfDebugInfo d = open(image);
        StringBuilder sb = new StringBuilder();
        for (String name : new String[] {"struct vqb_vring_virtqueue", "struct vqb_virtqueue"}) {
            Type t = d.type(name).orElseThrow();
            sb.append(t.cName()).append(' ').append(t.size()).append('\n');
            for (Member m : t.members()) sb.append(' ').append(m.name()).append('@').append(m.offset()).append(' ').append(m.type().cName()).append('\n');
        }
        sb.append(d.function("vqb_virtqueue_add").orElseThrow().cName());
        return sb.toString();
    }

    private static byte[] bytes(ElfFile e, String name) {
        ElfSection s = e.section(name).orElseThrow();
        ByteBuffer b = e.data(s);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static void mutate(String what, byte[] original, Consumer<byte[]> target, Fuzzing.Mutation mutation) {
        Fuzzing.of(what, original).mutation(mutation).rounds(ROUNDS)
                .allow(DumpFormatException.class) // a format error naming the offset is the right answer to bad input
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
