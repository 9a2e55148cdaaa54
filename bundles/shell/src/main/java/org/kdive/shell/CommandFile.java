package org.kdive.shell;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code -i FILE}: runs the file's commands line by line as they are read (a pipe or a long script
 * starts at once), refusing what is not a command file: a NUL byte, or a line over 1 MiB
 * ({@code -i /dev/zero} must not fill the memory).
 */
final class CommandFile {
    static final int MAX_LINE = 1 << 20;

    private CommandFile() {
    }

    static void run(Path file, Runner runner) throws IOException {
        try (Reader in = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8)) {
            StringBuilder line = new StringBuilder();
            int lineNo = 1;
            char[] buf = new char[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    char c = buf[i];
                    if (c == '\n') {
                        runner.runAll(List.of(line.toString()));
                        if (runner.status() == Failures.CANCELLED) return;
                        line.setLength(0);
                        lineNo++;
                    } else if (c == 0) {
                        throw new IOException("not a command file (a NUL byte on line " + lineNo + ")");
                    } else if (line.length() >= MAX_LINE) {
                        throw new IOException("not a command file (line " + lineNo + " is longer than 1 MiB)");
                    } else {
                        line.append(c);
                    }
                }
            }
            if (line.length() > 0) runner.runAll(List.of(line.toString()));
        }
    }
}
