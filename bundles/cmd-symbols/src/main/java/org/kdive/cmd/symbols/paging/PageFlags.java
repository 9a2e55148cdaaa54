package org.kdive.cmd.symbols.paging;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.kdive.api.KdiveException;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Enumerator;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Variable;
import org.kdive.cmd.symbols.types.OffsetLayout;

/**
 * Names of struct page flags as crash shows them: from the kernel's own table pageflag_names
 * (mask, name) when present, else from enum pageflags (PG_ prefix dropped, up to __NR_PAGEFLAGS).
 */
public final class PageFlags {
    private static final String KEY = "cmd-symbols.page-flags";
    private static final int MAX_FLAGS = 64;

    private record Flag(long mask, String name) {
    }

    private final List<Flag> flags;

    private PageFlags(List<Flag> flags) {
        this.flags = flags;
    }

    public static PageFlags of(Session s) {
        return s.cached(KEY, () -> {
            List<Flag> fromTable = fromNamesTable(s);
            return new PageFlags(fromTable.isEmpty() ? fromEnum(s) : fromTable);
        });
    }

    /** "slab,head" for the set bits, in table order; empty when none is known. */
    public List<String> names(long value) {
        List<String> out = new ArrayList<>();
        if (value == 0) return out;
        for (Flag f : flags) {
            if ((value & f.mask) != 0) out.add(f.name);
        }
        return out;
    }

    private static List<Flag> fromNamesTable(Session s) {
        List<Flag> out = new ArrayList<>();
        try {
            Optional<Variable> table = s.symbols().variable("pageflag_names");
            Optional<Type> entry = s.symbols().type("struct trace_print_flags");
            if (table.isEmpty() || entry.isEmpty()) return out;
            Type array = table.get().type().resolve();
            long count = array.kind() == Type.Kind.ARRAY ? Math.min(array.count(), MAX_FLAGS) : 0;
            long size = entry.get().size();
            long maskOff = OffsetLayout.findMember(entry.get(), "mask").orElseThrow().offset();
            long nameOff = OffsetLayout.findMember(entry.get(), "name").orElseThrow().offset();
            for (long i = 0; i < count; i++) {
                long at = table.get().address() + i * size;
                long mask = s.memory().u64(at + maskOff);
                long name = s.memory().u64(at + nameOff);
                if (name == 0) break; // the table ends with {0, NULL}
                out.add(new Flag(mask, s.memory().cString(name, 64)));
            }
        } catch (KdiveException | java.util.NoSuchElementException e) {
            out.clear();
        }
        return out;
    }

    private static List<Flag> fromEnum(Session s) {
        List<Flag> out = new ArrayList<>();
        Optional<Type> e = s.symbols().type("enum pageflags");
        if (e.isEmpty()) return out;
        for (Enumerator en : e.get().resolve().enumerators()) {
            if (en.name().equals("__NR_PAGEFLAGS") || en.value() < 0 || en.value() >= 64) break;
            String name = en.name().startsWith("PG_") ? en.name().substring(3) : en.name();
            out.add(new Flag(1L << en.value(), name));
        }
        return out;
    }
}
