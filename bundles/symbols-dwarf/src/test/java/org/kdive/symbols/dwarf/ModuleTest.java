package org.kdive.symbols.dwarf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.SourceLine;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;
import org.kdive.test.Corpus;
import org.kdive.test.CrashText;
import org.junit.jupiter.api.Test;

class ModuleTest {
    private final DwarfDebugInfo m = Shared.vqbug();

    @Test
    void structOffsetsAsStructOShowsThem() {
        Type t = m.type("struct vqb_vring_virtqueue").orElseThrow();
        StringBuilder sb = new StringBuilder("struct vqb_vring_virtqueue {\n");
        for (Member x : t.members()) {
            String c = x.type().cName();
            String decl = x.type().kind() == Type.Kind.ARRAY
                    ? c.replace(" [", " " + x.name() + "[").replace("*[", "*" + x.name() + "[")
                    : c.endsWith("*") ? c + x.name() : c + " " + x.name();
            sb.append(String.format("%7s %s;%n", "[" + x.offset() + "]", decl));
        }
        sb.append("}\nSIZE: ").append(t.size());
        assertEquals(CrashText.layout(Corpus.crashRef("10-struct-o-vvq")), CrashText.layout(sb.toString()));
        assertEquals(56 + 0, t.member("vring").orElseThrow().offset());
        assertEquals(0x38, t.member("vring").orElseThrow().offset() + t.member("vring").orElseThrow().type().member("num").orElseThrow().offset(),
                "mov 0x38(%rdi),%esi reads vq->vring.num");
    }

    @Test
    void symbolAndLineOfTheBug() {
        // 09-sym: "ffffffffc061907d (t) vqb_virtqueue_add+77 [vqbug] /usr/src/vqbug-1.0/vqbug.c: 63"
        long rip = 0xffffffffc061907dL;
        Symbol s = m.symbols().containing(rip).orElseThrow();
        SourceLine l = m.line(rip).orElseThrow();
        String got = String.format("%x (%c) %s+%d [%s] %s: %d", rip, Character.toLowerCase(s.type()), s.name(),
                rip - s.address(), s.module(), l.file(), l.line());
        assertEquals(Corpus.crashRef("09-sym").strip(), got);
    }

    @Test
    void linesAsDisL() {
        StringBuilder sb = new StringBuilder();
        String last = null;
        for (SourceLine l : m.lines(0xffffffffc0619030L, 0xffffffffc0619081L)) {
            String h = l.file() + ": " + l.line();
            if (!h.equals(last)) sb.append(h).append('\n');
            last = h;
        }
        String expected = Corpus.crashRef("08-dis-l").lines().filter(x -> !x.startsWith("0x"))
                .reduce("", (a, b) -> a + b + "\n");
        assertEquals(expected, sb.toString());
    }

    @Test
    void functionTypeAsWhatis() {
        // 25-whatis: int vqb_virtqueue_add(struct vqb_virtqueue *, void *, unsigned int, unsigned int, unsigned int);
        Type f = m.function("vqb_virtqueue_add").orElseThrow();
        String decl = f.target().cName() + " vqb_virtqueue_add" + f.cName().substring(f.target().cName().length() + 1) + ";";
        assertEquals(Corpus.crashRef("25-whatis").strip(), decl);
    }
}
