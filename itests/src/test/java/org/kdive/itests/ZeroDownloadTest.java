package org.kdive.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.kdive.test.Corpus;

/**
 * Zero-download analysis (issue 17): every command of the list, run by the real distribution
 * on each dump with its vmlinux and without (`--no-fetch`, types from the dump's BTF, symbols from
 * kallsyms, stacks from ORC), prints the same, except the differences listed in {@link #ALLOWED},
 * each with its reason. Addresses the commands take (the panic task, its RIP and RSP) come from
 * the run with the vmlinux, so the test holds for any boot.
 *
 * <p>Dumps: the four corpus files, and the made vqbug dumps of other kernels found in the corpus
 * cache (`made/KERNEL/vqbug-kdump/dump.properties`; read directly until the test-support API
 * MadeDumps lands). Linux 5.10 has BTF but no kallsyms in VMCOREINFO: without a vmlinux it must say
 * why symbols are unavailable.
 */
class ZeroDownloadTest {
    private static final String SEP = "__KDIVE_CMD_";

    /** Commands of the list; TASK, RIP, RSP are the panic task's, from the vmlinux run. */
    private static final List<String> COMMANDS = List.of(
            "sys", "bt", "bt -a", "bt -f", "ps", "task", "log", "mod",
            "sym schedule", "sym RIP", "sym runqueues",
            "struct list_head", "struct -o task_struct", "union -o thread_union", "whatis task_struct", "whatis schedule",
            "struct virtio_blk", "struct vqb_vring_virtqueue",
            "p runqueues", "p *(struct task_struct *)TASK", "struct task_struct.pid,comm,__state TASK",
            "p ((struct task_struct *)TASK)->comm", "p (unsigned long)jiffies",
            "rd -s RSP 16", "rd jiffies",
            "list task_struct.tasks -s task_struct.pid,comm -h init_task",
            "dis -r RIP", "kmem -i", "kmem -s", "runq", "files", "mount", "foreach bt",
            "p jiffies", "autopsy");

    /** A difference the vmlinux adds or BTF cannot have: the command, what to mask in both outputs, why. */
    private record Allowed(String command, Pattern mask, String reason) { }

    private static final List<Allowed> ALLOWED = List.of(
            new Allowed("sys", Pattern.compile("(?m)^      KERNEL: .*$"), "no vmlinux file to name"),
            new Allowed("sym schedule", Pattern.compile("(?m) \\S+\\.[chS]: \\d+$"), "source lines: BTF has no line table"),
            new Allowed("p jiffies", Pattern.compile("(?s).*"),
                    "BTF types per-CPU variables only: jiffies has no type, kdive says so and takes a cast (p (unsigned long)jiffies)"),
            new Allowed("struct virtio_blk", Pattern.compile("(?s).*"),
                    "module type: with a vmlinux but without the module's .ko debuginfo kdive has no such type; without a vmlinux the module's BTF has it"));

    record Dump(String name, Path file, Path vmlinux, boolean kallsymsInVmcoreinfo) { }

    static List<Dump> dumps() {
        List<Dump> out = new ArrayList<>();
        for (String f : List.of("vmcore.kdump-zlib", "vmcore.kdump-lzo", "vmcore.flat", "vmcore.elf-d31")) {
            out.add(new Dump("corpus " + f, Corpus.file(f), Corpus.vmlinux(), true));
        }
        Path made = Corpus.dir().getParent().resolve("made");
        if (Files.isDirectory(made)) {
            try (Stream<Path> kernels = Files.list(made)) {
                for (Path k : kernels.sorted().toList()) {
                    Path props = k.resolve("vqbug-kdump/dump.properties");
                    if (!Files.isRegularFile(props) || k.getFileName().toString().contains("arm64")) continue;
                    Properties p = new Properties();
                    try (InputStream in = Files.newInputStream(props)) {
                        p.load(in);
                    }
                    Path dir = props.getParent();
                    Path dump = dir.resolve(p.getProperty("dump"));
                    Path vmlinux = dir.resolve(p.getProperty("vmlinux")).normalize();
                    if (!Files.isRegularFile(dump) || !Files.isRegularFile(vmlinux)) continue;
                    boolean newKernel = !p.getProperty("release", "").startsWith("5.");
                    out.add(new Dump("made " + k.getFileName() + "/vqbug-kdump", dump, vmlinux, newKernel));
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        System.out.println("ZeroDownloadTest dumps: " + out.stream().map(Dump::name).toList());
        return out;
    }

    @TestFactory
    Stream<DynamicTest> sameOutputWithAndWithoutVmlinux() {
        return dumps().stream().map(d -> DynamicTest.dynamicTest(d.name(), () -> compare(d)));
    }

    private static void compare(Dump d) throws Exception {
        Path home = Kdive.distro();
        if (!d.kallsymsInVmcoreinfo()) {
            String out = run(home, List.of("--no-fetch", d.file().toString(), "-c", "sys; bt"), emptyCache());
            assertTrue(out.contains("VMCOREINFO has no kallsyms_* entries (they appear in Linux 6.0)"), out);
            assertTrue(out.contains("no vmlinux debuginfo"), out);
            return;
        }
        String probe = run(home, List.of("--no-fetch", d.file().toString(), d.vmlinux().toString(), "-c", "bt"));
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("TASK", "0x" + find(probe, "TASK: ([0-9a-f]+)"));
        vars.put("RIP", find(probe, "RIP: ([0-9a-f]+)"));
        vars.put("RSP", find(probe, "RSP: ([0-9a-f]+)"));
        List<String> cmds = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < COMMANDS.size(); i++) {
            String c = COMMANDS.get(i);
            for (Map.Entry<String, String> v : vars.entrySet()) c = c.replace(v.getKey(), v.getValue());
            cmds.add(c);
            line.append(SEP).append(i).append("__; ").append(c).append("; ");
        }
        line.append(SEP).append("END__");
        String with = run(home, List.of("--no-fetch", d.file().toString(), d.vmlinux().toString(), "-c", line.toString()));
        // in a cache of its own: an earlier run (any test, any user session) may have left this kernel's
        // vmlinux in the default cache, and kdive would rightly open the dump with it
        String without = run(home, List.of("--no-fetch", d.file().toString(), "-c", line.toString()), emptyCache());
        List<String> a = split(with, cmds.size()), b = split(without, cmds.size());
        assertTrue(b.get(0).contains("no vmlinux: types from the dump's BTF"), "the opening line:\n" + b.get(0));
        List<String> failures = new ArrayList<>();
        StringBuilder report = new StringBuilder(d.name()).append(":\n");
        for (int i = 0; i < cmds.size(); i++) {
            String x = a.get(i + 1), y = b.get(i + 1), cmd = COMMANDS.get(i);
            Allowed allowed = ALLOWED.stream().filter(al -> al.command().equals(cmd)).findFirst().orElse(null);
            if (cmd.equals("p jiffies")) {
                assertEquals("p: 'jiffies' has unknown type; cast it to its declared type\n", y, d.name());
            }
            if (x.equals(y)) {
                report.append(String.format("  %-60s identical (%d lines)%n", cmd, x.split("\n", -1).length - 1));
                continue;
            }
            if (allowed != null && allowed.mask().matcher(x).replaceAll("").equals(allowed.mask().matcher(y).replaceAll(""))) {
                report.append(String.format("  %-60s differs as allowed: %s%n", cmd, allowed.reason()));
                continue;
            }
            failures.add(cmd + ":\n" + firstDifference(x, y));
        }
        System.out.print(report);
        assertTrue(failures.isEmpty(), d.name() + ": " + failures.size() + " commands differ:\n" + String.join("\n", failures));
    }

    /** Output before the first command, then each command's (the separators are unknown commands). */
    private static List<String> split(String out, int n) {
        List<String> parts = new ArrayList<>();
        Pattern sep = Pattern.compile("(?m)^kdive: " + SEP + "(\\d+|END)__: command not found \\(try: help\\)\n");
        Matcher m = sep.matcher(out);
        int last = 0;
        while (m.find()) {
            parts.add(out.substring(last, m.start()));
            last = m.end();
        }
        parts.add(out.substring(last));
        assertEquals(n + 2, parts.size(), "separators in:\n" + out);
        return parts;
    }

    private static String firstDifference(String x, String y) {
        String[] a = x.split("\n", -1), b = y.split("\n", -1);
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String p = i < a.length ? a[i] : "<end>", q = i < b.length ? b[i] : "<end>";
            if (!p.equals(q)) return "  line " + (i + 1) + "\n  with vmlinux: " + p + "\n  without:      " + q;
        }
        return "  (same lines)";
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " in:\n" + text);
        return m.group(1);
    }

    /** bin/kdive with stdout and stderr in one stream, in the order written (each command's output is flushed). */
    private static String run(Path home, List<String> args) throws IOException, InterruptedException {
        return run(home, args, null);
    }

    /** A cache directory no run has put a vmlinux into (this class's own). */
    @org.junit.jupiter.api.io.TempDir
    static Path emptyCache;

    private static Path emptyCache() {
        return emptyCache;
    }

    private static String run(Path home, List<String> args, Path cache) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(home.toAbsolutePath().resolve("bin/kdive").toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("KDIVE_SERVER", "off");
        pb.environment().put("TZ", "UTC");
        if (cache != null) pb.environment().put("KDIVE_CACHE", cache.toString());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread t = Kdive.pump(p.getInputStream(), out);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("kdive did not finish in 300 s: " + cmd);
        }
        t.join();
        return out.toString(StandardCharsets.UTF_8);
    }
}
