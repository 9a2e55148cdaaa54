package org.kdive.launcher;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A server's parser of the command lines the launcher script hands it (the shell bundle's
 * ScriptDoor): the same options and checks of the files as a run of the launcher's own, names
 * resolved against the client's directory. Null for what a server does not take: not a batch
 * run, options that change the log or the plug-ins (the script's server key does not cover
 * --plugins), or files with a problem (the client's own JVM then says what it is).
 */
final class ScriptRequests implements BiFunction<String, List<String>, Map<String, String>> {
    /** The service property the shell finds this under. */
    static final String PROPERTY = "kdive.script.requests";

    @Override
    public Map<String, String> apply(String cwd, List<String> args) {
        if (args.contains("--plugins")) return null;
        Options o;
        try {
            o = Options.parse(args.toArray(new String[0]));
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (o.help || o.version || o.stopServer || o.serve != null || o.interactive() || o.verbose || o.logFile != null) {
            return null;
        }
        Path dir = Paths.get(cwd);
        o.files.replaceAll(f -> dir.resolve(f).toString());
        if (o.script != null) o.script = dir.resolve(o.script).toString();
        if (Inputs.problem(o) != null) return null;
        return ServerClient.request(o);
    }
}
