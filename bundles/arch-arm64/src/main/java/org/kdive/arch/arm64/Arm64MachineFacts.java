package org.kdive.arch.arm64;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.kdive.api.arch.MachineFacts;
import org.kdive.api.session.Session;
import org.kdive.arch.arm64.layout.Arm64Layout;
import org.kdive.arch.arm64.paging.PteFlags;
import org.kdive.arch.arm64.unwind.Stacks;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * arm64's answers to crash's {@code mach} and {@code pte}: the address-space bases VMCOREINFO gives
 * (linear map, modules, vmalloc, vmemmap), the task, IRQ and overflow stacks of each CPU (irq_stack_ptr,
 * overflow_stack), and page-table entry bits in crash's arm64 names. crash's arm64 mach prints no
 * processor speed (the kernel measures none), no firmware memory map and no per-CPU processor data.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = MachineFacts.class)
public final class Arm64MachineFacts implements MachineFacts {
    /** Output address bits of a 4 KiB-granule descriptor with 48-bit physical addresses. */
    private static final long PHYSICAL_MASK = 0x0000_ffff_ffff_f000L;

    @Override public String name() { return "aarch64-machine"; }

    @Override public String description() { return "arm64 facts for mach and pte: address-space bases, IRQ and overflow stacks, entry bits"; }

    @Override
    public boolean supports(String machine) {
        return "aarch64".equals(machine) || "arm64".equals(machine);
    }

    /** Linux arm64 (6.1): swap entries keep the type in bits 3-8 and the offset from bit 9 (__SWP_*_SHIFT). */
    @Override
    public PteBits decodePte(Session session, long entry) {
        boolean present = (entry & 1) != 0 || (entry & (1L << 58)) != 0;
        long type = -1, offset = -1;
        if (!present && entry != 0) {
            type = (entry >>> 3) & 0x3f;
            offset = (entry >>> 9) & ((1L << 50) - 1);
        }
        return new PteBits(entry, present, entry & PHYSICAL_MASK, PteFlags.names(entry), type, offset);
    }

    /** crash's arm64 mach: its longest labels ("KERNEL VIRTUAL BASE") at the left edge. */
    @Override
    public int labelWidth() {
        return 19;
    }

    @Override
    public boolean processorSpeedLine() {
        return false;
    }

    @Override
    public OptionalLong processorMhz(Session session) {
        return OptionalLong.empty();
    }

    @Override
    public List<MemoryRange> memoryMap(Session session) {
        return List.of();
    }

    @Override
    public Optional<CpuInfo> cpuInfo(Session session) {
        return Optional.empty();
    }

    @Override
    public List<Fact> machineFacts(Session session) {
        Arm64Layout l = ((Arm64KernelArch) session.arch()).layout();
        List<Fact> out = new ArrayList<>();
        out.add(address("kernel_virtual_base", "KERNEL VIRTUAL BASE", l.pageOffset()));
        out.add(address("kernel_modules_base", "KERNEL MODULES BASE", l.modulesStart()));
        out.add(address("kernel_vmalloc_base", "KERNEL VMALLOC BASE", l.vmallocStart()));
        out.add(address("kernel_vmemmap_base", "KERNEL VMEMMAP BASE", l.vmemmapStart()));
        long stack = org.kdive.api.kernel.ThreadSize.of(session).orElse(Stacks.THREAD_SIZE);
        out.add(new Fact("kernel_stack_size", "KERNEL STACK SIZE", Long.toString(stack), stack));
        long[] perCpu = session.arch().addressSpace(session).perCpuOffsets();
        Stacks stacks = Stacks.of(session, perCpu);
        // IRQ_STACK_SIZE is THREAD_SIZE
        out.add(new Fact("irq_stack_size", "IRQ STACK SIZE", Long.toString(stack), stack));
        out.add(new Fact("irq_stacks", "IRQ STACKS", null, null));
        for (int c = 0; c < perCpu.length; c++) {
            long base = stacks.irq(c).map(Stacks.Stack::low).orElse(0L);
            out.add(address("irq_stack_cpu" + c, "CPU " + c, base));
        }
        out.add(new Fact("overflow_stack_size", "OVERFLOW STACK SIZE", Long.toString(Stacks.OVERFLOW_SIZE), Stacks.OVERFLOW_SIZE));
        out.add(new Fact("overflow_stacks", "OVERFLOW STACKS", null, null));
        for (int c = 0; c < perCpu.length; c++) {
            long base = stacks.overflow(c).map(Stacks.Stack::low).orElse(0L);
            out.add(address("overflow_stack_cpu" + c, "CPU " + c, base));
        }
        return out;
    }

    private static Fact address(String key, String label, long v) {
        return new Fact(key, label, String.format("%016x", v), String.format("0x%x", v));
    }
}
