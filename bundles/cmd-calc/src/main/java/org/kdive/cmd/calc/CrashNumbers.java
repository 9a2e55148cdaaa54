package org.kdive.cmd.calc;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * crash's number words and two-operand expressions (tools.c: eval_common, calculate, stol):
 * decimal unless the word has a hex letter or an "0x"; a k/m/g suffix multiplies by 1024^n; '~'
 * complements; a symbol name stands for its address; one operator of {@code + - & | * / % ^ << >> #}
 * (# is a power) between two such values, computed in 64-bit unsigned arithmetic.
 */
final class CrashNumbers {
    private static final String OPERATORS = "#><+-&|*/%^";

    private final Function<String, OptionalLong> symbols;

    /** @param symbols a symbol's value by name, or empty (no session: numbers only) */
    CrashNumbers(Function<String, OptionalLong> symbols) {
        this.symbols = symbols;
    }

    /**
     * The words of a command line as crash's parse_line makes them: whitespace separates, but a
     * word that begins with '(' runs to its matching ')' with the blanks inside.
     */
    static List<String> crashWords(List<String> shellWords) {
        String line = String.join(" ", shellWords);
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) i++;
            if (i >= n) break;
            int start = i;
            if (line.charAt(i) == '(') {
                int depth = 0;
                while (i < n) {
                    char c = line.charAt(i++);
                    if (c == '(') depth++;
                    else if (c == ')' && --depth == 0) break;
                }
                // crash ends the word at the blank after the closing parenthesis
                while (i < n && line.charAt(i) != ' ' && line.charAt(i) != '\t') i++;
            } else {
                while (i < n && line.charAt(i) != ' ' && line.charAt(i) != '\t') i++;
            }
            out.add(line.substring(start, i));
        }
        return out;
    }

    /** An expression, "(a op b)" or "a op b" or one value; empty when crash calls it malformed. */
    OptionalLong evaluate(String s) {
        String work;
        if (s.indexOf('(') >= 0 || s.indexOf(')') >= 0) {
            if (!s.startsWith("(") || !s.endsWith(")") || s.indexOf(')') != s.length() - 1) return OptionalLong.empty();
            work = s.substring(1, s.length() - 1);
            if (work.indexOf('(') >= 0 || work.indexOf(')') >= 0) return OptionalLong.empty();
        } else {
            work = s;
        }
        if (work.startsWith("-")) work = "0" + work;   // a leading minus is "0 - x"
        int op = -1;
        for (int i = 0; i < work.length(); i++) {
            if (OPERATORS.indexOf(work.charAt(i)) >= 0) {
                op = i;
                break;
            }
        }
        if (op < 0) return value(work);
        char c = work.charAt(op);
        int rightStart = op + 1;
        if (c == '<' || c == '>') {
            if (op + 1 >= work.length() || work.charAt(op + 1) != c) return OptionalLong.empty();
            rightStart = op + 2;
        }
        String left = work.substring(0, op).strip();
        String right = work.substring(rightStart).strip();
        if (left.isEmpty() || right.isEmpty()) return OptionalLong.empty();
        OptionalLong a = operand(left);
        if (a.isEmpty()) return OptionalLong.empty();
        OptionalLong b = operand(right);
        if (b.isEmpty()) return OptionalLong.empty();
        long x = a.getAsLong();
        long y = b.getAsLong();
        return switch (c) {
            case '+' -> OptionalLong.of(x + y);
            case '-' -> OptionalLong.of(x - y);
            case '&' -> OptionalLong.of(x & y);
            case '|' -> OptionalLong.of(x | y);
            case '*' -> OptionalLong.of(x * y);
            case '/' -> {
                if (y == 0) throw new ArithmeticException("divide by zero");
                yield OptionalLong.of(Long.divideUnsigned(x, y));
            }
            case '%' -> {
                if (y == 0) throw new ArithmeticException("divide by zero");
                yield OptionalLong.of(Long.remainderUnsigned(x, y));
            }
            case '<' -> OptionalLong.of(shift(x, y, true));
            case '>' -> OptionalLong.of(shift(x, y, false));
            case '^' -> OptionalLong.of(x ^ y);
            case '#' -> OptionalLong.of(power(x, (int) y));
            default -> OptionalLong.empty();
        };
    }

    /** x86_64 shifts use the count modulo 64, as the compiled C does. */
    private static long shift(long x, long count, boolean left) {
        int n = (int) (count & 63);
        return left ? x << n : x >>> n;
    }

    /** crash's power(long, int): the product of exp factors (1 when exp <= 0), wrapping at 64 bits. */
    private static long power(long base, int exp) {
        long result = 1;
        long b = base;
        int e = exp;
        while (e > 0) {
            if ((e & 1) != 0) result *= b;
            b *= b;
            e >>>= 1;
        }
        return result;
    }

    /** One side of an operator: a symbol, else a number word. */
    private OptionalLong operand(String s) {
        OptionalLong sym = symbols.apply(s);
        return sym.isPresent() ? sym : value(s);
    }

    /** crash's calculate(): [~]symbol, or [~]number with an optional k/m/g multiplier. */
    OptionalLong value(String word) {
        String s = word;
        boolean complement = s.startsWith("~");
        if (complement) s = s.substring(1);
        OptionalLong sym = symbols.apply(s);
        if (sym.isPresent()) return OptionalLong.of(complement ? ~sym.getAsLong() : sym.getAsLong());
        long factor = 1;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'k', 'K' -> factor = 1024;
                case 'm', 'M' -> factor = 1024 * 1024;
                case 'g', 'G' -> factor = 1024 * 1024 * 1024;
                default -> factor = 1;
            }
            if (factor != 1) s = s.substring(0, s.length() - 1);
        }
        if (!isDecimal(s) && !isHex(s)) return OptionalLong.empty();
        OptionalLong v = isDecimal(s) ? decimal(s) : hex(s);
        if (v.isEmpty()) return v;
        long r = v.getAsLong() * factor;
        return OptionalLong.of(complement ? ~r : r);
    }

    /** crash's decimal(): digits and blanks, at least one digit. */
    static boolean isDecimal(String s) {
        int digits = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') digits++;
            else if (c != ' ') return false;
        }
        return digits > 0;
    }

    /** crash's hexadecimal(): hex digits, 'x'/'X' anywhere, a blank only at the end; at least one digit. */
    static boolean isHex(String s) {
        int digits = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.digit(c, 16) >= 0) digits++;
            else if (c == 'x' || c == 'X') continue;
            else if (c == ' ' && i == s.length() - 1) continue;
            else return false;
        }
        return digits > 0;
    }

    /** sscanf("%lu"): leading blanks skipped; too large saturates as strtoul does. */
    private static OptionalLong decimal(String s) {
        String t = s.stripLeading();
        for (int i = 0; i < t.length(); i++) {
            if (t.charAt(i) < '0' || t.charAt(i) > '9') return OptionalLong.empty();
        }
        if (t.isEmpty()) return OptionalLong.empty();
        try {
            return OptionalLong.of(Long.parseUnsignedLong(t));
        } catch (NumberFormatException e) {
            return OptionalLong.of(-1L);
        }
    }

    /** crash's htol(): "0x" prefix, 'x', 'X' and 'h' skipped, at most 16 characters. */
    static OptionalLong hex(String s) {
        String t = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
        if (t.length() > 16) return OptionalLong.empty();
        long n = 0;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == 'x' || c == 'X' || c == 'h') continue;
            int d = Character.digit(c, 16);
            if (d < 0) return OptionalLong.empty();
            n = n * 16 + d;
        }
        return OptionalLong.of(n);
    }
}
