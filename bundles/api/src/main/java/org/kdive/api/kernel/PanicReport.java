package org.kdive.api.kernel;

import java.util.List;

/**
 * What the crashed kernel's log says about its panic, read without any debuginfo (the printk
 * buffer is found through VMCOREINFO): the last oops/warning/panic block and what is in it.
 *
 * @param kind         one of BUG, NULL_DEREFERENCE, PAGE_FAULT, GENERAL_PROTECTION, WARN, SYSRQ,
 *                     HUNG_TASK, SOFT_LOCKUP, HARD_LOCKUP, OUT_OF_MEMORY, MACHINE_CHECK, PANIC
 *                     (panic() with another message), UNKNOWN (no panic message found)
 * @param title        the kind in words, e.g. "BUG()/BUG_ON()"
 * @param headline     the line that starts the block ("kernel BUG at …", "BUG: kernel NULL pointer
 *                     dereference, address: …", "WARNING: CPU: …"), or null
 * @param panicMessage the text after "Kernel panic - not syncing:", or null when none was logged
 * @param block        the block's lines, headline first (at most 80)
 * @param taint        the taint letters of the block's "Tainted:" field (e.g. "G OE"), or null
 * @param trace        the stack the kernel printed for the fault, innermost first: the "RIP:"
 *                     function of the block when in kernel mode, then its "Call Trace:" entries
 *                     (for a hung task: the blocked task's trace); empty when none was logged
 * @param hungPids     pids of the tasks the log reports as blocked ("INFO: task …:PID blocked"), in log order
 */
public record PanicReport(String kind, String title, String headline, String panicMessage, List<String> block,
        String taint, List<TraceEntry> trace, List<Integer> hungPids) {

    /**
     * One entry of a stack the kernel printed ("func+0x4d/0x60 [mod]").
     *
     * @param function the symbol, as printed
     * @param offset   offset into it
     * @param size     the symbol's size as printed, -1 when absent
     * @param module   the module in brackets, or null for the kernel image
     * @param reliable false for the entries the kernel marks with "? "
     */
    public record TraceEntry(String function, long offset, long size, String module, boolean reliable) {
    }
}
