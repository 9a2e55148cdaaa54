package org.kdive.cmd.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestFactory;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.test.CrashText;
import org.kdive.test.MadeDump;
import org.kdive.test.MadeDumps;
import org.kdive.test.session.MadeSession;

/**
 * The options of issue 18 (mod -t, sym -p/-n/-q/-m, whatis -o, struct -r/-p/-c, rd -8/-N/-a and user
 * addresses, p/FMT, p -d, search -T, vtop of a process's user address) on every x86_64 made dump
 * with crash references (Debian 11 5.10, 12 6.1 and its RT build, 13 6.12; kdump and QEMU captures),
 * compared exactly with crash 8.0.6 run on the same dump in the same run (dumps/crash-commands.txt,
 * names 110-128). The task list and current task are the ones crash saw there (its ps, the panic pid).
 *
 * <p>crash numbers its p output from gdb's value history of that one session ($4 after three earlier
 * p's): before a p the test starts a fresh history and replays, in crash's order, every earlier command
 * of crash's session that adds to it, so kdive produces the number itself.
 *
 * <p>Where crash 8.0.6 is wrong the test says so: in a kernel thread's context (the vqbug dumps'
 * kworker) crash's rd reads a user address through a NULL mm ("invalid kernel virtual address: 48
 * type: "mm_struct pgd""); kdive says the context has no user address space. crash's sym -m with a
 * name no module has prints nothing (symbols.c walks the module list and matches none), which reads
 * like "a module without symbols" and lets a typo (or a driver built into the kernel) pass unnoticed;
 * kdive says "invalid module name", with a failed status, as crash's mod does for such a name.
 */
@Order(5)
class MadeDumpsOptionsTest {
    static final List<String> NAMES = List.of("110-mod-t", "111-sym-p", "112-sym-n", "113-sym-q", "114-whatis-o", "115-struct-r-task",
            "116-struct-p-vq", "117-struct-c-neg", "118-rd-8", "119-rd-N32", "120-rd-a", "121-rd-user", "122-p-fx", "123-p-d", "124-p-ft",
            "125-search-T", "126-vtop-c1-user", "127-vtop-blocked-user", "128-sym-m-kernel");

    private static RefTasks tasks;
    private static MadeDump tasksOf;

    @TestFactory
    Stream<DynamicContainer> everyGenerationMatchesCrash() {
        return MadeSession.x86WithCrashRefs().stream().map(e -> {
            List<DynamicTest> tests = new ArrayList<>(MadeSession.refTests(e, NAMES, MadeDumpsOptionsTest::compare));
            tests.add(DynamicTest.dynamicTest("thread-size", () -> threadSizeRulesAgree(e)));
            if (reportsMissingObjectFile(e)) tests.add(DynamicTest.dynamicTest("41-mod-S", () -> modSReportsInPlace(e)));
            return DynamicContainer.dynamicContainer(e.toString(), tests);
        });
    }

    private static void compare(MadeDumps.Entry e, String name) {
        MadeDump d = e.require();
        Path ref = d.crashRefsDir().resolve(name + ".txt");
        String command = d.crashCommands().get(name);
        if (command == null) {
            // a command whose variable has no value on this dump (no vqbug module) did not run there
            assertTrue(name.equals("116-struct-p-vq") && isEmpty(d.property("module.vqbug")), d + " has no crash reference " + name
                    + ": its references predate the command list; run bash dumps/make-dumps.sh " + e);
            return;
        }
        if (!Files.isRegularFile(ref)) fail(d + " has no crash reference " + name + ": run bash dumps/make-dumps.sh " + e);
        CommandContext ctx = context(d);
        String crash = d.crashRef(name);
        if (addsToValueHistory(command)) crash = withoutBpfHistory(crash, replayValueHistory(ctx, d, name));
        String kdive = run(ctx, command);
        if (crash.contains("type: \"mm_struct pgd\"")) {
            // crash 8.0.6 reads NULL->pgd in a kernel thread's context (see the class comment)
            assertTrue(crash.startsWith("rd: invalid kernel virtual address: "), crash);
            assertEquals("rd: current context has no user address space", kdive.strip(), d + ": " + command);
            return;
        }
        if (name.equals("128-sym-m-kernel")) {
            // crash prints nothing for a name no module has (see the class comment); kdive says so
            String module = command.substring(command.lastIndexOf(' ') + 1);
            assertEquals("", crash.strip(), d + ": crash 8.0.6 printed something for " + command);
            assertTrue(!d.crashRef("42-mod-all").contains(" " + module + " "), module + " is a module in crash's mod");
            assertEquals("sym: invalid module name: " + module, kdive.strip(), d + ": " + command);
            return;
        }
        assertEquals(CrashText.layout(crash), CrashText.layout(kdive), d + " (" + d.release() + "): " + command);
    }

    /**
     * What adds to gdb's value history in crash's session: its p (gdb's print). crash's struct, union,
     * rd, eval, whatis … print through other paths (the references number only the p's: 19-p-vring-num
     * is $1 after 17/18's struct).
     */
    static boolean addsToValueHistory(String command) {
        String word = command.trim().split("\\s+")[0];
        return word.equals("p") || word.startsWith("p/");
    }

    /**
     * A fresh value history, then every command of crash's session before {@code name} that adds to it,
     * run by kdive in crash's order; each must number its value as crash did, less the values crash's
     * bpf command added out of sight. Returns that number at {@code name}.
     */
    private static int replayValueHistory(CommandContext ctx, MadeDump d, String name) {
        SessionEnv.history(ctx.session()).clear();
        int hidden = 0;
        for (Map.Entry<String, String> earlier : d.crashCommands().entrySet()) {
            if (earlier.getKey().equals(name)) return hidden;
            hidden += bpfHistoryEntries(earlier.getValue(), d.crashRef(earlier.getKey()));
            if (!addsToValueHistory(earlier.getValue())) continue;
            String out = run(ctx, earlier.getValue());
            assertEquals(historyNumber(withoutBpfHistory(d.crashRef(earlier.getKey()), hidden)), historyNumber(out),
                    d + ": replaying " + earlier.getKey() + " (" + earlier.getValue() + ") before " + name + ": " + out);
        }
        fail(d + ": " + name + " is not in crash's session (COMMANDS.tsv)");
        return hidden;
    }

    /**
     * crash's bpf asks gdb for each program's gpl_compatible with a print of its own (bpf.c,
     * bpf_prog_gpl_compatible), which adds to the session's value history: one value per
     * GPL_COMPATIBLE line it shows (16 in the bpf dumps' session before their p/x). kdive's history
     * holds the user's values only.
     */
    static int bpfHistoryEntries(String command, String crashOutput) {
        if (!command.trim().startsWith("bpf")) return 0;
        int n = 0;
        for (int at = crashOutput.indexOf("GPL_COMPATIBLE"); at >= 0; at = crashOutput.indexOf("GPL_COMPATIBLE", at + 1)) n++;
        return n;
    }

    /** crash's output with its "$N = " numbered as without the values its bpf command added. */
    private static String withoutBpfHistory(String crash, int hidden) {
        if (hidden == 0) return crash;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$(\\d+) = ").matcher(crash);
        StringBuilder sb = new StringBuilder();
        while (m.find()) m.appendReplacement(sb, java.util.regex.Matcher.quoteReplacement("$" + (Integer.parseInt(m.group(1)) - hidden) + " = "));
        m.appendTail(sb);
        return sb.toString();
    }

    /** The "$N" a p output names (crash's "jiffies = $2 = …" or "$2 = …"), or the output when it names none. */
    private static String historyNumber(String output) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$(\\d+) = ").matcher(output);
        return m.find() ? "$" + m.group(1) : output.strip();
    }

    /**
     * THREAD_SIZE (search -T's stack bounds) by each of the kernel's own rules that this kernel has:
     * the linker script's init stack bounds (__start_init_task/__end_init_task, or the _stack names
     * of newer kernels), init_stack's declared type, union thread_union; all of them must agree.
     */
    private static void threadSizeRulesAgree(MadeDumps.Entry e) {
        MadeDump d = e.require();
        var s = context(d).session();
        List<String> rules = new ArrayList<>();
        for (String[] b : new String[][] {{"__start_init_task", "__end_init_task"}, {"__start_init_stack", "__end_init_stack"}}) {
            var lo = s.symbols().byName(b[0]);
            var hi = s.symbols().byName(b[1]);
            if (!lo.isEmpty() && !hi.isEmpty()) rules.add(b[1] + " - " + b[0] + " = " + (hi.get(0).address() - lo.get(0).address()));
        }
        s.symbols().variable("init_stack").ifPresent(v -> rules.add("sizeof(init_stack) = " + v.type().resolve().size()));
        s.symbols().type("union thread_union").ifPresent(t -> rules.add("sizeof(union thread_union) = " + t.resolve().size()));
        assertTrue(rules.size() >= 2, d + ": fewer than two THREAD_SIZE rules to compare: " + rules);
        long size = SearchCommand.threadSize(s);
        for (String r : rules) assertEquals(size, Long.parseLong(r.substring(r.lastIndexOf(' ') + 1)), d + ": " + rules);
    }

    private static final Map<String, Supplier<Command>> COMMANDS = Map.of(
            "p", PrintCommand::new, "whatis", WhatisCommand::new, "sym", SymCommand::new, "mod", ModCommand::new,
            "struct", () -> new StructCommand(tasks), "rd", () -> new RdCommand(tasks), "vtop", () -> new VtopCommand(tasks),
            "search", () -> new SearchCommand(tasks));

    private static String run(CommandContext ctx, String line) {
        List<String> words = new ArrayList<>(List.of(line.trim().split("\\s+")));
        String name = words.remove(0);
        int slash = name.indexOf('/');
        if (slash > 0) {
            words.add(0, name.substring(slash));
            name = name.substring(0, slash);
        }
        try {
            return COMMANDS.get(name).get().execute(ctx, words).text();
        } catch (CommandException ex) {
            return name + ": " + ex.getMessage();
        }
    }

    /** Whether crash's mod -S on this dump reports a module without object file (a missing dump: its reference tests say so). */
    private static boolean reportsMissingObjectFile(MadeDumps.Entry e) {
        MadeDump d;
        try {
            d = e.require();
        } catch (RuntimeException | AssertionError x) {
            return false;
        }
        return Files.isRegularFile(d.crashRefsDir().resolve("41-mod-S.txt")) && d.crashRef("41-mod-S").contains("mod: cannot find or load object file for ");
    }

    /**
     * mod -S where a module has no object file in the directory (a made dump's own test module other than
     * vqbug: refs.sh puts only the guest's module debuginfo there): crash reports it in that module's place
     * instead of its row. kdive's text collected in memory keeps its error there: crash's list exactly,
     * with the directory crash was given. (itests GenerationsCommandsTest checks the same run on stderr.)
     * The modules this loads are unloaded again, so the other references see the session they expect.
     */
    private static void modSReportsInPlace(MadeDumps.Entry e) throws IOException {
        MadeDump d = e.require();
        String crashDir = d.crashCommand("41-mod-S").substring("mod -S ".length()).trim();
        Path dir = Files.createTempDirectory("kdive-mod-S");
        try (Stream<Path> s = Files.list(d.kernelModulesDebugDir())) {
            for (Path ko : s.toList()) Files.createSymbolicLink(dir.resolve(ko.getFileName()), ko.toRealPath());
        }
        CommandContext ctx = context(d);
        java.util.Set<String> before = new java.util.HashSet<>();
        ctx.session().modules().forEach(m -> before.add(m.module()));
        try {
            String kdive = run(ctx, "mod -S " + dir).replace(dir.toString(), crashDir);
            assertEquals(CrashText.layout(d.crashRef("41-mod-S")), CrashText.layout(kdive), d + ": mod -S");
        } finally {
            for (org.kdive.api.symbols.DebugInfo m : List.copyOf(ctx.session().modules())) {
                if (m.module() != null && !before.contains(m.module())) new ModCommand().execute(ctx, List.of("-d", m.module()));
            }
        }
    }

    /** The made dump's session (one at a time), vqbug's debuginfo loaded as crash had it; crash's task list of that dump. */
    private static synchronized CommandContext context(MadeDump d) {
        CommandContext ctx = MadeSession.context(d, "mod -s vqbug", c -> {
            if (!isEmpty(d.property("module.vqbug"))) new ModCommand().execute(c, List.of("-s", "vqbug", d.module("vqbug").toString()));
        });
        if (tasksOf == null || !tasksOf.dir().equals(d.dir())) {
            int pid = Integer.parseInt(vars(d).getOrDefault("PANIC_PID", "-1"));
            tasks = new RefTasks(d.crashRef("08-ps"), pid);
            tasksOf = d;
        }
        return ctx;
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }

    private static Map<String, String> vars(MadeDump d) {
        Map<String, String> v = new java.util.HashMap<>();
        try {
            for (String l : Files.readAllLines(d.file("refs/drgn-0.0.31/vars.txt"))) {
                int eq = l.indexOf('=');
                if (eq > 0) v.put(l.substring(0, eq), l.substring(eq + 1));
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return v;
    }
}
