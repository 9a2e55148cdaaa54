package org.kdive.triage;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Normalizes a stack for grouping: function names without offsets, without the compiler's
 * clone suffixes (.cold, .isra.0, .constprop.0, .part.0 differ between builds of one source),
 * without the frames every panic of a kind goes through (panic, kexec, oops and exception entry,
 * the WARN/BUG trap handlers, the watchdogs' timer and NMI paths, the scheduler under a blocked task).
 */
public final class Frames {
    /** Frames of the panic and exception machinery, dropped while they lead the stack. */
    static final Set<String> GENERIC = Set.of(
            // kdump and panic
            "machine_kexec", "__crash_kexec", "crash_kexec", "panic", "vpanic", "nmi_panic", "dump_stack", "dump_stack_lvl",
            "show_stack", "__warn_printk", "check_panic_on_warn", "crash_smp_send_stop", "native_machine_crash_shutdown",
            "crash_nmi_callback", "nmi_handle", "default_do_nmi", "exc_nmi", "asm_exc_nmi", "end_repeat_nmi", "repeat_nmi",
            // oops and traps
            "oops_end", "die", "__die", "__die_body", "die_addr", "do_trap", "do_error_trap", "handle_invalid_op",
            "handle_bug", "report_bug", "__report_bug", "__warn", "warn_slowpath_fmt", "exc_invalid_op", "asm_exc_invalid_op",
            "do_int3", "exc_int3", "asm_exc_int3",
            "page_fault_oops", "kernelmode_fixup_or_oops", "__bad_area_nosemaphore", "bad_area_nosemaphore", "bad_area",
            "no_context", "do_user_addr_fault", "do_kern_addr_fault", "handle_page_fault", "exc_page_fault", "asm_exc_page_fault",
            "spurious_kernel_fault", "exc_general_protection", "asm_exc_general_protection", "do_general_protection",
            "exc_double_fault", "asm_exc_double_fault", "fixup_exception",
            // machine checks
            "mce_panic", "do_machine_check", "exc_machine_check", "asm_exc_machine_check", "noist_exc_machine_check",
            "exc_machine_check_kernel",
            // watchdogs
            "watchdog_timer_fn", "watchdog_overflow_callback", "__perf_event_overflow", "perf_event_overflow",
            "handle_pmi_common", "intel_pmu_handle_irq", "amd_pmu_handle_irq", "x86_pmu_handle_irq", "perf_event_nmi_handler",
            "__hrtimer_run_queues", "hrtimer_interrupt", "__sysvec_apic_timer_interrupt", "sysvec_apic_timer_interrupt",
            "asm_sysvec_apic_timer_interrupt", "__run_hrtimer", "watchdog", "check_hung_uninterruptible_tasks",
            "check_hung_task", "hung_task_panic",
            // a blocked task's way into the scheduler
            "__schedule", "schedule", "schedule_timeout", "schedule_preempt_disabled", "io_schedule", "io_schedule_timeout",
            "schedule_hrtimeout_range_clock", "schedule_hrtimeout_range", "preempt_schedule_common", "__cond_resched");

    /** Frames that end every stack (entry code and thread start): not part of a bug. */
    static final Set<String> BOTTOM = Set.of("ret_from_fork", "ret_from_fork_asm", "entry_SYSCALL_64_after_hwframe",
            "entry_SYSCALL_64", "do_syscall_64", "x64_sys_call", "start_secondary", "secondary_startup_64",
            "secondary_startup_64_no_verify", "kthread", "common_startup_64");

    private static final Pattern CLONE_SUFFIX = Pattern.compile("(\\.(cold|isra|constprop|part|lto_priv|llvm)(\\.\\d+)?)+$");

    private Frames() {
    }

    /** The function name as grouping sees it: no clone suffix. */
    public static String function(String name) {
        return name == null ? null : CLONE_SUFFIX.matcher(name).replaceAll("");
    }

    /** Generic frames dropped from the front, clone suffixes gone, at most {@code max} frames. */
    public static List<String> normalize(List<String> functions, int max) {
        List<String> out = new ArrayList<>();
        boolean leading = true;
        for (String f : functions) {
            if (f == null) continue;
            String n = function(f);
            if (leading && GENERIC.contains(n)) continue;
            leading = false;
            if (out.size() >= max) break;
            out.add(n);
        }
        return out;
    }

    /** The top {@code n} frames for the signature, without the entry frames at the bottom. */
    public static List<String> top(List<String> normalized, int n) {
        List<String> out = new ArrayList<>();
        for (String f : normalized) {
            if (out.size() >= n || BOTTOM.contains(f)) break;
            out.add(f);
        }
        return out;
    }
}
