package org.kdive.cmd.kernel.commands;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.util.Hex;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.access.RbTree;
import org.kdive.cmd.kernel.tasks.TaskTable;

/**
 * `runq -g`: each CPU's run queues by task group, as crash's task.c lays them out. The task
 * groups are the tree under root_task_group (task_group.children/siblings), ordered by depth.
 * Per CPU: the RT run queue of the root group (only with CONFIG_RT_GROUP_SCHED: task_group.rt_rq)
 * and its CFS run queue. CFS: the queue's running entity first (the current task, marked
 * [CURRENT], or its group's queue), then the timeline in vruntime order, groups nested under a
 * "TASK_GROUP:" header three columns deeper. RT: each non-empty priority list, a group entity as
 * "[prio] TASK_GROUP: ..." with its queue six columns deeper. Groups with queued tasks whose own
 * entity is not queued (throttled) are shown after their parent's queue, under their ancestors'
 * headers not yet printed.
 */
final class RunqGroups {
    /** One task group: crash's task_group_info. {@code pending}: its header is still to be printed on this CPU. */
    private static final class Group {
        final long tg;
        final int depth;
        final String name;
        final Group parent;
        boolean pending;

        Group(long tg, int depth, String name, Group parent) {
            this.tg = tg;
            this.depth = depth;
            this.name = name;
            this.parent = parent;
        }
    }

    private final CommandContext context;
    private final Kernel k;
    private final TaskTable table;
    private final List<Group> groups = new ArrayList<>();
    private final StringBuilder sb = new StringBuilder();
    private final Set<Long> seen = new HashSet<>();
    private final OptionalLong cfsOff;
    private final OptionalLong rtOff;

    RunqGroups(CommandContext context, Kernel k, TaskTable table) {
        this.context = context;
        this.k = k;
        this.table = table;
        this.cfsOff = k.offset("task_group", "cfs_rq");
        this.rtOff = k.offset("task_group", "rt_rq");
        if ((cfsOff.isEmpty() && rtOff.isEmpty()) || !k.hasMember("task_group", "parent")) {
            throw new CommandException("-g option not supported or applicable on this architecture or kernel");
        }
    }

    Result show(BitSet cpus) {
        String rootName;
        long root;
        if (k.hasSymbol("init_task_group")) {
            root = k.requireSymbol("init_task_group");
            rootName = "INIT";
        } else if (k.hasSymbol("root_task_group")) {
            root = k.requireSymbol("root_task_group");
            rootName = "ROOT";
        } else {
            throw new CommandException("cannot determine root task_group");
        }
        collect(root, 0, null);
        groups.sort(Comparator.comparingInt(g -> g.depth)); // stable, as crash's bubble sort
        long cfsArray = cfsOff.isPresent() ? k.u64(root + cfsOff.getAsLong()) : 0;
        long rtArray = rtOff.isPresent() ? k.u64(root + rtOff.getAsLong()) : 0;
        List<Object> data = new ArrayList<>();
        boolean displayed = false;
        for (int cpu = cpus.nextSetBit(0); cpu >= 0; cpu = cpus.nextSetBit(cpu + 1)) {
            context.checkCancelled();
            sb.append(displayed ? "\n" : "").append("CPU ").append(cpu).append('\n');
            displayed = true;
            long currentTask = table.currentOn(cpu);
            Optional<TaskInfo> cur = table.byTask(currentTask);
            sb.append("  CURRENT: ").append(cur.map(t -> String.format("PID: %-5d  TASK: %x  COMMAND: \"%s\"", t.pid(), t.task(), t.comm()))
                    .orElse(Long.toHexString(currentTask))).append('\n');
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("cpu", cpu);
            d.put("task_group", Hex.json(root));
            if (rtArray != 0) {
                long rtRq = k.u64(rtArray + 8L * cpu);
                sb.append(String.format("  %s_TASK_GROUP: %x  RT_RQ: %x%n", rootName, root, rtRq));
                resetPending();
                List<Object> rt = new ArrayList<>();
                rtQueue(0, rtRq, cpu, rt);
                d.put("rt_rq", Hex.json(rtRq));
                d.put("rt_queued", rt);
            }
            if (cfsArray != 0) {
                long cfsRq = k.u64(cfsArray + 8L * cpu);
                sb.append(String.format("  %s_TASK_GROUP: %x  CFS_RQ: %x%n", rootName, root, cfsRq));
                resetPending();
                seen.clear();
                List<Object> queued = new ArrayList<>();
                cfsQueue(0, cfsRq, cpu, cur.orElse(null), queued);
                d.put("cfs_rq", Hex.json(cfsRq));
                d.put("queued", queued);
            }
            data.add(d);
        }
        return Result.of(sb.toString(), Map.of("cpus", data));
    }

    /** The group tree in crash's order: each group, then its children's subtrees. */
    private void collect(long tg, int depth, Group parent) {
        if (groups.size() > 100_000) throw new CommandException("more than 100000 task groups: task_group.children loops");
        Group g = new Group(tg, depth, groupName(tg), parent);
        groups.add(g);
        long children = tg + k.requireOffset("task_group", "children");
        long siblings = k.requireOffset("task_group", "siblings");
        for (long next = k.u64(children); next != children && next != 0; next = k.u64(next)) {
            collect(next - siblings, depth + 1, g);
        }
    }

    private void resetPending() {
        for (Group g : groups) g.pending = g.depth > 0;
    }

    private Optional<Group> group(long tg) {
        return groups.stream().filter(g -> g.tg == tg).findFirst();
    }

    private long perCpu(long tg, long arrayOffset, int cpu) {
        return k.u64(k.u64(tg + arrayOffset) + 8L * cpu);
    }

    // ---- CFS ----

    private void cfsHeader(int depth, long cfsRq, Group g, Map<String, Object> m) {
        sb.append(" ".repeat(2 + 3 * depth)).append(String.format("TASK_GROUP: %x  CFS_RQ: %x ", g.tg, cfsRq));
        OptionalLong thr = k.offset("cfs_rq", "throttled");
        headerEnd(g, thr.isPresent() && k.s32(cfsRq + thr.getAsLong()) != 0, m);
    }

    /** The end of a group's header line, CFS or RT: its name, whether it is throttled; the header is out. */
    private void headerEnd(Group g, boolean throttled, Map<String, Object> m) {
        if (g.name != null) sb.append(" <").append(g.name).append('>');
        if (throttled) sb.append(" (THROTTLED)");
        sb.append('\n');
        m.put("task_group", Hex.json(g.tg));
        if (g.name != null) m.put("name", g.name);
        m.put("throttled", throttled);
        g.pending = false;
    }

    private int cfsQueue(int depth, long cfsRq, int cpu, TaskInfo current, List<Object> out) {
        int total = 0;
        long seOff = k.requireOffset("task_struct", "se");
        long runNode = k.requireOffset("sched_entity", "run_node");
        OptionalLong myQ = k.offset("sched_entity", "my_q");
        long curr = k.u64(cfsRq + k.requireOffset("cfs_rq", "curr"));
        long currMyQ = curr != 0 && myQ.isPresent() ? k.u64(curr + myQ.getAsLong()) : 0;
        if (currMyQ != 0) {
            total++;
            total += cfsSubQueue(depth, currMyQ, cpu, current, out);
        } else if (current != null && curr != 0 && curr - seOff == current.task()) {
            total++;
            sb.append(" ".repeat(5 + 3 * depth)).append(entry(current)).append(" [CURRENT]\n");
            Map<String, Object> m = entryData(current);
            m.put("current", true);
            out.add(m);
        }
        long timeline = cfsRq + k.requireOffset("cfs_rq", "tasks_timeline");
        long leftmost = k.offset("cfs_rq", "rb_leftmost").isPresent() ? k.u64(cfsRq + k.requireOffset("cfs_rq", "rb_leftmost"))
                : k.u64(timeline + k.requireOffset("rb_root_cached", "rb_leftmost"));
        long rootNode = k.u64(timeline); // rb_root_cached starts with its rb_root, rb_root with its rb_node
        List<Long> nodes = leftmost == 0 ? List.of() : RbTree.walk(k, rootNode, true, false).nodes();
        for (long node : nodes) {
            long se = node - runNode;
            long q = myQ.isPresent() ? k.u64(se + myQ.getAsLong()) : 0;
            if (q != 0) {
                total++;
                total += cfsSubQueue(depth, q, cpu, current, out);
                continue;
            }
            Optional<TaskInfo> t = table.byTask(se - seOff);
            if (t.isEmpty()) continue;
            if (!seen.add(t.get().task())) {
                context.warn(String.format("runq: duplicate CFS runqueue node: task %x", t.get().task()));
                return total;
            }
            sb.append(" ".repeat(5 + 3 * depth)).append(entry(t.get())).append('\n');
            out.add(entryData(t.get()));
            total++;
        }
        total += cfsDequeued(depth, cfsRq, cpu, current, out);
        if (total == 0) sb.append(" ".repeat(5 + 3 * depth)).append("[no tasks queued]\n");
        return total;
    }

    /** A child group's queue one level deeper, under its header. */
    private int cfsSubQueue(int depth, long cfsRq, int cpu, TaskInfo current, List<Object> out) {
        Map<String, Object> m = new LinkedHashMap<>();
        long tg = k.u64(cfsRq + k.requireOffset("cfs_rq", "tg"));
        group(tg).ifPresent(g -> cfsHeader(depth + 1, cfsRq, g, m));
        m.put("cfs_rq", Hex.json(cfsRq));
        List<Object> sub = new ArrayList<>();
        m.put("queued", sub);
        out.add(m);
        return cfsQueue(depth + 1, cfsRq, cpu, current, sub);
    }

    /** Child groups of this queue's group with tasks but not on this queue (throttled): crash's "lower dequeued" queues. */
    private int cfsDequeued(int depth, long cfsRq, int cpu, TaskInfo current, List<Object> out) {
        int total = 0;
        long tgOff = k.requireOffset("cfs_rq", "tg");
        OptionalLong nr = k.offset("cfs_rq", "nr_running");
        if (nr.isEmpty()) nr = k.offset("cfs_rq", "nr_queued");
        for (Group g : groups) {
            if (!g.pending || g.depth - depth != 1 || k.u64(cfsRq + tgOff) != g.parent.tg) continue;
            long q = perCpu(g.tg, cfsOff.getAsLong(), cpu);
            if (q == cfsRq) continue;
            if (nr.isPresent() && k.u32(q + nr.getAsLong()) == 0) {
                total += cfsDequeued(depth + 1, q, cpu, current, out);
                continue;
            }
            cfsAncestors(g, cpu, out);
            total++;
            total += cfsSubQueue(depth, q, cpu, current, out);
        }
        return total;
    }

    /** The headers of a group's ancestors not printed yet on this CPU, outermost first. */
    private void cfsAncestors(Group g, int cpu, List<Object> out) {
        Group p = g.parent;
        if (p == null || !p.pending) return;
        cfsAncestors(p, cpu, out);
        Map<String, Object> m = new LinkedHashMap<>();
        long q = perCpu(p.tg, cfsOff.getAsLong(), cpu);
        cfsHeader(p.depth, q, p, m);
        m.put("cfs_rq", Hex.json(q));
        out.add(m);
    }

    // ---- RT (CONFIG_RT_GROUP_SCHED) ----

    private void rtHeader(long rtRq, Group g, Map<String, Object> m) {
        sb.append(String.format("TASK_GROUP: %x  RT_RQ: %x", g.tg, rtRq));
        headerEnd(g, k.hasMember("task_group", "rt_bandwidth") && k.s32(rtRq + k.requireOffset("rt_rq", "rt_throttled")) != 0, m);
    }

    private int rtQueue(int depth, long rtRq, int cpu, List<Object> out) {
        long active = rtRq + k.requireOffset("rt_rq", "active");
        long queue = active + k.requireOffset("rt_prio_array", "queue");
        int heads = (int) (k.memberSize("rt_prio_array", "queue") / 16);
        long runList = k.requireOffset("sched_rt_entity", "run_list");
        long rtOffInTask = k.requireOffset("task_struct", "rt");
        OptionalLong myQ = k.offset("sched_rt_entity", "my_q");
        int total = 0;
        for (int prio = 0; prio < heads; prio++) {
            long head = queue + 16L * prio;
            int n = 0;
            for (long link = k.u64(head); link != head && link != 0; link = k.u64(link)) {
                if (++n > 100_000) {
                    context.warn(String.format("runq: RT queue %d of rt_rq %x loops", prio, rtRq));
                    break;
                }
                long rtse = link - runList;
                long q = myQ.isPresent() ? k.u64(rtse + myQ.getAsLong()) : 0;
                if (q != 0) {
                    sb.append(" ".repeat(5 + 6 * depth)).append(String.format("[%3d] ", prio));
                    total++;
                    rtSubQueue(depth, q, prio, cpu, out);
                    continue;
                }
                Optional<TaskInfo> t = table.byTask(rtse - rtOffInTask);
                if (t.isEmpty()) continue;
                sb.append(" ".repeat(5 + 6 * depth)).append(String.format("[%3d] PID: %-5d  TASK: %x  COMMAND: \"%s\"%n",
                        prio, t.get().pid(), t.get().task(), t.get().comm()));
                Map<String, Object> m = entryData(t.get());
                m.put("prio", prio);
                out.add(m);
                total++;
            }
        }
        total += rtDequeued(depth, rtRq, cpu, out);
        if (total == 0) sb.append(" ".repeat(5 + 6 * depth)).append("[no tasks queued]\n");
        return total;
    }

    /** A group entity's queue, after its "[prio] " (printed by the caller): header, then its lists deeper. */
    private void rtSubQueue(int depth, long rtRq, int prio, int cpu, List<Object> out) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prio", prio);
        long tg = k.u64(rtRq + k.requireOffset("rt_rq", "tg"));
        group(tg).ifPresent(g -> rtHeader(rtRq, g, m));
        m.put("rt_rq", Hex.json(rtRq));
        List<Object> sub = new ArrayList<>();
        m.put("queued", sub);
        out.add(m);
        rtQueue(depth + 1, rtRq, cpu, sub);
    }

    private int rtDequeued(int depth, long rtRq, int cpu, List<Object> out) {
        int total = 0;
        long tgOff = k.requireOffset("rt_rq", "tg");
        long nr = k.requireOffset("rt_rq", "rt_nr_running");
        for (Group g : groups) {
            int delta = g.depth - depth;
            if (delta > 1) break;
            if (!g.pending || delta < 1 || k.u64(rtRq + tgOff) != g.parent.tg) continue;
            long q = perCpu(g.tg, rtOff.getAsLong(), cpu);
            if (q == rtRq) continue;
            if (k.u32(q + nr) == 0) {
                total += rtDequeued(depth + 1, q, cpu, out);
                continue;
            }
            rtAncestors(g, cpu, out);
            int prio = highestPrio(q);
            sb.append(" ".repeat(5 + 6 * depth)).append(String.format("[%3d] ", prio));
            total++;
            rtSubQueue(depth, q, prio, cpu, out);
        }
        return total;
    }

    /**
     * The headers of a group's ancestors not printed yet. crash 8.0.6 prints a grandparent's
     * header with the CFS layout here (print_parent_task_group_rt calls the fair one): kdive
     * prints every RT ancestor as an RT group line.
     */
    private void rtAncestors(Group g, int cpu, List<Object> out) {
        Group p = g.parent;
        if (p == null || !p.pending) return;
        rtAncestors(p, cpu, out);
        long q = perCpu(p.tg, rtOff.getAsLong(), cpu);
        int prio = highestPrio(q);
        sb.append(" ".repeat(Math.max(1, -1 + 6 * p.depth))).append(String.format("[%3d] ", prio));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prio", prio);
        rtHeader(q, p, m);
        m.put("rt_rq", Hex.json(q));
        out.add(m);
    }

    /** rt_rq.highest_prio (its first int: .curr since 2.6.26). */
    private int highestPrio(long rtRq) {
        return (int) k.s32(rtRq + k.requireOffset("rt_rq", "highest_prio"));
    }

    // ---- common ----

    private int prio(TaskInfo t) {
        return RunqViews.prio(k, t);
    }

    private String entry(TaskInfo t) {
        return RunqViews.entry(k, t);
    }

    private Map<String, Object> entryData(TaskInfo t) {
        return RunqViews.entryData(k, t);
    }

    /** A task group's cgroup directory name (task_group.css.cgroup->kn->name), "/" for the root cgroup; null if unreadable. */
    private String groupName(long tg) {
        try {
            long cgroup = k.u64(tg + k.requireOffset("task_group", "css") + k.requireOffset("cgroup_subsys_state", "cgroup"));
            if (cgroup == 0) return null;
            long kn = k.u64(cgroup + k.requireOffset("cgroup", "kn"));
            if (kn == 0) return null;
            if (k.u64(kn + k.requireOffset("kernfs_node", "parent")) == 0) return "/";
            long name = k.u64(kn + k.requireOffset("kernfs_node", "name"));
            return name == 0 ? null : k.memory().cString(name, 256);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
