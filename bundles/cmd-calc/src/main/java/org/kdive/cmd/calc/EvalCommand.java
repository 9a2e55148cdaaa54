package org.kdive.cmd.calc;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.util.Hex;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * crash's {@code eval}: a value or a two-operand expression, printed in hexadecimal, decimal, octal
 * and binary; {@code -b} lists the bits set. On a 64-bit kernel {@code -l} changes nothing (crash's
 * long is already 64 bits). Symbols stand for their addresses when a dump is open.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=eval")
public class EvalCommand implements Command {
    static final String SYNOPSIS = "eval [-b][-l] (expression) | value";
    private static final long KB = 1024;
    private static final long MB = KB * 1024;
    private static final long GB = MB * 1024;

    @Override public String name() { return "eval"; }

    @Override public String description() { return "evaluate an expression in hex, decimal, octal and binary"; }

    @Override
    public String usage() {
        return """
                eval - evaluate
                eval [-b][-l] (expression) | value
                  Evaluates an expression or a value and shows the result in hexadecimal, decimal,
                  octal and binary. An expression is two values and one operator:
                    +  -  &  |  ^  *  %  /  <<  >>  #  (power)
                  An expression containing redirection characters ('>', '|') must be enclosed in
                  parentheses. A value is a number, a symbol (its address), or a number with a k, m
                  or g suffix (KB, MB, GB); a number is decimal unless it has "0x" or a hex letter;
                  ~ complements it.
                    -b  also show the bit numbers that are set.
                    -l  numbers are 64-bit long longs (the default on a 64-bit kernel).
                  Examples: eval 16m / 4k    eval -b 0x1234    eval (jiffies + 100)
                """;
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        List<String> w = CrashNumbers.crashWords(args);
        int i = 0;
        boolean bits = false;
        // crash reads its options by hand so that a leading minus stays a number
        if (i < w.size() && (w.get(i).equals("-lb") || w.get(i).equals("-bl"))) {
            bits = true;
            i++;
        } else if (i < w.size() && w.get(i).equals("-l")) {
            i++;
            if (i + 1 < w.size() && w.get(i).equals("-b")) {
                i++;
                bits = true;
            }
        } else if (i < w.size() && w.get(i).equals("-b")) {
            if (i + 1 < w.size() && w.get(i + 1).equals("-l")) {
                if (i + 2 >= w.size()) throw usageError();
                bits = true;
                i += 2;
            } else if (i + 1 < w.size()) {
                bits = true;
                i++;
            }
        }
        if (i >= w.size()) throw usageError();
        CrashNumbers numbers = new CrashNumbers(symbolLookup(context));
        String expression = null;
        StringBuilder joined = new StringBuilder("(");
        for (; i < w.size(); i++) {
            if (w.get(i).startsWith("(")) {
                expression = w.get(i);   // crash evaluates the first parenthesised word, ignores the rest
                break;
            }
            joined.append(w.get(i)).append(' ');
        }
        if (expression == null) expression = "(" + joined.substring(1).strip() + ")";
        OptionalLong v;
        try {
            v = numbers.evaluate(expression);
        } catch (ArithmeticException e) {
            throw new CommandException("" + e.getMessage() + ": " + expression);
        }
        if (v.isEmpty()) throw new CommandException("invalid expression: " + expression);
        return Result.of(text(v.getAsLong(), bits), data(v.getAsLong(), bits));
    }

    private static CommandException usageError() {
        return new CommandException("Usage:\n  " + SYNOPSIS + "\nEnter \"help eval\" for details.", CommandException.USAGE);
    }

    /** Symbols of the open dump, if any (crash's symbol_search: an exact name). */
    private static java.util.function.Function<String, OptionalLong> symbolLookup(CommandContext context) {
        Optional<Session> s = context.maybeSession();
        if (s.isEmpty()) return name -> OptionalLong.empty();
        Session session = s.get();
        return name -> {
            if (name.isEmpty() || !Character.isJavaIdentifierStart(name.charAt(0))) return OptionalLong.empty();
            try {
                Optional<Symbol> sym = session.symbols().first(name);
                return sym.isPresent() ? OptionalLong.of(sym.get().address()) : OptionalLong.empty();
            } catch (RuntimeException e) {
                return OptionalLong.empty();
            }
        };
    }

    static String text(long v, boolean bits) {
        StringBuilder sb = new StringBuilder();
        sb.append("hexadecimal: ").append(Long.toHexString(v)).append("  ");
        if (Long.compareUnsigned(v, KB) >= 0) {
            if (Long.remainderUnsigned(v, GB) == 0) sb.append('(').append(Long.divideUnsigned(v, GB)).append("GB)");
            else if (Long.remainderUnsigned(v, MB) == 0) sb.append('(').append(Long.divideUnsigned(v, MB)).append("MB)");
            else if (Long.remainderUnsigned(v, KB) == 0) sb.append('(').append(Long.divideUnsigned(v, KB)).append("KB)");
        }
        sb.append('\n');
        sb.append("    decimal: ").append(Long.toUnsignedString(v)).append("  ");
        if (v < 0) sb.append('(').append(v).append(")\n");
        else sb.append('\n');
        sb.append("      octal: ").append(Long.toOctalString(v)).append('\n');
        sb.append("     binary: ").append(binary(v)).append('\n');
        if (bits) {
            String hdr = "   bits set: ";
            sb.append(hdr);
            int column = hdr.length();
            for (int b = 63; b >= 0; b--) {
                if ((v & (1L << b)) == 0) continue;
                String one = b + " ";
                sb.append(one);
                column += one.length();
                if (column >= 77) {
                    sb.append('\n').append(" ".repeat(hdr.length()));
                    column = hdr.length();
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String binary(long v) {
        String b = Long.toBinaryString(v);
        return "0".repeat(64 - b.length()) + b;
    }

    static Map<String, Object> data(long v, boolean bits) {
        Map<String, Object> m = new LinkedHashMap<>();
        BigInteger unsigned = new BigInteger(Long.toUnsignedString(v));
        m.put("value", unsigned);
        m.put("signed", v);
        m.put("hexadecimal", Hex.json(v));
        m.put("octal", Long.toOctalString(v));
        m.put("binary", binary(v));
        if (bits) {
            List<Integer> set = new ArrayList<>();
            for (int b = 63; b >= 0; b--) {
                if ((v & (1L << b)) != 0) set.add(b);
            }
            m.put("bitsSet", set);
        }
        return m;
    }
}
