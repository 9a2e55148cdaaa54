package org.kdive.arch.arm64.layout;

import java.util.OptionalLong;
import org.kdive.api.dump.VmcoreInfo;

/**
 * What VMCOREINFO says about an arm64 kernel's memory (arch/arm64/kernel/crash_core.c exports it):
 * VA_BITS, kimage_voffset (kernel image virtual minus physical: KASLR), PHYS_OFFSET (memstart_addr,
 * the physical base of the linear map), the module, vmalloc and vmemmap regions, KERNELPACMASK (the
 * pointer-authentication bits of kernel return addresses) and TCR_EL1.T1SZ. Where a key is missing
 * (an old kernel, a dump without VMCOREINFO) the 6.1 defaults for 4 KiB pages and 48-bit VA hold.
 *
 * @param vaBits        virtual address bits of the kernel half (48, or 52 with LPA/LVA)
 * @param pageShift     12 (4 KiB), 14 (16 KiB) or 16 (64 KiB)
 * @param kimageVoffset kernel image virtual - physical; 0 when unknown
 * @param physOffset    physical address the linear map starts at
 * @param pacMask       bits a PAC occupies in a kernel pointer (0 without pointer authentication)
 */
public record Arm64Layout(int vaBits, int pageShift, long kimageVoffset, long physOffset, long pacMask,
        long modulesStart, long modulesEnd, long vmallocStart, long vmallocEnd, long vmemmapStart, long vmemmapEnd,
        long kernelOffset, long swapperPgDir) {

    public static Arm64Layout of(VmcoreInfo info) {
        int va = (int) number(info, "VA_BITS").orElse(48);
        OptionalLong t1sz = number(info, "TCR_EL1_T1SZ");
        if (t1sz.isPresent() && t1sz.getAsLong() > 0 && t1sz.getAsLong() < 64) va = Math.max(va, 64 - (int) t1sz.getAsLong());
        long page = info.pageSize().orElse(4096);
        int shift = Long.numberOfTrailingZeros(page);
        if (shift != 12 && shift != 14 && shift != 16) shift = 12;
        long pageOffset = pageOffset(va);
        // 6.1 defaults for VA_BITS=48, 4 KiB: modules 128 MiB below the image at _PAGE_END(48)
        long modules = number(info, "MODULES_VADDR").orElse(0xffff800000000000L);
        long modulesEnd = number(info, "MODULES_END").orElse(modules + (128L << 20));
        long vmalloc = number(info, "VMALLOC_START").orElse(modulesEnd);
        long vmallocEnd = number(info, "VMALLOC_END").orElse(0xfffffbfff0000000L);
        long vmemmap = number(info, "VMEMMAP_START").orElse(0xfffffc0000000000L);
        long vmemmapEnd = number(info, "VMEMMAP_END").orElse(0xfffffe0000000000L);
        return new Arm64Layout(va, shift, number(info, "kimage_voffset").orElse(0), number(info, "PHYS_OFFSET").orElse(0),
                number(info, "KERNELPACMASK").orElse(0), modules, modulesEnd, vmalloc, vmallocEnd, vmemmap, vmemmapEnd,
                info.hex("KERNELOFFSET").orElse(0), info.symbol("swapper_pg_dir").orElse(-1));
    }

    /** A NUMBER(...) entry: arm64 writes addresses as 0x-prefixed hex, counts in decimal (the API reads both). */
    static OptionalLong number(VmcoreInfo info, String name) {
        return info.number(name);
    }

    /** PAGE_OFFSET: the linear map's start, -(1 << VA_BITS) since 5.4. */
    public static long pageOffset(int vaBits) {
        return -(1L << vaBits);
    }

    public long pageOffset() {
        return pageOffset(vaBits);
    }

    /** PAGE_END: the linear map ends half way up the kernel half (VA_BITS_MIN = 48 for 52-bit kernels). */
    public long pageEnd() {
        return -(1L << (Math.min(vaBits, 48) - 1));
    }

    /** The kernel image's start (KIMAGE_VADDR = MODULES_END). */
    public long kimageVaddr() {
        return modulesEnd;
    }

    /** Whether {@code v} lies in the linear map. */
    public boolean linear(long v) {
        return Long.compareUnsigned(v, pageOffset()) >= 0 && Long.compareUnsigned(v, pageEnd()) < 0;
    }

    /** Physical address of a linear-map address. */
    public long linearToPhysical(long v) {
        return v - pageOffset() + physOffset;
    }

    /** Physical address of swapper_pg_dir (a kernel-image address), or -1. */
    public long swapperPgDirPhysical() {
        return swapperPgDir == -1 || kimageVoffset == 0 ? -1 : swapperPgDir - kimageVoffset;
    }

    /**
     * A code pointer without its pointer-authentication code: kernel addresses (bit 55 set) get
     * the PAC bits set again, as ptrauth_strip_insn_pac() does.
     */
    public long stripPac(long address) {
        if (pacMask == 0) return address;
        return (address & (1L << 55)) != 0 ? address | pacMask : address & ~pacMask;
    }
}
