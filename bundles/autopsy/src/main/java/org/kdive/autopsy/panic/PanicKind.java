package org.kdive.autopsy.panic;

/** The kinds of panic autopsy tells apart, with what to run next for each. */
public enum PanicKind {
    BUG("BUG()/BUG_ON()", "dis -l FUNCTION", "mod -s MODULE", "struct TYPE ADDRESS"),
    NULL_DEREFERENCE("NULL pointer dereference", "dis -l FUNCTION", "struct TYPE ADDRESS", "bt -f"),
    PAGE_FAULT("page fault (bad kernel address)", "dis -l FUNCTION", "kmem ADDRESS", "vtop ADDRESS", "bt -f"),
    GENERAL_PROTECTION("general protection fault", "dis -l FUNCTION", "bt -f"),
    WARN("WARN() with panic_on_warn", "dis -l FUNCTION", "log"),
    SYSRQ("crash forced with sysrq-c", "log", "ps", "bt -a"),
    HUNG_TASK("hung task (hung_task_panic)", "ps -m", "foreach UN bt", "bt PID"),
    SOFT_LOCKUP("soft lockup (softlockup_panic)", "bt -a", "log", "dis -l FUNCTION"),
    HARD_LOCKUP("hard lockup (NMI watchdog)", "bt -a", "log"),
    OUT_OF_MEMORY("out of memory (panic_on_oom or no killable task)", "kmem -i", "ps -G", "log"),
    MACHINE_CHECK("machine check (hardware error)", "log", "bt"),
    PANIC("panic()", "log", "bt"),
    UNKNOWN("unknown: no panic message found", "log", "bt -a");

    private final String title;
    private final String[] next;

    PanicKind(String title, String... next) {
        this.title = title;
        this.next = next;
    }

    public String title() { return title; }

    public String[] next() { return next; }
}
