package org.kdive.shell;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kdive.api.command.Command;

/**
 * The manual page and the shell completion scripts, made from the same texts as {@code kdive --help}
 * and {@code help CMD}: the distribution's build runs {@code help --man}, {@code help --bash} and
 * {@code help --zsh} with its own bundles, so a custom distribution documents exactly its commands.
 */
final class Manual {
    private static final Pattern OPTION = Pattern.compile("(?:^|[\\s,\\[|])(--?[A-Za-z][\\w-]*)");

    private Manual() {
    }

    /** man(7) roff of kdive(1). {@code launcherUsage} is {@code kdive --help}'s text. */
    static String man(Map<String, Command> commands, String launcherUsage, String version) {
        StringBuilder m = new StringBuilder();
        m.append(".TH KDIVE 1 \"\" \"kdive ").append(esc(version)).append("\" \"User Commands\"\n");
        m.append(".SH NAME\nkdive \\- Linux kernel crash\\-dump analyzer with crash's commands\n");
        m.append(".SH SYNOPSIS\n.B kdive\n[\\fIoptions\\fR] [\\fIDUMP\\fR... [\\fIVMLINUX\\fR]]\n");
        String[] usage = launcherUsage.strip().split("\n");
        m.append(".SH DESCRIPTION\n");
        StringBuilder options = new StringBuilder();
        boolean inOptions = false;
        for (int i = 1; i < usage.length; i++) {
            String l = usage[i];
            if (l.startsWith("  -") || l.startsWith("  ") && inOptions) {
                inOptions = true;
                options.append(l).append('\n');
            } else if (!inOptions && !l.isBlank()) {
                m.append(esc(l.strip())).append('\n');
            }
        }
        m.append(".PP\nWithout \\fB\\-c\\fR or \\fB\\-i\\fR the shell is interactive: it shows the dump's summary, ")
                .append("completes commands, options, symbols, types, members, task PIDs and file names with Tab, ")
                .append("and Ctrl\\-C cancels the running command.\n");
        m.append(".SH OPTIONS\n.nf\n").append(lines(options.toString())).append(".fi\n");
        m.append(".SH COMMANDS\nCommands take crash's arguments and print crash's layout. ")
                .append("Output can be piped into \\fBgrep\\fR, \\fBhead\\fR, \\fBtail\\fR and redirected with \\fB>\\fR.\n");
        for (Command c : commands.values()) {
            m.append(".SS ").append(esc(c.name())).append('\n');
            m.append(esc(c.description())).append('\n');
            m.append(".PP\n.nf\n").append(lines(c.usage().strip())).append(".fi\n");
        }
        m.append(".SH JSON OUTPUT\nWith \\fB\\-\\-json\\fR (or \\fBjson\\fR \\fICMD\\fR) every line is one JSON document: ")
                .append("{\"command\":...,\"result\":...}, one {\"command\":...,\"record\":...} per item of a streamed result, ")
                .append("or {\"command\":...,\"error\":{\"code\":...,\"message\":...}}. ")
                .append("Addresses are strings \"0x...\"; numbers are numbers; times are ISO\\-8601. ")
                .append("The schema is docs/kdive\\-output.schema.json, the codes docs/json.md.\n");
        m.append(".SH EXIT STATUS\n.TP\n0\nevery command succeeded\n.TP\n1\na command failed (its error is on stderr)\n")
                .append(".TP\n2\nthe run could not start: bad options, an unreadable dump or command file\n")
                .append(".TP\n3\nan internal error (see the log file)\n.TP\n130\ninterrupted (SIGINT)\n");
        m.append(".SH ENVIRONMENT\n.TP\nKDIVE_CACHE\ncaches (default ~/.cache/kdive): DWARF index, bundle cache, logs\n")
                .append(".TP\nKDIVE_PLUGINS\na directory of drop\\-in bundles\n")
                .append(".TP\nKDIVE_SERVER\noff: every batch run starts its own JVM\n")
                .append(".TP\nKDIVE_JAVA_OPTS\nmore JVM options\n");
        m.append(".SH FILES\n.TP\n~/.cache/kdive/kdive.log\nthe log file\n.TP\nplugins/\ndrop\\-in bundles of the installation\n");
        m.append(".SH SEE ALSO\n.BR crash (8),\n.BR makedumpfile (8)\n");
        return m.toString();
    }

    /** bash completion for the kdive program: its options, command names after -c, files elsewhere. */
    static String bash(Map<String, Command> commands, String launcherUsage) {
        String options = String.join(" ", options(launcherUsage));
        String names = String.join(" ", commands.keySet());
        return "# bash completion for kdive (generated from kdive --help and help)\n"
                + "_kdive() {\n"
                + "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
                + "    case $prev in\n"
                + "        -c) COMPREPLY=($(compgen -W \"" + names + "\" -- \"$cur\")); return ;;\n"
                + "        -i|--log) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
                + "        --plugins) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n"
                + "    esac\n"
                + "    if [[ $cur == -* ]]; then\n"
                + "        COMPREPLY=($(compgen -W \"" + options + "\" -- \"$cur\"))\n"
                + "    else\n"
                + "        COMPREPLY=($(compgen -f -- \"$cur\"))\n"
                + "    fi\n"
                + "}\n"
                + "complete -o filenames -F _kdive kdive\n";
    }

    /** zsh completion (a #compdef file for a directory in $fpath). */
    static String zsh(Map<String, Command> commands, String launcherUsage) {
        StringBuilder z = new StringBuilder("#compdef kdive\n# zsh completion for kdive (generated from kdive --help and help)\n");
        z.append("local -a kdive_commands\nkdive_commands=(\n");
        for (Command c : commands.values()) {
            z.append("  '").append(c.name()).append(':').append(c.description().replace("'", "'\\''").replace(":", "\\:")).append("'\n");
        }
        z.append(")\n_arguments -s \\\n");
        for (String l : launcherUsage.split("\n")) {
            Matcher m = Pattern.compile("^  (-[\\w-]+)(?:, (--[\\w-]+))?(?: ([A-Z\"][^ ]*(?: [^ ]+)*?))?\\s{2,}(.*)$").matcher(l);
            if (!m.matches()) continue;
            String help = m.group(4).replace("'", "'\\''").replace("[", "(").replace("]", ")");
            String arg = m.group(3) == null ? "" : m.group(1).equals("-c") ? ":command:_kdive_commands"
                    : m.group(1).equals("--plugins") ? ":directory:_files -/" : ":file:_files";
            for (String o : new String[] {m.group(1), m.group(2)}) {
                if (o != null) z.append("  '").append(o).append('[').append(help).append(']').append(arg).append("' \\\n");
            }
        }
        z.append("  '*:dump or vmlinux:_files'\n");
        z.append("_kdive_commands() { _describe 'kdive command' kdive_commands }\n");
        return z.toString();
    }

    static Set<String> options(String usage) {
        Set<String> out = new LinkedHashSet<>();
        for (String l : usage.split("\n")) {
            if (!l.startsWith("  -")) continue;
            Matcher m = OPTION.matcher(l.substring(0, Math.max(2, l.indexOf("  ", 2) < 0 ? l.length() : l.indexOf("  ", 2))));
            while (m.find()) out.add(m.group(1));
        }
        return out;
    }

    private static String lines(String text) {
        StringBuilder sb = new StringBuilder();
        for (String l : text.split("\n", -1)) sb.append(esc(l)).append('\n');
        return sb.toString();
    }

    /** A line of text for roff: backslashes doubled, a leading dot or quote protected, dashes as minus signs. */
    static String esc(String s) {
        String t = s.replace("\\", "\\e").replace("-", "\\-");
        if (t.startsWith(".") || t.startsWith("'")) t = "\\&" + t;
        return t;
    }

    static List<String> sections() {
        return List.of("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "JSON OUTPUT", "EXIT STATUS", "ENVIRONMENT", "FILES");
    }
}
