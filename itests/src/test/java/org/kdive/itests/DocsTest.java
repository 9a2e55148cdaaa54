package org.kdive.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every ```sh block in docs/*.md runs exactly as written, from the repository's folder, and prints
 * what the ```text block after it shows (a line with "…" stands for any line starting with what
 * precedes it). The tutorial's ```kdive blocks are TutorialTest's. Maven runs offline here (a
 * wrapper on the PATH adds -o), so the test needs no network. Also: the man page and the
 * completion scripts the distribution ships.
 */
class DocsTest {
    private static final Path REPO = Path.of(System.getProperty("kdive.docs", "../docs")).toAbsolutePath().normalize().getParent();

    record Block(Path doc, int line, String script, String expected) {
    }

    static List<Block> blocks() throws Exception {
        List<Block> out = new ArrayList<>();
        try (Stream<Path> docs = Files.list(REPO.resolve("docs"))) {
            for (Path doc : docs.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    if (!lines.get(i).strip().equals("```sh")) continue;
                    int start = i + 1;
                    StringBuilder script = new StringBuilder();
                    while (!lines.get(++i).strip().equals("```")) script.append(lines.get(i)).append('\n');
                    String expected = null;
                    int j = i + 1;
                    while (j < lines.size() && !lines.get(j).startsWith("```") && !lines.get(j).startsWith("#")) j++;
                    if (j < lines.size() && lines.get(j).strip().equals("```text")) {
                        StringBuilder e = new StringBuilder();
                        while (!lines.get(++j).strip().equals("```")) e.append(lines.get(j)).append('\n');
                        expected = e.toString();
                    }
                    out.add(new Block(doc, start, script.toString(), expected));
                }
            }
        }
        return out;
    }

    @Test
    void everyShellBlockInTheDocsRunsAsWritten(@TempDir Path bin) throws Exception {
        Path mvn = bin.resolve("mvn");
        String real = new String(new ProcessBuilder("bash", "-c", "command -v mvn").start().getInputStream().readAllBytes()).strip();
        Files.writeString(mvn, "#!/bin/sh\nexec " + real + " -o \"$@\"\n");
        mvn.toFile().setExecutable(true);
        List<Block> blocks = blocks();
        assertTrue(blocks.size() >= 2, "shell blocks in docs/: " + blocks.size());
        List<String> failures = new ArrayList<>();
        for (Block b : blocks) {
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", "set -e\n" + b.script()).directory(REPO.toFile());
            pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
            pb.environment().put("KDIVE_SERVER", "off");
            Path out = bin.resolve("out.txt");
            Path err = bin.resolve("err.txt");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            assertTrue(p.waitFor(600, TimeUnit.SECONDS), b.doc() + ":" + b.line() + " took too long");
            // what a terminal shows: Maven 3.8 writes colour resets even with -B (jansi)
            String stdout = Files.readString(out).replaceAll("\u001b\\[[0-9;]*m", "");
            String where = REPO.relativize(b.doc()) + ":" + b.line();
            if (p.exitValue() != 0) {
                failures.add(where + " exits " + p.exitValue() + ":\n" + stdout + Files.readString(err));
                continue;
            }
            if (b.expected() != null) {
                String missing = missing(b.expected(), stdout);
                if (missing != null) failures.add(where + " does not print \"" + missing + "\"; it printed:\n" + stdout);
            }
            if (b.doc().endsWith("custom-distro.md")) {
                String e = Files.readString(err);
                int warnings = e.split("no architecture bundle", -1).length - 1;
                if (warnings != 1) failures.add(where + ": the architecture warning shows " + warnings + " times:\n" + e);
            }
        }
        assertEquals(List.of(), failures);
    }

    /** The first expected line the output lacks (in order), or null. */
    static String missing(String expected, String actual) {
        List<String> out = actual.lines().toList();
        int at = 0;
        for (String want : expected.lines().toList()) {
            int cut = want.indexOf('…');
            String prefix = cut >= 0 ? want.substring(0, cut) : null;
            boolean found = false;
            while (at < out.size()) {
                String line = out.get(at++);
                if (prefix != null ? line.startsWith(prefix) : line.strip().equals(want.strip())) {
                    found = true;
                    break;
                }
            }
            if (!found) return want;
        }
        return null;
    }

    @Test
    void theCustomDistroDocShowsTheSamplePom() throws Exception {
        String doc = Files.readString(REPO.resolve("docs/custom-distro.md"));
        String xml = doc.substring(doc.indexOf("```xml\n") + 7, doc.indexOf("```", doc.indexOf("```xml\n") + 7));
        assertEquals(Files.readString(REPO.resolve("samples/acme-distro/pom.xml")), xml);
    }

    @Test
    void manKdiveShowsTheManualOfTheInstalledDistribution() throws Exception {
        Path home = Kdive.distro().toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder("man", "kdive");
        pb.environment().put("PATH", home.resolve("bin") + ":" + System.getenv("PATH"));
        pb.environment().put("MANWIDTH", "100");
        pb.environment().put("MANPAGER", "cat");
        pb.environment().remove("MANPATH");
        Process p = pb.redirectErrorStream(true).start();
        String page = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).replaceAll(".\b", "");
        assertEquals(0, p.waitFor(), page);
        for (String section : List.of("NAME", "SYNOPSIS", "OPTIONS", "COMMANDS", "JSON OUTPUT", "EXIT STATUS")) {
            assertTrue(page.contains("\n" + section), section + " in:\n" + page);
        }
        // from the same texts as kdive --help and help CMD
        Kdive.Run help = Kdive.run(home, "-c", "help bt");
        String firstUsageLine = help.out().lines().skip(1).filter(l -> !l.isBlank()).findFirst().orElseThrow().strip();
        assertTrue(page.contains(firstUsageLine), firstUsageLine + " in:\n" + page);
        assertTrue(page.contains("--no-fetch"), page);
    }

    @Test
    void bashCompletionCompletesOptionsAndCommandNames() throws Exception {
        Path script = Kdive.distro().toAbsolutePath().resolve("share/bash-completion/completions/kdive");
        String complete = "source '" + script + "'; COMP_WORDS=(kdive %s); COMP_CWORD=%d; _kdive; echo \"${COMPREPLY[@]}\"";
        assertEquals("--json", bash(String.format(complete, "--js", 1)));
        assertTrue(bash(String.format(complete, "-c di", 2)).contains("dis"), "command names after -c");
        Path zsh = Kdive.distro().resolve("share/zsh/site-functions/_kdive");
        String z = Files.readString(zsh);
        assertTrue(z.startsWith("#compdef kdive"), z);
        assertTrue(z.contains("'--json[") && z.contains("'bt:backtrace"), z);
        assertEquals(0, new ProcessBuilder("bash", "-n", script.toString()).start().waitFor(), "bash syntax");
    }

    private static String bash(String command) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return out;
    }
}
