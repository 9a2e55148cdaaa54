package org.kdive.symbols.dwarf.elf;

import java.nio.ByteBuffer;
import java.util.Map;

/** Applies a relocatable object's RELA relocations to a copy of a (debug) section. */
public final class Relocator {
    private static final int R_X86_64_NONE = 0, R_X86_64_64 = 1, R_X86_64_PC32 = 2, R_X86_64_32 = 10,
            R_X86_64_32S = 11, R_X86_64_PC64 = 24;
    private static final int R_AARCH64_ABS64 = 257, R_AARCH64_ABS32 = 258, R_AARCH64_PREL32 = 261;

    private Relocator() {
    }

    /**
     * The section's contents with every RELA section that targets it applied. Symbols resolve to their
     * section's run-time address from {@code sectionAddresses} (debug sections and unknown ones: 0).
     */
    public static ByteBuffer relocated(ElfFile elf, ElfSection target, Map<String, Long> sectionAddresses) {
        ByteBuffer src = elf.data(target);
        ElfSection rela = null;
        for (ElfSection s : elf.sections()) {
            if (s.type() == ElfSection.SHT_RELA && s.info() == target.index()) {
                rela = s;
                break;
            }
        }
        if (rela == null) return src;
        byte[] copy = new byte[src.remaining()];
        src.duplicate().get(copy);
        ByteBuffer out = ByteBuffer.wrap(copy).order(elf.order());
        ElfSection symtab = elf.section(rela.link());
        ByteBuffer syms = elf.data(symtab);
        ByteBuffer rel = elf.data(rela);
        int n = rel.limit() / 24;
        long[] sectionBase = new long[elf.sections().size()];
        for (ElfSection s : elf.sections()) {
            Long a = s.isAlloc() ? sectionAddresses.get(s.name()) : null;
            sectionBase[s.index()] = a == null ? 0 : a;
        }
        for (int i = 0; i < n; i++) {
            long off = rel.getLong(i * 24);
            long info = rel.getLong(i * 24 + 8);
            long addend = rel.getLong(i * 24 + 16);
            int type = (int) info;
            long symIndex = info >>> 32;
            if (type == R_X86_64_NONE) continue;
            if ((symIndex + 1) * 24 > syms.limit()) {
                throw elf.fail(rela.offset() + i * 24L, "a symbol index inside " + symtab.name(), String.valueOf(symIndex));
            }
            int sp = (int) symIndex * 24;
            int shndx = Short.toUnsignedInt(syms.getShort(sp + 6));
            long value = syms.getLong(sp + 8);
            long s = value + (shndx > 0 && shndx < sectionBase.length ? sectionBase[shndx] : 0);
            long p = off; // debug sections sit at address 0
            if (off < 0 || off > copy.length) {
                throw elf.fail(rela.offset() + i * 24L, "a relocation offset inside " + target.name(), "0x" + Long.toHexString(off));
            }
            int o = (int) off;
            switch (type) {
                case R_X86_64_64: case R_AARCH64_ABS64: put(out, o, 8, s + addend, elf, target); break;
                case R_X86_64_32: case R_X86_64_32S: case R_AARCH64_ABS32: put(out, o, 4, s + addend, elf, target); break;
                case R_X86_64_PC32: case R_AARCH64_PREL32: put(out, o, 4, s + addend - p, elf, target); break;
                case R_X86_64_PC64: put(out, o, 8, s + addend - p, elf, target); break;
                default:
                    throw elf.fail(rela.offset() + i * 24L, "a supported relocation type for " + target.name(), String.valueOf(type));
            }
        }
        return ByteBuffer.wrap(copy).order(elf.order()).asReadOnlyBuffer().order(elf.order());
    }

    private static void put(ByteBuffer b, int off, int size, long v, ElfFile elf, ElfSection target) {
        if (off + size > b.limit()) throw elf.fail(target.offset() + off, "a relocation inside " + target.name(), "past its end");
        if (size == 8) b.putLong(off, v);
        else b.putInt(off, (int) v);
    }

}
