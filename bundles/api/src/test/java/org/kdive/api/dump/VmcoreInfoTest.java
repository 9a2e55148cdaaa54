package org.kdive.api.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.kdive.api.CorpusFiles;

/**
 * VmcoreInfo on the corpus dump's VMCOREINFO (the ELF dump's note; the kdump file carries the same
 * text). Values are checked against each other where the kernel ties them together: KERNELOFFSET is
 * _stext's distance from its link address 0xffffffff81000000, and phys_base places the kernel-text
 * PT_LOAD (readelf -lW vmcore.elf-d31: virtual 0xffffffffbca00000 at physical 0x26200000).
 */
class VmcoreInfoTest {
    private static final String TEXT = CorpusFiles.vmcoreinfo("vmcore.elf-d31", 0x1340);
    private static final VmcoreInfo VI = VmcoreInfo.parse(TEXT);

    @Test
    void theKdumpFileCarriesTheSameText() {
        assertEquals(TEXT, CorpusFiles.vmcoreinfo("vmcore.kdump-zlib", 0x10000));
        assertEquals(TEXT, VI.text());
        assertEquals(3285, TEXT.length(), "the note's 0xcd5 bytes");
    }

    @Test
    void typedFields() {
        assertEquals("6.1.0-50-cloud-amd64", VI.osRelease().orElseThrow());
        assertEquals("bb603a9147d3efe4744bf83c83eee397c591cc20", VI.buildId().orElseThrow());
        assertEquals(4096, VI.pageSize().getAsLong());
        assertEquals(1795729417L, VI.crashTime().getAsLong());
        assertEquals(0xffffffffbe5f9b60L, VI.symbol("init_uts_ns").getAsLong(), "unsigned: all 64 bits");
        assertEquals(131072, VI.length("mem_section").getAsLong());
        assertEquals(64, VI.size("page").getAsLong());
        assertEquals(0, VI.offset("page.flags").getAsLong());
        assertEquals(52, VI.offset("page._refcount").getAsLong());
        assertEquals(-129, VI.number("PAGE_BUDDY_MAPCOUNT_VALUE").getAsLong(), "NUMBER() is signed decimal");
        assertEquals(1, VI.number("pgtable_l5_enabled").getAsLong());
    }

    @Test
    void valuesAgreeWithEachOther() {
        long stext = VI.symbol("_stext").getAsLong();
        assertEquals(stext - 0xffffffff81000000L, VI.kernelOffset().getAsLong());
        assertEquals(0x3ba00000L, VI.kernelOffset().getAsLong());
        // __pa of a kernel-image address: vaddr - __START_KERNEL_map + phys_base
        long physBase = VI.number("phys_base").getAsLong();
        assertEquals(-377487360L, physBase);
        assertEquals(0x26200000L, stext - 0xffffffff80000000L + physBase);
        // the kallsyms tables lie in the kernel image, in the order the kernel's link lays them out
        long offsets = VI.symbol("kallsyms_offsets").getAsLong(), base = VI.symbol("kallsyms_relative_base").getAsLong();
        long num = VI.symbol("kallsyms_num_syms").getAsLong(), names = VI.symbol("kallsyms_names").getAsLong();
        long tokens = VI.symbol("kallsyms_token_table").getAsLong(), index = VI.symbol("kallsyms_token_index").getAsLong();
        assertTrue(stext < offsets && offsets < base && base < num && num < names && names < tokens && tokens < index, TEXT);
    }

    @Test
    void missingAndMalformedEntriesAreEmpty() {
        assertEquals(OptionalLong.empty(), VI.symbol("no_such_symbol"));
        assertEquals(OptionalLong.empty(), VI.decimal("OSRELEASE"), "not a number");
        assertTrue(VmcoreInfo.empty().isEmpty());
        assertTrue(VmcoreInfo.empty().osRelease().isEmpty());
        // the first of two entries counts; lines without '=' or with an empty key are not entries
        VmcoreInfo v = VmcoreInfo.parse("PAGESIZE=4096\nPAGESIZE=65536\ngarbage\n=1\nSYMBOL(x)=zz\n");
        assertEquals(4096, v.pageSize().getAsLong());
        assertEquals(2, v.entries().size(), v.entries().toString());
        assertEquals(OptionalLong.empty(), v.symbol("x"));
    }

    /** arm64 writes its addresses and masks as NUMBER() with 0x: hex then, all 64 bits. */
    @Test
    void hexNumbers() {
        VmcoreInfo v = VmcoreInfo.parse("NUMBER(VA_BITS)=48\nNUMBER(kimage_voffset)=0xffffb2eaa2000000\nNUMBER(TCR_EL1_T1SZ)=0X10\n");
        assertEquals(48, v.number("VA_BITS").getAsLong());
        assertEquals(0xffffb2eaa2000000L, v.number("kimage_voffset").getAsLong());
        assertEquals(16, v.number("TCR_EL1_T1SZ").getAsLong());
    }
}
