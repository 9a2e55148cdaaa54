package org.kdive.test;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * One made dump (made/KERNEL/KIND, see dumps/README.md) with its manifest (dump.properties),
 * the facts read from its console (facts.properties) and its references (crash 8.0.6, drgn
 * 0.0.31), all from the same boot. Get one from {@link MadeDumps.Entry#require()}.
 */
public final class MadeDump {
    private final MadeDumps.Entry entry;
    private final Properties manifest;
    private Map<String, String> facts;

    MadeDump(MadeDumps.Entry entry) {
        this.entry = entry;
        this.manifest = properties(entry.dir().resolve("dump.properties"));
    }

    public MadeDumps.Entry entry() {
        return entry;
    }

    public Path dir() {
        return entry.dir();
    }

    public String kernel() {
        return entry.kernel();
    }

    public String kind() {
        return entry.kind();
    }

    /** A manifest value (dump.properties), or null. */
    public String property(String key) {
        return manifest.getProperty(key);
    }

    /** The kernel release, e.g. 6.12.117+deb13-cloud-amd64 (the one actually used, see kernel.properties). */
    public String release() {
        return property("release");
    }

    /** x86_64, aarch64, ... */
    public String arch() {
        return property("arch");
    }

    public int cpus() {
        return Integer.parseInt(property("cpus"));
    }

    /** 4 or 5 (x86 paging levels asked for, checked against the dump's VMCOREINFO when made). */
    public int paging() {
        return Integer.parseInt(property("paging"));
    }

    /** The main dump file (the first of the row's outputs). */
    public Path dump() {
        return file(property("dump"));
    }

    /** Every dump file of this boot (e.g. vmcore.proc and vmcore.kdump). */
    public List<Path> dumps() {
        List<Path> r = new ArrayList<>();
        for (String f : property("dumps").split(" ")) r.add(file(f));
        return r;
    }

    /** A file of the dump's folder; it must exist. */
    public Path file(String name) {
        Path p = dir().resolve(name);
        if (!Files.exists(p)) throw new IllegalStateException(this + ": no " + p);
        return p;
    }

    public boolean has(String name) {
        return Files.exists(dir().resolve(name));
    }

    /** The kernel's vmlinux with DWARF. */
    public Path vmlinux() {
        return file(property("vmlinux"));
    }

    /** The kernel's folder (kernels/ID: kernel.properties, vmlinuz, modules/, debug/). */
    public Path kernelDir() {
        return file(property("kernel.dir"));
    }

    /** The test module as loaded (with DWARF), e.g. module("vqbug") = vqbug.ko. */
    public Path module(String name) {
        String f = property("module." + name);
        if (f == null) throw new IllegalStateException(this + " loads no module " + name);
        return file(f);
    }

    /** The test module's separate debuginfo (objcopy --only-keep-debug of the .ko). */
    public Path moduleDebug(String name) {
        return file(property("module." + name + ".debug"));
    }

    /** The debuginfo of the kernel's own modules the guest loaded (virtio*, qemu_fw_cfg). */
    public Path kernelModulesDebugDir() {
        return kernelDir().resolve("debug");
    }

    public Path console() {
        return file(property("console"));
    }

    public String consoleText() {
        return Corpus.read(console());
    }

    /** facts.properties: panic, bug, oops, cpu, pid, comm, rip, reg.NAME, trace.N, blocked.pid, cpus. */
    public synchronized Map<String, String> facts() {
        if (facts == null) {
            Properties p = properties(file(property("facts")));
            Map<String, String> m = new LinkedHashMap<>();
            for (String k : p.stringPropertyNames()) m.put(k, p.getProperty(k));
            facts = Map.copyOf(m);
        }
        return facts;
    }

    /** One fact; it must be there. */
    public String fact(String key) {
        String v = facts().get(key);
        if (v == null) throw new IllegalStateException(this + ": no fact " + key + " in facts.properties");
        return v;
    }

    /** The panic's backtrace as the console printed it (trace.0, trace.1, ...). */
    public List<String> consoleTrace() {
        List<String> r = new ArrayList<>();
        for (int i = 0; facts().containsKey("trace." + i); i++) r.add(facts().get("trace." + i));
        return r;
    }

    /**
     * The Call Trace panic() printed after its "Kernel panic - not syncing" line (dump_stack first),
     * whole: across the IRQ stack into the interrupted task ("<IRQ> ... </IRQ> <TASK> ..."), past
     * the interrupted registers, without the "? " entries, up to "</TASK>" or the end of the panic.
     * facts.properties' trace.N is the console's first Call Trace, which is another report's when
     * one came before the panic (a soft lockup's "BUG: soft lockup" trace, an oops's). When panic()
     * printed no trace (a panic after an oops), that first trace.
     */
    public List<String> consolePanicTrace() {
        List<String> r = new ArrayList<>();
        boolean afterPanic = false;
        boolean inside = false;
        for (String raw : consoleText().replace("\r", "").split("\n")) {
            String l = raw.replaceFirst("^\\[\\s*\\d+\\.\\d+\\] ", "").strip();
            if (!afterPanic) {
                afterPanic = l.startsWith("Kernel panic - not syncing");
                continue;
            }
            if (l.startsWith("---[ end") || l.startsWith("Kernel Offset:") || l.startsWith("Linux version ")) break;
            if (l.equals("Call Trace:")) {
                inside = true;
                continue;
            }
            if (!inside) continue;
            if (l.equals("</TASK>")) break;
            if (l.matches("^[\\w.]+\\+0x[0-9a-f]+/0x[0-9a-f]+.*")) r.add(l);
        }
        return r.isEmpty() ? consoleTrace() : r;
    }

    public boolean hasCrashRefs() {
        return property("refs.crash") != null;
    }

    public Path crashRefsDir() {
        String d = property("refs.crash");
        if (d == null) throw new IllegalStateException(this + " has no crash references (refs column of dumps.list)");
        return file(d);
    }

    /** crash-commands.txt's NAME → the command as run on this dump (COMMANDS.tsv; addresses filled in). */
    public Map<String, String> crashCommands() {
        Map<String, String> r = new LinkedHashMap<>();
        for (String line : Corpus.read(crashRefsDir().resolve("COMMANDS.tsv")).split("\n")) {
            if (line.isBlank()) continue;
            String[] c = line.split("\t", 2);
            r.put(c[0], c[1]);
        }
        return r;
    }

    /** The command of a crash reference, e.g. crashCommand("35-bt-blocked") = "bt 88". */
    public String crashCommand(String name) {
        String c = crashCommands().get(name);
        if (c == null) throw new IllegalStateException(this + ": crash did not run " + name + " here");
        return c;
    }

    /** A crash 8.0.6 reference output without its "crash> CMD" line, e.g. crashRef("04-sys"). */
    public String crashRef(String name) {
        String text = Corpus.read(crashRefsDir().resolve(name + ".txt"));
        int nl = text.indexOf('\n');
        return nl < 0 ? "" : text.substring(nl + 1);
    }

    public boolean hasDrgnRefs() {
        return property("refs.drgn") != null;
    }

    public Path drgnRefsDir() {
        String d = property("refs.drgn");
        if (d == null) throw new IllegalStateException(this + " has no drgn references (refs column of dumps.list)");
        return file(d);
    }

    /** A drgn 0.0.31 reference, e.g. drgnRef("ps") = refs/drgn-0.0.31/ps.txt. */
    public String drgnRef(String name) {
        return Corpus.read(drgnRefsDir().resolve(name + ".txt"));
    }

    @Override
    public String toString() {
        return entry + " (" + release() + ")";
    }

    private static Properties properties(Path p) {
        Properties props = new Properties();
        try {
            props.load(new StringReader(Files.readString(p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return props;
    }
}
