package org.kdive.cmd.kernel.commands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.symbols.Enumerator;
import org.kdive.api.symbols.SourceLine;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;
import org.kdive.api.util.Hex;
import org.kdive.cmd.kernel.access.Kernel;

/** `sys -c` (the system call table), `sys -t` (the taint flags) and `sys -i` (the DMI strings). */
final class SysViews {
    static final String SYSCALL_HEADER = "NUM  SYSTEM CALL                FILE AND LINE NUMBER\n";
    private final Kernel k;

    SysViews(Kernel k) {
        this.k = k;
    }

    /**
     * -c [name|number]...: each sys_call_table slot, its handler and the handler's first source
     * line that is not in an included header, relative to the build directory as crash shows it
     * ("../fs/open.c: 1340", see {@link #source}). A name selects the handlers containing it; a
     * number one slot.
     */
    Result syscalls(List<String> specs) {
        long table = k.requireSymbol("sys_call_table");
        int n = (int) k.arrayLength("sys_call_table");
        if (n <= 0) n = 256;
        OptionalLong ni = k.symbol("sys_ni_syscall");
        List<String> lines = new ArrayList<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<Long, String> where = new java.util.HashMap<>();
        String buildDir = buildDirectory();
        for (int i = 0; i < n; i++) {
            long fn = k.u64(table + 8L * i);
            // several names may share a handler's address (__do_sys_X aliases): crash names it after the first
            Optional<Symbol> sym = firstAt(fn);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("number", i);
            r.put("address", Hex.json(fn));
            if (sym.isEmpty()) {
                String near = k.describe(fn);
                lines.add(String.format("%3d  invalid sys_call_table entry: %x %s", i, fn, near == null ? "" : "(" + near + ")").stripTrailing());
                r.put("handler", null);
                rows.add(r);
                continue;
            }
            String name = ni.isPresent() && fn == ni.getAsLong() ? "sys_ni_syscall" : sym.get().name();
            String src = where.computeIfAbsent(fn, f -> source(sym.get(), buildDir));
            lines.add(String.format("%3d  %-26s %s", i, name, src));
            r.put("handler", name);
            r.put("source", src.isEmpty() ? null : src);
            rows.add(r);
        }
        StringBuilder sb = new StringBuilder();
        List<Object> data = new ArrayList<>();
        if (specs.isEmpty()) {
            sb.append(SYSCALL_HEADER);
            for (String l : lines) sb.append(l).append('\n');
            data.addAll(rows);
        } else {
            boolean header = false;
            for (String spec : specs) {
                boolean number = spec.matches("\\d+|0x[0-9a-fA-F]+");
                long num = number ? (spec.startsWith("0x") ? Long.parseLong(spec.substring(2), 16) : Long.parseLong(spec)) : -1;
                for (int i = 0; i < lines.size(); i++) {
                    String[] words = lines.get(i).trim().split("\\s+");
                    boolean hit = number ? Long.parseLong(words[0]) == num : words.length > 1 && words[1].contains(spec);
                    if (!hit) continue;
                    if (!header) sb.append(SYSCALL_HEADER);
                    header = true;
                    sb.append(lines.get(i)).append('\n');
                    data.add(rows.get(i));
                    if (number) break;
                }
            }
        }
        return Result.of(sb.toString(), Map.of("syscalls", data));
    }

    private Optional<Symbol> firstAt(long addr) {
        try {
            for (Symbol x : k.session().symbols().at(addr)) {
                if (!x.name().startsWith(".")) return Optional.of(x);
            }
        } catch (RuntimeException e) {
            // no symbols there
        }
        return k.containing(addr).filter(x -> x.address() == addr);
    }

    /**
     * crash's rule for the source column: walking the handler's addresses, the first line that is
     * not an included header (".h" below "include/") and lies below the build directory, shown as
     * ".." and the rest of its path ("../fs/open.c: 1340"); nothing when no line qualifies. Each
     * address counts with the line-table row covering it, so a handler with no row of its own
     * (a wrapper folded into its CU's last sequence) gets the row before it, as gdb gives crash.
     */
    private String source(Symbol fn, String buildDir) {
        if (buildDir == null) return "";
        long end = fn.size() > 0 ? fn.address() + fn.size() : fn.address() + 1;
        List<SourceLine> ls = new ArrayList<>();
        try {
            k.session().symbols().line(fn.address()).ifPresent(ls::add);
            ls.addAll(k.session().symbols().lines(fn.address() + 1, end));
        } catch (RuntimeException e) {
            return "";
        }
        for (SourceLine l : ls) {
            String f = l.file();
            if (f.endsWith(".h") && f.contains("include/")) continue;
            int at = f.indexOf(buildDir);
            if (at < 0) continue;
            return ".." + f.substring(at + buildDir.length()) + ": " + l.line();
        }
        return "";
    }

    /**
     * The build directory as crash finds it: the source file of schedule()'s (or do_schedule()'s)
     * first instruction up to "/kernel/" (or "/./arch/"), e.g. "debian/build/build_amd64_none_cloud-amd64"
     * or, for Debian's RT flavour, ".../debian/build/source_rt"; null when there is none.
     */
    private String buildDirectory() {
        OptionalLong at = k.symbol("schedule");
        if (at.isEmpty()) at = k.symbol("do_schedule");
        if (at.isEmpty()) return null;
        String f;
        try {
            f = k.session().symbols().line(at.getAsLong()).map(SourceLine::file).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
        if (f == null) return null;
        int cut = f.indexOf("/kernel/");
        if (cut < 0) cut = f.indexOf("/./arch/");
        return cut < 0 ? null : f.substring(0, cut);
    }

    /** -t: tainted_mask and the taint letters, from the kernel's own taint_flags table. */
    Result taints() {
        OptionalLong maskSym = k.symbol("tainted_mask");
        OptionalLong flags = k.symbol("taint_flags");
        if (maskSym.isEmpty() || flags.isEmpty()) throw new CommandException("-t option not supported or applicable on this architecture or kernel");
        long mask = k.u64(maskSym.getAsLong());
        long size = k.requireSize("taint_flag");
        String trueName = k.hasMember("taint_flag", "c_true") ? "c_true" : "true";
        String falseName = k.hasMember("taint_flag", "c_false") ? "c_false" : "false";
        long tOff = k.requireOffset("taint_flag", trueName);
        long fOff = k.requireOffset("taint_flag", falseName);
        int n = (int) k.arrayLength("taint_flags");
        StringBuilder letters = new StringBuilder();
        List<Object> set = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long e = flags.getAsLong() + i * size;
            if ((mask & (1L << i)) != 0) {
                char c = (char) k.memory().read(e + tOff, 1)[0];
                letters.append(c);
                set.add(Map.of("bit", i, "letter", String.valueOf(c)));
            } else {
                char c = (char) k.memory().read(e + fOff, 1)[0];
                if (c != ' ' && c != '-' && c != 'G') letters.append(c);
            }
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("tainted_mask", mask);
        data.put("letters", letters.toString());
        data.put("set", set);
        return Result.of(String.format("TAINTED_MASK: %x  %s%n", mask, letters), data);
    }

    /** -i: dmi_ident[] named by enum dmi_field, right-aligned names; empty slots left out. */
    Result dmi() {
        OptionalLong ident = k.symbol("dmi_ident");
        if (ident.isEmpty()) throw new CommandException("dmi_ident does not exist in this kernel");
        int n = (int) k.arrayLength("dmi_ident");
        List<Enumerator> fields = k.type("enum dmi_field").map(Type::enumerators).orElse(List.of());
        List<String[]> rows = new ArrayList<>();
        if (!fields.isEmpty()) {
            int max = 0;
            for (Enumerator e : fields) {
                if (e.value() >= n) break;
                max = Math.max(max, e.name().length());
            }
            for (Enumerator e : fields) {
                if (e.value() >= n) break;
                long p = k.u64(ident.getAsLong() + 8 * e.value());
                if (p == 0) continue;
                rows.add(new String[] {" ".repeat(max - e.name().length()) + e.name(), e.name(), k.memory().cString(p, 256)});
            }
        } else {
            for (int i = 0; i < n; i++) {
                long p = k.u64(ident.getAsLong() + 8L * i);
                if (p == 0) continue;
                rows.add(new String[] {"dmi_ident[" + i + "]", "dmi_ident[" + i + "]", k.memory().cString(p, 256)});
            }
        }
        StringBuilder sb = new StringBuilder();
        Map<String, Object> data = new LinkedHashMap<>();
        for (String[] r : rows) {
            sb.append("  ").append(r[0]).append(": ").append(r[2]).append('\n');
            data.put(r[1], r[2]);
        }
        return Result.of(sb.toString(), Map.of("dmi", data));
    }
}
