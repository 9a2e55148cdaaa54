package org.kdive.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdive.test.Corpus;

/**
 * The interactive shell on a real terminal (issue 19, issue 14 item 4): the first screen, Tab
 * completion, "did you mean", Ctrl-C cancelling a command, plug-in warnings above the prompt, and
 * dis -l finding a module's debuginfo by itself. Expected values come from crash's references.
 */
class InteractiveShellTest {
    private static final String PROMPT = "kdive> ";
    private static final String CLEAR_LINE = "\u0015"; // Ctrl-U

    private static Pty sample(List<String> env, String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of(Corpus.file("vmcore.kdump-zlib").toString(), Corpus.vmlinux().toString()));
        args.addAll(List.of(more));
        return Pty.start(Kdive.distro(), env, args.toArray(new String[0]));
    }

    @Test
    void firstScreenSummarisesTheDumpAsCrashDoes() throws Exception {
        String sys = Files.readString(Corpus.file("refs/crash-8.0.6/01-sys-nomods.txt"));
        String bt = Files.readString(Corpus.file("refs/crash-8.0.6/02-bt.txt"));
        try (Pty kdive = sample(List.of())) {
            String first = kdive.await(PROMPT, 120);
            for (String field : List.of("RELEASE", "PANIC", "CPUS", "TASKS")) {
                assertTrue(first.contains(field + ": " + JsonContractTest.field(sys, field)), field + " in:\n" + first);
            }
            // the panic task's context, as crash shows it after sys: PID, COMMAND, TASK, CPU, STATE
            String header = bt.lines().filter(l -> l.startsWith("PID:")).findFirst().orElseThrow();
            String pid = header.split("\\s+")[1];
            assertTrue(first.contains("PID: " + pid), first);
            assertTrue(first.contains("STATE: TASK_RUNNING (PANIC)"), first);
            kdive.type("q\r");
            assertEquals(0, kdive.waitFor(30));
        }
    }

    @Test
    void tabCompletesSymbolsTypesMembersOptionsTasksAndFiles(@TempDir Path dir) throws Exception {
        Files.createFile(dir.resolve("vqbug-notes.txt"));
        try (Pty kdive = sample(List.of())) {
            kdive.await(PROMPT, 120);
            expectCompletion(kdive, "dis vqb_virtq", "vqb_virtqueue_add");
            expectCompletion(kdive, "struct task_str", "task_struct");
            expectCompletion(kdive, "p init_task.com", "init_task.comm");
            expectCompletion(kdive, "bt -", "also the source file and line of each frame"); // options with their one-line help
            String bt = Files.readString(Corpus.file("refs/crash-8.0.6/02-bt.txt"));
            String[] header = bt.lines().filter(l -> l.startsWith("PID:")).findFirst().orElseThrow().split("\\s+");
            String pid = header[1];
            String comm = header[header.length - 1].replace("\"", "");
            expectCompletion(kdive, "bt " + pid.substring(0, pid.length() - 1), comm); // PIDs, shown with their command
            expectCompletion(kdive, "open " + dir + "/vqbug-no", "vqbug-notes.txt");
            expectCompletion(kdive, "mod -s vqb", "vqbug"); // module names, then the file
            expectCompletion(kdive, "mod -s vqbug " + Corpus.dir() + "/vqbug.ko.de", "vqbug.ko.debug");
            kdive.type(CLEAR_LINE + "q\r");
            assertEquals(0, kdive.waitFor(30));
        }
    }

    private static void expectCompletion(Pty kdive, String typed, String expected) throws Exception {
        kdive.mark();
        kdive.type(CLEAR_LINE + typed + "\t");
        kdive.await(expected, 30);
    }

    @Test
    void unknownCommandsSuggestTheNearest() throws Exception {
        try (Pty kdive = sample(List.of())) {
            kdive.await(PROMPT, 120);
            kdive.mark();
            kdive.type("btt\r");
            kdive.await("btt: command not found (did you mean bt?)", 30);
            kdive.mark();
            kdive.type("bt -z\r");
            kdive.await("unknown option: -z", 30);
            kdive.type("q\r");
            assertEquals(0, kdive.waitFor(30));
        }
    }

    @Test
    void ctrlCCancelsTheCommandAndReturnsToThePrompt() throws Exception {
        try (Pty kdive = sample(List.of())) {
            kdive.await(PROMPT, 120);
            kdive.mark();
            kdive.type("search -k 0\r");
            kdive.await(": 0 \n", 60); // matches are streaming
            kdive.type("\u0003");
            kdive.await("search: cancelled", 30);
            kdive.await(PROMPT, 30);
            kdive.mark();
            kdive.type("sys | grep RELEASE\r");
            kdive.await("RELEASE: ", 30);
            kdive.mark();
            kdive.type("foreach bt\r");
            kdive.await("PID: ", 60);
            kdive.type("\u0003");
            Thread.sleep(2000); // finished or cancelled, the shell is still there and answers
            kdive.mark();
            kdive.type("sym jiffies\r");
            kdive.await("(D) jiffies", 60);
            kdive.type("q\r");
            assertEquals(0, kdive.waitFor(30), kdive.screen());
        }
    }

    @Test
    void pluginWarningsArePrintedAboveThePrompt(@TempDir Path plugins) throws Exception {
        try (Pty kdive = Pty.start(Kdive.distro(), List.of(), "--plugins", plugins.toString())) {
            kdive.await(PROMPT, 120);
            kdive.mark();
            kdive.type("sy");
            Files.copy(Kdive.sample("broken-activate"), plugins.resolve("broken-activate.jar"));
            String shown = kdive.await("boom: this sample fails on purpose", 60);
            kdive.await(PROMPT + "sy", 10); // the prompt and what was typed are drawn again below it
            for (String line : shown.split("\n")) {
                if (line.contains("WARNING: plugin")) assertTrue(line.startsWith("WARNING: plugin"), "not over the prompt: " + line);
            }
            kdive.type(CLEAR_LINE + "q\r");
            assertEquals(0, kdive.waitFor(30));
        }
    }

    @Test
    void disDashLOnModuleCodeLoadsItsDebuginfoFromBesideTheDump() throws Exception {
        String ref = Files.readString(Corpus.file("refs/crash-8.0.6/08-dis-l.txt"));
        String firstLine = ref.lines().filter(l -> l.startsWith("/")).findFirst().orElseThrow();
        try (Pty kdive = sample(List.of())) {
            kdive.await(PROMPT, 120);
            kdive.mark();
            kdive.type("dis -l vqb_virtqueue_add 2\r");
            String shown = kdive.await(firstLine, 60);
            assertTrue(shown.contains("vqbug.ko.debug"), "says where the debuginfo came from: " + shown);
            kdive.type("q\r");
            assertEquals(0, kdive.waitFor(30));
        }
    }

    @Test
    void withoutModuleDebuginfoDisDashLSaysWhatToRun(@TempDir Path dir) throws Exception {
        Path dump = Files.createSymbolicLink(dir.resolve("vmcore"), Corpus.file("vmcore.kdump-zlib"));
        Path vmlinux = Files.createSymbolicLink(dir.resolve("vmlinux"), Corpus.vmlinux());
        Kdive.Run r = Kdive.run(Kdive.distro(), dump.toString(), vmlinux.toString(), "-c", "dis -l vqb_virtqueue_add 2");
        assertEquals(0, r.status(), r.all());
        assertFalse(r.out().contains("vqbug.c"), r.out());
        assertTrue(r.err().contains("no source lines for module vqbug") && r.err().contains("mod -s vqbug"), r.err());
    }
}
