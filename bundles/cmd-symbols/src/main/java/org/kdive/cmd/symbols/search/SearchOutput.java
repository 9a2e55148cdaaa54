package org.kdive.cmd.symbols.search;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdive.api.KdiveException;
import org.kdive.api.command.Output;

/**
 * Prints matches as crash does: "ADDRESS: VALUE (name)" for values, "ADDRESS: TEXT" for strings
 * (unprintable bytes as '.'), and with a context the neighbouring words before and after each match
 * in rd's layout, onto the command's {@link Output} as they are found (one JSON record per match);
 * stops after {@link #MAX_MATCHES}.
 */
public final class SearchOutput implements Hits {
    public static final int MAX_MATCHES = 100_000;
    private static final int ADDRESS_WIDTH = 16;

    /** Reads memory of the searched space for the context words. */
    @FunctionalInterface
    public interface Reader {
        void read(long address, byte[] into);
    }

    private final List<String> notes = new ArrayList<>();
    private Output out;
    private final StringBuilder text = new StringBuilder();
    private long matches;
    private final int width;
    private final String[] names;
    private final String[] strings;
    private final int context;
    private final Reader reader;
    private boolean truncated;

    /**
     * @param width   bytes per value (8, 4, 2), 0 for strings
     * @param names   per searched value: "(symbol)" / "(expression)" shown after the value, or ""
     * @param strings per searched string, for the JSON rows (null for values)
     * @param context words shown before and after each value match, read through {@code reader}
     */
    public SearchOutput(int width, String[] names, String[] strings, int context, Reader reader) {
        this.width = width;
        this.names = names;
        this.strings = strings;
        this.context = context;
        this.reader = reader;
    }

    @Override
    public boolean value(long address, long value, int index) {
        if (context > 0) {
            words(address - (long) context * width, context);
            text.append(String.format("%" + ADDRESS_WIDTH + "x:  %x %s\n", address, value, names[index]));
            words(address + width, context);
            text.append('\n');
        } else {
            text.append(String.format("%x: %x %s\n", address, value, names[index]));
        }
        flushText();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("address", hex(address));
        row.put("value", hex(value));
        if (!names[index].isEmpty()) row.put("name", names[index]);
        return add(row);
    }

    @Override
    public boolean string(long address, byte[] shown, int index) {
        StringBuilder line = new StringBuilder(shown.length);
        for (byte b : shown) line.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
        text.append(Long.toHexString(address)).append(": ").append(line).append('\n');
        flushText();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("address", hex(address));
        row.put("string", strings[index]);
        row.put("text", line.toString());
        return add(row);
    }

    /** A line of text that is not a match (crash's notes such as the rounded start address). */
    public void note(String line) {
        if (out == null) notes.add(line);
        else out.line(line);
    }

    /** From now on matches go to {@code o}, counted from 0; the notes made before go first. */
    public void to(Output o) {
        out = o;
        matches = 0;
        truncated = false;
        text.setLength(0);
        notes.forEach(o::line);
    }

    public boolean truncated() { return truncated; }

    private void flushText() {
        out.text(text);
        text.setLength(0);
    }

    private boolean add(Map<String, Object> row) {
        out.record(row);
        if (++matches < MAX_MATCHES) return true;
        truncated = true;
        return false;
    }

    /** {@code count} words from {@code start}, 16 bytes a line with the ASCII column; stops at an unreadable word. */
    private void words(long start, int count) {
        int perLine = 16 / width;
        byte[] word = new byte[width];
        StringBuilder chars = new StringBuilder();
        int onLine = 0;
        for (int i = 0; i < count; i++) {
            long a = start + (long) i * width;
            try {
                reader.read(a, word);
            } catch (KdiveException e) {
                break;
            }
            if (onLine == perLine) {
                endLine(chars, onLine, perLine);
                onLine = 0;
            }
            if (onLine == 0) text.append(String.format("%" + ADDRESS_WIDTH + "x:  ", a));
            long v = 0;
            for (int k = width - 1; k >= 0; k--) v = (v << 8) | (word[k] & 0xff);
            text.append(String.format("%0" + (2 * width) + "x ", v));
            for (byte b : word) chars.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
            onLine++;
        }
        if (onLine > 0) endLine(chars, onLine, perLine);
    }

    private void endLine(StringBuilder chars, int onLine, int perLine) {
        text.append(" ".repeat((perLine - onLine) * (2 * width + 1))).append("  ").append(chars).append('\n');
        chars.setLength(0);
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
