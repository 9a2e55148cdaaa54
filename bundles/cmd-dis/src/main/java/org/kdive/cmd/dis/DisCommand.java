package org.kdive.cmd.dis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.kdive.api.KdiveException;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.dis.Disassembler;
import org.kdive.api.dis.Instruction;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.session.Session;
import org.kdive.api.session.Symbols;
import org.kdive.api.symbols.SourceLine;
import org.kdive.api.symbols.Symbol;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** crash's {@code dis}: disassembly with symbols, source lines and, with -a, BUG()/exception-RIP marks. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=dis")
public class DisCommand implements Command {
    /** Longest routine or count we disassemble in one go (bounded output, bounded reads). */
    static final int MAX_INSTRUCTIONS = 100_000;
    private static final int MAX_BYTES = 4 << 20;
    private static final int WINDOW = 4096;
    private static final int MAX_INSN = 15;

    private final List<Disassembler> disassemblers = new CopyOnWriteArrayList<>();

    public DisCommand() {
    }

    /** For use outside OSGi (tests, tools): a command bound to one disassembler. */
    public DisCommand(Disassembler disassembler) {
        disassemblers.add(disassembler);
    }

    /** Loads module debuginfo for dis -l when mod -s has not (optional: kdive-cmd-symbols). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile org.kdive.api.kernel.Modules modules;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addDisassembler(Disassembler d) {
        disassemblers.add(d);
    }

    void removeDisassembler(Disassembler d) {
        disassemblers.remove(d);
    }

    @Override
    public String name() { return "dis"; }

    @Override
    public String description() { return "disassemble kernel code (crash's dis), with BUG()/exception-RIP marks on request"; }

    @Override
    public String usage() {
        return String.join("\n",
                "dis - disassemble",
                "",
                "dis [-rflxda] [address | symbol | (expression)] [count]",
                "",
                "  -r  (reverse) from the start of the routine up to and including the address",
                "  -f  (forward) from the address to the end of the routine",
                "  -l  show source file: line headers (vmlinux debuginfo; modules after mod -s)",
                "  -x  symbol offsets in hexadecimal; -d  in decimal (the default)",
                "  -a  annotate: a trap instruction that is a BUG()/WARN() site with its file:line",
                "      from the kernel's __bug_table (no debuginfo needed), and where each CPU was",
                "      interrupted (\"<-- exception RIP (panic task, cpu N)\" on x86_64). Off by",
                "      default so the text stays identical to crash's; the JSON form always carries",
                "      these fields.",
                "  address  hexadecimal; symbol may be module:symbol; expressions like sym+77",
                "           (decimal) or sym+0x4d. count: instructions (default 1); a bare text",
                "           symbol without count disassembles the whole routine.",
                "  Not supported: -u (user space), -s (source listing), -b (bytes to skip after a BUG trap).");
    }

    @Override
    public Result execute(CommandContext context, List<String> rawArgs) {
        Args args = Args.parse(rawArgs, Set.of("r", "f", "l", "u", "x", "d", "s", "a"), Set.of());
        if (args.has("u")) throw new CommandException("dis -u: user-space disassembly is not supported");
        if (args.has("s")) throw new CommandException("dis -s: source listings are not supported; dis -l shows file: line");
        if (args.has("r") && args.has("f")) throw new CommandException("dis: -r and -f cannot be combined");
        if (args.positional().isEmpty()) throw new CommandException("dis: address or symbol required\n" + usage());
        if (args.positional().size() > 2) throw new CommandException("dis: too many arguments: " + args.positional());
        Session session = context.session();
        Disassembler disassembler = pick(session.arch().machine());
        Symbols symbols = session.symbols();
        Target target;
        try {
            target = Target.parse(args.positional(0), symbols);
        } catch (CommandException e) {
            throw e;
        } catch (KdiveException e) {
            throw new CommandException("dis: " + e.getMessage());
        }
        Integer count = null;
        if (args.positional(1) != null) {
            try {
                count = Integer.parseInt(args.positional(1));
            } catch (NumberFormatException e) {
                throw new CommandException("dis: invalid count: " + args.positional(1));
            }
            if (count <= 0) throw new CommandException("dis: count must be positive: " + count);
        }
        Optional<Symbol> routine = symbols.containing(target.address()).filter(Symbol::isText);
        if (args.has("l")) {
            Optional<Symbol> at = target.symbol() != null ? Optional.of(target.symbol()) : routine;
            at.map(Symbol::module).ifPresent(m -> ModuleLines.ensure(context, session, modules, m));
        }
        Listing listing = new Listing(session, args.has("x"), args.has("l"), args.has("a"));
        Range range;
        if (args.has("r")) {
            Symbol fn = routine.orElseThrow(() -> notCode(target.address(), symbols));
            range = new Range(fn.address(), target.address() + 1, -1, null);
        } else if (args.has("f")) {
            Symbol fn = routine.orElseThrow(() -> notCode(target.address(), symbols));
            range = new Range(target.address(), end(fn), count == null ? -1 : count, fn);
        } else if (target.symbol() != null && count == null) {
            Symbol fn = target.symbol();
            if (!fn.isText()) throw notCode(target.address(), symbols);
            range = new Range(fn.address(), fn.size() > 0 ? fn.address() + fn.size() : 0, -1, fn);
        } else {
            if (routine.isEmpty()) context.warn(String.format("0x%x: no associated kernel text symbol", target.address()));
            range = new Range(target.address(), 0, count == null ? 1 : count, null);
        }
        if (args.has("r")) {
            // from the routine's start up to the address: bounded by the routine, the tail is kept
            List<Instruction> code = new ArrayList<>();
            Stop stop = decode(context, disassembler, session, range, code::add);
            if (count != null && code.size() > count) code = code.subList(code.size() - count, code.size());
            List<Instruction> shown = code;
            return Result.stream("instructions", out -> {
                Listing.Printer p = listing.printer(out);
                shown.forEach(p::print);
                stop.report(out);
                return null;
            });
        }
        // nothing readable at the start is an error of the command itself, before any output
        try {
            new CodeReader(session.memory()).read(range.start(), 1);
        } catch (MemoryAccessException e) {
            throw new CommandException(String.format("dis: cannot read 0x%x: %s", range.start(), e.getMessage()));
        }
        // instructions are printed (or become JSON records) as they are decoded: a count may be large
        Range r = range;
        return Result.stream("instructions", out -> {
            Listing.Printer p = listing.printer(out);
            decode(context, disassembler, session, r, p::print).report(out);
            return null;
        });
    }

    /** Why decoding ended before its range did (null fields: it did not): a limit, or unreadable memory. */
    private record Stop(String limit, String unreadable) {
        Stop(String limit) {
            this(limit, null);
        }

        void report(org.kdive.api.command.Output out) {
            if (limit != null) out.line("dis: stopped after " + limit + " (give a count to go further)");
            if (unreadable != null) out.error("memory-unreadable", unreadable + "\n");
        }
    }

    /** Where decoding starts and stops: before {@code end} (0: none), after {@code count} (-1: none), or where {@code routine} ends. */
    private record Range(long start, long end, int count, Symbol routine) {
    }

    private static long end(Symbol fn) {
        return 0; // crash's -f runs to the next symbol, not to the routine's debuginfo size
    }

    private Disassembler pick(String machine) {
        for (Disassembler d : disassemblers) {
            if (d.supports(machine)) return d;
        }
        throw new CommandException("dis: no disassembler for " + machine + " is installed (the architecture's bundle registers it)");
    }

    private static CommandException notCode(long address, Symbols symbols) {
        String sym = symbols.describe(address);
        return new CommandException(String.format("dis: 0x%x%s is not in a kernel text symbol", address,
                sym == null ? "" : " (" + sym + ")"));
    }

    /**
     * Decodes the range, handing each instruction to {@code sink}. Without a count the listing stops
     * after {@link #MAX_INSTRUCTIONS} instructions or {@link #MAX_BYTES} bytes (and says so); an
     * explicit count is honoured whatever its size, since nothing is kept.
     */
    private Stop decode(CommandContext context, Disassembler disassembler, Session session, Range range,
            java.util.function.Consumer<Instruction> sink) {
        CodeReader reader = new CodeReader(session.memory());
        Symbols symbols = session.symbols();
        String machine = session.arch().machine();
        boolean limited = range.count() < 0;
        long n = 0;
        long at = range.start();
        long bytes = 0;
        while (true) {
            if (limited && n >= MAX_INSTRUCTIONS) return new Stop(MAX_INSTRUCTIONS + " instructions");
            if (limited && bytes >= MAX_BYTES) return new Stop((MAX_BYTES >> 20) + " MiB of code");
            if (range.count() >= 0 && n >= range.count()) break;
            if (range.end() != 0 && Long.compareUnsigned(at, range.end()) >= 0) break;
            if (range.routine() != null && range.end() == 0 && at != range.start() && leftRoutine(symbols, at, range.routine())) break;
            context.checkCancelled();
            byte[] window;
            try {
                int max = WINDOW;
                if (range.end() != 0) max = (int) Math.min(max, range.end() - at + MAX_INSN);
                window = reader.read(at, max);
            } catch (MemoryAccessException e) {
                if (n == 0) {
                    throw new CommandException(String.format("dis: cannot read 0x%x: %s", at, e.getMessage()));
                }
                // the listing ends where readable memory ends; with a count asked for, that is an error
                return range.count() >= 0
                        ? new Stop(null, String.format("dis: stopped at 0x%x after %d instructions: %s", at, n, e.getMessage()))
                        : new Stop(null);
            }
            long want = range.count() >= 0 ? range.count() - n : MAX_INSTRUCTIONS - n;
            List<Instruction> batch;
            try {
                batch = disassembler.disassemble(machine, window, at, (int) Math.min(want, WINDOW));
            } catch (KdiveException e) {
                throw new CommandException("dis: " + e.getMessage());
            }
            boolean complete = window.length < WINDOW;
            int taken = 0;
            Instruction last = null;
            for (Instruction ins : batch) {
                long off = ins.address() - at;
                // an instruction near a cut window end may have been decoded from partial bytes: redo it next round
                if (!complete && off + MAX_INSN > window.length && taken > 0) break;
                if (range.count() >= 0 && n >= range.count()) break;
                if (range.end() != 0 && Long.compareUnsigned(ins.address(), range.end()) >= 0) break;
                if (range.routine() != null && range.end() == 0 && ins.address() != range.start()
                        && leftRoutine(symbols, ins.address(), range.routine())) {
                    return new Stop(null);
                }
                sink.accept(ins);
                last = ins;
                n++;
                taken++;
            }
            if (taken == 0) {
                // undecodable byte: gdb prints "(bad)" and moves on
                sink.accept(new Instruction(at, Arrays.copyOf(window, 1), "(bad)", "", -1));
                n++;
                at += 1;
                bytes += 1;
                continue;
            }
            long next = last.address() + last.length();
            bytes += next - at;
            at = next;
        }
        return new Stop(null);
    }

    private static boolean leftRoutine(Symbols symbols, long address, Symbol routine) {
        Optional<Symbol> s = symbols.containing(address);
        return s.isEmpty() || s.get().address() != routine.address();
    }

    /** Renders instructions as crash does, plus the JSON tree. */
    static final class Listing {
        private final Session session;
        private final Symbols symbols;
        private final boolean hex;
        private final boolean lines;
        private final boolean annotate;
        private static final java.util.regex.Pattern CLONE =
                java.util.regex.Pattern.compile("(.+?)((\\.(isra|constprop|part|lto_priv)\\.\\d+)+)");

        Listing(Session session, boolean hex, boolean lines, boolean annotate) {
            this.session = session;
            this.symbols = session.symbols();
            this.hex = hex;
            this.lines = lines;
            this.annotate = annotate;
        }

        /** Renders instructions one by one onto {@code out}: crash's lines, or one JSON record each. */
        Printer printer(org.kdive.api.command.Output out) {
            return new Printer(out);
        }

        final class Printer {
            private final org.kdive.api.command.Output out;
            private final ExceptionSites exceptions = ExceptionSites.of(session);
            private String lastFile;
            private int lastLine = -1;

            Printer(org.kdive.api.command.Output out) {
                this.out = out;
            }

            void print(Instruction ins) {
                Optional<Symbol> sym = symbols.containing(ins.address());
                Optional<SourceLine> src = line(ins.address());
                StringBuilder text = new StringBuilder();
                if (lines && src.isPresent() && (src.get().line() != lastLine || !src.get().file().equals(lastFile))) {
                    text.append(src.get().file()).append(": ").append(src.get().line()).append('\n');
                    lastFile = src.get().file();
                    lastLine = src.get().line();
                }
                // crash names the instruction's address after its own table's entry (targets keep gdb's names)
                String label = label(ins.address(), org.kdive.api.session.CrashSymbolTable.at(session, ins.address()).or(() -> sym));
                StringBuilder line = new StringBuilder();
                line.append(String.format("0x%016x", ins.address()));
                if (label != null) line.append(" <").append(label).append('>');
                line.append(":\t").append(String.format("%-6s ", ins.mnemonic())).append(ins.operands());
                String targetLabel = null;
                boolean ripRelative = ins.dataTarget();
                if (ins.target() != -1) {
                    targetLabel = targetLabel(ins.target());
                    if (ripRelative) line.append(String.format("        # 0x%x", ins.target()));
                    if (targetLabel != null) line.append(" <").append(targetLabel).append('>');
                }
                boolean ftrace = sym.isPresent() && sym.get().address() == ins.address() && isFentryNop(ins);
                if (ftrace) line.append(" [FTRACE NOP]");
                Optional<BugSite> bug = isTrap(ins) ? bug(ins.address(), sym.orElse(null)) : Optional.empty();
                Optional<String> exception = exceptions.at(ins.address());
                if (annotate) {
                    bug.ifPresent(b -> line.append(" [").append(b.describe()).append(']'));
                    exception.ifPresent(e -> line.append("  <-- ").append(e));
                }
                text.append(line).append('\n');
                out.text(text);
                if (out.json()) out.record(row(ins, label, targetLabel, ripRelative, ftrace, src, bug, exception));
            }
        }

        private Optional<SourceLine> line(long address) {
            try {
                return symbols.line(address);
            } catch (KdiveException e) {
                return Optional.empty();
            }
        }

        private Optional<BugSite> bug(long address, Symbol sym) {
            try {
                return BugTable.of(session, sym).at(address);
            } catch (KdiveException e) {
                return Optional.empty();
            }
        }

        /**
         * gdb names a target after the debuginfo function that contains it when that starts where the ELF
         * symbol does: a compiler clone "finish_task_switch.isra.0" is printed as "finish_task_switch".
         * A ".cold" part keeps its own name (its symbol starts after the function's entry).
         */
        private String targetLabel(long address) {
            Optional<Symbol> sym = symbols.containing(address);
            String label = label(address, sym);
            if (label == null) return null;
            String name = sym.get().name();
            java.util.regex.Matcher m = CLONE.matcher(name);
            if (!m.matches() || !covered(sym.get())) return label;
            String base = m.group(1);
            try {
                if (symbols.function(base).isEmpty()) return label;
            } catch (KdiveException e) {
                return label;
            }
            return base + label.substring(name.length());
        }

        private boolean covered(Symbol sym) {
            if (sym.module() == null) return session.vmlinux().isPresent();
            return session.modules().stream().anyMatch(d -> sym.module().equals(d.module()));
        }

        /** "sym", "sym+77" or "sym+0x4d" as gdb labels kernel addresses; null when no symbol is near. */
        private String label(long address, Optional<Symbol> sym) {
            // user and per-CPU offsets (e.g. %gs-relative targets) are not labelled, as in gdb
            if (address >= 0 || sym.isEmpty()) return null;
            long off = address - sym.get().address();
            if (off == 0) return sym.get().name();
            return sym.get().name() + "+" + (hex ? "0x" + Long.toHexString(off) : Long.toString(off));
        }

        private static Map<String, Object> row(Instruction ins, String label, String targetLabel, boolean rip, boolean ftrace,
                                               Optional<SourceLine> src, Optional<BugSite> bug, Optional<String> exception) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("address", String.format("0x%x", ins.address()));
            m.put("symbol", label);
            StringBuilder hexBytes = new StringBuilder();
            for (byte b : ins.bytes()) hexBytes.append(String.format("%02x", b & 0xff));
            m.put("bytes", hexBytes.toString());
            m.put("mnemonic", ins.mnemonic());
            m.put("operands", ins.operands());
            if (ins.target() != -1) {
                m.put(rip ? "references" : "target", String.format("0x%x", ins.target()));
                m.put(rip ? "referencesSymbol" : "targetSymbol", targetLabel);
            }
            if (ftrace) m.put("ftraceNop", true);
            src.ifPresent(s -> {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("file", s.file());
                l.put("line", s.line());
                m.put("source", l);
            });
            bug.ifPresent(b -> {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("kind", b.warning() ? "WARN" : "BUG");
                x.put("file", b.file());
                x.put("line", b.line());
                m.put("bug", x);
            });
            exception.ifPresent(e -> m.put("exception", e));
            return m;
        }

        private static boolean isFentryNop(Instruction ins) {
            byte[] b = ins.bytes();
            return b.length == 5 && (b[0] & 0xff) == 0x0f && (b[1] & 0xff) == 0x1f && (b[2] & 0xff) == 0x44
                    && b[3] == 0 && b[4] == 0;
        }

        /** The architecture's BUG()/WARN() trap instruction. */
        private boolean isTrap(Instruction ins) {
            return session.arch().bugTrap().map(t -> t.isTrap(ins.bytes())).orElse(false);
        }
    }
}
