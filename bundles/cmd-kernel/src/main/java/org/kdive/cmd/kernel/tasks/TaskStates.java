package org.kdive.cmd.kernel.tasks;

/**
 * task_struct state bits (Linux 4.14 and later) and crash's two-letter names for them.
 * The first matching rule wins the way crash's own cascade does (later rules overwrite).
 */
public final class TaskStates {
    public static final long RUNNING = 0;
    public static final long INTERRUPTIBLE = 0x1;
    public static final long UNINTERRUPTIBLE = 0x2;
    public static final long STOPPED = 0x4;
    public static final long TRACED = 0x8;
    public static final long EXIT_DEAD = 0x10;
    public static final long EXIT_ZOMBIE = 0x20;
    public static final long PARKED = 0x40;
    public static final long DEAD = 0x80;
    public static final long WAKEKILL = 0x100;
    public static final long WAKING = 0x200;
    public static final long NOLOAD = 0x400;
    public static final long NEW = 0x800;

    private TaskStates() {
    }

    public static String shortName(long state) {
        String s = "??";
        boolean set = false;
        if (state == RUNNING) s = "RU";
        if ((state & INTERRUPTIBLE) != 0) {
            s = "IN";
            set = true;
        }
        if ((state & UNINTERRUPTIBLE) != 0) {
            s = (state & NOLOAD) != 0 ? "ID" : "UN";
            set = true;
        }
        if ((state & EXIT_ZOMBIE) != 0) {
            s = "ZO";
            set = true;
        }
        if ((state & STOPPED) != 0) {
            s = "ST";
            set = true;
        }
        if ((state & TRACED) != 0) {
            s = "TR";
            set = true;
        }
        if ((state & (EXIT_DEAD | DEAD)) != 0 && !set) s = "DE";
        if (state == PARKED) s = "PA";
        if (state == WAKING) s = "WA";
        if (state == NEW) s = "NE";
        return s;
    }

    /** crash's `task`/`ps -l` long form, e.g. "TASK_INTERRUPTIBLE". */
    public static String longName(long state) {
        if (state == RUNNING) return "TASK_RUNNING";
        if (state == PARKED) return "TASK_PARKED";
        StringBuilder sb = new StringBuilder();
        appendIf(sb, state, INTERRUPTIBLE, "TASK_INTERRUPTIBLE");
        appendIf(sb, state, UNINTERRUPTIBLE, "TASK_UNINTERRUPTIBLE");
        appendIf(sb, state, STOPPED, "TASK_STOPPED");
        appendIf(sb, state, TRACED, "TASK_TRACED");
        long dead = state & (EXIT_DEAD | DEAD);
        if (dead != 0) appendIf(sb, state, dead, Long.bitCount(dead) > 1 ? "EXIT_DEAD|TASK_DEAD" : "EXIT_DEAD");
        appendIf(sb, state, EXIT_ZOMBIE, "EXIT_ZOMBIE");
        appendIf(sb, state, WAKING, "TASK_WAKING");
        appendIf(sb, state, WAKEKILL, "TASK_WAKEKILL");
        appendIf(sb, state, NOLOAD, "TASK_NOLOAD");
        appendIf(sb, state, NEW, "TASK_NEW");
        return sb.toString();
    }

    private static void appendIf(StringBuilder sb, long state, long bit, String name) {
        if ((state & bit) != 0) {
            if (sb.length() > 0) sb.append('|');
            sb.append(name);
        }
    }
}
