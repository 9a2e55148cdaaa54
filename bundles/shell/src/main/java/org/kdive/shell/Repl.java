package org.kdive.shell;

import java.io.IOException;
import java.nio.file.Paths;
import java.util.Optional;
import java.util.function.Supplier;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.kdive.api.kernel.KernelTasks;
import org.kdive.api.session.SessionService;

/**
 * The interactive loop: the dump's summary first, a crash-style prompt, history, completion
 * ({@link Completion}), Ctrl-C cancelling the running command, plug-in warnings above the prompt.
 */
final class Repl {
    private final Runner runner;
    private final CommandRegistry registry;
    private final SessionService sessions;
    private final DropIns dropIns;
    private final Supplier<Optional<KernelTasks>> tasks;

    Repl(Runner runner, CommandRegistry registry, SessionService sessions, DropIns dropIns, Supplier<Optional<KernelTasks>> tasks) {
        this.runner = runner;
        this.registry = registry;
        this.sessions = sessions;
        this.dropIns = dropIns;
        this.tasks = tasks;
    }

    /** JLine finds its terminal providers through the context class loader; in OSGi that must be its own. */
    private static Terminal systemTerminal() throws IOException {
        Thread t = Thread.currentThread();
        ClassLoader old = t.getContextClassLoader();
        t.setContextClassLoader(TerminalBuilder.class.getClassLoader());
        try {
            return TerminalBuilder.builder().name("kdive").system(true).nativeSignals(true).build();
        } finally {
            t.setContextClassLoader(old);
        }
    }

    void loop() {
        try (Terminal terminal = systemTerminal()) {
            DefaultParser parser = new DefaultParser();
            parser.setEscapeChars(new char[0]);
            parser.setEofOnUnclosedQuote(false);
            String cache = System.getProperty("kdive.cache", System.getProperty("user.home") + "/.cache/kdive");
            LineReader reader = LineReaderBuilder.builder()
                    .terminal(terminal)
                    .parser(parser)
                    .variable(LineReader.HISTORY_FILE, Paths.get(cache, "history"))
                    .completer(new Completion(registry, sessions, tasks))
                    .option(LineReader.Option.AUTO_LIST, true)
                    .option(LineReader.Option.LIST_PACKED, false)
                    .build();
            Cancellation cancellation = CommandFunction.cancellation(runner.session());
            // Ctrl-C while a command runs cancels it; at the prompt JLine turns it into UserInterruptException
            terminal.handle(Terminal.Signal.INT, signal -> cancellation.cancel());
            firstScreen();
            terminal.flush();
            while (!Thread.currentThread().isInterrupted()) {
                String line;
                dropIns.console(message -> {
                    if (reader.isReading()) reader.printAbove(message);
                    else System.err.println(message);
                });
                try {
                    line = reader.readLine("kdive> ");
                } catch (UserInterruptException e) {
                    continue;
                } catch (EndOfFileException e) {
                    return;
                } finally {
                    dropIns.console(null);
                }
                String t = line.strip();
                if (t.equals("q") || t.equals("quit") || t.equals("exit")) return;
                if (!t.isEmpty()) {
                    runner.run(t);
                    runner.resetStatus();
                }
            }
        } catch (IOException e) {
            System.err.println("kdive: cannot open the terminal: " + e.getMessage());
        } finally {
            dropIns.console(null);
        }
    }

    /** What crash shows before its first prompt: the dump's summary (sys) and the panic task's context. */
    private void firstScreen() {
        System.out.println("kdive: type help for the commands, Tab to complete, q to quit");
        if (sessions.current().isEmpty()) {
            System.out.println("no dump open: open DUMP [VMLINUX]");
            return;
        }
        System.out.println();
        if (registry.has("sys")) runner.run("sys");
        if (registry.has("set")) {
            System.out.println();
            runner.run("set");
        }
        System.out.println();
        System.out.flush();
        runner.resetStatus();
    }
}
