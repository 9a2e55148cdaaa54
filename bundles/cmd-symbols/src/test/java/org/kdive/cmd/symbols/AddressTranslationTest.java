package org.kdive.cmd.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.test.session.CorpusSession;

/**
 * vtop and ptov on vmcore.kdump-zlib beyond the crash references of {@link CrashAuditTest}: column
 * layout to the space, the JSON trees, errors. No task list service here (cmd-kernel depends on this
 * bundle), so user addresses go through -c TASK.
 */
@Order(3)
class AddressTranslationTest {
    /** The panic task (kworker/1:1H), a kernel thread: no mm. */
    private static final String PANIC_TASK = "ff228398a8b7a0c0";

    @Test
    void vtopLaysOutColumnsAsCrashToTheSpace() {
        for (String ref : List.of("106-vtop_ffffffffc061907d", "113-vtop_ffffffffc061907d_ff228398826f8000",
                "110-vtop_ff22839880000000", "112-vtop_ff228398c0001000")) {
            List<String> lines = reference(ref);
            String[] words = lines.get(0).substring("crash> vtop ".length()).split(" ");
            assertEquals(exact(lines.subList(1, lines.size())), exact(List.of(CorpusSession.run(new VtopCommand(), words).split("\n"))), ref);
        }
    }

    /**
     * A kernel-image address whose PMD entry is 0 (below _text). crash 8.0.6 prints the same walk but
     * then "ffffffff97a5c180  125c180" and the struct page line, and its rd there returns data: it
     * translates the image mapping by subtraction. The page table (and drgn 0.0.31: "Page table not
     * present: pmd[189] = 0x0") says the address is not mapped, so kdive says so and rd fails.
     */
    @Test
    void vtopOfAnUnmappedKernelImageAddress() {
        assertEquals(String.join("\n",
                "VIRTUAL           PHYSICAL",
                "ffffffff97a5c180  (not mapped)",
                "",
                "PGD DIRECTORY: ffffffffbe410000",
                "PAGE DIRECTORY: 27c14067",
                "   P4D: 27c14ff8 => 27c15067",
                "   PUD: 27c15ff0 => 27c16063",
                "   PMD: 27c165e8 => 0"), CorpusSession.run(new VtopCommand(), "ffffffff97a5c180").stripTrailing()
                        .lines().map(String::stripTrailing).collect(Collectors.joining("\n")));
        Result r = CorpusSession.result(new VtopCommand(), "ffffffff97a5c180");
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) r.data();
        assertNull(data.get("physical"));
        assertNull(data.get("page"));
        CommandException e = assertThrows(CommandException.class, () -> CorpusSession.run(new RdCommand(), "ffffffff97a5c180"));
        assertTrue(e.getMessage().startsWith("invalid kernel virtual address: ffffffff97a5c180"), e.getMessage());
        // the mapped image as crash shows it (_text: a 2 MiB page)
        assertTrue(CorpusSession.run(new VtopCommand(), "ffffffffbca00000").startsWith(String.join("\n",
                "VIRTUAL           PHYSICAL        ", "ffffffffbca00000  26200000        ")));
    }

    @Test
    void vtopOfADirectMapSlabPage() {
        Result r = CorpusSession.result(new VtopCommand(), "ff228398826f8000");
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) r.data();
        assertEquals("0x26f8000", data.get("physical"));
        assertEquals("0x80000000026001e3", data.get("entry"));
        assertEquals(List.of("PRESENT", "RW", "ACCESSED", "DIRTY", "PSE", "GLOBAL", "NX"), data.get("entry_flags"));
        @SuppressWarnings("unchecked")
        Map<String, Object> page = (Map<String, Object>) data.get("page");
        assertEquals("0xffde69118009be00", page.get("page"));
        assertEquals(List.of("slab", "head"), page.get("flag_names"));
        assertEquals(6, ((List<?>) data.get("walk")).size());
    }

    @Test
    void vtopOfAnUnmappedVmallocAddress() {
        Result r = CorpusSession.result(new VtopCommand(), "ff61e92840367ff8"); // a stack's guard page
        assertTrue(r.text().contains("ff61e92840367ff8  (not mapped)"), r.text());
        assertTrue(r.text().strip().endsWith("PTE: 22bdb38 => 0"), r.text());
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) r.data();
        assertNull(data.get("physical"));
        assertNull(data.get("page"));
    }

    @Test
    void ptovIsTheInverseOfVtopInTheDirectMap() {
        Result v = CorpusSession.result(new VtopCommand(), "ff228398826f8123");
        @SuppressWarnings("unchecked")
        String physical = (String) ((Map<String, Object>) v.data()).get("physical");
        assertEquals("0x26f8123", physical);
        Result p = CorpusSession.result(new PtovCommand(), physical);
        assertEquals(Map.of("physical", "0x26f8123", "virtual", "0xff228398826f8123"), p.data());
        @SuppressWarnings("unchecked")
        Map<String, Object> two = (Map<String, Object>) CorpusSession.result(new PtovCommand(), "1000", "2000").data();
        assertEquals(2, ((List<?>) two.get("translations")).size());
    }

    @Test
    void ptovPerCpuOffsets() {
        Result r = CorpusSession.result(new PtovCommand(), "100:1");
        assertEquals("PER-CPU OFFSET: 100\n  CPU    VIRTUAL         \n  [1]  ff228398beb00100\n", r.text());
        assertEquals(Map.of("offset", "0x100", "cpus", List.of(Map.of("cpu", 1, "virtual", "0xff228398beb00100"))), r.data());
        assertThrows(CommandException.class, () -> CorpusSession.run(new PtovCommand(), "100:5"));
        // "offset:" means the current task's CPU, which needs the task list
        CommandException e = assertThrows(CommandException.class, () -> CorpusSession.run(new PtovCommand(), "100:"));
        assertTrue(e.getMessage().contains("no current task"), e.getMessage());
    }

    @Test
    void userAddressesOfAKernelThreadAreNotAccessible() {
        Result r = CorpusSession.result(new VtopCommand(), "-c", PANIC_TASK, "7a0907d");
        assertEquals("VIRTUAL     PHYSICAL        \n7a0907d     (not accessible)\n\n", r.text());
        assertEquals("0x" + PANIC_TASK, ((Map<?, ?>) r.data()).get("task"));
        // without -c the current task comes from the task list, absent here
        CommandException e = assertThrows(CommandException.class, () -> CorpusSession.run(new VtopCommand(), "7a0907d"));
        assertTrue(e.getMessage().contains("no current task"), e.getMessage());
    }

    @Test
    void errors() {
        assertEquals("invalid input: \"jiffies\"",
                assertThrows(CommandException.class, () -> CorpusSession.run(new VtopCommand(), "jiffies")).getMessage());
        assertEquals("invalid input: \"-5\"",
                assertThrows(CommandException.class, () -> CorpusSession.run(new PtovCommand(), "-5")).getMessage());
        assertTrue(assertThrows(CommandException.class, () -> CorpusSession.run(new VtopCommand()))
                .getMessage().startsWith("Usage:\n  vtop [-c [pid | taskp]] [-u|-k] address ..."));
        assertTrue(assertThrows(CommandException.class, () -> CorpusSession.run(new PtovCommand()))
                .getMessage().startsWith("Usage:\n  ptov [address | offset:cpuspec]"));
        assertEquals("invalid task or pid value: 1",
                assertThrows(CommandException.class, () -> CorpusSession.run(new VtopCommand(), "-c", "1", "0")).getMessage());
        // a non-canonical address: the walk cannot start
        String text = CorpusSession.run(new VtopCommand(), "8000000000000000");
        assertTrue(text.contains("8000000000000000  (not mapped)"), text);
    }

    @Test
    void helpTexts() {
        assertTrue(new VtopCommand().usage().startsWith("vtop - virtual to physical\nvtop [-c [pid | taskp]] [-u|-k] address ..."));
        assertTrue(new PtovCommand().usage().startsWith("ptov - physical to virtual"));
        assertEquals("vtop", new VtopCommand().name());
        assertEquals("ptov", new PtovCommand().name());
    }

    private static String exact(List<String> lines) {
        return lines.stream().map(String::stripTrailing).collect(Collectors.joining("\n")).strip();
    }

    private static List<String> reference(String name) {
        try (var in = AddressTranslationTest.class.getResourceAsStream("/crash/" + name + ".txt")) {
            return List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
