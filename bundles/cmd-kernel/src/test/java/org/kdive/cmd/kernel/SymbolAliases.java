package org.kdive.cmd.kernel;

import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.SymbolTable;

/**
 * Where crash and kdive name one address by two of the symbols defined there: crash's text with
 * such names replaced by kdive's, so that a comparison still fails on anything else. A word is
 * replaced only when the lines align, the two words differ only in the name (same "+OFFSET"), both
 * names are symbols at the same address, and {@code accept} (the caller's stated reason) holds.
 */
final class SymbolAliases {
    private SymbolAliases() {
    }

    static String crashWithKdivesNames(SymbolTable symbols, String crash, String kdive, BiPredicate<Symbol, Symbol> accept) {
        String[] c = crash.split("\n", -1);
        String[] k = kdive.split("\n", -1);
        if (c.length != k.length) return crash;
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < c.length; i++) {
            out.append(i == 0 ? "" : "\n").append(c[i].equals(k[i]) ? c[i] : line(symbols, c[i], k[i], accept));
        }
        return out.toString();
    }

    private static String line(SymbolTable symbols, String c, String k, BiPredicate<Symbol, Symbol> accept) {
        String[] cw = c.split("(?<=\\s)(?=\\S)|(?<=\\S)(?=\\s)", -1);
        String[] kw = k.split("(?<=\\s)(?=\\S)|(?<=\\S)(?=\\s)", -1);
        if (cw.length != kw.length) return c;
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < cw.length; j++) {
            String w = cw[j];
            if (!w.equals(kw[j]) && aliases(symbols, w, kw[j], accept)) w = kw[j];
            sb.append(w);
        }
        // column padding after a name of another length
        return sb.toString().replaceAll("\\s+", " ").equals(k.replaceAll("\\s+", " ")) ? k : c;
    }

    private static boolean aliases(SymbolTable symbols, String crashWord, String kdiveWord, BiPredicate<Symbol, Symbol> accept) {
        String[] cn = crashWord.split("\\+", 2);
        String[] kn = kdiveWord.split("\\+", 2);
        if (cn.length != kn.length || cn.length == 2 && !cn[1].equals(kn[1])) return false;
        Optional<Symbol> cs = symbols.first(cn[0]);
        Optional<Symbol> ks = symbols.first(kn[0]);
        return cs.isPresent() && ks.isPresent() && cs.get().address() == ks.get().address() && accept.test(cs.get(), ks.get());
    }

    /** The names of a text, for a stated reason such as "crash showed this name earlier in its session". */
    static boolean mentions(String text, String name) {
        return List.of(text.split("[\\s\\[\\]()+]+")).contains(name);
    }
}
