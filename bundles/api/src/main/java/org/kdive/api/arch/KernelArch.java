package org.kdive.api.arch;

import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.LongFunction;
import org.kdive.api.KdiveException;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Symbol;

/**
 * An architecture bound to one dump: everything about the CPU and the kernel's use of it that
 * commands need, so that no command names a register, a page-table format or an instruction.
 *
 * <ul>
 * <li>memory: {@link #toPhysical} (the session's virtual memory reads through it), {@link #walk}
 *     for {@code vtop}'s explanation, {@link #mappings} for scans that skip holes, and
 *     {@link #addressSpace} for the regions (direct map, vmalloc, vmemmap, kernel image, per-CPU
 *     offsets);</li>
 * <li>registers: {@link #cpuRegisters} (PRSTATUS), {@link #registerRoles}, crash's layout
 *     ({@link #formatRegisters}, {@link #formatException}, {@link #kernelMode});</li>
 * <li>stacks: {@link #unwind}, {@link #unwindCpu}, {@link #unwindBlocked}, {@link #blockedRegisters},
 *     {@link #cpuStacks}, {@link #searchExceptionFrames}, {@link #unwindByScan}, {@link #codeAddress};</li>
 * <li>code: {@link #bugTrap} (BUG()/WARN() and {@code __bug_table}) and {@link #codeModel} (what
 *     instructions do, for autopsy). The architecture's bundle also registers the
 *     {@link org.kdive.api.dis.Disassembler} for its machine;</li>
 * <li>interrupts: {@link #interruptVectors} (x86's IDT, for {@code irq -d}).</li>
 * <li>symbols: {@link #kernelSymbolTable} (which vmlinux symbols crash's kernel table keeps).</li>
 * </ul>
 *
 * Methods that need kernel symbols or types take the {@link Session}; results that cost reading
 * memory are cached per session by the implementation.
 */
public interface KernelArch {
    /** The uname -m name, e.g. "x86_64", "aarch64". */
    String machine();

    int pointerSize();

    ByteOrder byteOrder();

    /**
     * Kernel virtual → physical address, as the CPU would translate it: an address no page table
     * maps fails, whatever region it lies in.
     *
     * @throws org.kdive.api.dump.MemoryAccessException naming the page-table level that failed
     */
    long toPhysical(long vaddr);

    /** Virtual → physical through the page table rooted at physical {@code pgdPhys} (user space). */
    long toPhysical(long pgdPhys, long vaddr);

    /** Physical address of the kernel's top-level page table (the {@code pgdPhys} for kernel addresses), or -1. */
    default long kernelPageTable() {
        return -1;
    }

    /**
     * The walk of the page table rooted at physical {@code pgdPhys} for {@code vaddr}, step by step:
     * never throws for unmapped addresses or unreadable tables ({@link PageWalk#failure()} says why).
     */
    PageWalk walk(long pgdPhys, long vaddr);

    /**
     * The mapped ranges and gaps of {@code [start, end)} in the page table rooted at {@code pgdPhys},
     * in address order, each as large as the entry that decides it (a gap of a whole empty upper
     * level is one range). The first range may begin before {@code start} and the last end after
     * {@code end}. The default translates page by page; architectures override it to skip holes.
     */
    default Iterator<MappedRange> mappings(long pgdPhys, long start, long end) {
        final long page = 4096;
        return new Iterator<>() {
            long next = start & -page;
            boolean done = Long.compareUnsigned(next, end) >= 0;

            @Override
            public boolean hasNext() {
                return !done;
            }

            @Override
            public MappedRange next() {
                if (done) throw new NoSuchElementException();
                long v = next;
                long p;
                try {
                    p = toPhysical(pgdPhys, v) & -page;
                } catch (KdiveException e) {
                    p = -1;
                }
                next = v + page;
                done = next == 0 || Long.compareUnsigned(next, end) >= 0;
                return new MappedRange(v, page, p);
            }
        };
    }

    /** The kernel's virtual address-space layout in this dump (read once per session). */
    AddressSpace addressSpace(Session session);

    /** Registers saved by the capture kernel per CPU (from PRSTATUS), in CPU order. */
    /**
     * The registers the crash saved per CPU, in CPU order; a CPU whose note is damaged or missing has
     * {@link Registers#NONE} at its place (unwinding it yields no frames).
     */
    List<Registers> cpuRegisters();

    /** The roles of this architecture's registers and its calling convention. */
    RegisterRoles registerRoles();

    /**
     * Unwinds a stack starting from {@code start}; never throws for bad data, ends the list instead
     * (the last frame's {@link StackFrame#note()} says why). {@code start.pc()} is taken as the
     * instruction the CPU was at (frame #0 is [sp] pc).
     */
    List<StackFrame> unwind(Session session, Registers start);

    /**
     * The backtrace of the task that was running on {@code cpu} when the dump was taken, as crash
     * shows it: from where the capture kernel stopped the CPU (e.g. machine_kexec on the panic CPU,
     * crash_nmi_callback on the others) through the exception frame holding the interrupted
     * registers ({@link #cpuRegisters()}), then on down the interrupted stack.
     */
    default List<StackFrame> unwindCpu(Session session, int cpu) {
        List<Registers> regs = cpuRegisters();
        if (cpu < 0 || cpu >= regs.size() || regs.get(cpu).isEmpty()) return List.of();
        return unwind(session, regs.get(cpu));
    }

    /**
     * The registers a task that is not running saved when it was switched out (what the kernel's
     * {@code switch_to} left in the task and on its stack), as far as they are known; empty when
     * unknown. Its pc is the return address into the scheduler.
     *
     * @param task address of the task_struct
     */
    default Optional<Registers> blockedRegisters(Session session, long task) {
        return Optional.empty();
    }

    /**
     * The backtrace of a task that is not running, from the context it saved when it was switched
     * out: frame #0 is where crash shows it (the scheduler, at the task's saved stack pointer).
     * Empty when unknown.
     *
     * @param task address of the task_struct
     */
    default List<StackFrame> unwindBlocked(Session session, long task) {
        return blockedRegisters(session, task).map(r -> unwind(session, r)).orElse(List.of());
    }

    /**
     * The registers of an exception frame or a CPU as crash prints them (each line indented by 4
     * spaces), without the exception line. Architectures without a crash layout return the
     * registers name by name.
     */
    default List<String> formatRegisters(Registers regs) {
        List<String> lines = new java.util.ArrayList<>();
        regs.values().forEach((k, v) -> lines.add(String.format("    %s: %016x", k.toUpperCase(), v)));
        return lines;
    }

    /**
     * An exception frame as crash's {@code bt} prints it after the frame that holds it: the line naming
     * where the exception hit (when in the kernel) and the registers.
     *
     * @param where names a code address as "symbol+offset", or null when no symbol contains it
     */
    default List<String> formatException(Registers regs, LongFunction<String> where) {
        List<String> lines = new java.util.ArrayList<>();
        if (kernelMode(regs)) {
            String w = where.apply(regs.pc());
            lines.add("    [exception " + regs.pcName().toUpperCase() + ": " + (w == null ? "unknown or invalid address" : w) + "]");
        }
        lines.addAll(formatRegisters(regs));
        return lines;
    }

    /**
     * The address {@code bt} names frame {@code f} by and looks its source line up at ({@code bt -l}),
     * when its pc came from a return address: inside the call. The default is x86_64's, where a
     * frame's pc is the return address after the call: pc - 1. Architectures whose unwinder already
     * gives the call's own address (arm64: the branch, return address - 4, as crash prints it) return pc.
     */
    default long callSite(StackFrame f) {
        return f.pc() - 1;
    }

    /**
     * The address every command names frame {@code f} by (bt, foreach, autopsy …: one symbolizer): the pc
     * itself when it came from the exception frame of the frame before ({@code previous}), else its
     * {@link #callSite}. A return address after a call to a noreturn function (panic) lies past the
     * caller's end, in the next function (add_taint.cold): the call site names the caller.
     */
    default long symbolAddress(StackFrame previous, StackFrame f) {
        boolean exact = previous != null && previous.exceptionRegs() != null && previous.exceptionRegs().pc() == f.pc();
        return exact ? f.pc() : callSite(f);
    }

    /**
     * The stack words crash's {@code bt -f} prints between frame {@code newer} and the next, older
     * frame {@code older} (after {@code newer}'s line), as {@code [start, end)};
     * {@link AddressSpace.Region#NONE} when crash prints none there (a switch between stacks, nonsense
     * addresses). The default is x86_64's layout, where a frame's sp is the slot of its return address:
     * from just above {@code newer}'s slot up to and including {@code older}'s.
     */
    default AddressSpace.Region frameWords(StackFrame newer, StackFrame older) {
        long from = newer.sp() + 8;
        long to = older.sp();
        if (Long.compareUnsigned(to, from) < 0 || to - from > 16384) return AddressSpace.Region.NONE;
        return new AddressSpace.Region(from, to + 8);
    }

    /**
     * The per-CPU stacks besides the task stacks (IRQ stacks, exception stacks, overflow stacks), in
     * the order crash's {@code bt -E} searches them; empty when the architecture does not know them.
     */
    default List<CpuStack> cpuStacks(Session session) {
        return List.of();
    }

    /**
     * crash's {@code bt -e} and {@code bt -E}: the exception frames found on {@code stack} at or
     * above {@code from}, in address order, each checked as the architecture's entry code leaves
     * one (privilege, segment or mode bits, a pc in kernel text or user space, a plausible stack
     * pointer). {@code stack} is a task's stack or one of {@link #cpuStacks}; {@code userTask}
     * says whether it belongs to a user process (whose stack ends with the user-mode frame). Stale
     * copies of frames are found too, as crash finds them: this is a search, not an unwinder. Never
     * throws for unreadable memory (what cannot be read holds no frame). Empty when the
     * architecture has no search.
     */
    default List<ExceptionFrame> searchExceptionFrames(Session session, AddressSpace.Region stack, long from,
            boolean userTask) {
        return List.of();
    }

    /**
     * The code address a stack word holds when it is one: the word with the bits the architecture
     * adds to return addresses put back (arm64 pointer authentication signs the upper bits), the
     * word itself where there are none. Commands check the result for kernel text.
     */
    default long codeAddress(long word) {
        return word;
    }

    /**
     * crash's {@code bt -t}/{@code -T}: the words of a task stack from {@code from} on that hold kernel
     * text addresses ({@link #codeAddress} applied), one {@link StackFrame} each (sp = the word's
     * address, pc = the code address, numbered from 0), up to where the architecture's scan ends; on
     * architectures where crash then shows the user-mode frame of a user process (x86_64), the last
     * frame carries it as {@link StackFrame#exceptionRegs}. The default reads to the top of {@code stack}.
     */
    default List<StackFrame> textWords(Session session, AddressSpace.Region stack, long from, boolean userTask) {
        List<StackFrame> out = new java.util.ArrayList<>();
        for (long a = from & -8L; Long.compareUnsigned(a, stack.end()) < 0; a += 8) {
            long v;
            try {
                v = codeAddress(session.memory().u64(a));
            } catch (RuntimeException e) {
                a |= 0xfff; // an unreadable page holds no text address
                continue;
            }
            long code = v;
            boolean text;
            try {
                text = session.symbols().containing(code).map(sym -> sym.isText()
                        && (sym.size() <= 0 || code - sym.address() < sym.size())).orElse(false);
            } catch (RuntimeException e) {
                text = false;
            }
            if (text) out.add(new StackFrame(out.size(), a, code, null, "stack-scan", false));
        }
        return out;
    }

    /**
     * An exception frame {@link #searchExceptionFrames} found, as crash's {@code bt -e}/{@code -E}
     * print it: the "KERNEL-MODE EXCEPTION FRAME AT: address" (or USER-MODE) heading, with the blank
     * line crash prints before it as an empty first line, then {@link #formatException}'s lines.
     *
     * @param first whether it is the first frame printed for this stack
     */
    default List<String> formatFoundException(ExceptionFrame frame, boolean first, LongFunction<String> where) {
        List<String> lines = new java.util.ArrayList<>();
        lines.add("");
        lines.add(String.format("  %s-MODE EXCEPTION FRAME AT: %x", kernelMode(frame.regs()) ? "KERNEL" : "USER", frame.address()));
        lines.addAll(formatException(frame.regs(), where));
        return lines;
    }

    /**
     * crash's {@code bt -o} (x86_64: "old" backtrace): every word from the starting frame up to the
     * top of {@code stack} that holds a return address into kernel text (not a function's own start)
     * is a frame, stale ones included; exception frames found after the entry code's functions are
     * attached and skipped; a user process's stack ends with its user-mode frame. Frame #0 is
     * {@code start}'s pc at its sp. Empty when the architecture has no such method (crash: "option
     * not supported").
     */
    default List<StackFrame> unwindByScan(Session session, Registers start, AddressSpace.Region stack, boolean userTask) {
        return List.of();
    }

    /** Whether the registers were taken in kernel mode (not in a user process). */
    default boolean kernelMode(Registers regs) {
        return regs.pc() < 0;
    }

    /** How BUG()/WARN() trap and their {@code __bug_table} layout; empty when unknown. */
    default Optional<BugTrap> bugTrap() {
        return Optional.empty();
    }

    /** What the instructions of this architecture do (for autopsy's code analysis); empty when unknown. */
    default Optional<CodeModel> codeModel() {
        return Optional.empty();
    }

    /**
     * crash's {@code irq -d}: the CPU's table of interrupt and exception vectors as the kernel filled
     * it (x86's interrupt descriptor table, {@code idt_table}), every entry in vector order with its
     * handler's address. Empty when the architecture has no such table (arm64 enters the kernel
     * through one vector base for all exceptions and routes interrupts in software).
     *
     * @throws KdiveException naming the symbol or address when the kernel's table cannot be found or read
     */
    default Optional<List<InterruptVector>> interruptVectors(Session session) {
        return Optional.empty();
    }

    /**
     * crash's kernel symbol table (what {@code sym -l} lists and {@code sym NAME}, {@code -p}, {@code -n}
     * walk), made from a vmlinux's symbols in crash's order, by link-time value then ELF name, as the
     * vmlinux's {@code symbols().all()} lists them: the entries crash's machine-specific check keeps.
     * Why here: crash decides per machine (x86_64 keeps nothing below {@code _text} but the per-CPU
     * symbols), and that rule is the architecture's, not the ELF reader's. The default keeps every entry.
     *
     * @param symbols the vmlinux's symbols in that order; not modified
     * @return the kept entries in the same order (may be {@code symbols} itself or a view of it)
     */
    default List<Symbol> kernelSymbolTable(List<Symbol> symbols) {
        return symbols;
    }
}
