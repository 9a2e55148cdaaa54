package org.kdive.shell;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Coverage-guided fuzzing (Jazzer) of what the shell reads from outside: the server's request decoding
 * (ServerLoop.read, what a client sends over the socket) and the crash-syntax lines (statements, words, the
 * command name, the Gogo translation). Seeds in src/test/resources/org/kdive/shell/ShellInputFuzzTestInputs.
 */
class ShellInputFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void request(byte[] input) {
        Map<String, String> request = new HashMap<>();
        try {
            ServerLoop.read(new DataInputStream(new ByteArrayInputStream(input)), request);
        } catch (IOException e) {
            // a request cut short or with a bad length: the client is told nothing and dropped
        } catch (java.nio.file.InvalidPathException e) {
            // a working directory that is no path (NUL): refused the same way
        }
    }

    @FuzzTest(maxDuration = "10m")
    void crashSyntax(String line) {
        if (line == null) return; // (Jazzer also tries null)
        try {
            for (String statement : CrashSyntax.statements(line)) {
                CrashSyntax.words(statement);
                CrashSyntax.commandName(statement);
                CrashSyntax.toGogo(statement, name -> name.length() % 2 == 0);
            }
        } catch (IllegalArgumentException e) {
            // an unbalanced quote, said as such
        }
    }
}
