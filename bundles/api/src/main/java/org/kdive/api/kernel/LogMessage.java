package org.kdive.api.kernel;

/**
 * One message of the kernel log.
 *
 * @param tsNsec timestamp in ns since boot, -1 when the log layout has none
 * @param level  log level 0..7, -1 when unknown
 * @param text   the message text (may hold several lines)
 */
public record LogMessage(long tsNsec, int level, String text) {
}
