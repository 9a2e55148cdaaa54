package org.kdive.autopsy.analysis;

import java.util.Optional;
import org.kdive.api.dis.Instruction;
import org.kdive.api.symbols.Type;
import org.kdive.autopsy.code.DataFlow;
import org.kdive.autopsy.code.DataFlow.Computed;
import org.kdive.autopsy.code.DataFlow.Constant;
import org.kdive.autopsy.code.DataFlow.Entry;
import org.kdive.autopsy.code.DataFlow.Load;
import org.kdive.autopsy.types.Layouts;

/** Turns a register's origin into C: {@code ((struct vqb_vring_virtqueue *)RDI)->vring.num}. */
final class Expressions {
    private Expressions() {
    }

    /**
     * A value as C.
     *
     * @param c     with registers: "((struct S *)RDI)->a.b"
     * @param named with the function's parameter names: "container_of(_vq, struct S, vq)->a.b", or null
     * @param type  its C type when known
     * @param via   the instruction that loaded it, or null
     */
    record Described(String c, String named, Type type, Instruction via) {
    }

    static Described describe(FunctionContext f, DataFlow.Origin o) {
        if (o instanceof Entry e) {
            int p = f.parameterOf(e.register());
            String r = e.register().toUpperCase();
            if (p >= 0) return new Described(r, f.paramNames.get(p), f.paramTypes.get(p), null);
            return new Described(r, null, null, null);
        }
        if (o instanceof Constant k) return new Described("0x" + Long.toHexString(k.value()), Long.toString(k.value()), null, k.at());
        if (o instanceof Computed c) {
            Instruction at = c.at();
            return new Described("(" + at.mnemonic() + " " + at.operands() + " at " + f.code.where(at.address()) + ")", null, null, at);
        }
        Load l = (Load) o;
        if (l.base() == null) {
            String sym = f.session.symbols().describe(l.displacement());
            String c = sym != null ? sym : "*(u" + 8 * l.width() + " *)0x" + Long.toHexString(l.displacement());
            return new Described(c, sym, null, l.at());
        }
        Described b = describe(f, l.base());
        Type agg = Layouts.pointee(b.type());
        if (agg != null) {
            Optional<Layouts.Hit> hit = Layouts.memberAt(agg, l.displacement(), l.width());
            if (hit.isPresent()) {
                return new Described("((" + Layouts.spell(agg) + " *)" + b.c() + ")->" + hit.get().path(),
                        b.named() == null ? null : b.named() + "->" + hit.get().path(), hit.get().type(), l.at());
            }
            for (Layouts.Container k : f.containersOf(agg)) {
                Optional<Layouts.Hit> in = Layouts.memberAt(k.outer(), l.displacement(), l.width());
                if (in.isPresent()) {
                    String outer = Layouts.spell(k.outer());
                    return new Described("((" + outer + " *)" + b.c() + ")->" + in.get().path(),
                            b.named() == null ? null : "container_of(" + b.named() + ", " + outer + ", " + k.member() + ")->" + in.get().path(),
                            in.get().type(), l.at());
                }
            }
        }
        String off = l.displacement() == 0 ? "" : (l.displacement() < 0 ? " - 0x" + Long.toHexString(-l.displacement())
                : " + 0x" + Long.toHexString(l.displacement()));
        return new Described("*(u" + 8 * l.width() + " *)(" + b.c() + off + ")", null, null, l.at());
    }

    /** The member path at the end of a C expression ("vq->vring.num" → "vring.num"), or the expression. */
    static String tail(String expr) {
        if (expr == null) return null;
        String s = expr.replace(" ", "");
        int arrow = s.lastIndexOf("->");
        return arrow >= 0 ? s.substring(arrow + 2) : s;
    }

    /** Whether a source operand ("vq->vring.num", "total_sg") names the same value as {@code d}. */
    static boolean matches(String source, Described d) {
        if (source == null || d == null) return false;
        String s = source.replace(" ", "");
        if (d.named() != null && d.named().replace(" ", "").equals(s)) return true;
        if (!s.contains("->") && !s.contains(".")) return d.named() != null && d.named().equals(s);
        String st = tail(s);
        return d.named() != null && tail(d.named()).equals(st) || tail(d.c()).equals(st);
    }
}
