package org.kdive.triage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdive.api.command.Result;
import org.kdive.core.BasicCommandContext;

/**
 * triage on the corpus (one BUG_ON in four formats) and the dumps made at test time (sysrq in
 * flattened, QEMU ELF, kdump-compressed and the capture kernel's /proc/vmcore of another boot;
 * a NULL dereference; a WARN with panic_on_warn), with and without debuginfo, and on damaged copies.
 */
class TriageTest {
    private static final Map<String, Map<String, Object>> CACHE = new LinkedHashMap<>();

    private static synchronized Map<String, Object> triage(Path dump, Options opt) {
        String key = dump + "|" + opt.vmlinux().isEmpty();
        return CACHE.computeIfAbsent(key, k -> {
            Map<String, Object> r = new Triage(Dumps.services(), opt).run(List.of(dump), dump.toString());
            System.out.println(r);
            return r;
        });
    }

    private static Map<String, Object> ok(Path dump) {
        Map<String, Object> r = triage(dump, Dumps.withDebuginfo());
        assertEquals(true, r.get("ok"), () -> "error: " + r.get("error"));
        return r;
    }

    @Test
    void corpusBugOnIsOneSignatureInEveryFormat() {
        Set<String> signatures = new HashSet<>();
        for (String f : List.of("vmcore.kdump-zlib", "vmcore.kdump-lzo", "vmcore.flat", "vmcore.elf-d31")) {
            Map<String, Object> r = ok(Dumps.corpus(f));
            signatures.add((String) r.get("signature"));
            // the facts of ../shared/corpus/README.md
            assertEquals("BUG", r.get("panic_kind"), f);
            assertEquals("vqb_virtqueue_add", r.get("fault_function"), f);
            assertEquals(0x4dL, ((Number) r.get("fault_offset")).longValue(), f);
            assertEquals("vqbug", r.get("module"), f);
            assertEquals("/usr/src/vqbug-1.0/vqbug.c", r.get("bug_file"), f);
            assertEquals(63, r.get("bug_line"), f);
            assertEquals(41, r.get("pid"), f);
            assertEquals("kworker/1:1H", r.get("comm"), f);
            assertEquals(1, r.get("panic_cpu"), f);
            assertEquals(2, r.get("cpus"), f);
            assertEquals("6.1.0-50-cloud-amd64", r.get("kernel_release"), f);
            assertEquals("x86_64", r.get("arch"), f);
            assertEquals("given", r.get("debuginfo_source"), f);
            assertTrue(((String) r.get("taint")).contains("O") && ((String) r.get("taint")).contains("E"), f + ": " + r.get("taint"));
            // as the console's trace, crash's bt and drgn's show it (vqb_work_fn tail-called vqb_virtqueue_add)
            assertEquals(List.of("vqb_virtqueue_add", "process_one_work", "worker_thread", "kthread", "ret_from_fork"),
                    r.get("stack"), f);
            // the unwinder and the kernel's own trace agree on the frames that make the signature
            assertEquals(((List<?>) r.get("stack")).subList(0, 5), ((List<?>) r.get("unwound_stack")).subList(0, 5), f);
            assertEquals("BUG|vqbug|vqb_virtqueue_add,process_one_work,worker_thread", r.get("signature_input"), f);
            assertEquals(6L, ((Number) r.get("uptime_seconds")).longValue(), f + ": crash 8.0.6's sys says UPTIME: 00:00:06");
            assertEquals(1L << 30, ((Number) r.get("memory_bytes")).longValue(), f);
            assertEquals("bb603a9147d3efe4744bf83c83eee397c591cc20", r.get("build_id"), f + ": the vmlinux's (VMCOREINFO BUILD-ID)");
            // vqbug.ko has no MODULE_VERSION and so no srcversion in its .modinfo: none in the dump either
            assertEquals(modinfo("srcversion"), r.get("module_srcversion"), f);
            assertEquals(modinfo("version"), r.get("module_version"), f);
            // readelf -n vqbug.ko: Build ID
            assertEquals("c744ad93f36183b967617423891724a44b667d8f", r.get("module_build_id"), f);
            // crash 8.0.6's sys: DATE: Thu Nov 26 21:43:37 UTC 2026
            assertEquals("2026-11-26T21:43:37Z", r.get("crash_time"), f);
        }
        assertEquals(1, signatures.size(), signatures.toString());
    }

    /** A key of vqbug.ko's .modinfo section ("key=value\0" strings), null when absent. */
    private static String modinfo(String key) {
        try {
            String all = new String(Files.readAllBytes(Dumps.corpus("vqbug.ko")), java.nio.charset.StandardCharsets.ISO_8859_1);
            for (String s : all.split("\0")) if (s.startsWith(key + "=")) return s.substring(key.length() + 1);
            return null;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void withoutDebuginfoTheRecordComesFromTheDumpAndKeepsTheSignature() {
        Path dump = Dumps.corpus("vmcore.kdump-zlib");
        Map<String, Object> bare = triage(dump, Dumps.withoutDebuginfo());
        assertEquals(true, bare.get("ok"), () -> "error: " + bare.get("error"));
        assertEquals("none", bare.get("debuginfo_source"));
        assertTrue(((String) bare.get("debuginfo")).startsWith("none: the record is built from what the dump carries"));
        assertEquals("BUG", bare.get("panic_kind"));
        assertEquals("vqb_virtqueue_add", bare.get("fault_function"));
        assertEquals("vqbug", bare.get("module"));
        assertEquals("6.1.0-50-cloud-amd64", bare.get("kernel_release"));
        assertEquals("kernel log", bare.get("stack_source"));
        assertEquals(ok(dump).get("signature"), bare.get("signature"));
    }

    @Test
    void sysrqIsOneSignatureAcrossFormatsAndBoots() {
        // vmcore-kdump.* come from another boot (the capture kernel's /proc/vmcore and makedumpfile's copy)
        Set<String> signatures = new HashSet<>();
        for (String f : List.of("vmcore-sysrq.flat", "vmcore-sysrq.qemu.elf", "vmcore-kdump.kdump", "vmcore-kdump.proc")) {
            Map<String, Object> r = ok(Dumps.extra(f));
            assertEquals("SYSRQ", r.get("panic_kind"), f);
            assertEquals("sysrq triggered crash", r.get("panic_message"), f);
            assertEquals("sysrq_handle_crash", r.get("fault_function"), f);
            assertNull(r.get("module"), f);
            signatures.add((String) r.get("signature"));
        }
        assertEquals(1, signatures.size(), signatures.toString());
    }

    @Test
    void nullDereferenceAndWarnAreTheirOwnSignatures() {
        Map<String, Object> nul = ok(Dumps.extra("vmcore-null.flat"));
        assertEquals("OOPS", nul.get("panic_kind"));
        assertEquals("NULL_DEREFERENCE", nul.get("panic_detail"));
        assertEquals(Dumps.consoleRip("console-null.log"), nul.get("fault_function"));
        assertEquals("crashme", nul.get("module"));

        Map<String, Object> warn = ok(Dumps.extra("vmcore-warn.flat"));
        assertEquals("WARN", warn.get("panic_kind"));
        assertEquals(Dumps.consoleRip("console-warn.log"), warn.get("fault_function"));
        assertEquals("crashme", warn.get("module"));
        assertTrue(((String) warn.get("bug_file")).endsWith("crashme.c"), (String) warn.get("bug_file"));
        assertEquals(36, warn.get("bug_line"));

        Set<Object> all = Set.of(nul.get("signature"), warn.get("signature"), ok(Dumps.extra("vmcore-sysrq.flat")).get("signature"),
                ok(Dumps.corpus("vmcore.kdump-zlib")).get("signature"));
        assertEquals(4, all.size(), all.toString());
    }

    @Test
    void damagedDumpsGiveErrorRecordsAndTheBatchGoesOn(@TempDir Path tmp) throws IOException {
        Path good = Dumps.corpus("vmcore.kdump-lzo");
        Path truncated = tmp.resolve("truncated.kdump");
        try (var in = Files.newInputStream(good); var out = Files.newOutputStream(truncated)) {
            out.write(in.readNBytes(8192)); // the headers, none of the bitmaps or pages
        }
        Path flipped = tmp.resolve("flipped.kdump");
        Files.copy(good, flipped);
        try (RandomAccessFile f = new RandomAccessFile(flipped.toFile(), "rw")) {
            for (int i = 0; i < 8; i++) { // the signature "KDUMP   "
                f.seek(i);
                f.write(~0x41 & 0xff);
            }
        }
        Path text = tmp.resolve("notes.txt");
        Files.writeString(text, "not a dump\n");
        Path missing = tmp.resolve("missing.vmcore");

        Result res = new TriageCommand(Dumps.services()).execute(new BasicCommandContext(Dumps.services().sessions(), true),
                List.of("--vmlinux", org.kdive.test.Corpus.vmlinux().toString(), "--no-fetch", truncated.toString(), good.toString(),
                        flipped.toString(), text.toString(), missing.toString()));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> records = (List<Map<String, Object>>) ((Map<String, Object>) res.data()).get("records");
        assertEquals(5, records.size());
        for (Map<String, Object> r : records) {
            assertEquals(Triage.FIELDS, List.copyOf(r.keySet()), "every record has the same fields");
            boolean isGood = r.get("dump").equals(good.toString());
            assertEquals(isGood, r.get("ok"), r.toString());
            if (!isGood) {
                assertNotNull(r.get("error"), r.toString());
                assertFalse(((String) r.get("error")).isBlank());
            }
        }
        assertTrue(((String) records.get(4).get("error")).contains("no such file"), records.get(4).toString());
        assertEquals(ok(good).get("signature"), records.get(1).get("signature"));
        String text0 = res.text();
        assertTrue(text0.contains("ERROR"), text0);
        assertTrue(text0.contains("5 dumps, 1 signatures, 4 errors"), text0);
    }

    @Test
    void aDumpOverItsTimeBudgetIsAnErrorRecord() {
        Options tight = new Options(List.of(org.kdive.test.Corpus.vmlinux()), List.of(), false, Duration.ofMillis(1));
        Map<String, Object> r = new Triage(Dumps.services(), tight).run(List.of(Dumps.corpus("vmcore.elf-d31")), "slow");
        assertEquals(false, r.get("ok"));
        assertTrue(((String) r.get("error")).startsWith("timed out"), r.toString());
        assertNotEquals(null, r.get("elapsed_ms"));
    }
}
