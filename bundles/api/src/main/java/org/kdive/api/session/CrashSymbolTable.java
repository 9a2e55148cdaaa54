package org.kdive.api.session;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.kdive.api.symbols.DebugInfo;
import org.kdive.api.symbols.Symbol;

/**
 * Which entry of crash's kernel symbol table (sorted by value, then name, repeats included) crash's
 * value_search names an address after. An address that is an entry's value gets the first entry
 * at it, moved on to the next entry at the same value past a ".text." section symbol, a SyS_ or
 * compat_SyS_ alias and a "..._text_start" delimiter (in that order, each once); any other address
 * gets the last entry at the highest value below it, at any distance. Only kernel addresses: from
 * the first entry above the per-CPU ones to the table's last value.
 *
 * <p>crash starts each search from a per-page-bucket cache of its last result, so after a lookup
 * of an address just above one (sym V+5, a dis line at V+5) it names V itself after the cache's
 * entry (the last at V) until a lookup in the same bucket moves it: that history is not followed
 * here; this is crash's answer from a fresh start.
 *
 * <p>In the API because every command that prints kernel addresses as crash does (sym, rd -s, dis
 * labels) must name them by this one rule from one per-session table.
 */
public final class CrashSymbolTable {
    private CrashSymbolTable() {
    }

    /**
     * With a vmlinux, crash's kernel symbol table: the vmlinux's listing (crash's order, section symbols
     * and repeated entries included) as the architecture keeps it (x86_64: nothing below _text but the
     * per-CPU symbols), kept in address order; else null. Made once per session (116k entries on a
     * 6.1 vmlinux); a vmlinux loaded later (fetched on demand) finds none made before it.
     */
    public static List<Symbol> table(Session s) {
        Optional<DebugInfo> v = s.vmlinux();
        if (v.isEmpty()) return null;
        return s.cached("api.crash-symbol-table", () -> {
            List<Symbol> table = new ArrayList<>(s.arch().kernelSymbolTable(v.get().symbols().all().toList()));
            table.sort(Comparator.comparing(Symbol::address, Long::compareUnsigned)); // stable: a no-op on crash's order
            return Collections.unmodifiableList(table);
        });
    }

    /** The entry's place in the table, or -1 when the address is outside the kernel's range. */
    public static int entry(List<Symbol> table, long address) {
        if (table == null || table.isEmpty()) return -1;
        int first = firstKernel(table);
        if (first < 0 || Long.compareUnsigned(address, table.get(first).address()) < 0
                || Long.compareUnsigned(address, table.get(table.size() - 1).address()) > 0) {
            return -1;
        }
        int lo = first, hi = table.size(); // the first entry at or above the address
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(table.get(mid).address(), address) < 0) lo = mid + 1;
            else hi = mid;
        }
        if (table.get(lo).address() != address) return lo - 1;
        int at = lo;
        if (table.get(at).name().startsWith(".text.") && sameNext(table, at)) at++;
        String n = table.get(at).name();
        if ((n.startsWith("SyS_") || n.startsWith("compat_SyS_")) && sameNext(table, at)) at++;
        if (table.get(at).name().contains("_text_start") && sameNext(table, at)) at++;
        return at;
    }

    /** The entry naming a kernel address; empty without a vmlinux or outside the kernel's range (modules keep their rule). */
    public static Optional<Symbol> at(Session s, long address) {
        List<Symbol> table = table(s);
        int entry = entry(table, address);
        return entry < 0 ? Optional.empty() : Optional.of(table.get(entry));
    }

    /** The first entry at a kernel address (above the per-CPU symbols at small values), or -1. */
    private static int firstKernel(List<Symbol> table) {
        int lo = 0, hi = table.size();
        while (lo < hi) { // entries at 0 .. per-CPU size, then the kernel's from _text on (negative)
            int mid = (lo + hi) >>> 1;
            if (table.get(mid).address() >= 0) lo = mid + 1;
            else hi = mid;
        }
        return lo < table.size() ? lo : -1;
    }

    private static boolean sameNext(List<Symbol> table, int at) {
        return at + 1 < table.size() && table.get(at + 1).address() == table.get(at).address();
    }
}
