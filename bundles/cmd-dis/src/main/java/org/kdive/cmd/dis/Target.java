package org.kdive.cmd.dis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdive.api.command.CommandException;
import org.kdive.api.session.AmbiguousSymbolException;
import org.kdive.api.session.Symbols;
import org.kdive.api.symbols.Symbol;

/**
 * The start of a disassembly as the user wrote it: a hexadecimal address, a symbol (or
 * "module:symbol"), or an expression of such terms joined by + and -, optionally in parentheses.
 * As in crash, the leading bare number is hexadecimal and later bare numbers are decimal offsets.
 *
 * @param symbol the symbol when the whole argument named one symbol with no offset, else null
 */
record Target(long address, Symbol symbol) {

    static Target parse(String text, Symbols symbols) {
        String s = text.strip();
        while (s.startsWith("(") && s.endsWith(")")) s = s.substring(1, s.length() - 1).strip();
        if (s.isEmpty()) throw new CommandException("dis: empty address");
        List<String> terms = new ArrayList<>();
        List<Character> signs = new ArrayList<>();
        int start = 0;
        char sign = '+';
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c == '+' || c == '-') && i > start) {
                terms.add(s.substring(start, i).strip());
                signs.add(sign);
                sign = c;
                start = i + 1;
            }
        }
        terms.add(s.substring(start).strip());
        signs.add(sign);
        long value = 0;
        Symbol only = null;
        for (int i = 0; i < terms.size(); i++) {
            String t = terms.get(i);
            if (t.isEmpty()) throw new CommandException("dis: invalid expression: " + text);
            long v;
            Symbol sym = null;
            Long number = number(t, i == 0);
            if (number != null && (i > 0 || !isName(t) || symbols.byName(t).isEmpty())) {
                v = number;
            } else if (isName(t)) {
                sym = symbol(t, symbols);
                v = sym.address();
            } else {
                throw new CommandException("dis: invalid address or symbol: " + t);
            }
            value = signs.get(i) == '-' ? value - v : value + v;
            if (terms.size() == 1) only = sym;
        }
        return new Target(value, only);
    }

    /** One symbol by name; the candidates when the name is ambiguous. */
    static Symbol symbol(String name, Symbols symbols) {
        List<Symbol> all = symbols.byName(name);
        if (all.isEmpty()) throw new CommandException("dis: symbol not found: " + name);
        Map<Long, Symbol> distinct = new LinkedHashMap<>();
        for (Symbol s : all) {
            Symbol prev = distinct.get(s.address());
            // the same address from kallsyms and debuginfo: prefer the one that knows its size
            if (prev == null || (prev.size() == 0 && s.size() > 0)) distinct.put(s.address(), s);
        }
        if (distinct.size() > 1) {
            throw new CommandException(new AmbiguousSymbolException(name, new ArrayList<>(distinct.values())).getMessage());
        }
        return distinct.values().iterator().next();
    }

    private static boolean isName(String t) {
        return t.matches("[A-Za-z_.$][\\w.$]*(:[A-Za-z_.$][\\w.$]*)?");
    }

    private static Long number(String t, boolean first) {
        try {
            if (t.startsWith("0x") || t.startsWith("0X")) return Long.parseUnsignedLong(t.substring(2), 16);
            if (first && t.matches("[0-9a-fA-F]+")) return Long.parseUnsignedLong(t, 16);
            if (!first && t.matches("[0-9]+")) return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new CommandException("dis: number out of range: " + t);
        }
        return null;
    }
}
