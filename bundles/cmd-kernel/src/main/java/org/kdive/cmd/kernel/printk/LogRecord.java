package org.kdive.cmd.kernel.printk;

/**
 * One message of the kernel log.
 *
 * @param tsNsec    timestamp (ns since boot), -1 for the old plain buffer which has none
 * @param level     log level 0..7, -1 when unknown
 * @param callerId  PRINTK_CALLER id (bit 31 set: CPU, else thread), -1 when the layout has none
 * @param text      raw bytes of the text (may contain '\n' and non-printables)
 * @param subsystem dev_printk SUBSYSTEM= value or ""
 * @param device    dev_printk DEVICE= value or ""
 * @param empty     a descriptor without data (printed as an empty line, as crash does)
 */
public record LogRecord(long tsNsec, int level, long callerId, byte[] text, String subsystem, String device,
        boolean empty) {
}
