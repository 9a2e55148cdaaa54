package org.kdive.cmd.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.kdive.api.command.Command;
import org.kdive.api.symbols.Type;
import org.kdive.test.CrashText;
import org.kdive.test.session.CorpusSession;

/**
 * Three DWARF readings found by comparing the dump's BTF with the vmlinux's DWARF, each checked against
 * crash 8.0.6 on the corpus (vmcore.kdump-zlib; src/test/resources/crash-8.0.6-dwarf/, one command per
 * file, first line "crash> CMD", made with dumps/in-trixie.sh crash -s VMLINUX VMCORE):
 * <ul>
 * <li>an array upper bound of 0xff (DW_FORM_data1) is 255, not gcc's "[0]" marker: struct linux_binprm's
 *     {@code char buf[256]} (01, 07);</li>
 * <li>an enumerator stored in one or two bytes of a signed 4-byte enum is not sign-extended:
 *     NF_IP_PRI_SELINUX_LAST is 225, not -31 (02, 03);</li>
 * <li>a typedef whose unit only declares its struct ({@code typedef struct ZSTD_DCtx_s ZSTD_DCtx} where
 *     the unit did not include the definition) shows the file's definition, as gdb resolves opaque
 *     types, not {@code <incomplete type>} (05, 06).</li>
 * </ul>
 */
class DwarfFidelityTest {
    private static final Map<String, Supplier<Command>> COMMANDS = Map.of(
            "p", PrintCommand::new, "whatis", WhatisCommand::new, "struct", StructCommand::new, "rd", RdCommand::new);

    static Stream<String> references() throws IOException, URISyntaxException {
        return files("crash-8.0.6-dwarf");
    }

    /**
     * Issue 22's items 5 and 6 on the corpus (the made dumps' 95/96 references check them on every kernel:
     * itests FidelityFindingsTest): rd -s names an address several symbols share after crash's first, the
     * section symbol ".data"; struct -o with a member list prints the refusal, then the whole layout.
     */
    static Stream<String> findings() throws IOException, URISyntaxException {
        return files("crash-8.0.6-findings");
    }

    private static Stream<String> files(String folder) throws IOException, URISyntaxException {
        Path dir = Path.of(DwarfFidelityTest.class.getResource("/" + folder).toURI());
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> folder + "/" + p.getFileName().toString()).filter(n -> n.endsWith(".txt")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("findings")
    void findingsMatchCrash806(String file) {
        matchesCrash806(file);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("references")
    void matchesCrash806(String file) {
        List<String> lines = read(file);
        assertTrue(lines.get(0).startsWith("crash> "), file);
        String line = lines.get(0).substring(7);
        List<String> words = new ArrayList<>(List.of(line.trim().split("\\s+")));
        String name = words.remove(0);
        String[] args = words.toArray(new String[0]);
        String actual = CorpusSession.run(COMMANDS.get(name).get(), args);
        String expected = String.join("\n", lines.subList(1, lines.size()));
        assertEquals(CrashAuditTest.comparable(expected), CrashAuditTest.comparable(actual), line);
    }

    /** The same three readings at the type level, so a regression names the DWARF reading, not a layout. */
    @Test
    void typesAsTheDwarfMeansThem() {
        var symbols = CorpusSession.get().symbols();
        Type binprm = symbols.type("struct linux_binprm").orElseThrow();
        Type buf = binprm.member("buf").orElseThrow().type();
        assertEquals(256, buf.count(), "char buf[256]: upper bound 0xff in DW_FORM_data1");
        Type prio = symbols.type("enum nf_ip_hook_priorities").orElseThrow();
        assertEquals(225, prio.enumeratorValue("NF_IP_PRI_SELINUX_LAST").orElseThrow());
        assertEquals(-2147483648L, prio.enumeratorValue("NF_IP_PRI_FIRST").orElseThrow(), "negative values stay negative");
        Type dctx = symbols.type("ZSTD_DCtx").orElseThrow().resolve();
        assertFalse(dctx.isDeclaration(), "the typedef's struct has a definition in the file");
        assertEquals(161480, dctx.size());
    }

    private static List<String> read(String file) {
        try (var in = DwarfFidelityTest.class.getResourceAsStream("/" + file)) {
            return List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
