package org.kdive.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A server's parser of the command lines the launcher script hands it (the shell bundle's
 * ScriptDoor): the same options and checks of the files as a run of the launcher's own, names
 * resolved against the client's directory. Null for what a server does not take: not a batch
 * run, options that change the log or the plug-ins (--plugins), files with a problem (the
 * client's own JVM then says what it is), or a client this server was not made for.
 *
 * <p>The script finds the door by its installation alone (naming it after everything a server
 * depends on would cost the script a dozen processes a run), so the check is here: the client's
 * JVM must be this one, its settings variables these, and the socket the launcher's own client
 * would compute now (the installation's jars, drop-ins and configuration as they are now) must be
 * the one this server serves; otherwise the script runs the launcher, which finds or starts the
 * right server.
 */
final class ScriptRequests implements BiFunction<Map<String, String>, List<String>, Map<String, String>> {
    /** The service property the shell finds this under. */
    static final String PROPERTY = "kdive.script.requests";
    /** Keys of the client's facts: its directory, its java command, and "env:" + each settings variable. */
    static final String CWD = "cwd", JAVA = "java", ENV = "env:";

    private final Path cache;
    private final Path home;
    private final Path served;

    ScriptRequests(Path cache, Path home, Path served) {
        this.cache = cache;
        this.home = home;
        this.served = served;
    }

    @Override
    public Map<String, String> apply(Map<String, String> client, List<String> args) {
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
        if (!madeFor(client, o)) return null;
        Path dir = Paths.get(client.get(CWD));
        o.files.replaceAll(f -> dir.resolve(f).toString());
        if (o.script != null) o.script = dir.resolve(o.script).toString();
        if (Inputs.problem(o) != null) return null;
        return ServerClient.request(o);
    }

    /** Whether a client with these facts would have reached this server through the launcher. */
    boolean madeFor(Map<String, String> client, Options o) {
        String java = client.get(JAVA);
        if (java == null || client.get(CWD) == null) return false;
        try {
            if (!Files.isSameFile(Paths.get(client.get(CWD)).resolve(java), Paths.get(System.getProperty("java.home"), "bin", "java"))) {
                return false;
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        Map<String, String> env = new HashMap<>();
        client.forEach((k, v) -> {
            if (k.startsWith(ENV)) env.put(k.substring(ENV.length()), v);
        });
        if (!ServerClient.settings(env).equals(ServerClient.settings(System.getenv()))) return false;
        return served.equals(ServerClient.socket(cache, home, o));
    }
}
