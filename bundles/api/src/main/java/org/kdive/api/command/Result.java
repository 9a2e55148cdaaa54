package org.kdive.api.command;

/**
 * What a command produces. The shell prints {@link #text()} (crash-compatible) by default and
 * {@link #data()} as JSON when the user asks for JSON.
 */
public interface Result {
    /** The crash-style rendering, lines separated by '\n', ending with '\n' unless empty. */
    String text();

    /**
     * The same content as a JSON-ready tree: {@code Map<String,?>} (insertion ordered), {@code List<?>},
     * String, Number, Boolean or null.
     */
    Object data();

    static Result of(String text, Object data) {
        return new Result() {
            @Override public String text() { return text; }
            @Override public Object data() { return data; }
        };
    }

    /** For commands whose output is only text: the JSON form is {"text": …}. */
    static Result text(String text) {
        return of(text, java.util.Map.of("text", text));
    }
}
