package org.kdive.cmd.symbols;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.kdive.api.KdiveException;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.SourceLine;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.util.Hex;
import org.kdive.api.session.CrashSymbolTable;
import org.kdive.cmd.symbols.modules.KernelModules;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** crash's {@code sym}: symbol ↔ address, with source line for text, module symbols included. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=sym")
public final class SymCommand implements Command {
    private static final int MAX_LIST = 2_000_000;

    @Override public String name() { return "sym"; }

    @Override public String description() { return "translate a symbol to its address, or an address to its symbol"; }

    @Override
    public String usage() {
        return """
                sym - translate a symbol to its virtual address, or vice-versa
                sym [-l] | [-M] | [-m module] | [-p|-n] | [-q string] | [symbol | vaddr]
                  symbol|vaddr  the symbol (+offset) containing the address, its module and source line;
                                module:symbol picks one of several symbols with the same name
                  -l            list all symbols        -M  all module symbols
                  -m module     symbols of one module   -q string  symbols whose name contains string
                  -p, -n        also show the previous / next symbol""";
    }

    @Override
    public Result execute(CommandContext context, List<String> raw) {
        Session s = context.session();
        KernelModules.ensureKallsyms(s);
        Args args = Args.parse(raw, Set.of("l", "L", "M", "p", "n", "s"), Set.of("m", "q", "Q"));
        List<Map<String, Object>> rows = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        if (args.has("l") || args.has("L") || args.has("M") || args.value("m") != null || args.value("q") != null
                || args.value("Q") != null) {
            String q = args.value("q");
            String exact = args.value("Q");
            String mod = args.value("m");
            java.util.Set<String> seen = new java.util.HashSet<>();
            // with a vmlinux, sym -l's kernel part is crash's kernel table as it is (see kernelTable)
            boolean whole = args.has("l") || args.has("L");
            List<Symbol> kernel = whole ? kernelTable(s) : null;
            // sym -l adds the kernel table whole, -M and -m list modules only: -q and -Q search the table
            boolean searched = !whole && !args.has("M") && mod == null;
            boolean tabled = searched && kernelTable(s) != null;
            List<Symbol> all = (searched ? listable(s, kernelTable(s)) : s.symbols().all())
                    .filter(x -> kernel == null || x.module() != null)
                    // undefined references and the same symbol from debuginfo and kallsyms are listed once;
                    // the kernel table's repeated entries (.LC0 17 times at one address) each time, as crash
                    .filter(Names::isDefined)
                    .filter(x -> tabled && x.module() == null || seen.add(x.address() + "/" + x.name() + "/" + x.module()))
                    .filter(x -> !args.has("M") || x.module() != null)
                    .filter(x -> mod == null || mod.equals(x.module()))
                    .filter(x -> q == null || x.name().contains(q))
                    .filter(x -> exact == null || x.name().equals(exact))
                    .limit(MAX_LIST)
                    .sorted(args.has("M") || mod != null || args.has("l") || args.has("L") ? crashListOrder(s)
                            : Comparator.comparing(Symbol::address, Long::compareUnsigned))
                    .collect(Collectors.toList());
            if (kernel != null) all.addAll(0, kernel);
            // crash lists a module's symbols between its MODULE START and END lines, sym -l after the kernel's
            boolean framed = args.has("M") || mod != null || args.has("l") || args.has("L");
            if (q != null && all.isEmpty()) return Result.of("(none found)\n", Map.of("symbols", List.of()));
            if (mod != null && KernelModules.list(s).stream().noneMatch(m -> m.name().equals(mod))) {
                throw new CommandException("invalid module name: " + mod);
            }
            Map<String, KernelModules.Module> byName = new LinkedHashMap<>();
            if (framed) KernelModules.list(s).forEach(m -> byName.put(m.name(), m));
            // one line at a time: sym -l lists every kernel symbol
            return Result.stream("symbols", o -> {
                String open = null;
                for (Symbol x : all) {
                    if (framed && x.module() != null && !x.module().equals(open)) {
                        if (open != null) moduleEnd(o, byName.get(open));
                        open = x.module();
                        KernelModules.Module m = byName.get(open);
                        if (m != null) o.text(String.format("%x MODULE START: %s%n", m.base(), m.name()));
                    }
                    StringBuilder line = new StringBuilder(String.format("%x (%c) %s", x.address(), x.type(), x.name()));
                    if (x.module() != null && !framed) line.append(" [").append(x.module()).append(']');
                    o.line(line);
                    o.record(row(x, 0, null));
                }
                if (framed && open != null) moduleEnd(o, byName.get(open));
                return Map.of("count", all.size());
            });
        }
        if (args.positional().isEmpty()) throw new CommandException("usage: sym [-l|-M|-m module|-q string] symbol|vaddr");
        // what was found is output; "symbol not found" an error (stderr, failed status) at its place
        List<String> errors = new ArrayList<>();
        List<Integer> errorAt = new ArrayList<>();
        List<Symbol> table = kernelTable(s);
        for (String a : args.positional()) {
            List<Symbol> hits = new ArrayList<>();
            List<Long> offsets = new ArrayList<>();
            List<Integer> inTable = new ArrayList<>(); // a kernel hit's place in crash's kernel table, or -1
            if (Hex.looksLikeAddress(a) && Names.defined(s, a).isEmpty()) {
                long addr = Hex.parseAddress(a);
                // crash: only addresses in the kernel's symbol range (not 0, not per-cpu offsets)
                if (addr >= 0) throw new CommandException("invalid address: " + a);
                int entry = CrashSymbolTable.entry(table, addr);
                if (entry >= 0) {
                    // a kernel address: the entry crash's table search names it after (repeats, .LC0 …)
                    Symbol found = table.get(entry);
                    hits.add(found);
                    offsets.add(addr - found.address());
                    inTable.add(entry);
                } else {
                    Optional<Symbol> sym = s.symbols().containing(addr);
                    if (sym.isEmpty() || !near(sym.get(), addr)) {
                        errorAt.add(out.length());
                        errors.add("symbol not found: " + a + "\n");
                        continue;
                    }
                    Symbol found = kernelsChoice(s, sym.get(), addr);
                    hits.add(withModuleObjectType(s, found));
                    offsets.add(addr - found.address());
                    inTable.add(found.module() == null ? indexOf(table, found) : -1);
                }
            } else {
                List<Integer> entries = a.indexOf(':') < 0 ? named(table, a) : List.of();
                if (!entries.isEmpty()) {
                    // crash's kernel entries of the name in its table's order, repeats included; then the modules'
                    for (int i : entries) {
                        hits.add(table.get(i));
                        offsets.add(0L);
                        inTable.add(i);
                    }
                    for (Symbol x : inCrashOrder(s, Names.defined(s, a))) {
                        if (x.module() == null) continue;
                        hits.add(x);
                        offsets.add(0L);
                        inTable.add(-1);
                    }
                }
                List<Symbol> named = entries.isEmpty() ? Names.defined(s, a) : List.of();
                if (named.isEmpty() && entries.isEmpty()) {
                    try {
                        // e.g. __per_cpu_start at 0, which the table does not list by name
                        long addr = s.symbols().address(a);
                        Optional<Symbol> sym = s.symbols().containing(addr);
                        if (sym.isPresent() && sym.get().address() == addr) {
                            Symbol x = sym.get();
                            named = List.of(new Symbol(a, addr, x.size(), x.type(), x.module()));
                        } else if (sym.isPresent()) {
                            named = List.of(sym.get());
                        }
                    } catch (KdiveException e) {
                        named = List.of();
                    }
                }
                if (named.isEmpty() && entries.isEmpty()) {
                    StringBuilder e = new StringBuilder();
                    notFound(s, table, a, e);
                    errorAt.add(out.length());
                    errors.add(e.toString());
                    continue;
                }
                for (Symbol x : inCrashOrder(s, named)) {
                    hits.add(x);
                    offsets.add(0L);
                    inTable.add(x.module() == null ? indexOf(table, x) : -1);
                }
            }
            for (int i = 0; i < hits.size(); i++) {
                Symbol x = hits.get(i);
                int at = inTable.get(i);
                if (args.has("p")) (at >= 0 ? previous(table, at) : neighbour(s, table, x, false)).ifPresent(p -> line(out, rows, s, p, 0));
                line(out, rows, s, x, offsets.get(i));
                if (args.has("n")) (at >= 0 ? next(s, table, at) : neighbour(s, table, x, true)).ifPresent(p -> line(out, rows, s, p, 0));
            }
        }
        Object data = rows.size() == 1 ? rows.get(0) : Map.of("symbols", rows);
        if (errors.isEmpty()) return Result.of(out.toString(), data);
        String text = out.toString();
        return Result.stream(o -> {
            int from = 0;
            for (int i = 0; i < errors.size(); i++) {
                o.text(text.substring(from, errorAt.get(i)));
                o.error(CommandException.NOT_FOUND, errors.get(i));
                from = errorAt.get(i);
            }
            o.text(text.substring(from));
            return data;
        });
    }

    /**
     * With a vmlinux, crash's kernel symbol table: the vmlinux's listing (crash's order, section symbols
     * and repeated entries included) as the architecture keeps it (x86_64: nothing below _text but the
     * per-CPU symbols), applied in that order, then kept in address order; else null. sym -l lists it,
     * sym NAME shows each entry of the name, -p and -n step through it.
     */
    private static List<Symbol> kernelTable(Session s) {
        return CrashSymbolTable.table(s);
    }

    /**
     * What sym lists and searches: with a vmlinux, its kernel table in place of the vmlinux's own
     * entries (which the session's symbols list whole), then the modules' symbols; else all the
     * session's.
     */
    private static java.util.stream.Stream<Symbol> listable(Session s, List<Symbol> kernel) {
        if (kernel == null) return s.symbols().all();
        return java.util.stream.Stream.concat(kernel.stream(), s.symbols().all().filter(x -> x.module() != null));
    }

    /** The places of a name's entries in the kernel table. */
    private static List<Integer> named(List<Symbol> table, String name) {
        if (table == null) return List.of();
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < table.size(); i++) if (table.get(i).name().equals(name)) out.add(i);
        return out;
    }

    /** The first entry of the kernel table for this symbol, or -1. */
    private static int indexOf(List<Symbol> table, Symbol x) {
        if (table == null) return -1;
        for (int i = 0; i < table.size(); i++) {
            Symbol t = table.get(i);
            if (t.address() == x.address() && t.name().equals(x.name())) return i;
        }
        return -1;
    }

    /** crash's sym -p for a kernel entry: the entry before it in the table, at the same address or not. */
    private static Optional<Symbol> previous(List<Symbol> table, int at) {
        return at > 0 ? Optional.of(table.get(at - 1)) : Optional.empty();
    }

    /**
     * crash's sym -n for a kernel entry: the first entry after it at a higher address (so from the
     * first of several at one address straight past the others); after the kernel's last, the modules'.
     */
    private static Optional<Symbol> next(Session s, List<Symbol> table, int at) {
        Symbol x = table.get(at);
        for (int i = at + 1; i < table.size(); i++) {
            if (Long.compareUnsigned(table.get(i).address(), x.address()) > 0) return Optional.of(table.get(i));
        }
        return neighbour(s, table, x, true);
    }

    /** crash's frame after a module's symbols (sym -M, sym -m): the end of its core memory. */
    private static void moduleEnd(org.kdive.api.command.Output o, KernelModules.Module m) {
        if (m != null) o.text(String.format("%x MODULE END: %s%n", m.base() + m.size(), m.name()));
    }

    /** crash prints this as output, not as an error: the symbols whose names contain the word. */
    private static void notFound(Session s, List<Symbol> table, String word, StringBuilder out) {
        out.append("symbol not found: ").append(word).append("\npossible alternatives:\n");
        java.util.Set<String> seen = new java.util.HashSet<>();
        // the kernel table's entries as they are, repeats included (crash lists each); the modules' once
        List<Symbol> like = listable(s, table)
                .filter(Names::isDefined)
                .filter(x -> x.name().contains(word))
                .filter(x -> table != null && x.module() == null || seen.add(x.address() + "/" + x.name() + "/" + x.module()))
                .limit(MAX_LIST)
                .sorted(Comparator.comparing((Symbol x) -> x.module() != null)
                        .thenComparing(Symbol::address, Long::compareUnsigned))
                .collect(Collectors.toList());
        for (Symbol x : like) {
            out.append(String.format("  %x (%c) %s", x.address(), x.type(), x.name()));
            if (x.module() != null) out.append(" [").append(x.module()).append(']');
            out.append('\n');
        }
        if (like.isEmpty()) out.append("  (none found)\n");
    }

    /**
     * crash's order of a symbol list: the kernel's symbols by address, then each module's (modules by
     * base address, as crash keeps its module list) by address.
     */
    private static Comparator<Symbol> crashListOrder(Session s) {
        Map<String, Long> bases = new java.util.HashMap<>();
        for (KernelModules.Module m : KernelModules.list(s)) bases.put(m.name(), m.base());
        return Comparator.comparing((Symbol x) -> x.module() != null)
                .thenComparing((Symbol x) -> x.module() == null ? 0L : bases.getOrDefault(x.module(), -1L), Long::compareUnsigned)
                .thenComparing(Symbol::address, Long::compareUnsigned);
    }

    /** Symbols of one name as crash shows them (sym NAME): the kernel's first, then the modules' in their order. */
    private static List<Symbol> inCrashOrder(Session s, List<Symbol> named) {
        if (named.size() < 2) return named;
        List<Symbol> sorted = new ArrayList<>(named);
        sorted.sort(crashListOrder(s));
        return sorted;
    }

    /**
     * Of several symbols at a module address, the one the kernel names it after (the first in the
     * module's kallsyms; an object covering the address before a zero-size marker), also once the
     * module's object file is loaded, whose table ranks a global alias (init_module,
     * __mod_pci__*_device_table) first, and where crash names the section symbol (__param).
     */
    private static Symbol kernelsChoice(Session s, Symbol x, long addr) {
        if (x.module() == null) return x;
        Optional<Symbol> k = KernelModules.kallsymsName(s, x.module(), addr);
        return k.isPresent() && k.get().address() == x.address() && x.module().equals(k.get().module()) ? k.get() : x;
    }

    /**
     * The module object's own entry for a symbol kallsyms named, once the module's debuginfo is
     * loaded: crash shows the object file's type (b, d, r …) where the kernel's kallsyms has none
     * (?). The name stays the kernel's (vqb_exit, not its alias cleanup_module).
     */
    private static Symbol withModuleObjectType(Session s, Symbol x) {
        if (x.module() == null) return x;
        for (org.kdive.api.symbols.DebugInfo d : s.modules()) {
            if (!x.module().equals(d.module())) continue;
            for (Symbol o : d.symbols().byName(x.name())) {
                if (o.address() == x.address() && Names.isDefined(o)) return new Symbol(x.name(), x.address(), x.size(), o.type(), x.module());
            }
        }
        return x;
    }

    private static boolean near(Symbol s, long addr) {
        long off = addr - s.address();
        return off >= 0 && (s.size() > 0 ? off < s.size() || s.module() != null : off < (1L << 20));
    }

    /**
     * The symbol before or after {@code x} as crash steps: a module symbol's neighbour is the entry
     * next to it in the modules' list as sym -M shows it (the same address may come twice: an alias
     * such as init_module after virtio_init; the step crosses into the next or previous module,
     * before the first module into the kernel); a kernel symbol's is the nearest other address.
     */
    private static Optional<Symbol> neighbour(Session s, List<Symbol> table, Symbol x, boolean next) {
        if (x.module() != null) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            List<Symbol> mods = s.symbols().all()
                    .filter(o -> o.module() != null && Names.isDefined(o))
                    .filter(o -> seen.add(o.address() + "/" + o.name() + "/" + o.module()))
                    .sorted(crashListOrder(s))
                    .collect(Collectors.toList());
            for (int i = 0; i < mods.size(); i++) {
                Symbol o = mods.get(i);
                if (o.address() != x.address() || !o.name().equals(x.name()) || !o.module().equals(x.module())) continue;
                if (next) return i + 1 < mods.size() ? Optional.of(mods.get(i + 1)) : Optional.empty();
                if (i > 0) return Optional.of(mods.get(i - 1));
                return listable(s, table).filter(k -> k.module() == null && Names.isDefined(k))
                        .filter(k -> Long.compareUnsigned(k.address(), x.address()) < 0)
                        .reduce((a, b) -> Long.compareUnsigned(a.address(), b.address()) >= 0 ? a : b);
            }
        }
        return listable(s, table)
                .filter(o -> next ? Long.compareUnsigned(o.address(), x.address()) > 0 : Long.compareUnsigned(o.address(), x.address()) < 0)
                .reduce((a, b) -> next ? (Long.compareUnsigned(a.address(), b.address()) <= 0 ? a : b)
                        : (Long.compareUnsigned(a.address(), b.address()) >= 0 ? a : b));
    }

    private static void line(StringBuilder out, List<Map<String, Object>> rows, Session s, Symbol x, long off) {
        long addr = x.address() + off;
        out.append(String.format("%x (%c) %s", addr, x.type(), x.name()));
        if (off != 0) out.append('+').append(off);
        if (x.module() != null) out.append(" [").append(x.module()).append(']');
        SourceLine sl = null;
        if (x.isText()) {
            try {
                sl = s.symbols().line(addr).orElse(null);
            } catch (KdiveException e) {
                sl = null;
            }
            if (sl != null) out.append(' ').append(sl.file()).append(": ").append(sl.line());
        }
        out.append('\n');
        rows.add(row(x, off, sl));
    }

    private static Map<String, Object> row(Symbol x, long off, SourceLine sl) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("address", "0x" + Long.toHexString(x.address() + off));
        m.put("type", String.valueOf(x.type()));
        m.put("name", x.name());
        m.put("offset", off);
        m.put("module", x.module());
        if (sl != null) {
            m.put("file", sl.file());
            m.put("line", sl.line());
        }
        return m;
    }
}
