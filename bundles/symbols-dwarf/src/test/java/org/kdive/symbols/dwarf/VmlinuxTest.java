package org.kdive.symbols.dwarf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.SourceLine;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Variable;
import org.kdive.test.Corpus;
import org.kdive.test.CrashText;
import org.junit.jupiter.api.Test;

class VmlinuxTest {
    private final DwarfDebugInfo d = Shared.vmlinux();

    @Test
    void buildIdAndSections() {
        assertEquals("bb603a9147d3efe4744bf83c83eee397c591cc20", d.buildId().orElseThrow());
        assertEquals(0xffffffff81000000L + Shared.KASLR, d.sectionAddress(".text").getAsLong());
        assertEquals(0x166ff8, d.section(".orc_unwind_ip").orElseThrow().remaining());
        assertEquals(0x21a7f4, d.section(".orc_unwind").orElseThrow().remaining());
        assertEquals(0L, d.sectionAddress(".data..percpu").getAsLong(), "per-CPU offsets are not moved by KASLR");
    }

    @Test
    void symbolsAsCrashShowsThem() {
        // 02-bt: "#0 [...] machine_kexec at ffffffffbca6c53f"
        Symbol s = d.symbols().containing(0xffffffffbca6c53fL).orElseThrow();
        assertEquals("machine_kexec", s.name());
        assertEquals('T', s.type());
        // 22-sym-l: "ffffffffbcab7a10 (t) process_one_work ..."
        String ref = Corpus.crashRef("22-sym-l");
        Symbol p = d.symbols().first("process_one_work").orElseThrow();
        assertTrue(ref.startsWith(String.format("%x (%c) %s", p.address(), p.type(), p.name())), ref);
        // 02-bt: ret_from_fork at ffffffffbca032f2 is inside ret_from_fork
        assertEquals("ret_from_fork", d.symbols().containing(0xffffffffbca032f2L).orElseThrow().name());
        assertEquals("D", String.valueOf(d.symbols().first("jiffies").orElseThrow().type()));
    }

    @Test
    void sourceLineAsSymShowsIt() {
        // 22-sym-l: "... process_one_work debian/build/build_amd64_none_cloud-amd64/kernel/workqueue.c: 2187"
        SourceLine l = d.line(0xffffffffbcab7a10L).orElseThrow();
        assertTrue(Corpus.crashRef("22-sym-l").strip().endsWith(l.file() + ": " + l.line()), l.toString());
    }

    /**
     * Two non-statement rows at schedule+67 (llvm-dwarfdump --debug-line: blkdev.h 1025, then current.h 15
     * with discriminator 1), no statement row there: gdb keeps the second, file switch and all, and crash
     * 8.0.2's `dis -l schedule` (cmd-dis: dis-l-schedule-30) names current.h 15. Only a statement row at the
     * same address makes gdb drop a non-statement row that switches files.
     */
    @Test
    void aNonStatementRowSwitchingFilesStaysWithoutAStatementRowAtItsAddress() {
        long schedule = 0xffffffffbd4070d0L; // dis-l-schedule-30: <schedule>
        SourceLine at67 = d.line(schedule + 67).orElseThrow();
        assertEquals("debian/build/build_amd64_none_cloud-amd64/arch/x86/include/asm/current.h: 15", at67.file() + ": " + at67.line());
        SourceLine at57 = d.line(schedule + 57).orElseThrow();
        assertEquals("debian/build/build_amd64_none_cloud-amd64/include/linux/blkdev.h: 1025", at57.file() + ": " + at57.line());
    }

    @Test
    void linesOfProcessOneWorkAsDisL() {
        // 18-dis-l-vmlinux: file:line headers before the instructions they start
        List<String> expected = Corpus.crashRef("18-dis-l-vmlinux").lines()
                .filter(x -> !x.startsWith("0x")).collect(Collectors.toList());
        long start = 0xffffffffbcab7a10L;
        List<SourceLine> rows = d.lines(start, 0xffffffffbcab7a2fL);
        List<String> got = new java.util.ArrayList<>();
        String last = null;
        for (SourceLine r : rows) {
            String h = r.file() + ": " + r.line();
            if (!h.equals(last)) got.add(h);
            last = h;
        }
        assertEquals(expected, got);
    }

    @Test
    void listHeadAsStructShowsIt() {
        Type t = d.type("struct list_head").orElseThrow();
        // 19-struct-list_head
        StringBuilder sb = new StringBuilder("struct list_head {\n");
        for (Member m : t.members()) sb.append("    ").append(m.type().cName()).append(m.type().cName().endsWith("*") ? "" : " ").append(m.name()).append(";\n");
        sb.append("}\nSIZE: ").append(t.size());
        assertEquals(CrashText.layout(Corpus.crashRef("19-struct-list_head")), CrashText.layout(sb.toString()));
        assertEquals(t.cName(), d.type("list_head").orElseThrow().cName(), "bare tags as crash accepts them");
    }

    @Test
    void threadUnionIsNotInTheDebugInfo() {
        // 26-union: crash says "invalid data structure reference: thread_union"
        assertTrue(Corpus.crashRef("26-union").contains("invalid data structure reference"));
        assertTrue(d.type("union thread_union").isEmpty());
    }

    @Test
    void taskStructLayout() {
        Type t = d.type("struct task_struct").orElseThrow();
        assertEquals(9728, t.size());
        Member tasks = t.member("tasks").orElseThrow();
        assertEquals("struct list_head", tasks.type().cName());
        assertEquals("char [16]", t.member("comm").orElseThrow().type().cName());
        assertEquals("pid_t", t.member("pid").orElseThrow().type().cName());
        assertEquals("int", t.member("pid").orElseThrow().type().resolve().cName());
        // thread_info is the first member (CONFIG_THREAD_INFO_IN_TASK)
        assertEquals(0, t.member("thread_info").orElseThrow().offset());
        // a bitfield: sched_reset_on_fork:1 and friends share one unsigned int
        Member b = t.member("sched_reset_on_fork").orElseThrow();
        assertEquals(1, b.bitSize());
        assertEquals("unsigned int", b.type().cName());
    }

    @Test
    void jiffiesIsDeclaredInDwarfAndDefinedByTheLinker() {
        Variable j = d.variable("jiffies").orElseThrow();
        assertEquals(0xffffffff82a079c0L + Shared.KASLR, j.address());
        assertEquals("volatile long unsigned int", j.type().cName());
        Variable r = d.variable("runqueues").orElseThrow();
        assertTrue(Long.compareUnsigned(r.address(), 0x34000) < 0, "per-CPU variable stays an offset: " + Long.toHexString(r.address()));
        assertEquals("struct rq", r.type().cName());
    }

    @Test
    void functionTypes() {
        assertEquals("void (struct worker *, struct work_struct *)", d.function("process_one_work").orElseThrow().cName());
        Type memcpy = d.type("struct virtqueue").orElseThrow().member("callback").orElseThrow().type();
        assertEquals("void (*)(struct virtqueue *)", memcpy.cName());
        assertEquals("const char *", d.type("struct virtqueue").orElseThrow().member("name").orElseThrow().type().cName());
    }
}
