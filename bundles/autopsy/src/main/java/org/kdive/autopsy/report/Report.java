package org.kdive.autopsy.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The autopsy report being built: text sections with headings, and the same facts as a JSON tree. */
public final class Report {
    private final StringBuilder text = new StringBuilder();
    private final Map<String, Object> data = new LinkedHashMap<>();

    /** Starts a section: a blank line between sections, then the title as given. */
    public Report heading(String title) {
        if (text.length() > 0) text.append('\n');
        text.append(title).append('\n');
        return this;
    }

    /** An indented line of the current section. */
    public Report line(String s) {
        text.append("  ").append(s).append('\n');
        return this;
    }

    /** "  key: value" with the key padded so a section's values line up. */
    public Report field(String key, String value) {
        text.append(String.format("  %-12s %s%n", key + ":", value));
        return this;
    }

    public Report raw(String s) {
        text.append(s);
        if (!s.endsWith("\n")) text.append('\n');
        return this;
    }

    public Map<String, Object> data() { return data; }

    /** A JSON sub-object under {@code key}, created on first use. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> section(String key) {
        return (Map<String, Object>) data.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
    }

    @SuppressWarnings("unchecked")
    public List<Object> list(String key) {
        return (List<Object>) data.computeIfAbsent(key, k -> new ArrayList<Object>());
    }

    public String text() { return text.toString(); }
}
