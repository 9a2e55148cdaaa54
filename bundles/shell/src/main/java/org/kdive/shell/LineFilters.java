package org.kdive.shell;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * {@code head}, {@code tail} and {@code grep} with the options crash users type after a pipe
 * ({@code -5}, {@code -n 5}, {@code grep -c}); Gogo's own versions take only file names and
 * {@code -n}, and its grep -c prints 0. Registered as Gogo
 * functions in scope "kdive", which the shell searches first.
 */
public final class LineFilters {
    public void head(String[] args) throws IOException {
        int n = count(args);
        PrintStream out = System.out;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        int i = 0;
        while (i < n && (line = in.readLine()) != null) {
            out.println(line);
            i++;
        }
        while (in.readLine() != null) {
            // drain, so the writer does not block
        }
        out.flush();
    }

    public void tail(String[] args) throws IOException {
        int n = count(args);
        Deque<String> last = new ArrayDeque<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            last.addLast(line);
            if (last.size() > n) last.removeFirst();
        }
        PrintStream out = System.out;
        last.forEach(out::println);
        out.flush();
    }

    /** Clears the terminal; without one (a pipe, a file, a kdive server's client) it does nothing. */
    public void clear() {
        if (System.console() != null) {
            System.out.print("\033[H\033[2J");
            System.out.flush();
        }
    }

    /** Shows its input (or files); kdive's shell has no pager of its own, the terminal scrolls. */
    public void less(String[] files) throws IOException {
        PrintStream out = System.out;
        if (files.length == 0) {
            System.in.transferTo(out);
        } else {
            for (String f : files) {
                if (f.startsWith("-")) continue;
                java.nio.file.Files.copy(java.nio.file.Paths.get(f), out);
            }
        }
        out.flush();
    }

    /**
     * grep as crash users type it after a pipe: {@code -c -v -i -n -w -q -E -F -e PATTERN}, flags
     * combined ({@code -vi}), files after the pattern. Patterns are basic regular expressions as in
     * GNU grep ({@code \|}, {@code \(…\)}), extended ones with -E, fixed strings with -F. Gogo's
     * own grep prints 0 for -c.
     */
    public void grep(String[] args) throws IOException {
        GrepOptions o = GrepOptions.parse(args);
        PrintStream out = System.out;
        if (o.files.isEmpty()) {
            grepStream(o, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), null, out);
        } else {
            for (String f : o.files) {
                try (BufferedReader in = java.nio.file.Files.newBufferedReader(java.nio.file.Paths.get(f), StandardCharsets.UTF_8)) {
                    grepStream(o, in, o.files.size() > 1 ? f : null, out);
                }
            }
        }
        out.flush();
    }

    private static long grepStream(GrepOptions o, BufferedReader in, String file, PrintStream out) throws IOException {
        long count = 0, lineNo = 0;
        String line;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (o.pattern.matcher(line).find() == o.invert) continue;
            count++;
            if (o.quiet || o.count) continue;
            StringBuilder sb = new StringBuilder();
            if (file != null) sb.append(file).append(':');
            if (o.lineNumbers) sb.append(lineNo).append(':');
            out.println(sb.append(line));
        }
        if (o.count && !o.quiet) out.println(file != null ? file + ":" + count : Long.toString(count));
        return count;
    }

    /** grep's command line. */
    static final class GrepOptions {
        boolean count, invert, ignoreCase, lineNumbers, word, quiet, extended, fixed;
        final java.util.List<String> patterns = new java.util.ArrayList<>();
        final java.util.List<String> files = new java.util.ArrayList<>();
        java.util.regex.Pattern pattern;

        static GrepOptions parse(String[] args) {
            GrepOptions o = new GrepOptions();
            int i = 0;
            for (; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--")) {
                    i++;
                    break;
                }
                if (!a.startsWith("-") || a.length() == 1) break;
                if (a.equals("-e")) {
                    if (i + 1 >= args.length) throw new IllegalArgumentException("grep: -e needs a pattern");
                    o.patterns.add(args[++i]);
                    continue;
                }
                for (char c : a.substring(1).toCharArray()) {
                    switch (c) {
                        case 'c' -> o.count = true;
                        case 'v' -> o.invert = true;
                        case 'i' -> o.ignoreCase = true;
                        case 'n' -> o.lineNumbers = true;
                        case 'w' -> o.word = true;
                        case 'q' -> o.quiet = true;
                        case 'E' -> o.extended = true;
                        case 'F' -> o.fixed = true;
                        default -> throw new IllegalArgumentException("grep: unknown option -" + c + " (kdive's grep: -c -v -i -n -w -q -E -F -e)");
                    }
                }
            }
            if (o.patterns.isEmpty()) {
                if (i >= args.length) throw new IllegalArgumentException("usage: grep [-cvinwqEF] [-e] PATTERN [FILE...]");
                o.patterns.add(args[i++]);
            }
            for (; i < args.length; i++) o.files.add(args[i]);
            java.util.List<String> regexes = new java.util.ArrayList<>();
            for (String p : o.patterns) {
                String r = o.fixed ? java.util.regex.Pattern.quote(p) : o.extended ? p : basicToJava(p);
                regexes.add(o.word ? "(?<![\\w])(?:" + r + ")(?![\\w])" : "(?:" + r + ")");
            }
            try {
                o.pattern = java.util.regex.Pattern.compile(String.join("|", regexes),
                        o.ignoreCase ? java.util.regex.Pattern.CASE_INSENSITIVE : 0);
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new IllegalArgumentException("grep: bad pattern: " + e.getDescription());
            }
            return o;
        }

        /** A POSIX basic regular expression as a Java one: \| \( \) \{ \} \+ \? are the operators, the bare characters literal. */
        static String basicToJava(String bre) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < bre.length(); i++) {
                char c = bre.charAt(i);
                if (c == '\\' && i + 1 < bre.length()) {
                    char n = bre.charAt(++i);
                    if ("|(){}+?".indexOf(n) >= 0) sb.append(n);
                    else if (n == '<' || n == '>') sb.append("\\b");
                    else sb.append('\\').append(n);
                } else if ("|(){}+?".indexOf(c) >= 0) {
                    sb.append('\\').append(c);
                } else {
                    sb.append(c);
                }
            }
            return sb.toString();
        }
    }

    static int count(String[] args) {
        int n = 10;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            try {
                if (a.equals("-n") && i + 1 < args.length) n = Integer.parseInt(args[++i]);
                else if (a.startsWith("-n")) n = Integer.parseInt(a.substring(2));
                else if (a.startsWith("-")) n = Integer.parseInt(a.substring(1));
                else throw new IllegalArgumentException("head/tail read the pipe; no files: " + a);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a line count: " + a);
            }
        }
        return Math.max(0, n);
    }
}
