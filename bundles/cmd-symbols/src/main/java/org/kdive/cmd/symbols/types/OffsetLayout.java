package org.kdive.cmd.symbols.types;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Type;

/**
 * crash's {@code struct -o}: the ptype body with each member's offset in a left column,
 * {@code "  [off]"} right-aligned to the width of the type's size plus four; lines that name
 * no member (nested braces) are shifted by the width of the size plus one, as crash does.
 */
public final class OffsetLayout {
    private OffsetLayout() {
    }

    /**
     * @param type    the struct or union
     * @param ptype   its ptype text ("struct x {" … "}")
     * @param hex     offsets in hex (crash's output radix 16)
     * @param base    if not 0, print absolute addresses base+offset in hex (struct -o ADDR)
     */
    public static String render(Type type, String ptype, boolean hex, long base) {
        String sizeText = hex ? "0x" + Long.toHexString(type.size()) : Long.toString(type.size());
        int width = sizeText.length() + 4;
        StringBuilder out = new StringBuilder();
        String[] lines = ptype.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (i == 0 || line.isEmpty() || !Character.isWhitespace(line.charAt(0))) {
                out.append(line).append('\n');
                continue;
            }
            OptionalOffset off = offsetOf(type, line);
            if (off == null) {
                out.append(" ".repeat(sizeText.length() + 1)).append(line).append('\n');
            } else {
                String col = base != 0 ? "  [" + Long.toHexString(base + off.value) + "]"
                        : hex ? "  [0x" + Long.toHexString(off.value) + "]" : "  [" + off.value + "]";
                out.append(" ".repeat(Math.max(0, width - col.length()))).append(col).append(line.substring(3)).append('\n');
            }
        }
        return out.toString();
    }

    private record OptionalOffset(long value) {
    }

    /** Picks the member name out of a declaration line the way crash's parser does. */
    private static OptionalOffset offsetOf(Type type, String line) {
        String[] words = words(line.trim());
        String target = null;
        if (line.contains(":")) {
            for (int i = 1; i < words.length; i++) {
                if (words[i].equals(":")) {
                    target = words[i - 1];
                    break;
                }
            }
        } else if (words.length > 0) {
            if (line.contains("(*")) {
                for (String w : words) {
                    String t = null;
                    if (w.startsWith("(*")) t = w.substring(2);
                    else if (w.startsWith("*(*")) t = w.substring(3);
                    else if (w.startsWith("**(*")) t = w.substring(4);
                    if (t != null && t.contains(")")) {
                        target = t.substring(0, t.indexOf(')'));
                        break;
                    }
                }
            }
            if (target == null) {
                String last = words[words.length - 1];
                if (last.contains(";")) target = last;
            }
        }
        if (target == null) return null;
        char[] chars = target.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            if ("*[];()".indexOf(chars[i]) >= 0) chars[i] = ' ';
        }
        String cleaned = new String(chars).trim();
        int sp = cleaned.indexOf(' ');
        if (sp >= 0) cleaned = cleaned.substring(0, sp);
        if (cleaned.isEmpty()) return null;
        Optional<Member> m = findMember(type, cleaned);
        return m.map(member -> new OptionalOffset(CDecl.byteOffset(member))).orElse(null);
    }

    /**
     * The line's words, as {@code split("\\s+")} gives them without the empty ones: by hand, as a
     * regular expression per line was most of a first {@code struct -o} of a large struct (bench/).
     */
    private static String[] words(String line) {
        List<String> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= line.length(); i++) {
            char c = i < line.length() ? line.charAt(i) : ' ';
            boolean space = c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
            if (space && start >= 0) {
                out.add(line.substring(start, i));
                start = -1;
            } else if (!space && start < 0) {
                start = i;
            }
        }
        return out.toArray(new String[0]);
    }

    /** A member by name, looking into anonymous members too (offset from the outer type). */
    public static Optional<Member> findMember(Type type, String name) {
        Type t = type.resolve();
        List<Member> direct = new ArrayList<>(t.members());
        for (Member m : direct) {
            if (name.equals(m.name())) return Optional.of(m);
        }
        for (Member m : direct) {
            if (m.name() == null || m.name().isEmpty()) {
                Optional<Member> inner = findMember(m.type(), name);
                if (inner.isPresent()) {
                    Member im = inner.get();
                    return Optional.of(new Member(im.name(), m.offset() + im.offset(), im.bitOffset(), im.bitSize(), im.type()));
                }
            }
        }
        return Optional.empty();
    }
}
