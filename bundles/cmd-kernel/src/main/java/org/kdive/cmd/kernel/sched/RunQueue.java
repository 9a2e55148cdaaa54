package org.kdive.cmd.kernel.sched;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.cmd.kernel.access.Kernel;
import org.kdive.cmd.kernel.access.RbTree;
import org.kdive.cmd.kernel.commands.ListCommand;
import org.kdive.cmd.kernel.tasks.TaskTable;

/**
 * One CPU's struct rq as crash's runq shows it: the running task, the RT tasks queued in
 * rt.active by priority and the CFS tasks in cfs.tasks_timeline in rb-tree order. Group
 * entities (a sched_entity with my_q) are descended into, their tasks listed flat as crash does.
 */
public final class RunQueue {
    /** A queued task and the priority crash prints in front of it. */
    public record Queued(int prio, TaskInfo task) {
    }

    private final int cpu;
    private final long rq;
    private final long current;
    private final long rtArray;
    private final long cfsRoot;
    private final List<Queued> rt = new ArrayList<>();
    private final List<Queued> cfs = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    private RunQueue(int cpu, long rq, long current, long rtArray, long cfsRoot) {
        this.cpu = cpu;
        this.rq = rq;
        this.current = current;
        this.rtArray = rtArray;
        this.cfsRoot = cfsRoot;
    }

    /** Reads CPU {@code cpu}'s run queue; tasks that are not in the task table are left out (noted). */
    public static RunQueue read(Kernel k, TaskTable table, int cpu) {
        long rq = k.perCpu("runqueues", cpu);
        long cfsRq = rq + k.requireOffset("rq", "cfs");
        RunQueue q = new RunQueue(cpu, rq, table.currentOn(cpu),
                rq + k.requireOffset("rq", "rt") + k.requireOffset("rt_rq", "active"),
                cfsRq + k.requireOffset("cfs_rq", "tasks_timeline"));
        q.readRt(k, table, q.rtArray, 0);
        q.readCfs(k, table, cfsRq, new HashSet<>(), 0);
        return q;
    }

    /** Each non-empty queue[prio] list of sched_rt_entity.run_list; a group's rt_rq is descended into. */
    private void readRt(Kernel k, TaskTable table, long prioArray, int depth) {
        long queue = prioArray + k.requireOffset("rt_prio_array", "queue");
        long heads = k.member("rt_prio_array", "queue").map(m -> m.type().resolve().count()).orElse(100L);
        long headSize = k.requireSize("list_head");
        long runList = k.requireOffset("sched_rt_entity", "run_list");
        boolean groups = k.hasMember("sched_rt_entity", "my_q");
        long rtInTask = k.requireOffset("task_struct", "rt");
        for (int prio = 0; prio < heads; prio++) {
            long head = queue + prio * headSize;
            List<Long> entities = new ArrayList<>();
            String problem = ListCommand.walk(k, head, runList, true, false, 0, entities);
            if (problem != null) problems.add(String.format("CPU %d RT queue[%d]: %s", cpu, prio, problem));
            for (long se : entities) {
                long myQ = groups ? k.u64(se + k.requireOffset("sched_rt_entity", "my_q")) : 0;
                if (myQ != 0) {
                    if (depth < 32) readRt(k, table, myQ + k.requireOffset("rt_rq", "active"), depth + 1);
                    continue;
                }
                int p = prio;
                task(table, se - rtInTask).ifPresent(t -> rt.add(new Queued(p, t)));
            }
        }
    }

    /** The cfs_rq's running group first (its tasks are off the tree), then the tree in order. */
    private void readCfs(Kernel k, TaskTable table, long cfsRq, Set<Long> seen, int depth) {
        if (depth > 32) return;
        boolean groups = k.hasMember("sched_entity", "my_q");
        long myQOff = groups ? k.requireOffset("sched_entity", "my_q") : -1;
        if (groups) {
            long curr = k.u64(cfsRq + k.requireOffset("cfs_rq", "curr"));
            if (curr != 0) {
                long currQ = k.u64(curr + myQOff);
                if (currQ != 0) readCfs(k, table, currQ, seen, depth + 1);
            }
        }
        long timeline = cfsRq + k.requireOffset("cfs_rq", "tasks_timeline");
        long leftmost = k.offset("rb_root_cached", "rb_leftmost").isPresent()
                ? k.u64(timeline + k.requireOffset("rb_root_cached", "rb_leftmost"))
                : k.u64(cfsRq + k.requireOffset("cfs_rq", "rb_leftmost"));
        if (leftmost == 0) return;
        RbTree tree = RbTree.walk(k, k.u64(timeline + k.requireOffset("rb_root", "rb_node")));
        if (tree.problem() != null) problems.add("CPU " + cpu + " CFS: " + tree.problem());
        long runNode = k.requireOffset("sched_entity", "run_node");
        long seInTask = k.requireOffset("task_struct", "se");
        long prioOff = k.requireOffset("task_struct", "prio");
        for (long node : tree.nodes()) {
            long se = node - runNode;
            if (groups) {
                long myQ = k.u64(se + myQOff);
                if (myQ != 0) {
                    readCfs(k, table, myQ, seen, depth + 1);
                    continue;
                }
            }
            long task = se - seInTask;
            Optional<TaskInfo> t = task(table, task);
            if (t.isEmpty()) continue;
            if (!seen.add(task)) {
                problems.add(String.format("duplicate CFS runqueue node: task %x", task));
                return;
            }
            cfs.add(new Queued((int) k.s32(task + prioOff), t.get()));
        }
    }

    private Optional<TaskInfo> task(TaskTable table, long task) {
        Optional<TaskInfo> t = table.byTask(task);
        if (t.isEmpty()) problems.add(String.format("CPU %d: queued task %x is not in the task list", cpu, task));
        return t;
    }

    public int cpu() { return cpu; }

    /** Address of the struct rq. */
    public long rq() { return rq; }

    /** The task_struct running on the CPU (0 when unknown). */
    public long current() { return current; }

    /** Address of rq.rt.active. */
    public long rtArray() { return rtArray; }

    /** Address of rq.cfs.tasks_timeline. */
    public long cfsRoot() { return cfsRoot; }

    public List<Queued> rt() { return rt; }

    public List<Queued> cfs() { return cfs; }

    public List<String> problems() { return problems; }
}
