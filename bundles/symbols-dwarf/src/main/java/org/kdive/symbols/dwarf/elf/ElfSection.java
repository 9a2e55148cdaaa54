package org.kdive.symbols.dwarf.elf;

/** One ELF64 section header, with its name resolved. */
public record ElfSection(int index, String name, int type, long flags, long addr, long offset, long size,
                         int link, int info, long addralign, long entsize) {
    public static final int SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_RELA = 4, SHT_NOTE = 7,
            SHT_NOBITS = 8, SHT_REL = 9;
    public static final long SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4, SHF_COMPRESSED = 0x800;

    public boolean isAlloc() { return (flags & SHF_ALLOC) != 0; }

    public boolean isNoBits() { return type == SHT_NOBITS; }

    public boolean isCompressed() { return (flags & SHF_COMPRESSED) != 0; }

    public boolean contains(long address) { return address >= addr && address - addr < size; }
}
