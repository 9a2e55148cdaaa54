package org.kdive.shell;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import org.jline.builtins.Completers;
import org.kdive.api.command.Command;
import org.kdive.api.kernel.KernelTasks;
import org.kdive.api.kernel.TaskInfo;
import org.kdive.api.session.Session;
import org.kdive.api.session.SessionService;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;

/**
 * Tab completion in the interactive shell: command names, options with their one-line help (read
 * from the command's usage text), symbols, struct/union types and members ({@code p init_task.com},
 * {@code struct task_struct.pi}), file names after {@code open} and {@code mod -s/-S}, and task PIDs
 * (with their command name) for {@code bt}, {@code set}, {@code task}, {@code ps} and {@code foreach}.
 */
final class Completion implements Completer {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Completion.class);
    private static final int MAX = 400;
    private static final Set<String> TASK_COMMANDS = Set.of("bt", "set", "task", "ps", "foreach", "files");
    private static final Set<String> TYPE_COMMANDS = Set.of("struct", "union", "whatis", "ptype");
    private static final Set<String> FILE_COMMANDS = Set.of("open", "cat", "ls", "cd");
    private static final Set<String> EXPRESSION_COMMANDS = Set.of("p", "print", "px", "pd", "whatis", "rd", "list", "tree");
    private static final Set<String> SYMBOL_COMMANDS = Set.of("dis", "sym", "rd", "p", "px", "pd", "print", "whatis", "list",
            "tree", "struct", "union", "search", "vtop", "kmem");
    private static final Pattern OPTION = Pattern.compile("(?:^|[\\s\\[|,])(-{1,2}[A-Za-z0-9][\\w-]*)");

    private final CommandRegistry registry;
    private final SessionService sessions;
    private final Supplier<Optional<KernelTasks>> tasks;
    private final Completer files = new Completers.FileNameCompleter();
    private final Map<String, List<Candidate>> optionsByCommand = new java.util.concurrent.ConcurrentHashMap<>();
    private Session indexed;
    private String[] symbolNames = new String[0];
    private ByteBuffer strings;

    Completion(CommandRegistry registry, SessionService sessions, Supplier<Optional<KernelTasks>> tasks) {
        this.registry = registry;
        this.sessions = sessions;
        this.tasks = tasks;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        List<String> words = line.words();
        int index = line.wordIndex();
        String word = line.word().substring(0, Math.min(line.wordCursor(), line.word().length()));
        // after ';' or '|' a new statement begins
        int start = 0;
        for (int i = 0; i < index; i++) {
            String w = words.get(i);
            if (w.equals(";") || w.equals("|") || w.endsWith(";")) start = i + 1;
        }
        if (index == start) {
            commands(word, candidates);
            return;
        }
        String command = CrashSyntax.commandName(words.get(start));
        if (start > 0 && words.get(start - 1).equals("|")) return; // a Gogo filter's arguments
        String previous = index - 1 >= start ? words.get(index - 1) : "";
        try {
            if (word.startsWith("-")) {
                options(command, word, candidates);
            } else if (command.equals("mod") && previous.equals("-s")) {
                modules(word, candidates); // mod -s MODULE [FILE]
            } else if (FILE_COMMANDS.contains(command)
                    || command.equals("mod") && (words.subList(start, index).contains("-s") || words.subList(start, index).contains("-S"))) {
                files.complete(reader, line, candidates);
            } else if (TASK_COMMANDS.contains(command) && !previous.startsWith("-")) {
                tasks(word, candidates);
            } else if (word.contains(".") || word.contains("->")) {
                members(command, word, candidates);
            } else if (TYPE_COMMANDS.contains(command) && index == start + 1 || words.subList(start, index).contains("-l")) {
                types(word, candidates);
                if (command.equals("whatis")) symbols(word, candidates);
            } else if (SYMBOL_COMMANDS.contains(command) || EXPRESSION_COMMANDS.contains(command)) {
                symbols(word, candidates);
            }
        } catch (RuntimeException e) {
            // completion must never disturb the prompt (no dump, no debuginfo, a broken type)
            LOG.debug("completing '{}' failed", line.line(), e);
        }
    }

    private void commands(String word, List<Candidate> out) {
        for (Map.Entry<String, Command> e : registry.all().entrySet()) {
            if (e.getKey().startsWith(word)) out.add(new Candidate(e.getKey(), e.getKey(), "commands", e.getValue().description(), null, null, true));
        }
        for (String g : List.of("grep", "head", "tail", "cat", "echo", "wc", "sort", "clear", "less", "q", "quit")) {
            if (g.startsWith(word)) out.add(new Candidate(g, g, "shell", null, null, null, true));
        }
    }

    /** Options of a command as its usage text lists them, with the text beside each as help. */
    private void options(String command, String word, List<Candidate> out) {
        List<Candidate> all = optionsByCommand.computeIfAbsent(command, c -> registry.get(c).map(Completion::parseOptions).orElse(List.of()));
        for (Candidate c : all) {
            if (c.value().startsWith(word)) out.add(c);
        }
    }

    static List<Candidate> parseOptions(Command c) {
        Map<String, String> help = new LinkedHashMap<>();
        String[] lines = c.usage().split("\n");
        for (int n = 1; n < lines.length; n++) {
            String l = lines[n];
            if (l.startsWith("JSON")) break; // the JSON fields a command documents after its options are not options
            boolean synopsis = !l.startsWith(" ");
            Matcher m = OPTION.matcher(l);
            List<int[]> spans = new ArrayList<>();
            while (m.find()) spans.add(new int[] {m.start(1), m.end(1)});
            List<String> sharing = new ArrayList<>();
            int defined = 0; // where the last option this line defines ends
            for (int i = 0; i < spans.size(); i++) {
                String opt = l.substring(spans.get(i)[0], spans.get(i)[1]);
                String text = "";
                if (!synopsis) {
                    // an option named inside another's help ("(-x in hex, -d in decimal)") is a mention,
                    // not a definition: only options at the line's start, right after such ones, or
                    // beginning a column (two blanks before it) are
                    int at = spans.get(i)[0];
                    boolean column = at >= 2 && l.substring(at - 2, at).isBlank();
                    if (!column && !l.substring(defined, at).matches("[\\s,/|]*")) continue;
                    defined = spans.get(i)[1];
                    int from = spans.get(i)[1];
                    // help runs to the next option that begins a column (two spaces before it)
                    int to = l.length();
                    for (int k = i + 1; k < spans.size(); k++) {
                        int s = spans.get(k)[0];
                        if (s >= 2 && l.substring(Math.max(from, s - 2), s).isBlank() && !l.substring(from, s).isBlank()) {
                            to = s;
                            break;
                        }
                    }
                    text = l.substring(from, to).strip().replaceAll("^[/|,]\\s*", "").replaceAll("\\s+", " ");
                    if (text.startsWith("-")) text = ""; // a list of options sharing the next one's text
                }
                if (!help.containsKey(opt) || help.get(opt).isEmpty()) help.put(opt, text);
                if (!synopsis && text.isEmpty()) {
                    sharing.add(opt);
                } else if (!synopsis) {
                    for (String o : sharing) help.put(o, text); // "-8 -16 -32 -64  entry size"
                    sharing.clear();
                }
            }
        }
        List<Candidate> out = new ArrayList<>();
        help.forEach((o, h) -> out.add(new Candidate(o, o, "options", h.isEmpty() ? null : h, null, null, true)));
        return out;
    }

    private void tasks(String word, List<Candidate> out) {
        Optional<Session> s = sessions.current();
        Optional<KernelTasks> kt = tasks.get();
        if (s.isEmpty() || kt.isEmpty()) return;
        boolean byName = !word.isEmpty() && !Character.isDigit(word.charAt(0));
        Set<String> names = new TreeSet<>();
        for (TaskInfo t : kt.get().tasks(s.get())) {
            String pid = Integer.toString(t.pid());
            if (!byName && pid.startsWith(word) && out.size() < MAX) {
                out.add(new Candidate(pid, pid, null, t.comm(), null, Long.toHexString(t.task()), true));
            } else if (byName && t.comm() != null && t.comm().startsWith(word)) {
                names.add(t.comm());
            }
        }
        for (String n : names) out.add(new Candidate(n, n, null, "command name", null, null, true));
    }

    private void modules(String word, List<Candidate> out) {
        sessions.current().ifPresent(s -> {
            for (Symbol sym : (Iterable<Symbol>) s.symbols().all()::iterator) {
                if (sym.module() != null && sym.module().startsWith(word) && out.stream().noneMatch(c -> c.value().equals(sym.module()))) {
                    out.add(new Candidate(sym.module()));
                }
            }
        });
    }

    private synchronized void symbols(String word, List<Candidate> out) {
        Optional<Session> s = sessions.current();
        if (s.isEmpty() || word.isEmpty() && out.size() > 0) return;
        index(s.get());
        int i = Arrays.binarySearch(symbolNames, word);
        if (i < 0) i = -i - 1;
        for (int n = 0; i < symbolNames.length && symbolNames[i].startsWith(word) && n < MAX; i++, n++) {
            out.add(new Candidate(symbolNames[i], symbolNames[i], null, null, null, null, true));
        }
    }

    private void index(Session s) {
        if (indexed == s) return;
        TreeSet<String> names = new TreeSet<>();
        s.symbols().all().forEach(sym -> names.add(sym.module() == null ? sym.name() : sym.name()));
        symbolNames = names.toArray(new String[0]);
        strings = s.vmlinux().flatMap(d -> d.section(".debug_str")).orElse(null);
        indexed = s;
    }

    /** struct/union names: DWARF's string table holds every name; the type lookup keeps the real ones. */
    private synchronized void types(String word, List<Candidate> out) {
        Optional<Session> s = sessions.current();
        if (s.isEmpty()) return;
        index(s.get());
        String prefix = word;
        String keyword = null;
        for (String k : List.of("struct ", "union ")) {
            if (word.startsWith(k)) {
                keyword = k.strip();
                prefix = word.substring(k.length());
            }
        }
        if (strings == null || prefix.isEmpty()) {
            LOG.debug("no type names: {}", strings == null ? "no .debug_str" : "empty prefix");
            return;
        }
        byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = strings.duplicate();
        Set<String> seen = new TreeSet<>();
        int limit = b.limit();
        // the linker merges strings that end alike: "task_struct" may be stored only as the tail of
        // "get_task_struct", so every occurrence of the prefix is a candidate up to its string's end
        for (int i = b.position(); i + p.length <= limit && seen.size() < 2000; i++) {
            if (b.get(i) != p[0]) continue;
            boolean match = true;
            for (int k = 1; k < p.length && match; k++) match = b.get(i + k) == p[k];
            if (!match) continue;
            int end = i + p.length;
            while (end < limit && b.get(end) != 0) end++;
            byte[] name = new byte[end - i];
            b.get(i, name);
            String n = new String(name, StandardCharsets.UTF_8);
            if (n.matches("[A-Za-z_][A-Za-z0-9_]*")) seen.add(n);
        }
        LOG.debug("type names starting with {}: {} in {} bytes of .debug_str", prefix, seen.size(), limit - b.position());
        int n = 0;
        for (String name : seen) {
            if (n >= MAX) break;
            for (String k : keyword == null ? List.of("struct", "union") : List.of(keyword)) {
                Optional<Type> t = s.get().symbols().type(k + " " + name);
                if (t.isPresent() && !t.get().isDeclaration()) {
                    String value = (word.startsWith(k + " ") ? k + " " : "") + name;
                    out.add(new Candidate(value, value, null, k, null, null, true));
                    n++;
                    break;
                }
            }
        }
    }

    /** {@code var.member->member}, or TYPE.member after struct/union. */
    private void members(String command, String word, List<Candidate> out) {
        Optional<Session> s = sessions.current();
        if (s.isEmpty()) return;
        int dot = word.lastIndexOf('.');
        int arrow = word.lastIndexOf("->");
        int cut = Math.max(dot, arrow);
        String head = word.substring(0, cut + (cut == arrow ? 2 : 1));
        String partial = word.substring(head.length());
        String[] path = word.substring(0, cut).split("\\.|->");
        String first = path[0].replaceAll("^[(*&]+", "");
        Type t;
        if (command.equals("struct") || command.equals("union")) {
            t = s.get().symbols().type(command + " " + first).orElse(null);
        } else {
            t = s.get().symbols().variable(first).map(v -> v.type()).orElse(null);
        }
        for (int i = 1; i < path.length && t != null; i++) {
            String name = path[i].replaceAll("\\[.*", "");
            t = findMember(deref(t), name).map(Member::type).orElse(null);
        }
        if (t == null) return;
        for (String m : memberNames(deref(t))) {
            if (m.startsWith(partial)) out.add(new Candidate(head + m, head + m, null, null, null, null, false));
        }
    }

    private static Type deref(Type t) {
        Type r = t.resolve();
        while (r.kind() == Type.Kind.POINTER || r.kind() == Type.Kind.ARRAY) r = r.target().resolve();
        return r;
    }

    private static Optional<Member> findMember(Type t, String name) {
        for (Member m : t.members()) {
            if (name.equals(m.name())) return Optional.of(m);
            if (m.name() == null || m.name().isEmpty()) {
                Optional<Member> inner = findMember(m.type().resolve(), name);
                if (inner.isPresent()) return inner;
            }
        }
        return Optional.empty();
    }

    private static List<String> memberNames(Type t) {
        List<String> names = new ArrayList<>();
        for (Member m : t.members()) {
            if (m.name() == null || m.name().isEmpty()) names.addAll(memberNames(m.type().resolve()));
            else names.add(m.name());
        }
        return names;
    }
}
