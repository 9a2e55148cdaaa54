package org.kdive.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kdive.api.session.Session;
import org.kdive.test.session.CorpusSession;

/**
 * help -n/-D/-r/-k/-K/-m/-t/-v (issue 18) on the corpus dump against crash 8.0.6's (src/test/resources/refs):
 * crash dumps its own tables, pointers into its own memory and flags included, which kdive does not
 * have; what kdive prints with crash's name must have crash's value, line for line.
 */
class HelpTablesTest {
    private static String crash(String name) throws IOException {
        String ref = Files.readString(Path.of("src/test/resources/refs/crash-8.0.6/" + name + ".txt"));
        return ref.substring(ref.indexOf('\n') + 1);
    }

    private static String kdive(String option) {
        Session s = CorpusSession.get();
        return HelpTables.table(s, option).text();
    }

    /** The VMCOREINFO crash prints in help -n, every line, in order. */
    @Test
    void dumpHeaderHasCrashsVmcoreinfo() throws IOException {
        List<String> crash = new ArrayList<>();
        boolean in = false;
        for (String l : crash("help_-n").split("\n")) {
            if (l.contains("size_vmcoreinfo:")) {
                in = true;
                continue;
            }
            if (in && !l.startsWith(" ".repeat(22))) break;
            if (in) crash.add(l.strip());
        }
        assertTrue(crash.size() > 50 && crash.get(0).startsWith("OSRELEASE="), crash.toString());
        String k = kdive("-n");
        List<String> mine = new ArrayList<>();
        for (String l : k.split("\n")) if (l.startsWith(" ".repeat(22))) mine.add(l.strip());
        assertEquals(crash, mine);
        assertTrue(k.contains("num_prstatus_notes: 2\n"), k);
        assertTrue(k.contains("      machine: x86_64\n") || k.contains("machine: x86_64\n"), k);
        assertEquals(kdive("-n"), kdive("-D"));
    }

    /**
     * Each CPU's registers as crash's help -r prints them; kdive's last line also has ORIG_RAX (as bt's
     * exception frames do), before crash's "CS: 0010  SS: 0018".
     */
    @Test
    void registersPerCpu() throws IOException {
        String[] crash = crash("help_-r").split("\n");
        String[] mine = kdive("-r").split("\n");
        assertEquals(crash.length, mine.length);
        for (int i = 0; i < crash.length; i++) {
            if (crash[i].strip().startsWith("CS:")) {
                assertTrue(mine[i].strip().startsWith("ORIG_RAX: ") && mine[i].endsWith(crash[i].strip()), mine[i]);
            } else {
                assertEquals(crash[i].stripTrailing(), mine[i].stripTrailing());
            }
        }
    }

    /** help -k: the text and init ranges, the end and the CPUs, each as crash's line. */
    @Test
    void kernelTable() throws IOException {
        String crash = crash("help_-k");
        String mine = kdive("-k");
        for (String name : List.of("stext", "etext", "stext_init", "etext_init", "init_begin", "init_end", "end", "cpus")) {
            String want = crash.lines().filter(l -> l.strip().startsWith(name + ":")).findFirst().orElseThrow();
            assertTrue(mine.contains(want + "\n"), want + " in\n" + mine);
        }
        assertTrue(mine.contains("release: 6.1.0-50-cloud-amd64\n"), mine);
    }

    @Test
    void machineTable() throws IOException {
        String crash = crash("help_-m");
        String mine = kdive("-m");
        // crash's kvbase is PAGE_OFFSET; kdive's kernel_base is the lowest kernel address (the start of the kernel half)
        for (String name : List.of("identity_map_base", "pagesize", "pageshift", "pagemask", "pageoffset", "bits")) {
            String want = crash.lines().filter(l -> l.strip().startsWith(name + ":")).findFirst().orElseThrow().strip();
            assertTrue(mine.lines().anyMatch(l -> l.strip().equals(want)), want + " in\n" + mine);
        }
    }

    private static String kdive(String option, org.kdive.api.kernel.KernelTasks tasks) {
        return HelpTables.table(CorpusSession.get(), tasks, option).text();
    }

    /** crash's "name: value" line for name, stripped. */
    private static String crashLine(String crash, String name) {
        return crash.lines().filter(l -> l.strip().startsWith(name + ":")).findFirst().orElseThrow(() -> new AssertionError(name)).strip();
    }

    /** The addresses crash lists under name (one per CPU first, then its zeroes up to NR_CPUS). */
    private static List<String> crashPerCpu(String crash, String name, int cpus) {
        String after = crash.substring(crash.indexOf(name + ":") + name.length() + 1);
        return java.util.Arrays.stream(after.strip().split("\\s+")).limit(cpus).toList();
    }

    /**
     * help -t: crash dumps its own task table (its pointers, its flags); kdive prints what a user
     * reads it for. Every line kdive prints with crash's name has crash's value: the current task's
     * pid, comm, task and CPU, nr_threads (tasks without the idle ones), running_tasks (all),
     * panic_processor, panic_task and each CPU's idle and active task.
     */
    @Test
    void taskFactsHaveCrashsValues() throws IOException {
        String crash = crash("help_-t");
        String mine = kdive("-t", new org.kdive.cmd.kernel.tasks.KernelTasksService());
        for (String name : List.of(".pid", ".comm", ".task", ".processor", "nr_threads", "running_tasks", "panic_processor", "panic_task")) {
            String want = crashLine(crash, name);
            assertTrue(mine.lines().anyMatch(l -> l.strip().equals(want)), want + " in\n" + mine);
        }
        for (String name : List.of("idle_threads", "active_set")) {
            assertEquals(crashPerCpu(crash, name, 2), crashPerCpu(mine, name, 2), name);
        }
        assertTrue(mine.contains("user_tasks: ") && mine.contains("states: "), mine);
        Map<?, ?> d = (Map<?, ?>) HelpTables.table(CorpusSession.get(), new org.kdive.cmd.kernel.tasks.KernelTasksService(), "-t").data();
        assertEquals(56, d.get("running_tasks"));
        assertEquals(1, d.get("panic_processor"));
    }

    /** Without the task list (no cmd-kernel bundle) help -t says so in one line. */
    @Test
    void taskFactsWithoutTheTaskListSaySo() {
        String t = kdive("-t", null);
        assertEquals(1, t.lines().count(), t);
        assertEquals(false, ((Map<?, ?>) HelpTables.table(CorpusSession.get(), null, "-t").data()).get("available"));
    }

    /**
     * help -v: crash dumps its vm_table; kdive prints the memory facts a user reads it for, each with
     * crash's value: high_memory, vmalloc_start, total_pages, totalram_pages, numnodes, nr_zones,
     * nr_free_areas and node 0's id, pgdat, size, present pages and first pfn (crash's start_mapnr).
     */
    @Test
    void vmFactsHaveCrashsValues() throws IOException {
        String crash = crash("help_-v");
        String mine = kdive("-v");
        for (String name : List.of("high_memory", "vmalloc_start", "total_pages", "totalram_pages", "numnodes", "nr_zones",
                "nr_free_areas", "node_table[0]", "id", "pgdat", "size", "present", "start_mapnr")) {
            String want = crashLine(crash, name);
            assertTrue(mine.lines().anyMatch(l -> l.strip().equals(want)), want + " in\n" + mine);
        }
        Map<?, ?> d = (Map<?, ?>) HelpTables.table(CorpusSession.get(), "-v").data();
        assertEquals(183298L, d.get("totalram_pages"));
    }

    /** The VMCOREINFO lines of a help -n/-D text (indented 22 columns after size_vmcoreinfo). */
    private static List<String> vmcoreinfo(String text) {
        String after = text.substring(text.indexOf("size_vmcoreinfo:"));
        return after.lines().skip(1).takeWhile(l -> l.startsWith(" ".repeat(22))).toList();
    }

    /** help -D and -K are crash's -n and -k with more of crash's own state; kdive's are the same tables. */
    @Test
    void upperCaseTablesAreTheLowerCaseOnes() throws IOException {
        String d = crash("help_-D");
        String n = crash("help_-n");
        assertEquals(vmcoreinfo(n), vmcoreinfo(d));
        String mine = kdive("-K");
        assertEquals(kdive("-k"), mine);
        for (String name : List.of("stext", "etext", "end", "cpus")) {
            assertTrue(mine.contains(crashLine(crash("help_-K"), name)), name);
        }
    }

    /** alias with no argument: crash's built-in aliases in crash's order and layout. */
    @Test
    void builtinAliasesAsCrashListsThem() throws IOException {
        AliasCommand a = new AliasCommand(null, null);
        a.builtins();
        assertEquals(crash("alias").lines().map(String::stripTrailing).toList(),
                listing(a).lines().map(String::stripTrailing).toList());
    }

    private static String listing(AliasCommand a) {
        return a.execute(CorpusSession.context(), List.of()).text();
    }
}
