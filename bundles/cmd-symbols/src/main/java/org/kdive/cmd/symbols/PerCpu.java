package org.kdive.cmd.symbols;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.kdive.api.KdiveException;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Variable;
import org.kdive.cmd.symbols.expr.Value;
import org.kdive.cmd.symbols.format.ValueFormatter;
import org.kdive.cmd.symbols.types.CDecl;

/** crash's per-cpu display for `p SYMBOL[:cpus]`: the per-cpu addresses, or the value on those CPUs. */
final class PerCpu {
    private PerCpu() {
    }

    /** The output, or null when the word is not a per-cpu variable. */
    static Result print(Session s, SessionEnv env, String word, char format, boolean hex) {
        String name = word;
        String cpuspec = null;
        int colon = word.lastIndexOf(':');
        if (colon > 0 && !env.isModule(word.substring(0, colon))) {
            name = word.substring(0, colon);
            cpuspec = word.substring(colon + 1);
        }
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) return null;
        Optional<Variable> var = env.variable(name);
        if (var.isEmpty() || !isPerCpu(s, var.get().address())) return null;
        long[] offsets = s.arch().addressSpace(s).perCpuOffsets();
        if (offsets.length == 0) return null;
        Variable v = var.get();
        StringBuilder out = new StringBuilder();
        List<Object> rows = new ArrayList<>();
        if (cpuspec == null) {
            out.append("PER-CPU DATA TYPE:\n  ").append(CDecl.declare(v.type(), name, -1, 0)).append(";\n");
            out.append("PER-CPU ADDRESSES:\n");
            for (int c = 0; c < offsets.length; c++) {
                long addr = v.address() + offsets[c];
                out.append("  [").append(c).append("]: ").append(Long.toHexString(addr)).append('\n');
                rows.add(Map.of("cpu", c, "address", "0x" + Long.toHexString(addr)));
            }
        } else {
            ValueFormatter f = SessionEnv.formatter(s, format, hex);
            for (int c : cpus(cpuspec, offsets.length)) {
                Value val = Value.at(v.type(), v.address() + offsets[c], s.memory());
                String rendered = f.top(val);
                int n = SessionEnv.history(s).add(val.fetch());
                out.append(PrintCommand.withLeader("per_cpu(" + name + ", " + c + ")", "$" + n + " = " + rendered));
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("cpu", c);
                row.put("address", "0x" + Long.toHexString(val.address()));
                row.put("history", n);
                row.put("value", JsonValues.of(val, f));
                rows.add(row);
            }
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("symbol", name);
        data.put("type", CDecl.name(v.type()));
        data.put("cpus", rows);
        return Result.of(out.toString(), data);
    }

    private static boolean isPerCpu(Session s, long address) {
        try {
            // by address: the symbol table does not list __per_cpu_start (its address is 0)
            long start = s.symbols().address("__per_cpu_start");
            long end = s.symbols().address("__per_cpu_end");
            return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
        } catch (KdiveException e) {
            return false;
        }
    }

    static TreeSet<Integer> cpus(String spec, int n) {
        TreeSet<Integer> out = new TreeSet<>();
        if (spec.isEmpty() || spec.equals("a") || spec.equals("all")) {
            for (int i = 0; i < n; i++) out.add(i);
            return out;
        }
        for (String part : spec.split(",")) {
            try {
                int dash = part.indexOf('-');
                int lo = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
                int hi = dash < 0 ? lo : Integer.parseInt(part.substring(dash + 1));
                for (int i = lo; i <= hi; i++) {
                    if (i < 0 || i >= n) throw new CommandException("invalid cpu: " + i);
                    out.add(i);
                }
            } catch (NumberFormatException e) {
                throw new CommandException("invalid cpu specification: " + spec);
            }
        }
        return out;
    }
}
