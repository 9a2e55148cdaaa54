package org.kdive.autopsy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.Result;
import org.kdive.test.Corpus;

/**
 * autopsy on other kinds of panic of the corpus kernel, made by src/test/dumps/make-dumps.sh into
 * ~/.cache/kdive-corpus/extra (skipped when that has not been run). The corpus vmlinux is their
 * debuginfo: the same Debian build.
 */
@Order(3)
class AutopsyExtraDumpsTest {
    private static Path extra(String name) {
        return Corpus.dir().getParent().resolve("extra").resolve(name);
    }

    @SuppressWarnings("unchecked")
    private static Result autopsy(String kind) {
        Path dump = extra("vmcore-" + kind + ".flat");
        String missing = dump + " not made (run bundles/autopsy/src/test/dumps/make-dumps.sh)";
        // CI builds these dumps (.ci/run installs QEMU and the kernel): there a missing dump is a failure
        if (System.getenv("CI") != null) org.junit.jupiter.api.Assertions.assertTrue(Files.isRegularFile(dump), missing);
        assumeTrue(Files.isRegularFile(dump), missing);
        CorpusSession.open(dump);
        Result r = CorpusSession.autopsy().execute(CorpusSession.context(false), List.of("--debuginfo", extra("").toString()));
        System.out.println(r.text());
        return r;
    }

    @SuppressWarnings("unchecked")
    private static String kind(Result r) {
        return (String) ((Map<String, Object>) ((Map<String, Object>) r.data()).get("panic")).get("kind");
    }

    @Test
    void sysrq() {
        Result r = autopsy("sysrq");
        assertEquals("SYSRQ", kind(r));
        assertTrue(r.text().contains("sysrq triggered crash"), r.text());
    }

    @Test
    @SuppressWarnings("unchecked")
    void nullDereference() {
        Result r = autopsy("null");
        assertEquals("NULL_DEREFERENCE", kind(r));
        Map<String, Object> f = (Map<String, Object>) ((Map<String, Object>) r.data()).get("fault");
        assertEquals("0x10", f.get("address"));
        assertTrue(r.text().contains("->tail"), r.text());
    }

    @Test
    void warnWithPanicOnWarn() {
        Result r = autopsy("warn");
        assertEquals("WARN", kind(r));
        assertTrue(r.text().contains("dev->count > dev->limit"), r.text());
    }
}
