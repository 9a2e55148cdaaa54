package org.kdive.cmd.symbols.modules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Variable;
import org.kdive.cmd.symbols.format.Columns;
import org.kdive.cmd.symbols.modules.KernelModules.Module;
import org.kdive.cmd.symbols.types.OffsetLayout;

/**
 * crash's {@code mod -t} (Linux 4.10+): each module whose {@code module.taints} is not 0, with the
 * letters the kernel's {@code taint_flags[]} table gives the bits it marks as module taints.
 */
public final class Taints {
    private Taints() {
    }

    public static Result of(Session s, List<Module> modules) {
        Type module = s.symbols().type("struct module").orElseThrow(() -> new CommandException("struct module is not known"));
        Member taints = OffsetLayout.findMember(module, "taints").orElseThrow(() -> new CommandException("-t option not supported on this kernel (no module.taints)"));
        Variable table = s.symbols().variable("taint_flags").orElseThrow(() -> new CommandException("-t option not supported on this kernel (no taint_flags)"));
        Type flag = table.type().resolve().target().resolve();
        long entries = table.type().resolve().count();
        long cTrue = OffsetLayout.findMember(flag, "c_true").or(() -> OffsetLayout.findMember(flag, "true")).orElseThrow().offset();
        long isModule = OffsetLayout.findMember(flag, "module").orElseThrow().offset();
        int width = (int) taints.type().resolve().size();
        Map<String, Long> tainted = new LinkedHashMap<>();
        for (Module m : modules) {
            long t = width == 8 ? s.memory().u64(m.struct() + taints.offset()) : s.memory().u32(m.struct() + taints.offset());
            if (t != 0) tainted.put(m.name(), t);
        }
        if (tainted.isEmpty()) return Result.of("no tainted modules\n", Map.of("modules", List.of()));
        int nameWidth = tainted.keySet().stream().mapToInt(String::length).max().orElse(4);
        StringBuilder out = new StringBuilder(Columns.left("NAME", nameWidth)).append("  TAINTS\n");
        List<Object> rows = new ArrayList<>();
        for (Map.Entry<String, Long> e : tainted.entrySet()) {
            StringBuilder letters = new StringBuilder();
            for (int j = 0; j < entries && j < 64; j++) {
                long entry = table.address() + j * flag.size();
                if (s.memory().u8(entry + isModule) == 0 || (e.getValue() >>> j & 1) == 0) continue;
                letters.append((char) s.memory().u8(entry + cTrue));
            }
            out.append(Columns.left(e.getKey(), nameWidth)).append("  ").append(letters).append('\n');
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", e.getKey());
            row.put("taints", e.getValue());
            row.put("letters", letters.toString());
            rows.add(row);
        }
        return Result.of(out.toString(), Map.of("modules", rows));
    }
}
