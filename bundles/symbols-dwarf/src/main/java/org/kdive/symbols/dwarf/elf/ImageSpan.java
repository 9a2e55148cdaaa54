package org.kdive.symbols.dwarf.elf;

/**
 * Where a linked kernel image lies at link time, and how far KASLR moved it. An absolute symbol
 * whose value lies inside the image (from its first loaded section's start through the end of its
 * last) is an address in the image, made absolute by a linker-script expression
 * (init_per_cpu__gdt_page = __per_cpu_load + offset on x86_64, __kvm_nvhe___bss_start on arm64), and
 * moves with the image as every section does; other absolute values are constants (sizes, offsets,
 * CRCs) and stay. A fact of the image, not of the CPU: crash applies it on x86_64 (its relocate()),
 * and moves every absolute symbol on the other machines, constants too.
 */
final class ImageSpan {
    private static final ImageSpan NONE = new ImageSpan(0, 0, 0);

    private final long start, end, bias;

    private ImageSpan(long start, long end, long bias) {
        this.start = start;
        this.end = end;
        this.bias = bias;
    }

    /**
     * The span of a linked file's loaded sections (per-CPU ones linked at 0 left out), and the shift
     * {@code relocate} gives them; nothing moves in a relocatable object.
     */
    static ImageSpan of(ElfFile elf, ElfSymbols.SectionAddressing relocate) {
        if (elf.isRelocatable()) return NONE;
        long start = 0, end = 0, bias = 0;
        for (ElfSection s : elf.sections()) {
            if (!s.isAlloc() || s.addr() == 0) continue;
            if (start == 0 || Long.compareUnsigned(s.addr(), start) < 0) {
                start = s.addr();
                long a = relocate.sectionAddress(s);
                bias = a == Long.MIN_VALUE ? 0 : a - s.addr();
            }
            if (Long.compareUnsigned(s.addr() + s.size(), end) > 0) end = s.addr() + s.size();
        }
        return start == 0 ? NONE : new ImageSpan(start, end, bias);
    }

    /** The run-time value of an absolute symbol with this link-time value. */
    long absolute(long value) {
        return bias != 0 && moves(value) ? value + bias : value;
    }

    /** Whether an absolute symbol of this value moves with the image (whatever the shift). */
    boolean moves(long value) {
        return start != 0 && Long.compareUnsigned(value, start) >= 0 && Long.compareUnsigned(value, end) <= 0;
    }
}
