package org.kdive.shell;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * {@code head} and {@code tail} with the options crash users type after a pipe ({@code -5},
 * {@code -n 5}); Gogo's own versions take only file names and {@code -n}. Registered as Gogo
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
