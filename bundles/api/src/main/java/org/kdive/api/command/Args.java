package org.kdive.api.command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Crash-style option parsing: flags like {@code -l}, {@code -64}, grouped {@code -xl}, and options
 * taking a value ({@code -R member}). Everything else is positional; {@code --} ends options.
 */
public final class Args {
    private final Map<String, String> options = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    private Args() {
    }

    /**
     * @param flags       option names without '-' that take no value ("l", "64", "json")
     * @param withValue   option names that take the next word as value ("R", "s")
     */
    public static Args parse(List<String> args, Set<String> flags, Set<String> withValue) {
        Args a = new Args();
        boolean options = true;
        for (int i = 0; i < args.size(); i++) {
            String s = args.get(i);
            if (options && s.equals("--")) {
                options = false;
            } else if (options && s.startsWith("-") && s.length() > 1) {
                String name = s.startsWith("--") ? s.substring(2) : s.substring(1);
                if (flags.contains(name)) {
                    a.options.put(name, "");
                } else if (withValue.contains(name)) {
                    if (i + 1 >= args.size()) throw new CommandException("option " + s + " needs a value", CommandException.USAGE);
                    a.options.put(name, args.get(++i));
                } else if (!s.startsWith("--") && name.chars().allMatch(c -> flags.contains(String.valueOf((char) c)))) {
                    name.chars().forEach(c -> a.options.put(String.valueOf((char) c), ""));
                } else {
                    throw unknownOption(s, flags, withValue);
                }
            } else {
                a.positional.add(s);
            }
        }
        return a;
    }

    /** "unknown option: -X", with the nearest known option when it looks like a typo. */
    private static CommandException unknownOption(String typed, Set<String> flags, Set<String> withValue) {
        List<String> known = new ArrayList<>();
        for (String f : flags) known.add((f.length() > 1 && !f.chars().allMatch(Character::isDigit) ? "--" : "-") + f);
        for (String f : withValue) known.add((f.length() > 1 ? "--" : "-") + f);
        // a single letter is no typo of another letter (and crash's message stays crash's)
        String hint = typed.length() <= 2 ? ""
                : org.kdive.api.util.Suggest.nearest(typed, known).map(k -> " (did you mean " + k + "?)").orElse("");
        return new CommandException("unknown option: " + typed + hint, CommandException.USAGE);
    }

    public boolean has(String name) { return options.containsKey(name); }

    public String value(String name) { return options.get(name); }

    public List<String> positional() { return positional; }

    public String positional(int i) { return i < positional.size() ? positional.get(i) : null; }
}
