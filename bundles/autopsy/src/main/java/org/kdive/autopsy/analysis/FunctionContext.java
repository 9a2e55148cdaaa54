package org.kdive.autopsy.analysis;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kdive.api.arch.RegisterRoles;
import org.kdive.api.arch.Registers;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Type;
import org.kdive.autopsy.code.DataFlow;
import org.kdive.autopsy.code.FunctionCode;
import org.kdive.autopsy.types.Layouts;

/**
 * The faulting function as the analysis sees it: its code, the registers at the fault, its DWARF
 * parameters (names and types, in the order of the architecture's argument registers) and the struct
 * names that may contain its argument structs (container_of candidates: the structs its source file
 * defines).
 */
final class FunctionContext {
    private static final Pattern STRUCT = Pattern.compile("\\bstruct\\s+([A-Za-z_]\\w*)");

    final Session session;
    final FunctionCode code;
    final Registers regs;
    final RegisterRoles roles;
    final DataFlow flow;
    final List<String> paramNames = new ArrayList<>();
    final List<Type> paramTypes = new ArrayList<>();
    final Set<String> structCandidates = new LinkedHashSet<>();

    FunctionContext(Session session, FunctionCode code, Registers regs, List<String> source) {
        this.session = session;
        this.code = code;
        this.regs = regs;
        this.roles = session.arch().registerRoles();
        this.flow = new DataFlow(code.model());
        Optional<Type> fn;
        try {
            fn = session.symbols().function(code.symbol().name());
        } catch (RuntimeException e) {
            fn = Optional.empty();
        }
        if (fn.isPresent()) {
            List<Type> types = fn.get().parameters();
            List<String> names = fn.get().parameterNames();
            for (int i = 0; i < types.size(); i++) {
                paramTypes.add(types.get(i));
                paramNames.add(i < names.size() && names.get(i) != null ? names.get(i) : "arg" + (i + 1));
            }
        }
        for (String line : source) {
            Matcher m = STRUCT.matcher(line);
            while (m.find()) structCandidates.add(m.group(1));
        }
    }

    boolean hasParameters() { return !paramTypes.isEmpty(); }

    /** Parameter index of an argument register at entry, or -1. */
    int parameterOf(String register) {
        int i = roles.argumentIndex(register);
        return i >= 0 && i < paramTypes.size() ? i : -1;
    }

    List<Layouts.Container> containersOf(Type agg) {
        return Layouts.containersOf(session, agg, structCandidates);
    }

    long reg(String name) {
        return regs.get(name).orElse(0);
    }
}
