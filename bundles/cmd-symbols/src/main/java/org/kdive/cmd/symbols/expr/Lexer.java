package org.kdive.cmd.symbols.expr;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.kdive.api.command.CommandException;

/** Splits a C expression into tokens. */
final class Lexer {
    enum Kind { NUMBER, FLOAT, CHAR, STRING, IDENT, HISTORY, PUNCT, END }

    record Token(Kind kind, String text, long value, boolean unsignedSuffix, int longSuffix, byte[] bytes, int pos) {
        boolean is(String punct) { return kind == Kind.PUNCT && text.equals(punct); }
    }

    private static final String[] PUNCTS = {
        "->", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "::",
        "+", "-", "*", "/", "%", "&", "|", "^", "~", "!", "<", ">", "(", ")", "[", "]", ".", ",", "?", ":", "@",
    };

    private Lexer() {
    }

    static List<Token> tokenize(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            int start = i;
            if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(s.charAt(i + 1)))) {
                i = number(s, i, out);
                continue;
            }
            if (Character.isLetter(c) || c == '_') {
                while (i < n && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) i++;
                out.add(new Token(Kind.IDENT, s.substring(start, i), 0, false, 0, null, start));
                continue;
            }
            if (c == '$') {
                i++;
                while (i < n && (s.charAt(i) == '$' || Character.isDigit(s.charAt(i)))) i++;
                out.add(new Token(Kind.HISTORY, s.substring(start, i), 0, false, 0, null, start));
                continue;
            }
            if (c == '\'') {
                int[] pos = {i + 1};
                int v = charValue(s, pos);
                if (pos[0] >= n || s.charAt(pos[0]) != '\'') throw new CommandException("Unmatched single quote.");
                i = pos[0] + 1;
                out.add(new Token(Kind.CHAR, s.substring(start, i), (byte) v, false, 0, null, start));
                continue;
            }
            if (c == '"') {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                int[] pos = {i + 1};
                while (pos[0] < n && s.charAt(pos[0]) != '"') b.write(charValue(s, pos));
                if (pos[0] >= n) throw new CommandException("Unterminated string in expression.");
                i = pos[0] + 1;
                out.add(new Token(Kind.STRING, s.substring(start, i), 0, false, 0, b.toByteArray(), start));
                continue;
            }
            String p = null;
            for (String cand : PUNCTS) {
                if (s.startsWith(cand, i)) {
                    p = cand;
                    break;
                }
            }
            if (p == null) throw new CommandException("Invalid character '" + c + "' in expression.");
            out.add(new Token(Kind.PUNCT, p, 0, false, 0, null, start));
            i += p.length();
        }
        out.add(new Token(Kind.END, "", 0, false, 0, null, n));
        return out;
    }

    private static int number(String s, int i, List<Token> out) {
        int start = i;
        int n = s.length();
        int radix = 10;
        if (s.startsWith("0x", i) || s.startsWith("0X", i)) {
            radix = 16;
            i += 2;
        } else if (s.charAt(i) == '0' && i + 1 < n && Character.isDigit(s.charAt(i + 1))) {
            radix = 8;
        }
        int digitsStart = i;
        while (i < n && Character.digit(s.charAt(i), radix) >= 0) i++;
        if (radix != 16 && i < n && (s.charAt(i) == '.' || s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            while (i < n && (Character.isDigit(s.charAt(i)) || ".eE".indexOf(s.charAt(i)) >= 0
                    || ((s.charAt(i) == '-' || s.charAt(i) == '+') && "eE".indexOf(s.charAt(i - 1)) >= 0))) i++;
            String text = s.substring(start, i);
            if (i < n && (s.charAt(i) == 'f' || s.charAt(i) == 'F')) i++;
            try {
                double d = Double.parseDouble(text);
                out.add(new Token(Kind.FLOAT, text, Double.doubleToRawLongBits(d), false, 0, null, start));
            } catch (NumberFormatException e) {
                throw new CommandException("Invalid number \"" + text + "\".");
            }
            return i;
        }
        String digits = s.substring(digitsStart, i);
        boolean unsigned = false;
        int longs = 0;
        while (i < n && "uUlL".indexOf(s.charAt(i)) >= 0) {
            if (s.charAt(i) == 'u' || s.charAt(i) == 'U') unsigned = true;
            else longs++;
            i++;
        }
        if (i < n && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
            throw new CommandException("Invalid number \"" + s.substring(start, wordEnd(s, i)) + "\".");
        }
        long v;
        try {
            v = digits.isEmpty() ? 0 : Long.parseUnsignedLong(digits, radix);
        } catch (NumberFormatException e) {
            throw new CommandException("Numeric constant too large.");
        }
        out.add(new Token(Kind.NUMBER, s.substring(start, i), v, unsigned, longs, null, start));
        return i;
    }

    private static int wordEnd(String s, int i) {
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) i++;
        return i;
    }

    /** One possibly escaped character of a char or string literal; advances pos[0]. */
    private static int charValue(String s, int[] pos) {
        int i = pos[0];
        if (i >= s.length()) throw new CommandException("Unmatched single quote.");
        char c = s.charAt(i);
        if (c != '\\') {
            pos[0] = i + 1;
            return c;
        }
        if (i + 1 >= s.length()) throw new CommandException("Unmatched single quote.");
        char e = s.charAt(i + 1);
        pos[0] = i + 2;
        switch (e) {
            case 'n': return '\n';
            case 't': return '\t';
            case 'r': return '\r';
            case 'a': return 7;
            case 'b': return '\b';
            case 'f': return '\f';
            case 'v': return 11;
            case 'e': return 27;
            case 'x': {
                int j = i + 2;
                int v = 0;
                while (j < s.length() && Character.digit(s.charAt(j), 16) >= 0) v = v * 16 + Character.digit(s.charAt(j++), 16);
                pos[0] = j;
                return v & 0xff;
            }
            default:
                if (e >= '0' && e <= '7') {
                    int j = i + 1;
                    int v = 0;
                    while (j < s.length() && j < i + 4 && s.charAt(j) >= '0' && s.charAt(j) <= '7') v = v * 8 + (s.charAt(j++) - '0');
                    pos[0] = j;
                    return v & 0xff;
                }
                return e;
        }
    }
}
