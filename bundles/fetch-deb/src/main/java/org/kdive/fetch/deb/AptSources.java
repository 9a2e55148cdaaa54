package org.kdive.fetch.deb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The Debian mirrors named by APT's sources (one-line {@code sources.list} entries and deb822
 * {@code *.sources} files), so a Debian machine fetches debuginfo from the mirror it already uses.
 */
final class AptSources {
    private AptSources() {
    }

    static List<String> mirrors(Path aptDir) {
        Set<String> urls = new LinkedHashSet<>();
        List<Path> files = new ArrayList<>();
        files.add(aptDir.resolve("sources.list"));
        Path d = aptDir.resolve("sources.list.d");
        if (Files.isDirectory(d)) {
            try (Stream<Path> s = Files.list(d)) {
                s.filter(p -> p.toString().endsWith(".list") || p.toString().endsWith(".sources")).sorted().forEach(files::add);
            } catch (IOException e) {
                // unreadable: fall through with what we have
            }
        }
        for (Path f : files) {
            if (!Files.isRegularFile(f)) continue;
            try {
                for (String line : Files.readAllLines(f)) {
                    String t = line.strip();
                    if (t.startsWith("deb ")) {
                        for (String w : t.substring(4).trim().split("\\s+")) {
                            if (w.startsWith("[")) continue;
                            if (w.startsWith("http://") || w.startsWith("https://")) urls.add(trim(w));
                            break;
                        }
                    } else if (t.startsWith("URIs:")) {
                        for (String w : t.substring(5).trim().split("\\s+")) {
                            if (w.startsWith("http://") || w.startsWith("https://")) urls.add(trim(w));
                        }
                    }
                }
            } catch (IOException e) {
                // skip this file
            }
        }
        return new ArrayList<>(urls);
    }

    private static String trim(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
