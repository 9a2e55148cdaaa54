package org.kdive.autopsy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.Result;
import org.kdive.test.MadeDump;
import org.kdive.test.MadeDumps;

/**
 * autopsy on other kinds of panic of the corpus kernel, made at test time by dumps/make-dumps.sh
 * (deb12-6.1-cloud/sysrq, null, warn; see org.kdive.test.MadeDumps for when a missing one fails or
 * is skipped). The corpus vmlinux is their debuginfo: the same Debian build.
 */
@Order(3)
class AutopsyExtraDumpsTest {
    @SuppressWarnings("unchecked")
    private static Result autopsy(String kind) {
        MadeDump made = MadeDumps.require("deb12-6.1-cloud", kind);
        CorpusSession.open(made.dump());
        // the dump's folder holds the test module it loaded (crashme.ko, with DWARF)
        Result r = CorpusSession.autopsy().execute(CorpusSession.context(false), List.of("--debuginfo", made.dir().toString()));
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
