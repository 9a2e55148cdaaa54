package org.kdive.api.arch;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.kdive.api.session.Session;

/**
 * What crash's machine-specific commands ({@code pte}, {@code mach}, {@code mach -c}, {@code mach -m})
 * show about one architecture, beyond {@link KernelArch}: how a page-table entry's bits read, the
 * firmware's memory map, the processor speed, the per-CPU description of the processor and the
 * lines of crash's {@code mach} that only the architecture knows (address-space bases, stacks).
 *
 * <p>An OSGi service registered by the architecture's bundle (one per machine); commands pick the
 * one that {@link #supports} the session's {@link KernelArch#machine()}. Everything is read from
 * the dump through the {@link Session} (debuginfo types, kernel variables); nothing here knows a
 * command's layout beyond the labels and values crash prints.
 */
public interface MachineFacts extends org.kdive.api.Plugin {
    /** Whether these facts are about {@code machine} (uname -m). */
    boolean supports(String machine);

    /**
     * A page-table entry's value as the architecture reads it.
     *
     * @param entry      the raw value
     * @param present    whether it maps a page (present, or present-but-inaccessible like x86's PROTNONE)
     * @param physical   the physical address of the page it maps (the address bits, also when not present)
     * @param flags      names of its flag bits in the architecture's (and crash's) spelling and order
     * @param swapType   for a non-present, non-zero entry: the swap area (index of swap_info), else -1
     * @param swapOffset for a non-present, non-zero entry: the page's offset in that area, else -1
     */
    record PteBits(long entry, boolean present, long physical, List<String> flags, long swapType, long swapOffset) {
        public PteBits {
            flags = List.copyOf(flags);
        }
    }

    /** {@code entry} decoded; the session tells kernel-dependent encodings apart (swap entries). */
    PteBits decodePte(Session session, long entry);

    /**
     * One line of crash's {@code mach} that belongs to the architecture: {@code label} right-aligned
     * to crash's column, then ": " and {@code text} (a label with a null text prints as a heading
     * "LABEL:"). {@code value} is the same for JSON (a Number, a String "0x…" address, or null).
     */
    record Fact(String key, String label, String text, Object value) {
    }

    /** crash's machine lines after PAGE SIZE (kernel bases, stack sizes, per-CPU stacks). */
    List<Fact> machineFacts(Session session);

    /**
     * Whether crash's {@code mach} has a PROCESSOR SPEED line on this machine (printed "(unknown)" when
     * {@link #processorMhz} is empty); crash's arm64 mach has none.
     */
    default boolean processorSpeedLine() {
        return true;
    }

    /** The column crash's {@code mach} right-aligns its labels to on this machine (its own fixed format strings). */
    default int labelWidth() {
        return 22;
    }

    /** The processor speed in MHz the kernel measured, if it did. */
    OptionalLong processorMhz(Session session);

    /** One range of the firmware's map of physical memory (x86's e820) with crash's name of its type. */
    record MemoryRange(long start, long end, String type) {
    }

    /** The firmware's physical memory map as the kernel keeps it; empty when the kernel keeps none. */
    List<MemoryRange> memoryMap(Session session);

    /**
     * Where the kernel describes each CPU: {@code type} ("struct cpuinfo_x86") at the per-CPU
     * variable {@code variable} (one instance per CPU), or, when {@code perCpu} is false, one
     * instance for the boot CPU.
     */
    record CpuInfo(String type, String variable, boolean perCpu) {
    }

    /** The per-CPU processor description {@code mach -c} prints, if the kernel has one. */
    Optional<CpuInfo> cpuInfo(Session session);

    /**
     * The bit number of a thread_info flag (a TIF_ name such as "TIF_SIGPENDING"): they are
     * per-architecture macros the debuginfo does not carry. Empty when unknown.
     */
    default java.util.OptionalInt threadFlagBit(Session session, String name) {
        return java.util.OptionalInt.empty();
    }
}
