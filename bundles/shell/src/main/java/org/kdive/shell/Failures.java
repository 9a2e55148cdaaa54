package org.kdive.shell;

import java.util.LinkedHashMap;
import java.util.Map;
import org.kdive.api.KdiveException;
import org.kdive.api.command.CommandCancelledException;
import org.kdive.api.command.CommandException;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.util.Json;

/**
 * How failures are shown: one line on stderr for people, and under JSON output one document
 * {@code {"command":…,"error":{"code":…,"message":…}}} on stdout, with a stable code
 * (docs/json.md); and the batch exit status each kind sets (docs/exit-status in the man page).
 */
final class Failures {
    /** Exit statuses of a batch run. */
    static final int OK = 0;
    static final int COMMAND_FAILED = 1;
    static final int CANNOT_START = 2;
    static final int INTERNAL = 3;
    static final int CANCELLED = 130;

    private static final java.util.regex.Pattern NOT_FOUND = java.util.regex.Pattern.compile(
            "not found|no such|invalid data structure reference|not a loaded module|no kmem_cache named|does not exist");

    private Failures() {
    }

    /** The stable error code of an exception a command threw. */
    static String code(Throwable e) {
        if (e instanceof CommandCancelledException) return "cancelled";
        if (e instanceof CommandException ce) {
            String m = String.valueOf(ce.getMessage());
            if (m.startsWith("no dump is open")) return "no-session";
            // commands mostly throw plain CommandExceptions: the usual wordings of "it does not exist"
            if (CommandException.FAILED.equals(ce.code()) && NOT_FOUND.matcher(m).find()) return CommandException.NOT_FOUND;
            return ce.code();
        }
        if (e instanceof MemoryAccessException me && me.reason() != null) {
            return "memory-" + me.reason().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
        if (e instanceof org.kdive.api.session.AmbiguousSymbolException) return "ambiguous-symbol";
        if (e instanceof org.kdive.api.dump.DumpFormatException) return "dump-format";
        if (e instanceof org.kdive.api.fetch.FetchException) return "fetch-failed";
        if (e instanceof KdiveException) return "failed";
        return "internal";
    }

    static int status(String code) {
        return switch (code) {
            case "cancelled" -> CANCELLED;
            case "internal" -> INTERNAL;
            default -> COMMAND_FAILED;
        };
    }

    static String jsonError(String command, String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("command", command);
        doc.put("error", error);
        return Json.compact(doc);
    }
}
