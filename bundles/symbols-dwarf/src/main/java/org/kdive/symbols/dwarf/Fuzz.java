package org.kdive.symbols.dwarf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import org.kdive.api.KdiveException;
import org.kdive.api.symbols.LoadSpec;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Type;
import org.kdive.symbols.dwarf.dwarf.DwarfFile;
import org.kdive.symbols.dwarf.dwarf.DwarfSections;
import org.kdive.symbols.dwarf.elf.ElfFile;
import org.kdive.symbols.dwarf.line.LineTable;

/**
 * Fuzz entry points: each parses arbitrary bytes and may only fail with a {@link KdiveException}
 * (DumpFormatException for malformed input). Used by the mutation tests; usable from a fuzzer.
 */
public final class Fuzz {
    private static final Path NAME = Path.of("<fuzz>");

    private Fuzz() {
    }

    /** A whole ELF object: headers, sections, symbols, DWARF units, types and lines of a module. */
    public static void elf(byte[] image) {
        ElfFile e = ElfFile.of(NAME, image);
        DwarfDebugInfo d = new DwarfDebugInfo(e, LoadSpec.module("fuzz", Map.of(".text", 0xffffffffc0000000L)));
        d.symbols().all().count();
        d.symbols().containing(0xffffffffc0000040L);
        d.buildId();
        for (String t : new String[] {"struct vqb_vring_virtqueue", "struct vqb_virtqueue", "int", "u16"}) {
            d.type(t).ifPresent(Fuzz::walk);
        }
        d.function("vqb_virtqueue_add").ifPresent(Fuzz::walk);
        d.variable("total_sg").ifPresent(v -> walk(v.type()));
        d.line(0xffffffffc0000040L);
        d.lines(0xffffffffc0000000L, 0xffffffffc0000100L);
    }

    /** A .debug_abbrev table followed by DIEs: {@code [u32 abbrevLen][abbrev][info]}. */
    public static void abbrevAndDies(byte[] data) {
        if (data.length < 4) return; // no split to read: nothing to parse
        int n = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (n < 0 || n > data.length - 4) return;
        ByteBuffer abbrev = ByteBuffer.wrap(data, 4, n).slice().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer info = ByteBuffer.wrap(data, 4 + n, data.length - 4 - n).slice().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer[] s = new ByteBuffer[DwarfSections.NAMES.length];
        s[0] = info;
        s[1] = abbrev;
        DwarfFile f = new DwarfFile(NAME, DwarfSections.of(s));
        org.kdive.symbols.dwarf.index.NameIndex.build(f);
        for (var u : f.units()) {
            var root = f.die(u, u.dieStart);
            if (root != null) f.children(root).forEach(c -> c.name());
        }
    }

    /** One line program at offset 0 of .debug_line. */
    public static void lineProgram(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        LineTable t = LineTable.parse(NAME, b, b, b, 0, "/comp", "unit.c", 8);
        for (int i = 0; i < t.rows(); i++) t.file(i);
    }

    private static void walk(Type t) {
        walk(t, 0);
    }

    private static void walk(Type t, int depth) {
        if (t == null || depth > 8) return;
        t.cName();
        t.size();
        t.resolve();
        for (Member m : t.members()) walk(m.type(), depth + 1);
        t.enumerators();
        for (Type p : t.parameters()) walk(p, depth + 1);
        walk(t.target(), depth + 1);
    }
}
