package org.kdive.cmd.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.test.session.CorpusSession;

/** `p`, `struct` and `whatis` on the corpus beyond the crash references, printed as gdb does. */
@org.junit.jupiter.api.Order(2)
class ExpressionTest {
    @BeforeAll
    static void load() {
        CorpusSession.loadVqbug(new ModCommand());
    }

    private static String p(String expr) {
        SessionEnv.history(CorpusSession.get()).clear(); // "$1" as in the references' fresh crash sessions
        return CorpusSession.run(new PrintCommand(), expr.split(" ")).strip();
    }

    @Test
    void theWalkFromVirtqueueToRing() {
        String vq = CorpusSession.run(new StructCommand(), "vqb_virtqueue", "ff228398826f8000");
        assertTrue(vq.contains("name = 0xffffffffc061a0a3 <.LC0+27> \"req.0\","), vq);
        assertEquals("$1 = 128", p("container_of((struct vqb_virtqueue *)0xff228398826f8000, struct vqb_vring_virtqueue, vq)->vring.num"));
        assertEquals("$1 = true", p("container_of(vqb_queue, struct vqb_vring_virtqueue, vq)->indirect"));
        // the same by hand: char * arithmetic minus an offsetof-like expression
        assertEquals("$1 = true", p("((struct vqb_vring_virtqueue *)((char *)vqb_queue - (unsigned long)&((struct vqb_vring_virtqueue *)0)->vq))->indirect"));
        assertEquals("$1 = 56", p("offsetof(struct vqb_vring_virtqueue, vring)"));
    }

    @Test
    void literalsAndArithmetic() {
        assertEquals("$1 = 109", p("sizeof(int) * 3 + 'a'"));
        assertEquals("$1 = 65 'A'", p("(char)65"));
        assertEquals("$1 = -2", p("-5 / 2"));
        assertEquals("$1 = 4294967295", p("0xffffffff"));
        assertEquals("$1 = -1", p("0x7fffffff * 2 + 1"));
        assertEquals("$1 = 1", p("3 > 2 && 2 >= 2"));
        assertEquals("$1 = 0x10", p("/x 1 << 4"));
        assertEquals("$1 = 2", p("1 ? 2 : 3"));
        assertThrows(CommandException.class, () -> p("1 / 0"));
        assertThrows(CommandException.class, () -> p("1 +"));
        CommandException e = assertThrows(CommandException.class, () -> p("no_such_symbol_here"));
        assertEquals("No symbol \"no_such_symbol_here\" in current context.", e.getMessage());
    }

    @Test
    void pointersAreScaledAndSymbolic() {
        // crash names the first word when it is a symbol, even in a longer expression
        assertEquals("vqb_queue = $1 = (struct vqb_virtqueue *) 0xff228398826f8038", p("vqb_queue + 1"));
        assertEquals("$1 = 1", p("(vqb_queue + 1) - vqb_queue"));
        assertEquals("$1 = 56", p("(char *)(vqb_queue + 1) - (char *)vqb_queue"));
        assertEquals("$1 = (struct task_struct *) 0xffffffffbe41aa40 <init_task>", p("&init_task"));
        // gdb does not name data labels of size 0 (init_stack comes from the linker script)
        assertEquals("$1 = (void *) 0xffffffffbe400000", p("init_task.stack"));
        assertEquals("$1 = 0xffffffffbe41b5e2 <init_task+2978> \"apper/0\"", p("&init_task.comm[2]"));
        assertEquals("$1 = 115 's'", p("init_task.comm[0]"));
        assertEquals("$1 = \"swapper/0\\000\\000\\000\\000\\000\\000\"", p("init_task.comm"));
        assertEquals("$1 = (const struct sched_class *) 0xffffffffbdd96880 <idle_sched_class>", p("init_task.sched_class"));
    }

    @Test
    void functionsAndHistory() {
        String fn = p("vqb_virtqueue_add");
        assertEquals("vqb_virtqueue_add = $1 = \n {int (struct vqb_virtqueue *, void *, unsigned int, unsigned int, unsigned int)} "
                + "0xffffffffc0619030 <vqb_virtqueue_add>", fn);
        SessionEnv.history(CorpusSession.get()).clear();
        CorpusSession.run(new PrintCommand(), "vqb_queue->num_free");
        CorpusSession.run(new PrintCommand(), "vqb_queue->index");
        assertEquals("$3 = 1", CorpusSession.run(new PrintCommand(), "$1").strip());
        assertEquals("$4 = 1", CorpusSession.run(new PrintCommand(), "$$2").strip());
        assertEquals("$5 = 1", CorpusSession.run(new PrintCommand(), "$").strip());
    }

    @Test
    void moduleQualifiedNamesAndAmbiguity() {
        assertEquals("$1 = (struct vqb_virtqueue *) 0xff228398826f8000", p("vqbug:vqb_queue"));
        String sym = CorpusSession.run(new SymCommand(), "vqbug:vqb_virtqueue_add").strip();
        assertTrue(sym.startsWith("ffffffffc0619030 (t) vqb_virtqueue_add [vqbug]"), sym);
        // a name several text symbols share: the message lists them
        String dup = CorpusSession.get().symbols().all().filter(s -> s.isText() && s.module() == null)
                .collect(java.util.stream.Collectors.groupingBy(s -> s.name(), java.util.stream.Collectors.mapping(s -> s.address(),
                        java.util.stream.Collectors.toSet())))
                .entrySet().stream().filter(en -> en.getValue().size() > 1).map(Map.Entry::getKey).findFirst().orElseThrow();
        CommandException e = assertThrows(CommandException.class, () -> p("&" + dup));
        assertTrue(e.getMessage().startsWith("ambiguous symbol \"" + dup + "\""), e.getMessage());
        assertTrue(e.getMessage().contains("candidates"), e.getMessage());
        String all = CorpusSession.run(new SymCommand(), dup);
        assertTrue(all.strip().split("\n").length >= 2, all);
    }

    @Test
    void structMembersAndRadix() {
        String out = CorpusSession.run(new StructCommand(), "vqb_vring_virtqueue.vring,indirect", "ff228398826f8000");
        assertEquals("  vring = {\n    num = 128,\n    desc = 0x0,\n    avail = 0x0,\n    used = 0x0\n  },\n  indirect = true,\n", out);
        assertEquals("  vring.num = 128,\n", CorpusSession.run(new StructCommand(), "vqb_vring_virtqueue.vring.num", "ff228398826f8000"));
        assertEquals("   [90] bool indirect;\n", CorpusSession.run(new StructCommand(), "vqb_vring_virtqueue.indirect"));
        String hex = CorpusSession.run(new StructCommand(), "-x", "vqb_vring_virtqueue", "ff228398826f8000");
        assertTrue(hex.contains("    num = 0x80,") && hex.contains("  last_used_idx = 0x9683,"), hex);
        String two = CorpusSession.run(new StructCommand(), "list_head", "ff228398826f8000", "2");
        assertEquals(2, two.split("struct list_head \\{").length - 1, two);
    }

    @Test
    void nestedAnonymousUnionsArraysOfStructsAndRepeats() {
        String sig = p("*init_task.signal");
        assertTrue(sig.contains("  rlim = {{\n      rlim_cur = 18446744073709551615,\n      rlim_max = 18446744073709551615\n    }, {"), sig);
        assertTrue(sig.contains("      {\n        rlock = {\n"), sig);
        assertTrue(sig.contains("locked = 0 '\\000',"), sig);
        String mask = p("init_task.cpus_mask");
        // crash sets gdb's repeat threshold out of reach: every element is printed
        assertTrue(mask.contains("bits = {1, 18446744073709551615, 18446744073709551615,"), mask);
        assertTrue(!mask.contains("<repeats"), mask);
    }

    @Test
    void whatisForms() {
        assertEquals("volatile unsigned long jiffies;\n", CorpusSession.run(new WhatisCommand(), "jiffies"));
        assertEquals("struct vqb_vring {\n    unsigned int num;\n    void *desc;\n    void *avail;\n    void *used;\n}\nSIZE: 32\n",
                CorpusSession.run(new WhatisCommand(), "struct", "vqb_vring"));
        assertEquals("typedef unsigned short u16;\nSIZE: 2\n", CorpusSession.run(new WhatisCommand(), "u16"));
        assertEquals("char [16]\n", CorpusSession.run(new WhatisCommand(), "init_task.comm"));
    }

    @Test
    void everyResultHasData() {
        SessionEnv.history(CorpusSession.get()).clear();
        Result r = CorpusSession.result(new PrintCommand(), "((struct vqb_vring_virtqueue *)0xff228398826f8000)->vring");
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) r.data();
        assertEquals(Map.of("num", 128L, "desc", "0x0", "avail", "0x0", "used", "0x0"), data.get("value"));
        assertEquals(1, data.get("history"));
        @SuppressWarnings("unchecked")
        Map<String, Object> rd = (Map<String, Object>) CorpusSession.result(new RdCommand(), "ff61e9284036be90", "2").data();
        // rd streams: one record per line of 16 bytes, {address, values}
        assertEquals(java.util.List.of(Map.of("address", "0xff61e9284036be90", "values", java.util.List.of("0xffffffffbcab7bd7", "0xff228398a8b5fa34"))),
                rd.get("lines"));
        @SuppressWarnings("unchecked")
        Map<String, Object> sym = (Map<String, Object>) CorpusSession.result(new SymCommand(), "ffffffffc061907d").data();
        assertEquals(63, sym.get("line"));
        assertEquals("vqbug", sym.get("module"));
        assertTrue(org.kdive.api.util.Json.write(CorpusSession.result(new StructCommand(), "vqb_vring_virtqueue", "ff228398826f8000").data())
                .contains("\"indirect\": true"));
    }
}
