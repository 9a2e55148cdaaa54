package org.kdive.launcher;

import java.io.File;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** The command line: {@code kdive [options] [DUMP... [VMLINUX]]}. */
final class Options {
    static final String USAGE = String.join("\n",
            "usage: kdive [options] [DUMP... [VMLINUX]]",
            "",
            "Opens a Linux kernel crash dump (ELF vmcore, kdump compressed, flattened, split, LKCD)",
            "and its vmlinux debuginfo (found in the cache or fetched when not given), then runs",
            "crash-style commands interactively or in batch.",
            "",
            "  -c \"CMD; CMD\"     run the commands and exit",
            "  -i FILE          run the commands in FILE (one per line) and exit",
            "  --info           describe the dump (format, kernel release, build-id ...) and exit;",
            "                   needs no debuginfo",
            "  --json           print command results as JSON (one document per command)",
            "  --plugins DIR    also load bundles dropped into DIR (also $KDIVE_PLUGINS)",
            "  --no-fetch       never download debuginfo",
            "  --log FILE       log file (default ~/.cache/kdive/kdive.log)",
            "  -v, --verbose    show informational messages on stderr",
            "  --stop-server    stop this installation's kdive server (batch runs start one that",
            "                   serves later runs without start-up; KDIVE_SERVER=off disables it)",
            "  triage DUMP...   one record per dump with a crash signature (`kdive triage --json` for JSON lines)",
            "  fleet DIR...     triage many dumps with Apache Spark (see docs/fleet.md)",
            "  -h, --help       this text",
            "  --version        print the version and exit");

    final List<String> files = new ArrayList<>();
    final List<String> pluginDirs = new ArrayList<>();
    String commands;
    String script;
    boolean info;
    boolean json;
    boolean fetch = true;
    boolean verbose;
    boolean help;
    boolean version;
    boolean stopServer;
    /** Internal: run as the kdive server on this socket (started by a batch run, see ServerClient). */
    String serve;
    Path logFile;

    /** Commands that run over dumps of their own: {@code kdive triage DUMP…} is {@code kdive -c "triage DUMP…"}. */
    static final java.util.Set<String> BATCH_COMMANDS = java.util.Set.of("triage");

    static Options parse(String[] args) {
        if (args.length > 0 && BATCH_COMMANDS.contains(args[0])) return batchCommand(args);
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-c" -> o.commands = value(args, ++i, a);
                case "-i" -> o.script = value(args, ++i, a);
                case "--info" -> o.info = true;
                case "--json" -> o.json = true;
                case "--plugins" -> o.pluginDirs.add(value(args, ++i, a));
                case "--no-fetch" -> o.fetch = false;
                case "--log" -> o.logFile = Paths.get(value(args, ++i, a));
                case "-v", "--verbose" -> o.verbose = true;
                case "-h", "--help" -> o.help = true;
                case "--version" -> o.version = true;
                case "--stop-server" -> o.stopServer = true;
                case "--serve" -> o.serve = value(args, ++i, a);
                default -> {
                    if (a.startsWith("-") && a.length() > 1) throw new IllegalArgumentException("unknown option: " + a);
                    o.files.add(a);
                }
            }
        }
        String env = System.getenv("KDIVE_PLUGINS");
        if (env != null && !env.isBlank()) {
            for (String d : env.split(File.pathSeparator)) {
                if (!d.isBlank()) o.pluginDirs.add(d);
            }
        }
        return o;
    }

    /**
     * {@code kdive COMMAND [options] ARGS…}: the launcher's own options (--json, -v, --log,
     * --plugins) stay the launcher's, --no-fetch goes to both, everything else is the command's.
     */
    private static Options batchCommand(String[] args) {
        List<String> launcher = new ArrayList<>();
        StringBuilder command = new StringBuilder(args[0]);
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--json", "-v", "--verbose" -> launcher.add(a);
                case "--log", "--plugins" -> {
                    launcher.add(a);
                    launcher.add(value(args, ++i, a));
                }
                default -> {
                    if (a.equals("--no-fetch")) launcher.add(a);
                    command.append(' ').append(quote(a));
                }
            }
        }
        launcher.add("-c");
        launcher.add(command.toString());
        return parse(launcher.toArray(new String[0]));
    }

    private static String quote(String word) {
        if (word.matches("[A-Za-z0-9_./:@=+,-]+")) return word;
        // Gogo: single quotes keep everything literal; a word with a quote goes in double quotes
        if (word.indexOf('\'') < 0) return "'" + word + "'";
        return '"' + word.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$") + '"';
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException("option " + option + " needs a value");
        return args[i];
    }

    boolean interactive() {
        return commands == null && script == null && !info && serve == null;
    }
}
