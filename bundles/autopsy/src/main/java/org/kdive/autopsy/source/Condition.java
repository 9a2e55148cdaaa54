package org.kdive.autopsy.source;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The condition of a BUG_ON()/WARN_ON() (or of the {@code if} around a BUG()/WARN()) at a source
 * line, and its two sides when it is a comparison.
 *
 * @param macro     BUG_ON, WARN_ON, WARN_ON_ONCE, WARN, WARN_ONCE, BUG (with an if), …
 * @param text      the condition as written, whitespace collapsed
 * @param statement the source line(s) of the statement, trimmed
 * @param left      left side of a top-level comparison, or null
 * @param operator  the comparison operator (">", "<=", "==", …), or null
 * @param right     right side, or null
 */
public record Condition(String macro, String text, String statement, String left, String operator, String right) {
    private static final Pattern MACRO = Pattern.compile("\\b(BUG_ON|WARN_ON_ONCE|WARN_ON|WARN_ONCE|WARN|VM_BUG_ON\\w*|BUILD_BUG_ON)\\s*\\(");
    private static final Pattern IF = Pattern.compile("\\bif\\s*\\(");
    private static final List<String> OPERATORS = List.of(">=", "<=", "==", "!=", ">", "<");

    /** The condition of the statement at {@code line} (1-based), looking at most a few lines on. */
    public static Optional<Condition> at(List<String> source, int line) {
        if (line < 1 || line > source.size()) return Optional.empty();
        StringBuilder sb = new StringBuilder();
        for (int i = line - 1; i < Math.min(source.size(), line + 5); i++) sb.append(source.get(i).strip()).append(' ');
        String text = sb.toString();
        Matcher m = MACRO.matcher(text);
        String macro;
        int open;
        if (m.find()) {
            macro = m.group(1);
            open = m.end() - 1;
        } else {
            // "if (cond) BUG();" or a BUG() whose if is on the line before
            String here = source.get(line - 1);
            String withIf = here.contains("if") ? text : (line >= 2 ? source.get(line - 2).strip() + " " + text : text);
            Matcher i = IF.matcher(withIf);
            if (!i.find() || !withIf.matches("(?s).*\\b(BUG|WARN\\w*|panic)\\s*\\(.*")) return Optional.empty();
            macro = "if";
            text = withIf;
            open = i.end() - 1;
        }
        String arg = firstArgument(text, open);
        if (arg == null) return Optional.empty();
        String cond = arg.replaceAll("\\s+", " ").strip();
        int close = text.indexOf(';', open);
        String statement = (close > 0 ? text.substring(0, close + 1) : source.get(line - 1)).strip();
        String[] cmp = split(cond);
        return Optional.of(new Condition(macro, cond, statement, cmp == null ? null : cmp[0], cmp == null ? null : cmp[1],
                cmp == null ? null : cmp[2]));
    }

    /** The first argument of the call whose '(' is at {@code open}, balanced; null when unbalanced. */
    private static String firstArgument(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') depth++;
            else if (c == ')') {
                depth--;
                if (depth == 0) return s.substring(open + 1, i);
            } else if (c == ',' && depth == 1) {
                return s.substring(open + 1, i);
            }
        }
        return null;
    }

    /** [left, op, right] of a comparison outside parentheses, or null. */
    private static String[] split(String cond) {
        String c = cond;
        while (c.startsWith("(") && c.endsWith(")") && firstArgument(c, 0) != null && firstArgument(c, 0).length() == c.length() - 2) {
            c = c.substring(1, c.length() - 1).strip();
        }
        int depth = 0;
        for (int i = 0; i < c.length(); i++) {
            char ch = c.charAt(i);
            if (ch == '(' || ch == '[') depth++;
            else if (ch == ')' || ch == ']') depth--;
            else if (depth == 0) {
                if (c.startsWith("->", i) || c.startsWith(">>", i) || c.startsWith("<<", i) || i > 0 && (c.charAt(i - 1) == '-'
                        || c.charAt(i - 1) == '>' || c.charAt(i - 1) == '<')) {
                    if (c.startsWith("->", i) || c.startsWith(">>", i) || c.startsWith("<<", i)) i++;
                    continue;
                }
                if (c.startsWith("&&", i) || c.startsWith("||", i)) return null;
                for (String op : OPERATORS) {
                    if (c.startsWith(op, i)) {
                        return new String[] {c.substring(0, i).strip(), op, c.substring(i + op.length()).strip()};
                    }
                }
            }
        }
        return null;
    }
}
