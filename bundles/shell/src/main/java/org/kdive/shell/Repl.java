package org.kdive.shell;

import java.io.IOException;
import java.nio.file.Paths;
import org.jline.reader.Candidate;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/** The interactive loop: crash-style prompt, history, command-name completion. */
final class Repl {
    private final Runner runner;
    private final CommandRegistry registry;

    Repl(Runner runner, CommandRegistry registry) {
        this.runner = runner;
        this.registry = registry;
    }

    /** JLine finds its terminal providers through the context class loader; in OSGi that must be its own. */
    private static Terminal systemTerminal() throws IOException {
        Thread t = Thread.currentThread();
        ClassLoader old = t.getContextClassLoader();
        t.setContextClassLoader(TerminalBuilder.class.getClassLoader());
        try {
            return TerminalBuilder.builder().name("kdive").system(true).build();
        } finally {
            t.setContextClassLoader(old);
        }
    }

    void loop() {
        try (Terminal terminal = systemTerminal()) {
            DefaultParser parser = new DefaultParser();
            parser.setEscapeChars(new char[0]);
            LineReader reader = LineReaderBuilder.builder()
                    .terminal(terminal)
                    .parser(parser)
                    .variable(LineReader.HISTORY_FILE, Paths.get(System.getProperty("kdive.cache",
                            System.getProperty("user.home") + "/.cache/kdive"), "history"))
                    .completer((r, line, candidates) -> {
                        if (line.wordIndex() == 0) {
                            for (String n : registry.names()) candidates.add(new Candidate(n));
                        }
                    })
                    .build();
            terminal.writer().println("kdive: type help for the commands, q to quit");
            while (!Thread.currentThread().isInterrupted()) {
                String line;
                try {
                    line = reader.readLine("kdive> ");
                } catch (UserInterruptException e) {
                    continue;
                } catch (EndOfFileException e) {
                    return;
                }
                String t = line.strip();
                if (t.equals("q") || t.equals("quit") || t.equals("exit")) return;
                if (!t.isEmpty()) runner.run(t);
            }
        } catch (IOException e) {
            System.err.println("kdive: cannot open the terminal: " + e.getMessage());
        }
    }
}
