package org.kdive.format.elf;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.format.support.Le;
import org.kdive.format.support.Source;

/** The ELF header and program headers of a core file, validated against the file size. */
final class ElfCoreHeader {
    static final int PT_LOAD = 1;
    static final int PT_NOTE = 4;
    static final int ET_CORE = 4;
    private static final int PN_XNUM = 0xffff;
    /** More program headers than this is not a vmcore (makedumpfile -E writes thousands at most). */
    private static final long MAX_PHDRS = 1 << 22;

    record Segment(int type, long offset, long vaddr, long paddr, long filesz, long memsz) {
    }

    final boolean is64;
    final int machine;
    final List<Segment> segments = new ArrayList<>();

    ElfCoreHeader(Source src) throws IOException {
        long size = src.size();
        if (size < 52) throw bad(src, 0, "an ELF header", size + " bytes of file");
        byte[] e = src.readFully(0, (int) Math.min(64, size));
        if (e[0] != 0x7f || e[1] != 'E' || e[2] != 'L' || e[3] != 'F') throw bad(src, 0, "ELF magic", null);
        if (e[4] != 1 && e[4] != 2) throw bad(src, 4, "ELF class 1 or 2", String.valueOf(e[4]));
        is64 = e[4] == 2;
        if (e[5] != 1) throw bad(src, 5, "a little-endian ELF (EI_DATA 1)", String.valueOf(e[5]));
        if (is64 && e.length < 64) throw bad(src, 0, "an ELF64 header of 64 bytes", size + " bytes of file");
        int type = Le.u16(e, 16);
        if (type != ET_CORE) throw bad(src, 16, "e_type ET_CORE (4)", String.valueOf(type));
        machine = Le.u16(e, 18);
        long phoff = is64 ? Le.i64(e, 32) : Le.u32(e, 28);
        long shoff = is64 ? Le.i64(e, 40) : Le.u32(e, 32);
        int phentsize = Le.u16(e, is64 ? 54 : 42);
        long phnum = Le.u16(e, is64 ? 56 : 44);
        int minEnt = is64 ? 56 : 32;
        if (phentsize < minEnt) throw bad(src, is64 ? 54 : 42, "e_phentsize >= " + minEnt, String.valueOf(phentsize));
        if (phnum == PN_XNUM) {
            // the real count is in section header 0's sh_info
            int shInfo = is64 ? 44 : 28;
            if (shoff <= 0 || shoff > size - shInfo - 4) throw bad(src, is64 ? 40 : 32, "section header 0 (PN_XNUM)", "e_shoff 0x" + Long.toHexString(shoff));
            phnum = Le.u32(src.readFully(shoff + shInfo, 4), 0);
        }
        if (phnum > MAX_PHDRS || phoff < 0 || phoff > size - phnum * phentsize) {
            throw bad(src, is64 ? 32 : 28, "program headers inside the file", phnum + " at 0x" + Long.toHexString(phoff));
        }
        byte[] ph = src.readFully(phoff, (int) (phnum * phentsize));
        for (int i = 0; i < phnum; i++) {
            int o = i * phentsize;
            if (is64) {
                segments.add(new Segment(Le.i32(ph, o), Le.i64(ph, o + 8), Le.i64(ph, o + 16), Le.i64(ph, o + 24),
                        Le.i64(ph, o + 32), Le.i64(ph, o + 40)));
            } else {
                segments.add(new Segment(Le.i32(ph, o), Le.u32(ph, o + 4), Le.u32(ph, o + 8), Le.u32(ph, o + 12),
                        Le.u32(ph, o + 16), Le.u32(ph, o + 20)));
            }
        }
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            if (s.type() != PT_LOAD && s.type() != PT_NOTE) continue;
            long at = phoff + (long) i * phentsize;
            if (s.offset() < 0 || s.filesz() < 0 || s.memsz() < 0 || s.offset() + s.filesz() < 0) {
                throw bad(src, at, "a segment with non-negative offset and sizes",
                        String.format("offset 0x%x filesz 0x%x memsz 0x%x", s.offset(), s.filesz(), s.memsz()));
            }
            if (s.type() == PT_LOAD && s.filesz() > s.memsz()) {
                throw bad(src, at, "p_filesz <= p_memsz", String.format("0x%x > 0x%x", s.filesz(), s.memsz()));
            }
        }
    }

    String machineName() {
        return switch (machine) {
            case 62 -> "x86_64";
            case 3 -> "i686";
            case 183 -> "aarch64";
            case 40 -> "arm";
            case 243 -> is64 ? "riscv64" : "riscv32";
            case 21 -> "ppc64le";
            case 22 -> "s390x";
            case 258 -> "loongarch64";
            default -> "elf-machine-" + machine;
        };
    }

    static DumpFormatException bad(Source src, long off, String expected, String found) {
        return new DumpFormatException(src.path(), off, expected, found);
    }
}
