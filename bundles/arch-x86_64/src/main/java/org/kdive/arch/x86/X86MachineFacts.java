package org.kdive.arch.x86;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.kdive.api.arch.AddressSpace;
import org.kdive.api.arch.MachineFacts;
import org.kdive.api.session.Memory;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.util.Hex;
import org.kdive.arch.x86.idt.InterruptDescriptorTable;
import org.kdive.arch.x86.unwind.KernelLayout;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * x86_64's answers to crash's {@code pte} and {@code mach}: entry bits as crash's
 * x86_64_translate_pte names them, swap entries in the L1TF-inverted encoding of 4.18.1+ kernels,
 * the e820 table, cpu_khz, cpuinfo_x86 and the IRQ and IST exception stacks of each CPU, found the
 * way crash finds them (the IST slots of each CPU's TSS, named after the IDT gates that use them).
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = MachineFacts.class)
public final class X86MachineFacts implements MachineFacts {
    private static final long PRESENT = 1L;
    private static final long PSE = 1L << 7;
    private static final long PROTNONE = 1L << 8;
    private static final long GLOBAL = 1L << 8;
    private static final long PHYSICAL_PAGE_MASK = 0x000f_ffff_ffff_f000L;
    private static final String[] LOW_FLAGS = {"PRESENT", "RW", "USER", "PWT", "PCD", "ACCESSED", "DIRTY"};
    /** __START_KERNEL_map: where the kernel image mapping begins on every x86_64 kernel. */
    private static final long START_KERNEL_MAP = 0xffff_ffff_8000_0000L;
    private static final int IST_SLOTS = 7;
    /** crash's e820 type names by value; 12 and 128 by name below, others "type N". */
    private static final String[] E820_TYPES = {"(invalid type)", "E820_RAM", "E820_RESERVED", "E820_ACPI", "E820_NVS", "E820_UNUSABLE"};

    @Override public String name() { return "x86_64-machine"; }

    @Override public String description() { return "x86_64 facts for pte and mach: entry bits, e820, cpuinfo_x86, IRQ and IST stacks"; }

    @Override
    public boolean supports(String machine) {
        return "x86_64".equals(machine) || "amd64".equals(machine) || "x86-64".equals(machine);
    }

    @Override
    public PteBits decodePte(Session session, long entry) {
        List<String> flags = new ArrayList<>();
        if (entry != 0) {
            for (int bit = 0; bit < LOW_FLAGS.length; bit++) {
                if ((entry & (1L << bit)) != 0) flags.add(LOW_FLAGS[bit]);
            }
            boolean p = (entry & PRESENT) != 0;
            if (p && (entry & PSE) != 0) flags.add("PSE");
            if (!p && (entry & PROTNONE) != 0) flags.add("PROTNONE");
            if ((entry & GLOBAL) != 0) flags.add("GLOBAL");
            if (entry < 0) flags.add("NX");
        }
        boolean present = (entry & (PRESENT | PROTNONE)) != 0;
        long type = -1;
        long offset = -1;
        if (!present && entry != 0) {
            // 4.18.1+ (and L1TF backports) invert the offset bits and keep the type at the top
            if (l1tf(session)) {
                type = entry >>> 59;
                offset = (~entry << 5) >>> 14;
            } else {
                type = (entry >>> 9) & 0x1f;
                offset = entry >>> 14;
            }
        }
        return new PteBits(entry, present, entry & PHYSICAL_PAGE_MASK, flags, type, offset);
    }

    /** crash: kernels from 4.18.1, or with l1tf_mitigation backported, use the inverted swap encoding. */
    private static boolean l1tf(Session session) {
        if (new KernelLayout(session).symbol("l1tf_mitigation").isPresent()) return true;
        String release = session.vmcoreinfo().osRelease().orElse("");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?").matcher(release);
        if (!m.find()) return true;
        int v = Integer.parseInt(m.group(1)) * 65536 + Integer.parseInt(m.group(2)) * 256
                + (m.group(3) == null ? 0 : Math.min(255, Integer.parseInt(m.group(3))));
        return v >= 4 * 65536 + 18 * 256 + 1;
    }

    @Override
    public OptionalLong processorMhz(Session session) {
        OptionalLong khz = new KernelLayout(session).symbol("cpu_khz");
        if (khz.isEmpty()) return OptionalLong.empty();
        try {
            long v = session.memory().u32(khz.getAsLong());
            return v == 0 ? OptionalLong.empty() : OptionalLong.of(v / 1000);
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public List<Fact> machineFacts(Session session) {
        KernelLayout k = new KernelLayout(session);
        AddressSpace as = session.arch().addressSpace(session);
        List<Fact> out = new ArrayList<>();
        out.add(address("kernel_virtual_base", "KERNEL VIRTUAL BASE", as.directMap().start()));
        out.add(address("kernel_vmalloc_base", "KERNEL VMALLOC BASE", as.vmalloc().start()));
        out.add(address("kernel_vmemmap_base", "KERNEL VMEMMAP BASE", as.vmemmapBase()));
        out.add(address("kernel_start_map", "KERNEL START MAP", START_KERNEL_MAP));
        out.add(address("kernel_modules_base", "KERNEL MODULES BASE", as.modules().start()));
        long stack = org.kdive.api.kernel.ThreadSize.of(session).orElse(16384);
        out.add(new Fact("kernel_stack_size", "KERNEL STACK SIZE", Long.toString(stack), stack));
        long[] offsets = as.perCpuOffsets();
        int cpus = Math.max(1, offsets.length);
        int nrCpus = cpuCount(session, cpus);
        Memory mem = session.memory();
        long irqSize = memberSize(session, "struct irq_stack_union", "irq_stack");
        if (irqSize <= 0) irqSize = memberSize(session, "struct irq_stack", "stack");
        if (irqSize <= 0) irqSize = 16384;
        out.add(new Fact("irq_stack_size", "IRQ STACK SIZE", Long.toString(irqSize), irqSize));
        out.add(new Fact("irq_stacks", "IRQ STACKS", null, null));
        // 6.2+ keeps hardirq_stack_ptr in pcpu_hot; before, a per-CPU variable of its own
        OptionalLong hardirq = k.symbol("pcpu_hot");
        long pcpuHot = k.offset("struct pcpu_hot", "hardirq_stack_ptr");
        if (hardirq.isPresent() && pcpuHot >= 0) hardirq = OptionalLong.of(hardirq.getAsLong() + pcpuHot);
        else hardirq = k.symbol("hardirq_stack_ptr");
        for (int c = 0; c < nrCpus; c++) {
            long base = 0;
            if (hardirq.isPresent()) {
                try {
                    long p = mem.u64(hardirq.getAsLong() + (c < offsets.length ? offsets[c] : 0));
                    if ((p & 4095) != 0) p += 8;  // points at the last word, not past the end
                    base = p - irqSize;
                } catch (RuntimeException e) {
                    base = 0;
                }
            }
            out.add(new Fact("irq_stack_cpu" + c, "CPU " + c, String.format("%016x", base), Hex.json(base)));
        }
        exceptionStacks(session, k, offsets, nrCpus, out);
        return out;
    }

    /** The CPUs crash counts: the highest present CPU + 1 (cpu_present_mask), else the per-CPU areas. */
    private static int cpuCount(Session session, int fallback) {
        int fromDump = session.dump().info().cpus();
        if (fromDump > 0) return fromDump;
        return fallback;
    }

    private static Fact address(String key, String label, long v) {
        return new Fact(key, label, Long.toHexString(v), Hex.json(v));
    }

    /** The IST stacks: each CPU's cpu_tss_rw.x86_tss.ist[], named after the IDT gates using them. */
    private static void exceptionStacks(Session session, KernelLayout k, long[] offsets, int cpus, List<Fact> out) {
        Memory mem = session.memory();
        OptionalLong tss = k.symbol("cpu_tss_rw");
        if (tss.isEmpty()) tss = k.symbol("cpu_tss");
        if (tss.isEmpty()) tss = k.symbol("init_tss");
        long istOff = k.offset("struct tss_struct", "x86_tss.ist");
        if (tss.isEmpty() || istOff < 0) return;
        String[] names = istNames(session);
        String struct = k.offset("struct cea_exception_stacks", "NMI_stack") >= 0 ? "struct cea_exception_stacks"
                : k.offset("struct exception_stacks", "NMI_stack") >= 0 ? "struct exception_stacks" : null;
        long[] size = new long[IST_SLOTS];
        long[][] base = new long[cpus][IST_SLOTS];
        boolean[][] available = new boolean[cpus][IST_SLOTS];
        for (int c = 0; c < cpus; c++) {
            if (c > 0 && (c >= offsets.length || offsets[c] == 0)) break;
            for (int i = 0; i < IST_SLOTS; i++) {
                try {
                    base[c][i] = mem.u64(tss.getAsLong() + (c < offsets.length ? offsets[c] : 0) + istOff + 8L * i);
                } catch (RuntimeException e) {
                    base[c][i] = 0;
                }
            }
            if (base[c][0] == 0) break;
        }
        if (struct != null) {
            for (int i = 0; i < IST_SLOTS; i++) {
                String member = switch (names[i]) {
                    case "DEBUG" -> "DB_stack";
                    case "NMI" -> "NMI_stack";
                    case "DOUBLEFAULT" -> "DF_stack";
                    case "MCE" -> "MCE_stack";
                    case "VC" -> "VC_stack";
                    default -> null;
                };
                size[i] = member == null ? 0 : memberSize(session, struct, member);
            }
            for (int c = 0; c < cpus; c++) {
                for (int i = 0; i < IST_SLOTS; i++) {
                    if (base[c][i] != 0) base[c][i] -= size[i];
                    // the VC stack is unmapped unless SEV-ES runs
                    available[c][i] = !names[i].equals("VC") || session.memory().isReadable(base[c][i]);
                }
            }
        } else {
            long esize = base[0][0] != 0 && base[0][1] != 0 ? base[0][1] - base[0][0] : 4096;
            for (int c = 0; c < cpus; c++) {
                for (int i = 0; i < IST_SLOTS && base[c][i] != 0; i++) {
                    size[i] = names[i].equals("DEBUG") ? esize * 2 : esize;
                    base[c][i] -= size[i];
                    available[c][i] = true;
                }
            }
        }
        for (int i = 0; i < IST_SLOTS; i++) {
            if (base[0][i] == 0) break;
            String key = names[i].replaceAll("[^A-Za-z]", "").toLowerCase();
            if (key.isEmpty()) key = "ist" + (i + 1);
            out.add(new Fact(key + "_stack_size", names[i] + " STACK SIZE", Long.toString(size[i]), size[i]));
            out.add(new Fact(key + "_stacks", names[i] + " STACKS", null, null));
            for (int c = 0; c < cpus; c++) {
                if (base[c][i] == 0) break;
                String text = String.format("%016x", base[c][i]) + (available[c][i] ? "" : " [unavailable]");
                out.add(new Fact(key + "_stack_cpu" + c, "CPU " + c, text, Hex.json(base[c][i])));
            }
        }
    }

    private static long memberSize(Session session, String struct, String member) {
        try {
            return session.symbols().type(struct).flatMap(t -> t.resolve().member(member)).map(m -> m.type().size()).orElse(0L);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** crash's names of IST slots 1..7 from the IDT gate functions that use them; "(unknown)" otherwise. */
    private static String[] istNames(Session session) {
        String[] names = new String[IST_SLOTS];
        java.util.Arrays.fill(names, "(unknown)");
        List<InterruptDescriptorTable.Gate> gates;
        try {
            gates = InterruptDescriptorTable.gates(session);
        } catch (RuntimeException e) {
            return names;
        }
        for (InterruptDescriptorTable.Gate g : gates) {
            int ist = g.ist();
            if (ist == 0) continue;
            String fn;
            try {
                fn = session.symbols().containing(g.handler()).map(Symbol::name).orElse("");
            } catch (RuntimeException e) {
                fn = "";
            }
            if (fn.contains("nmi")) names[ist - 1] = "NMI";
            if (fn.contains("debug")) names[ist - 1] = "DEBUG";
            if (fn.contains("stack")) names[ist - 1] = "STACKFAULT";
            if (fn.contains("double")) names[ist - 1] = "DOUBLEFAULT";
            if (fn.contains("machine")) names[ist - 1] = "MCE";
            if (fn.contains("vmm")) names[ist - 1] = "VC";
        }
        return names;
    }

    @Override
    public List<MemoryRange> memoryMap(Session session) {
        KernelLayout k = new KernelLayout(session);
        Memory mem = session.memory();
        long table;
        OptionalLong e820 = k.symbol("e820_table");
        if (e820.isPresent()) {
            table = mem.u64(e820.getAsLong());
        } else {
            OptionalLong old = k.symbol("e820");
            if (old.isEmpty()) throw new org.kdive.api.KdiveException("neither e820 or e820_table symbols exist");
            table = old.getAsLong();
        }
        String struct = k.size("struct e820_table") > 0 ? "struct e820_table" : "struct e820map";
        long nrOff = Math.max(0, k.offset(struct, "nr_entries") >= 0 ? k.offset(struct, "nr_entries") : k.offset(struct, "nr_map"));
        long entriesOff = k.offset(struct, "entries") >= 0 ? k.offset(struct, "entries") : k.offset(struct, "map");
        if (entriesOff < 0) entriesOff = 4;
        long entrySize = k.size("struct e820_entry") > 0 ? k.size("struct e820_entry") : 20;
        long addrOff = Math.max(0, k.offset("struct e820_entry", "addr"));
        long sizeOff = k.offset("struct e820_entry", "size") >= 0 ? k.offset("struct e820_entry", "size") : 8;
        long typeOff = k.offset("struct e820_entry", "type") >= 0 ? k.offset("struct e820_entry", "type") : 16;
        long n = mem.u32(table + nrOff);
        long max = k.size(struct) > 0 ? (k.size(struct) - entriesOff) / entrySize : 4096;
        List<MemoryRange> out = new ArrayList<>();
        for (long i = 0; i < Math.min(n, max); i++) {
            long e = table + entriesOff + i * entrySize;
            long addr = mem.u64(e + addrOff);
            long size = mem.u64(e + sizeOff);
            int type = (int) mem.u32(e + typeOff);
            String name = type >= 0 && type < E820_TYPES.length ? E820_TYPES[type]
                    : type == 12 ? "E820_PRAM" : type == 128 ? "E820_RESERVED_KERN" : "type " + type;
            out.add(new MemoryRange(addr, addr + size, name));
        }
        return out;
    }

    /** arch/x86/include/asm/thread_info.h (unchanged since 2.6.23). */
    @Override
    public java.util.OptionalInt threadFlagBit(Session session, String name) {
        return switch (name) {
            case "TIF_NOTIFY_RESUME" -> java.util.OptionalInt.of(1);
            case "TIF_SIGPENDING" -> java.util.OptionalInt.of(2);
            case "TIF_NEED_RESCHED" -> java.util.OptionalInt.of(3);
            default -> java.util.OptionalInt.empty();
        };
    }

    @Override
    public Optional<CpuInfo> cpuInfo(Session session) {
        KernelLayout k = new KernelLayout(session);
        if (k.symbol("cpu_info").isPresent()) return Optional.of(new CpuInfo("struct cpuinfo_x86", "cpu_info", true));
        if (k.symbol("boot_cpu_data").isPresent()) return Optional.of(new CpuInfo("struct cpuinfo_x86", "boot_cpu_data", false));
        return Optional.empty();
    }
}
