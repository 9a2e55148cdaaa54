package org.kdive.cmd.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.kdive.api.command.CommandContext;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.test.CrashText;
import org.kdive.test.MadeDump;
import org.kdive.test.MadeDumps;
import org.kdive.test.session.MadeSession;

/**
 * runq and kmem -s on the "busy" made dumps (dumps/busy.c via guest-init.sh's trigger busy; Debian 11
 * 5.10, 12 6.1 and its RT build, 13 6.12): CPU burners queued in nested cgroup2 CPU groups a/b,
 * a/c and a sibling d on every CPU, and on the last CPU a SCHED_FIFO 10 task running with two
 * SCHED_RR 5 and a SCHED_FIFO 2 queued behind it (RT throttling off; on PREEMPT_RT two SCHED_RR 1
 * sharing the CPU with the kernel's ktimers and rcuc threads). Compared exactly with crash
 * 8.0.6 run on the same dump in the same run (dumps/crash-commands.txt: 31, 222-225, 400, 30), then
 * checked against what the guest said it started (the console's kdive-busy-tasks line) and drgn's
 * task list, so that a match with crash is a match with the truth.
 */
class MadeDumpsBusyTest {
    static final List<String> NAMES = List.of("31-runq", "225-runq-g", "400-runq-t", "224-runq-m", "222-runq-d", "223-runq-T", "30-kmem-s");

    @TestFactory
    Stream<DynamicContainer> busyDumpsMatchCrashAndTheGuest() {
        return MadeDumps.ofKind("busy").stream().map(e -> {
            List<DynamicTest> tests = new ArrayList<>(MadeSession.refTests(e, NAMES, MadeDumpsBusyTest::compare));
            tests.add(DynamicTest.dynamicTest("runq holds the guest's burners", () -> queuesHoldTheBurners(e.require())));
            tests.add(DynamicTest.dynamicTest("runq -g nests the groups, without RT tasks", () -> groupsNest(e.require())));
            tests.add(DynamicTest.dynamicTest("kmem -s lists slab_caches only", () -> mergedCachesAreNotListed(e.require())));
            return DynamicContainer.dynamicContainer(e.toString(), tests);
        });
    }

    private static void compare(MadeDumps.Entry e, String name) {
        MadeDump d = e.require();
        String command = MadeSession.crashCommand(d, name);
        assertEquals(CrashText.layout(d.crashRef(name)), CrashText.layout(Cmds.run(MadeDumpsOptionsTest.context(d), command)),
                d + " (" + d.release() + "): " + command);
    }

    private static final Pattern TASKS = Pattern.compile("(?m)^kdive-busy-tasks:(.*)$");
    private static final Pattern QUEUED = Pattern.compile("^\\s+\\[\\s*(\\d+)\\] PID: (\\d+)\\s+TASK: [0-9a-f]+\\s+COMMAND: \"([^\"]+)\"");

    /** pid → comm of the tasks the guest started (cfs-GN: group G, CPU N; rt-*; sockets; nc). */
    static Map<Integer, String> guestTasks(MadeDump d) {
        Matcher m = TASKS.matcher(d.consoleText().replace("\r", ""));
        assertTrue(m.find(), d + ": the console has no kdive-busy-tasks line");
        Map<Integer, String> out = new LinkedHashMap<>();
        for (String pc : m.group(1).trim().split("\\s+")) {
            String[] f = pc.split(":", 2);
            out.put(Integer.parseInt(f[0]), f[1]);
        }
        return out;
    }

    /**
     * Every burner is on the run queue of the CPU it pinned itself to (its name's digit; RT ones on
     * the last CPU) as current or queued, RT ones at prio 99 - rt_priority, and drgn 0.0.31 (another
     * reader of the same dump) puts each on that CPU, runnable.
     */
    private static void queuesHoldTheBurners(MadeDump d) {
        String runq = Cmds.run(MadeDumpsOptionsTest.context(d), "runq");
        int last = d.cpus() - 1;
        Map<Integer, Integer> cpuOf = new LinkedHashMap<>();
        Map<Integer, Integer> prioOf = new LinkedHashMap<>();
        int cpu = -1;
        for (String line : runq.split("\n")) {
            Matcher c = Pattern.compile("^CPU (\\d+) RUNQUEUE").matcher(line);
            if (c.find()) cpu = Integer.parseInt(c.group(1));
            Matcher cur = Pattern.compile("^  CURRENT: PID: (\\d+) ").matcher(line);
            if (cur.find()) cpuOf.put(Integer.parseInt(cur.group(1)), cpu);
            Matcher q = QUEUED.matcher(line);
            if (q.find()) {
                cpuOf.put(Integer.parseInt(q.group(2)), cpu);
                prioOf.putIfAbsent(Integer.parseInt(q.group(2)), Integer.parseInt(q.group(1)));
            }
        }
        Map<Integer, String[]> drgn = new LinkedHashMap<>();
        for (String l : d.drgnRef("ps").split("\n")) {
            String[] f = l.trim().split("\\s+");
            if (f.length >= 6 && f[0].matches("\\d+")) drgn.put(Integer.parseInt(f[0]), f);
        }
        int cfs = 0;
        int rt = 0;
        for (Map.Entry<Integer, String> t : guestTasks(d).entrySet()) {
            String comm = t.getValue();
            if (!comm.startsWith("cfs-") && !comm.startsWith("rt-")) continue;
            if (comm.startsWith("rt-")) rt++;
            else cfs++;
            int want = comm.startsWith("rt-") ? last : comm.charAt(comm.length() - 1) - '0';
            assertEquals(want, cpuOf.getOrDefault(t.getKey(), -1), d + ": kdive's runq: " + comm + " (pid " + t.getKey() + ")\n" + runq);
            String[] p = drgn.get(t.getKey());
            assertTrue(p != null && p[2].equals(String.valueOf(want)) && p[4].equals("R"),
                    d + ": drgn's ps.txt: " + comm + " " + (p == null ? "missing" : String.join(" ", p)));
            if (comm.startsWith("rt-")) {
                int rtPriority = Integer.parseInt(comm.replaceAll("^rt-(fifo|rr)(\\d+)\\w*$", "$2"));
                assertEquals(99 - rtPriority, prioOf.get(t.getKey()), d + ": " + comm + "'s prio in the RT array");
            }
        }
        assertEquals(1 + 3 * last, cfs, d + ": the guest's CFS burners: " + guestTasks(d));
        assertTrue(rt >= 2, d + ": the guest's RT tasks: " + guestTasks(d));
    }

    /**
     * runq -g puts cfs-abN under TASK_GROUP <a> then <b>, cfs-acN under <a> then <c>, cfs-dN under
     * <d> (one level). No RT task appears: these kernels have no CONFIG_RT_GROUP_SCHED (task_group
     * has no rt_rq), and then crash prints no RT section at all in -g (its RT tasks are only in plain
     * runq), which kdive follows: checked that task_group indeed has no rt_rq and that plain runq
     * lists the RT tasks -g leaves out.
     */
    private static void groupsNest(MadeDump d) {
        CommandContext ctx = MadeDumpsOptionsTest.context(d);
        String g = Cmds.run(ctx, "runq -g");
        List<String> path = new ArrayList<>();
        int checked = 0;
        for (String line : g.split("\n")) {
            if (line.startsWith("CPU ")) path.clear();
            Matcher tg = Pattern.compile("^( +)TASK_GROUP: [0-9a-f]+\\s+CFS_RQ: [0-9a-f]+\\s+<([^>]+)>").matcher(line);
            if (tg.find()) {
                int depth = (tg.group(1).length() - 5) / 3;
                while (path.size() > depth) path.remove(path.size() - 1);
                path.add(tg.group(2));
                continue;
            }
            Matcher q = QUEUED.matcher(line);
            if (q.find()) {
                int depth = (line.indexOf('[') - 5) / 3;
                while (path.size() > depth) path.remove(path.size() - 1);
                String comm = q.group(3);
                assertFalse(comm.startsWith("rt-"), d + ": an RT task in runq -g: " + line);
                if (comm.startsWith("cfs-")) {
                    String group = comm.substring(4, comm.length() - 1);
                    List<String> want = group.equals("d") ? List.of("d") : List.of("a", group.substring(1));
                    assertEquals(want, path, d + ": " + comm + "'s groups in runq -g\n" + g);
                    checked++;
                }
            }
        }
        assertEquals(1 + 3 * (d.cpus() - 1), checked, d + ": CFS burners in runq -g (the RT CPU's current is an RT task)\n" + g);
        assertFalse(Kernel.of(ctx.session()).hasMember("task_group", "rt_rq"), d + ": a kernel with RT group scheduling");
        String runq = Cmds.run(ctx, "runq");
        for (String comm : guestTasks(d).values()) {
            if (comm.startsWith("rt-")) assertTrue(runq.contains("COMMAND: \"" + comm + "\""), d + ": plain runq lists " + comm);
        }
    }

    private static final Pattern CACHE = Pattern.compile("(?m)^([0-9a-f]{16}) .* (\\S+)$");

    /**
     * SLUB merges a new cache into an existing compatible one (same size, alignment, flags, no
     * constructor): the kernel only raises the existing cache's refcount and links a sysfs alias, so
     * the merged cache's name is in no list a dump reader walks. crash 8.0.6 and kdive list
     * slab_caches only. Checked: kdive's kmem -s has exactly the caches of the slab_caches list
     * (address and name, in list order), and some cache has refcount > 1, i.e. this guest did merge
     * caches whose names neither tool shows.
     */
    private static void mergedCachesAreNotListed(MadeDump d) {
        CommandContext ctx = MadeDumpsOptionsTest.context(d);
        Kernel k = Kernel.of(ctx.session());
        long head = k.requireSymbol("slab_caches");
        long listOff = k.requireOffset("kmem_cache", "list");
        long nameOff = k.requireOffset("kmem_cache", "name");
        long refOff = k.requireOffset("kmem_cache", "refcount");
        List<String> walked = new ArrayList<>();
        int merged = 0;
        for (long n = k.u64(head); n != head && walked.size() < 10_000; n = k.u64(n)) {
            long cache = n - listOff;
            walked.add(Long.toHexString(cache) + " " + k.memory().cString(k.u64(cache + nameOff), 64));
            if (k.s32(cache + refOff) > 1) merged++;
        }
        List<String> listed = new ArrayList<>();
        Matcher m = CACHE.matcher(Cmds.run(ctx, "kmem -s"));
        while (m.find()) listed.add(m.group(1) + " " + m.group(2));
        assertEquals(walked, listed, d + ": kmem -s against the slab_caches list");
        assertTrue(merged > 0, d + ": no cache with refcount > 1: no SLUB merge to document");
    }
}
