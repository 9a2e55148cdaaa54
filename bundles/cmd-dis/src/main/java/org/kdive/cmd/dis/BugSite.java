package org.kdive.cmd.dis;

/** A BUG()/WARN() site from a kernel or module __bug_table. */
record BugSite(long address, String file, int line, boolean warning) {
    String describe() {
        return (warning ? "WARN" : "BUG") + ": " + (file == null ? "?" : file) + (line > 0 ? ":" + line : "");
    }
}
