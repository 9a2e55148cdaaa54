package org.kdive.api.util;

import java.util.Collection;
import java.util.Optional;

/** "Did you mean …?": the nearest of some words to a mistyped one. */
public final class Suggest {
    private Suggest() {
    }

    /**
     * The candidate closest to {@code typed} by edit distance (a swap of neighbours counts one),
     * if it is close enough to be a typo: at most 1 edit for short words, 2 for longer ones.
     */
    public static Optional<String> nearest(String typed, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        int limit = typed.length() <= 3 ? 1 : 2;
        for (String c : candidates) {
            if (c.equals(typed)) continue;
            int d = distance(typed, c);
            if (d < bestDistance || d == bestDistance && best != null && c.compareTo(best) < 0) {
                best = c;
                bestDistance = d;
            }
        }
        if (best != null && bestDistance <= limit && bestDistance < Math.max(typed.length(), best.length())) return Optional.of(best);
        return Optional.empty();
    }

    /** Optimal string alignment distance. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
