package org.kdive.cmd.dis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.session.Session;
import java.util.stream.Collectors;
import org.kdive.api.symbols.Symbol;
import org.kdive.cmd.symbols.ModCommand;
import org.kdive.cmd.symbols.modules.KernelModules;
import org.kdive.arch.x86.dis.X86Disassembler;
import org.kdive.test.Corpus;
import org.kdive.test.CrashText;
import org.kdive.test.session.CorpusSession;

/**
 * dis on the vqbug corpus against crash 8.0.2's output. Ordered: the checks that must work without
 * module debuginfo run before the test that loads vqbug.ko.debug (as `mod -s` does) into the shared session.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DisCommandTest {
    private static final DisCommand DIS = new DisCommand(new X86Disassembler());

    /** Module addresses resolve to names from the dump's kallsyms, as in crash before `mod -s`. */
    @BeforeAll
    static void moduleKallsyms() {
        KernelModules.ensureKallsyms(CorpusSession.get());
    }

    private static Result dis(String line) {
        return DIS.execute(CorpusSession.context(), Arrays.asList(line.trim().split("\\s+")));
    }

    private static void assertMatchesCrash(String ref) {
        String out = dis(Corpus.crashCommand(ref).replaceFirst("^dis\\s*", "")).text();
        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of("target/" + ref + ".actual.txt"), out); // for diffing by hand
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertEquals(CrashText.layout(Corpus.crashRef(ref)), CrashText.layout(out), ref);
    }

    @Test
    @Order(1)
    void reverseToTheExceptionRipMatchesCrash() {
        assertMatchesCrash("07-dis-rip");
    }

    @Test
    @Order(2)
    void annotatesTheBugAndTheExceptionRipWithoutModuleDebuginfo() {
        assertTrue(CorpusSession.get().modules().isEmpty(), "runs before vqbug.ko.debug is loaded");
        List<String> lines = dis("-r -a ffffffffc061907d").text().lines().toList();
        String rip = lines.get(lines.size() - 1);
        assertTrue(rip.startsWith("0xffffffffc061907d <vqb_virtqueue_add+77>:\tud2"), rip);
        assertTrue(rip.contains("[BUG: /usr/src/vqbug-1.0/vqbug.c:63]"), rip);
        assertTrue(rip.contains("<-- exception RIP (panic task, cpu 1)"), rip);
        // the three instructions that test BUG_ON(total_sg > vq->vring.num)
        assertEquals("mov    0x38(%rdi),%esi", body(at(lines, "0xffffffffc0619040")));
        assertEquals("cmp    %edx,%esi", body(at(lines, "0xffffffffc0619043")));
        assertEquals("jb     0xffffffffc061907d <vqb_virtqueue_add+77>", body(at(lines, "0xffffffffc0619045")));
        // the other BUG_ON (vqbug.c:60) is a site too, and not the exception RIP
        String other = at(lines, "0xffffffffc0619071");
        assertTrue(other.contains("[BUG: /usr/src/vqbug-1.0/vqbug.c:60]") && !other.contains("exception"), other);
        // without -a the text is crash's
        assertFalse(dis("-r ffffffffc061907d").text().contains("BUG"));
    }

    @Test
    @Order(3)
    void jsonCarriesTheAnnotations() {
        Result r = dis("vqb_virtqueue_add+77");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) ((Map<String, Object>) r.data()).get("instructions");
        assertEquals(1, rows.size());
        Map<String, Object> ud2 = rows.get(0);
        assertEquals("ud2", ud2.get("mnemonic"));
        assertEquals(Map.of("kind", "BUG", "file", "/usr/src/vqbug-1.0/vqbug.c", "line", 63), ud2.get("bug"));
        assertEquals("exception RIP (panic task, cpu 1)", ud2.get("exception"));
    }

    @Test
    @Order(4)
    void vmlinuxWithLinesMatchesCrash() {
        assertMatchesCrash("18-dis-l-vmlinux");
    }

    /**
     * More crash 8.0.2 output on the corpus (src/test/resources/crash): rip-relative comments, %gs, calls, padding,
     * and with -l the source line before each instruction whose line changes (dis-l-schedule-30: inlined
     * get_current() from asm/current.h between the lines of kernel/sched/core.c).
     */
    @ParameterizedTest
    @ValueSource(strings = {"dis-process_one_work-60", "dis-__schedule-200", "dis-panic-80", "dis-l-schedule-30"})
    @Order(4)
    void vmlinuxRoutinesMatchCrash(String name) throws Exception {
        String ref;
        try (var in = DisCommandTest.class.getResourceAsStream("/crash/" + name + ".txt")) {
            ref = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        String command = ref.lines().findFirst().orElseThrow().replaceFirst("^crash> dis\\s*", "");
        String expected = ref.substring(ref.indexOf('\n') + 1);
        String actual = dis(command).text();
        java.nio.file.Files.writeString(java.nio.file.Path.of("target/" + name + ".actual.txt"), actual); // for diffing by hand
        assertEquals(CrashText.layout(expected), CrashText.layout(actual), name);
    }

    @Test
    @Order(5)
    void ambiguousNamesListCandidatesAndModuleQualifiedNamesWork() {
        Session s = CorpusSession.get();
        Map<String, List<Symbol>> text = s.symbols().all().filter(Symbol::isText)
                .collect(Collectors.groupingBy(Symbol::name));
        String name = text.entrySet().stream()
                .filter(e -> e.getValue().stream().map(Symbol::address).distinct().count() > 1)
                .map(Map.Entry::getKey).sorted().findFirst().orElseThrow();
        CommandException e = assertThrows(CommandException.class, () -> dis(name));
        assertTrue(e.getMessage().startsWith("ambiguous symbol \"" + name + "\""), e.getMessage());
        assertTrue(e.getMessage().contains("use module:symbol"), e.getMessage());
        String qualified = dis("vqbug:vqb_virtqueue_add 2").text();
        assertTrue(qualified.startsWith("0xffffffffc0619030 <vqb_virtqueue_add>:\tnopl   0x0(%rax,%rax,1) [FTRACE NOP]\n"), qualified);
        assertEquals(dis("(vqb_virtqueue_add+0x4d)").text(), dis("ffffffffc061907d").text());
    }

    @Test
    @Order(6)
    void badInputGivesClearMessages() {
        CommandException e = assertThrows(CommandException.class, () -> dis("nosuchsymbol_xyz"));
        assertTrue(e.getMessage().contains("symbol not found: nosuchsym"), e.getMessage());
        e = assertThrows(CommandException.class, () -> dis("-r 0x10"));
        assertTrue(e.getMessage().contains("not in a kernel text symbol"), e.getMessage());
        e = assertThrows(CommandException.class, () -> dis("0xffffffffc0600000 4"));
        assertTrue(e.getMessage().startsWith("dis: cannot read 0xffffffffc0600000"), e.getMessage());
        e = assertThrows(CommandException.class, () -> dis("-u 0x400000"));
        assertTrue(e.getMessage().contains("not supported"), e.getMessage());
    }

    @Test
    @Order(10)
    void moduleWithLinesMatchesCrashAfterModS() throws Exception {
        CorpusSession.loadVqbug(new ModCommand());
        assertMatchesCrash("08-dis-l");
    }

    private static String at(List<String> lines, String address) {
        return lines.stream().filter(l -> l.startsWith(address + " ")).findFirst().orElseThrow(() -> new AssertionError(address));
    }

    private static String body(String line) {
        return line.substring(line.indexOf('\t') + 1).stripTrailing();
    }
}
