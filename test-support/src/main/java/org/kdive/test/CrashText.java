package org.kdive.test;

/**
 * Comparison of kdive's text with crash's where kdive claims crash's layout: columns and alignment
 * count, so only what a terminal cannot show is ignored — spaces at line ends and blank lines at
 * the ends of the output. ({@link Corpus#normalize} collapses blanks; use it only for content
 * comparisons with other tools' layouts, such as drgn's.)
 */
public final class CrashText {
    private CrashText() {
    }

    public static String layout(String s) {
        StringBuilder sb = new StringBuilder();
        for (String line : s.split("\n", -1)) {
            sb.append(line.stripTrailing()).append('\n');
        }
        String out = sb.toString();
        int start = 0;
        while (start < out.length() && out.charAt(start) == '\n') start++;
        return out.substring(start).stripTrailing();
    }
}
