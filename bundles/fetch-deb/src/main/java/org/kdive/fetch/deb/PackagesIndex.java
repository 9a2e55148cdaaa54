package org.kdive.fetch.deb;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Finds one package's stanza in an APT {@code Packages} index (streamed, never held whole). */
final class PackagesIndex {
    /** What the index says about a package file. */
    record Stanza(String pkg, String version, String filename, long size, String sha256) {
    }

    private PackagesIndex() {
    }

    /**
     * @param version the wanted version, or null for the newest listed... any (the build-id check decides)
     */
    static Optional<Stanza> find(InputStream in, String pkg, String version) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        Map<String, String> cur = new HashMap<>();
        String line;
        boolean interesting = false;
        while (true) {
            line = r.readLine();
            if (line == null || line.isEmpty()) {
                if (interesting) {
                    Stanza s = stanza(cur);
                    if (s != null && (version == null || version.equals(s.version()))) return Optional.of(s);
                }
                cur.clear();
                interesting = false;
                if (line == null) return Optional.empty();
                continue;
            }
            if (line.startsWith(" ") || line.startsWith("\t")) continue; // continuation (Description…)
            int colon = line.indexOf(':');
            if (colon <= 0) continue;
            String key = line.substring(0, colon);
            String value = line.substring(colon + 1).trim();
            if (key.equals("Package")) interesting = value.equals(pkg);
            if (key.equals("Package") || key.equals("Version") || key.equals("Filename") || key.equals("Size")
                    || key.equals("SHA256")) {
                cur.put(key, value);
            }
        }
    }

    private static Stanza stanza(Map<String, String> m) {
        if (m.get("Filename") == null) return null;
        long size = -1;
        try {
            if (m.get("Size") != null) size = Long.parseLong(m.get("Size"));
        } catch (NumberFormatException ignored) {
            // keep unknown
        }
        return new Stanza(m.get("Package"), m.get("Version"), m.get("Filename"), size, m.get("SHA256"));
    }
}
