package org.kdive.api.kernel;

/**
 * One task of the crashed kernel, as `ps` lists it.
 *
 * @param task         address of the task_struct
 * @param pid          task_struct.pid (0 for the per-CPU idle tasks)
 * @param ppid         pid of task_struct.real_parent
 * @param tgid         thread group id
 * @param cpu          CPU the task last ran on (task_struct.cpu / thread_info.cpu)
 * @param comm         task_struct.comm
 * @param state        task_struct.__state (or .state) ORed with exit_state
 * @param stateName    crash's two-letter state: RU, IN, UN, ID, ZO, ST, TR, DE, PA, WA, NE, SW, ??
 * @param active       running on its CPU at the time of the dump (per-CPU runqueue curr)
 * @param idle         a per-CPU idle task ("swapper/N")
 * @param kernelThread no user address space (PF_KTHREAD, or mm == NULL)
 * @param mm           task_struct.mm, 0 for kernel threads
 */
public record TaskInfo(long task, int pid, int ppid, int tgid, int cpu, String comm, long state, String stateName,
        boolean active, boolean idle, boolean kernelThread, long mm) {
}
