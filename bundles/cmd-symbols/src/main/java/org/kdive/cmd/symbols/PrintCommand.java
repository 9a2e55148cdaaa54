package org.kdive.cmd.symbols;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.session.Session;
import org.kdive.cmd.symbols.expr.Evaluator;
import org.kdive.cmd.symbols.expr.Value;
import org.kdive.cmd.symbols.format.ValueFormatter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** crash's {@code p}: evaluates a C expression and prints it as gdb does, numbering values $1, $2 … */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=p")
public final class PrintCommand implements Command {
    @Override public String name() { return "p"; }

    @Override public String description() { return "print the value of a C expression"; }

    @Override
    public String usage() {
        return """
                p - print the value of an expression
                p [-x|-d|-u] [/FMT] EXPRESSION
                  EXPRESSION  a C expression: symbols, casts ((struct foo *)ADDR), ->, ., [], &, *,
                              arithmetic (pointer arithmetic scaled), comparisons, sizeof, $N history,
                              container_of(ptr, type, member), offsetof(type, member), ADDR@COUNT
                  /FMT        gdb format letter: x hex, d signed, u unsigned, o octal, t binary, c char,
                              a address, s string, z zero-padded hex (p/x works as one word too)
                  -x, -d      output radix 16 or 10 for this command
                  -u          the expression's addresses are user addresses (symbols are kernel ones)
                Examples: p jiffies    p/x 0xffffffffc061907d-77
                          p ((struct vqb_vring_virtqueue *)0xff228398826f8000)->vring.num""";
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Session session = context.session();
        char format = 0;
        boolean slashFormat = false;
        boolean hex = false;
        boolean dec = false;
        List<String> rest = new ArrayList<>();
        boolean options = true;
        for (String a : args) {
            if (options && a.startsWith("/") && a.length() >= 2 && Character.isLetter(a.charAt(a.length() - 1))) {
                format = a.charAt(a.length() - 1);
                slashFormat = true;
                if (format == 's') format = 0; // gdb's /s: strings as strings, the rest as without a format
                continue;
            }
            if (options && (a.equals("-x") || a.equals("-h"))) {
                hex = true;
                continue;
            }
            if (options && a.equals("-d")) {
                dec = true;
                continue;
            }
            if (options && a.equals("-u")) {
                continue; // crash: user-space symbols of the current context; an expression reads kernel memory alike
            }
            if (options && a.equals("--")) {
                options = false;
                continue;
            }
            options = false;
            rest.add(a);
        }
        if (hex && dec) throw new CommandException("-d and -x are mutually exclusive");
        if (rest.isEmpty()) throw new CommandException("usage: p [-x|-d] [/FMT] EXPRESSION");
        SessionEnv env = new SessionEnv(session);
        // crash hands "p/FMT ..." straight to gdb: no "NAME = " leader, no per-cpu display
        boolean viaCrash = !slashFormat;
        String warning = "";
        if (viaCrash) {
            String first = rest.get(0);
            if (rest.size() == 1) {
                Result percpu = PerCpu.print(session, env, first, format, hex);
                if (percpu != null) return percpu;
            }
            int colon = first.lastIndexOf(':');
            if (colon > 0 && isSymbol(session, first.substring(0, colon)) && !env.isModule(first.substring(0, colon))) {
                warning = "WARNING: " + first.substring(0, colon) + " is not percpu; cpuspec ignored.\n";
                rest.set(0, first.substring(0, colon));
            }
        }
        String expr = String.join(" ", rest);
        Value v = new Evaluator(env).evaluate(expr);
        ValueFormatter f = SessionEnv.formatter(session, format, hex);
        String rendered = f.top(v);
        int n = SessionEnv.history(session).add(v.fetch());
        String line = "$" + n + " = " + rendered;
        // crash names the first word when it is a symbol, even with more words after it
        String leader = viaCrash && isSymbol(session, rest.get(0)) ? rest.get(0) : null;
        // crash filters the output through a file when it names it or module debuginfo is loaded,
        // and that moves a one-line "{…}" to its own line
        boolean split = leader != null || (viaCrash && !session.modules().isEmpty());
        String text = warning + withLeader(leader, line, split);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("history", n);
        data.put("expression", expr);
        data.put("type", JsonValues.typeName(v));
        if (v.isLvalue()) data.put("address", "0x" + Long.toHexString(v.address()));
        data.put("value", JsonValues.of(v, f));
        data.put("text", rendered);
        return Result.of(text, data);
    }

    /** crash's "NAME = $N = …", moving a one-line "{…}" value (functions, arrays) to the next line. */
    static String withLeader(String leader, String line) {
        return withLeader(leader, line, leader != null);
    }

    static String withLeader(String leader, String line, boolean split) {
        StringBuilder text = new StringBuilder();
        if (leader != null) text.append(leader).append(" = ");
        if (split) {
            int brace = line.indexOf('{');
            int nl = line.indexOf('\n');
            String first = nl < 0 ? line : line.substring(0, nl);
            if (brace >= 0 && brace < first.length() - 1) {
                line = line.substring(0, brace) + "\n {" + line.substring(brace + 1);
            }
        }
        return text.append(line).append('\n').toString();
    }

    private static boolean isSymbol(Session s, String word) {
        if (!word.matches("[A-Za-z_][A-Za-z0-9_]*")) return false;
        return !s.symbols().byName(word).isEmpty();
    }
}
