package org.kdive.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Streamed text is gathered between flushes, yet what a command printed before working on quietly
 * is not held back: its next cancellation check writes it once it has waited the flush interval.
 */
class StreamOutputTest {

    @Test
    void whatWaitsBehindQuietWorkIsWrittenAtTheNextCancellationCheck() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, false, StandardCharsets.UTF_8);
        Cancellation cancellation = new Cancellation();
        cancellation.begin();
        try {
            StreamOutput so = new StreamOutput(null, out, false, "search", cancellation);
            so.text("first hit\n");
            assertEquals("first hit\n", bytes.toString(StandardCharsets.UTF_8), "the first line at once");
            so.text("second hit\n");
            Thread.sleep(60); // the command works on, printing nothing
            cancellation.check();
            assertEquals("first hit\nsecond hit\n", bytes.toString(StandardCharsets.UTF_8));
            so.text("last\n");
            so.finish();
            assertEquals("first hit\nsecond hit\nlast\n", bytes.toString(StandardCharsets.UTF_8));
        } finally {
            cancellation.end();
        }
        cancellation.check(); // after the command: nothing left to write, nothing run
    }
}
