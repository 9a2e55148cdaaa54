package org.kdive.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.kdive.test.Corpus;

/**
 * docs/json.md: {@code --json} and {@code json CMD} print one document per line in one envelope,
 * every command's output validates against docs/kdive-output.schema.json, values are typed, and
 * errors are JSON documents with a stable code. Runs the real distribution on the corpus dump.
 */
class JsonContractTest {
    private static final Path SCHEMA = Path.of(System.getProperty("kdive.docs", "../docs")).resolve("kdive-output.schema.json");

    /** At least one invocation of every command the default distribution has (checked against `help`). */
    private static List<String> invocations() {
        String dump = Corpus.file("vmcore.kdump-zlib").toString();
        return List.of("autopsy", "bt", "bt -a", "bt -f -l", "debuginfo", "dis vqb_virtqueue_add 5", "dis -l vqb_virtqueue_add 3",
                "dumpinfo", "files 1", "foreach bt", "foreach ps", "help", "help bt", "json sys", "kmem -i", "kmem -s",
                "kmem -S kmalloc-8k", "list task_struct.tasks -h init_task", "log", "mod", "mount", "p jiffies",
                "p init_task.comm", "plugins", "ps", "ptov 100000", "rd jiffies 4", "rd -p 1000 2", "runq",
                "search -p -s 3b0d000 -l 4096 -c vqbug", "set", "set 1", "struct task_struct.comm,pid init_task",
                "struct list_head", "sym jiffies", "sys", "task -R comm,pid 1", "tree -t xarray irq_desc_tree",
                "triage " + dump, "union rcu_special", "vtop ffffffffbe41aa40", "whatis jiffies",
                "ascii 62696c2f7273752f", "bpf", "btop 100000", "dev", "eval 1+2", "fuser /", "ipcs", "irq", "irq -d", "mach", "net",
                "pte 8000000001e3a067", "ptob 100", "sig 1", "swap", "timer", "vm 1", "waitq jiffies", "alias", "repeat -c 2 p jiffies",
                // errors are documents too
                "sym NO_SUCH_SYMBOL", "btt", "rd -63 jiffies", "struct no_such_struct", "close", "sys", "open " + dump + " " + Corpus.vmlinux());
    }

    @Test
    void everyCommandPrintsSchemaValidDocumentsOnePerLine() throws Exception {
        Map<?, ?> schema = (Map<?, ?>) JsonCheck.parse(Files.readString(SCHEMA));
        Set<String> commands = commandNames();
        Set<String> covered = new LinkedHashSet<>();
        for (String i : invocations()) covered.add(i.split(" ")[0]);
        Set<String> missing = new LinkedHashSet<>(commands);
        missing.removeAll(covered);
        assertEquals(Set.of(), missing, "commands without an invocation in this test: add one");

        Kdive.Run r = Kdive.run(Kdive.distro(), List.of(), "--json", "--no-fetch", Corpus.file("vmcore.kdump-zlib").toString(),
                Corpus.vmlinux().toString(), "-c", String.join("; ", invocations()));
        assertEquals(1, r.status(), "the batch has failing commands: " + r.err());
        Map<String, String> problems = new java.util.TreeMap<>(); // the first problem of each command
        Set<String> seen = new LinkedHashSet<>();
        int lines = 0;
        for (String line : r.out().split("\n")) {
            if (line.isEmpty()) continue;
            lines++;
            Object doc;
            try {
                doc = JsonCheck.parse(line);
            } catch (IllegalArgumentException e) {
                problems.putIfAbsent(abbreviate(line), "not JSON: " + e.getMessage());
                continue;
            }
            List<String> p = JsonCheck.validate(doc, schema, schema);
            if (!p.isEmpty()) problems.putIfAbsent(String.valueOf(((Map<?, ?>) doc).get("command")), abbreviate(line) + "\n    " + innermost(p));
            if (doc instanceof Map<?, ?> m && (m.containsKey("result") || m.containsKey("error"))) seen.add((String) m.get("command"));
        }
        assertEquals(Map.of(), problems, "documents that do not follow docs/kdive-output.schema.json");
        assertTrue(lines > invocations().size(), "one document per line: " + lines);
        for (String i : invocations()) {
            if (i.startsWith("json ")) continue; // its document names the inner command
            assertTrue(seen.contains(i), "no result or error document for: " + i);
        }
    }

    @Test
    void jsonCommandAndJsonOptionPrintTheSame() throws Exception {
        String dump = Corpus.file("vmcore.kdump-zlib").toString();
        String vmlinux = Corpus.vmlinux().toString();
        Kdive.Run option = Kdive.run(Kdive.distro(), "--json", dump, vmlinux, "-c", "sys; bt; sym jiffies; btt");
        Kdive.Run prefix = Kdive.run(Kdive.distro(), dump, vmlinux, "-c", "json sys; json bt; json sym jiffies; json btt");
        assertEquals(option.out(), prefix.out());
        assertEquals(5, option.out().lines().count(), option.out()); // sys, bt's record and result, sym, the error
    }

    @Test
    void valuesAreTypedAndBacktracesNameTheirFunctions() throws Exception {
        Kdive.Run r = Kdive.run(Kdive.distro(), "--json", Corpus.file("vmcore.kdump-zlib").toString(), Corpus.vmlinux().toString(),
                "-c", "sys; bt | grep vqb");
        List<String> lines = r.out().lines().toList();
        Map<?, ?> sys = (Map<?, ?>) ((Map<?, ?>) JsonCheck.parse(lines.get(0))).get("result");
        // crash 8.0.6 (8.0.2 counted 3 tasks on this dump)
        String ref = Files.readString(Corpus.file("refs/crash-8.0.6/01-sys-nomods.txt"));
        assertEquals(new BigDecimal(field(ref, "CPUS")), sys.get("cpus"));
        assertEquals(new BigDecimal(field(ref, "TASKS")), sys.get("tasks"));
        assertEquals(Boolean.TRUE, sys.get("tainted"));
        String panic = field(ref, "PANIC");
        assertEquals(panic.substring(1, panic.length() - 1), sys.get("panic"), "unquoted");
        assertTrue(((String) sys.get("date")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), sys.toString());
        // crash prints the exception frame's RIP as "[exception RIP: vqb_virtqueue_add+77]"
        String bt = Files.readString(Corpus.file("refs/crash-8.0.6/02-bt.txt"));
        String rip = bt.substring(bt.indexOf("[exception RIP: ") + 16, bt.indexOf(']', bt.indexOf("[exception RIP: ")));
        assertEquals(1, lines.size() - 1, "bt | grep vqb finds the panic task's record: " + r.out());
        Map<?, ?> record = (Map<?, ?>) ((Map<?, ?>) JsonCheck.parse(lines.get(1))).get("record");
        Map<?, ?> exception = null;
        for (Object f : (List<?>) record.get("frames")) {
            if (((Map<?, ?>) f).get("exception") instanceof Map<?, ?> e) exception = e;
        }
        assertTrue(exception != null, record.toString());
        assertEquals(rip, exception.get("function") + "+" + exception.get("offset"));
        assertEquals("vqbug", exception.get("module"));
        Map<?, ?> regs = (Map<?, ?>) exception.get("registers");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\n\\s+RIP: ([0-9a-f]+)").matcher(bt);
        assertTrue(m.find(), bt);
        String ripValue = m.group(1);
        assertEquals(new BigDecimal(new java.math.BigInteger(ripValue, 16)), regs.get("rip"));
        assertEquals("0x" + ripValue.replaceFirst("^0+", ""), exception.get("address"));
    }

    @Test
    void errorsAreDocumentsWithStableCodes() throws Exception {
        Kdive.Run r = Kdive.run(Kdive.distro(), "--json", Corpus.file("vmcore.kdump-zlib").toString(), Corpus.vmlinux().toString(),
                "-c", "btt; sym NO_SUCH_SYMBOL; rd -63 jiffies; p \"unbalanced");
        List<String> codes = new ArrayList<>();
        for (String line : r.out().lines().toList()) {
            Map<?, ?> doc = (Map<?, ?>) JsonCheck.parse(line);
            codes.add((String) ((Map<?, ?>) doc.get("error")).get("code"));
        }
        assertEquals(List.of("syntax"), codes, "an unbalanced quote refuses the whole line: " + r.out());
        r = Kdive.run(Kdive.distro(), "--json", Corpus.file("vmcore.kdump-zlib").toString(), Corpus.vmlinux().toString(),
                "-c", "btt; sym NO_SUCH_SYMBOL; rd -63 jiffies");
        codes.clear();
        for (String line : r.out().lines().toList()) {
            if (((Map<?, ?>) JsonCheck.parse(line)).get("error") instanceof Map<?, ?> e) codes.add((String) e.get("code"));
        }
        assertEquals(List.of("unknown-command", "not-found", "usage"), codes, r.out());
        assertTrue(r.err().contains("did you mean bt?"), r.err());
        assertTrue(r.err().contains("did you mean -64?"), r.err());
        assertEquals(1, r.status());
    }

    private static Set<String> commandNames() throws Exception {
        Kdive.Run help = Kdive.run(Kdive.distro(), "--json", "-c", "help");
        Map<?, ?> doc = (Map<?, ?>) JsonCheck.parse(help.out().lines().findFirst().orElseThrow());
        Set<String> names = new LinkedHashSet<>();
        for (Object row : (List<?>) doc.get("result")) names.add((String) ((Map<?, ?>) row).get("command"));
        return names;
    }

    static String field(String crashSys, String name) {
        for (String l : crashSys.split("\n")) {
            String t = l.strip();
            if (t.startsWith(name + ":")) return t.substring(name.length() + 1).strip();
        }
        throw new AssertionError(name + " not in " + crashSys);
    }

    /** The deepest complaint (JsonCheck nests those of anyOf branches): what to fix. */
    private static String innermost(List<String> problems) {
        String all = String.join(" ", problems);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\$[^:\\[\\]]*: \"[^\"]*\" does not match [^\\]]*)").matcher(all);
        return m.find() ? m.group(1) : abbreviate(all);
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
