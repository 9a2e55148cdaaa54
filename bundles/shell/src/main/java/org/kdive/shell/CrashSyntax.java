package org.kdive.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Turns crash-style command lines into Gogo programs. crash users type {@code p vq->vring.num},
 * {@code p (struct x *)0x…} or {@code bt | grep foo}; Gogo would read '>' as a redirection and
 * '(' as a sub-shell. For a kdive command every word is passed through quoted, and only a lone
 * '|' (pipe into a Gogo command) or a word starting with '>' (redirection) keeps its shell meaning.
 * Lines that do not start with a kdive command are plain Gogo.
 */
final class CrashSyntax {
    private CrashSyntax() {
    }

    /** A word of the line with the position where its raw text starts. */
    record Word(String text, int start) {
    }

    /** Splits a line at ';' outside quotes; an unclosed quote is an IllegalArgumentException. */
    static List<String> statements(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == '\\' && quote == '"' && i + 1 < line.length()) {
                    cur.append(c).append(line.charAt(++i));
                    continue;
                }
                if (c == quote) quote = 0;
                cur.append(c);
            } else if (c == '\'' || c == '"') {
                quote = c;
                cur.append(c);
            } else if (c == ';') {
                if (!cur.toString().isBlank()) out.add(cur.toString().trim());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unbalanced quote: the " + (quote == '"' ? "double" : "single")
                    + " quote at column " + (line.lastIndexOf(quote) + 1) + " is not closed: " + line);
        }
        if (!cur.toString().isBlank()) out.add(cur.toString().trim());
        return out;
    }

    /** Whitespace-separated words; quotes group and are removed. */
    static List<Word> words(String s) {
        List<Word> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
            if (i >= s.length()) break;
            int start = i;
            StringBuilder w = new StringBuilder();
            char quote = 0;
            while (i < s.length() && (quote != 0 || !Character.isWhitespace(s.charAt(i)))) {
                char c = s.charAt(i);
                if (quote != 0) {
                    if (c == '\\' && quote == '"' && i + 1 < s.length()) {
                        w.append(s.charAt(++i));
                    } else if (c == quote) {
                        quote = 0;
                    } else {
                        w.append(c);
                    }
                } else if (c == '\'' || c == '"') {
                    quote = c;
                } else {
                    w.append(c);
                }
                i++;
            }
            out.add(new Word(w.toString(), start));
        }
        return out;
    }

    /** The first word of a statement, without a "kdive:" scope. */
    static String commandName(String statement) {
        List<Word> w = words(statement);
        if (w.isEmpty()) return "";
        String n = w.get(0).text();
        n = n.startsWith("kdive:") ? n.substring(6) : n;
        int slash = n.indexOf('/');
        // crash's "p/x EXPR" is "p" with the format "/x"
        return slash > 0 ? n.substring(0, slash) : n;
    }

    /**
     * The Gogo program for one statement.
     *
     * @param isKdiveCommand tells which first words are kdive commands
     */
    static String toGogo(String statement, Predicate<String> isKdiveCommand) {
        List<Word> words = words(statement);
        if (words.isEmpty()) return "";
        String name = commandName(statement);
        if (!isKdiveCommand.test(name)) return statement;
        StringBuilder sb = new StringBuilder("kdive:").append(name);
        String first = words.get(0).text();
        int slash = first.indexOf('/');
        if (slash > 0) sb.append(' ').append(quote(first.substring(slash)));
        for (int i = 1; i < words.size(); i++) {
            Word w = words.get(i);
            String raw = statement.substring(w.start());
            if (w.text().equals("|") && raw.startsWith("|")) {
                sb.append(' ').append(raw);
                return sb.toString();
            }
            if (raw.startsWith(">")) {
                sb.append(' ').append(raw);
                return sb.toString();
            }
            sb.append(' ').append(quote(w.text()));
        }
        return sb.toString();
    }

    static String quote(String s) {
        if (s.indexOf('\'') < 0) return "'" + s + "'";
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\' || c == '$') sb.append('\\');
            sb.append(c);
        }
        return sb.append('"').toString();
    }
}
