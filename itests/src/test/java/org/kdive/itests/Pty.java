package org.kdive.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * bin/kdive on a real pseudo-terminal, as a person at a terminal runs it: util-linux's
 * {@code script} allocates the terminal (120 columns) and relays what the test types, Ctrl-C
 * included (the terminal turns it into SIGINT for kdive).
 */
final class Pty implements AutoCloseable {
    private final Process process;
    private final OutputStream keys;
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private int mark;

    private Pty(Process process) {
        this.process = process;
        this.keys = process.getOutputStream();
        Thread t = new Thread(() -> {
            byte[] b = new byte[8192];
            try {
                int n;
                while ((n = process.getInputStream().read(b)) > 0) {
                    synchronized (screen) {
                        screen.write(b, 0, n);
                    }
                }
            } catch (IOException e) {
                // ended
            }
        });
        t.setDaemon(true);
        t.start();
    }

    static Pty start(Path home, List<String> env, String... args) throws IOException {
        StringBuilder cmd = new StringBuilder("stty cols 120 rows 40; exec ");
        cmd.append(quote(home.toAbsolutePath().resolve("bin/kdive").toString()));
        for (String a : args) cmd.append(' ').append(quote(a));
        List<String> argv = new ArrayList<>(List.of("script", "-qfec", cmd.toString(), "/dev/null"));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().put("KDIVE_SERVER", "off");
        pb.environment().put("TERM", "xterm");
        for (String e : env) {
            int eq = e.indexOf('=');
            pb.environment().put(e.substring(0, eq), e.substring(eq + 1));
        }
        return new Pty(pb.start());
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    void type(String text) throws IOException {
        keys.write(text.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    /** Everything shown so far, terminal control sequences removed. */
    String screen() {
        return render(0);
    }

    private String render(int from) {
        String raw;
        synchronized (screen) {
            byte[] all = screen.toByteArray();
            raw = new String(all, Math.min(from, all.length), Math.max(0, all.length - from), StandardCharsets.UTF_8);
        }
        String text = raw.replaceAll("\u001b\\[[0-9;?]*[ -/]*[@-~]", "").replaceAll("\u001b[()][0-9A-Za-z]|\u001b[=>]", "")
                .replace("\u0007", "");
        // a carriage return inside a line starts it again (the terminal overwrites what was there);
        // those at its end overwrite nothing: JLine ends list rows with "\r\n", which the terminal's
        // output processing (ONLCR) turns into "\r\r\n"
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String l = line.replaceFirst("\r+$", "");
            sb.append(l.substring(l.lastIndexOf('\r') + 1)).append('\n');
        }
        return sb.substring(0, sb.length() - 1);
    }

    /** Waits until the screen after the last {@link #mark()} contains {@code text}; returns that part. */
    String await(String text, int seconds) throws InterruptedException {
        long end = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < end) {
            String s = since();
            if (s.contains(text)) return s;
            if (!process.isAlive()) break;
            Thread.sleep(50);
        }
        throw new AssertionError("\"" + text + "\" did not appear within " + seconds + " s; the screen since the mark:\n" + since());
    }

    /** From now on {@link #await} and {@link #since} look only at what is shown after this. */
    void mark() {
        synchronized (screen) {
            mark = screen.size();
        }
    }

    String since() {
        return render(mark);
    }

    int waitFor(int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) throw new AssertionError("kdive did not end:\n" + screen());
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
