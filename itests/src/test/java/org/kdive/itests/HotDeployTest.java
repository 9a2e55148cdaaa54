package org.kdive.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bundle dropped into a plugin directory while the interactive shell runs appears, and goes again. */
class HotDeployTest {
    @Test
    void dropInAndRemoveWhileRunning(@TempDir Path plugins) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Kdive.distro().resolve("bin/kdive").toString(), "--plugins", plugins.toString());
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t1 = Kdive.pump(p.getInputStream(), out);
        Thread t2 = Kdive.pump(p.getErrorStream(), err);
        OutputStream in = p.getOutputStream();
        try {
            send(in, "hello before");
            awaitText(err, "hello: command not found", 60);

            Files.copy(Kdive.sample("vendor-hello"), plugins.resolve("vendor-hello.jar"));
            String appeared = poll(in, out, "hello dropped", "hello from dropped", 30);
            assertTrue(appeared.contains("hello from dropped: kernel (no dump open)"), appeared);

            send(in, "plugins");
            awaitText(out, "kdive-sample-vendor-hello", 20);

            Files.delete(plugins.resolve("vendor-hello.jar"));
            int before = count(err.toString(StandardCharsets.UTF_8), "hello: command not found");
            long deadline = System.currentTimeMillis() + 30_000;
            while (count(err.toString(StandardCharsets.UTF_8), "hello: command not found") == before) {
                if (System.currentTimeMillis() > deadline) throw new AssertionError("hello still there after removal:\n" + out + err);
                send(in, "hello removed");
                Thread.sleep(1000);
            }
            send(in, "quit");
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "kdive did not quit");
            assertEquals(0, p.exitValue(), err.toString(StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
            t1.join(5000);
            t2.join(5000);
        }
    }

    private static void send(OutputStream in, String line) throws Exception {
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Sends the line once a second until the answer shows up; returns all output. */
    private static String poll(OutputStream in, ByteArrayOutputStream out, String line, String expect, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            send(in, line);
            Thread.sleep(1000);
            String s = out.toString(StandardCharsets.UTF_8);
            if (s.contains(expect)) return s;
        }
        throw new AssertionError("no \"" + expect + "\" within " + seconds + " s:\n" + out);
    }

    private static void awaitText(ByteArrayOutputStream stream, String text, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!stream.toString(StandardCharsets.UTF_8).contains(text)) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("no \"" + text + "\" within " + seconds + " s:\n" + stream);
            Thread.sleep(100);
        }
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }
}
