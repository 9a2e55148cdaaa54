package org.kdive.cmd.symbols.expr;

import java.util.List;
import java.util.Optional;
import org.kdive.api.KdiveException;
import org.kdive.api.command.CommandException;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Type.Kind;
import org.kdive.api.symbols.Variable;
import org.kdive.cmd.symbols.format.ValueFormatter;
import org.kdive.cmd.symbols.types.OffsetLayout;
import org.kdive.cmd.symbols.types.Synthetic;

/** Evaluates parsed C expressions against the dump, with C's conversions and pointer arithmetic. */
public final class Evaluator {
    private final Env env;

    public Evaluator(Env env) {
        this.env = env;
    }

    public Value evaluate(String text) {
        return eval(Parser.parse(text, env));
    }

    public Value eval(Node n) {
        if (n instanceof Node.Num num) return Value.of(num.type(), num.bits());
        if (n instanceof Node.Flt f) return Value.ofDouble(Synthetic.DOUBLE, f.value());
        if (n instanceof Node.Str s) {
            byte[] b = java.util.Arrays.copyOf(s.bytes(), s.bytes().length + 1);
            return Value.of(Synthetic.array(Synthetic.CHAR, b.length), b);
        }
        if (n instanceof Node.Ident id) return identifier(id.name());
        if (n instanceof Node.History h) return history(h.text());
        if (n instanceof Node.Unary u) return unary(u.op(), u.operand());
        if (n instanceof Node.Binary b) return binary(b);
        if (n instanceof Node.Ternary t) return truth(eval(t.condition())) ? eval(t.then()) : eval(t.otherwise());
        if (n instanceof Node.Cast c) return cast(c.type(), eval(c.operand()));
        if (n instanceof Node.SizeofType s) return sizeOf(s.type());
        if (n instanceof Node.SizeofExpr s) {
            Value v = eval(s.operand());
            if (v.noDebugName() != null) throw new CommandException("'" + v.noDebugName() + "' has unknown type; cast it to its declared type");
            return sizeOf(v.type());
        }
        if (n instanceof Node.Member m) return member(eval(m.operand()), m.name());
        if (n instanceof Node.Index ix) return index(eval(ix.operand()), eval(ix.index()));
        if (n instanceof Node.ContainerOf c) {
            long p = scalarBits(decay(eval(c.pointer())));
            return Value.of(Synthetic.pointer(c.type()), p - offsetOf(c.type(), c.member()));
        }
        if (n instanceof Node.OffsetOf o) return Value.of(Synthetic.ULONG, offsetOf(o.type(), o.member()));
        throw new IllegalStateException("unknown node " + n);
    }

    private Value sizeOf(Type t) {
        long size = t.resolve().size();
        if (size < 0 && t.resolve().kind() == Kind.VOID) size = 1;
        if (size < 0) throw new CommandException("Attempt to take size of incomplete type " + t.cName() + ".");
        return Value.of(Synthetic.ULONG, size);
    }

    private Value identifier(String name) {
        String bare = name.contains(":") ? name.substring(name.indexOf(':') + 1) : name;
        String module = name.contains(":") ? name.substring(0, name.indexOf(':')) : null;
        Optional<Variable> var = env.variable(bare);
        if (var.isPresent() && (module == null || module.equals(var.get().module()))) {
            return Value.at(var.get().type(), var.get().address(), env.memory());
        }
        List<Symbol> syms = env.symbols(name);
        Optional<Type> fn = env.function(bare);
        if (fn.isPresent() && (!syms.isEmpty() || module == null)) {
            return Value.at(fn.get(), address(name), env.memory());
        }
        if (!syms.isEmpty()) {
            long addr = address(name);
            Symbol s = syms.stream().filter(x -> x.address() == addr).findFirst().orElse(syms.get(0));
            return Value.noDebug(s.name(), addr, s.isText(), env.memory());
        }
        if (module == null) {
            Optional<Type> et = env.enumeratorType(bare);
            java.util.OptionalLong value = et.isPresent() ? et.get().enumeratorValue(bare) : java.util.OptionalLong.empty();
            if (value.isPresent()) return Value.of(et.get(), value.getAsLong());
        }
        throw new CommandException("No symbol \"" + name + "\" in current context.");
    }

    private long address(String name) {
        try {
            return env.address(name);
        } catch (CommandException e) {
            throw e;
        } catch (KdiveException e) {
            throw new CommandException(e.getMessage());
        }
    }

    private Value history(String text) {
        int size = env.historySize();
        int index;
        // ($$$ and numbers beyond an int lex as one history token: a syntax error, found by ExpressionFuzzTest)
        try {
            if (text.equals("$")) {
                index = size;
            } else if (text.startsWith("$$")) {
                int back = text.length() == 2 ? 1 : Integer.parseInt(text.substring(2));
                index = size - back;
            } else {
                index = Integer.parseInt(text.substring(1));
            }
        } catch (NumberFormatException e) {
            throw new CommandException("A syntax error in expression, near `" + text + "'.");
        }
        Value v = index >= 1 && index <= size ? env.history(index) : null;
        if (v == null) {
            if (size == 0 && index <= 0) throw new CommandException("History is empty.");
            throw new CommandException("History has not yet reached $" + index + ".");
        }
        return v;
    }

    private Value unary(String op, Node operandNode) {
        Value v = eval(operandNode);
        switch (op) {
            case "&":
                return addressOf(v);
            case "*":
                return deref(v);
            case "!":
                return Value.of(Synthetic.INT, truth(decay(v)) ? 0 : 1);
            default:
        }
        v = decay(v);
        Type t = v.resolved();
        if (t.kind() == Kind.BASE && t.isFloat()) {
            double d = v.asDouble();
            return Value.ofDouble(t, op.equals("-") ? -d : d);
        }
        requireInteger(v, op);
        Type pt = promote(t);
        long x = v.asLong();
        return switch (op) {
            case "-" -> Value.of(pt, -x);
            case "~" -> Value.of(pt, ~x);
            default -> Value.of(pt, x);
        };
    }

    private Value addressOf(Value v) {
        if (v.isNoDebugText() || v.kind() == Kind.FUNCTION) {
            Type fnType = v.isNoDebugText() ? FunctionType.returning(Synthetic.INT) : v.type();
            return Value.of(Synthetic.pointer(fnType), v.address());
        }
        if (!v.isLvalue()) throw new CommandException("Attempt to take address of value not located in memory.");
        return Value.of(Synthetic.pointer(v.type()), v.address());
    }

    private Value deref(Value v) {
        if (v.kind() == Kind.FUNCTION || v.isNoDebugText()) return v;
        if (v.kind() == Kind.ARRAY) return v.part(v.resolved().target(), 0);
        if (v.kind() != Kind.POINTER) {
            if (v.isNoDebugData()) throw new CommandException("'" + v.noDebugName() + "' has unknown type; cast it to its declared type");
            throw new CommandException("Attempt to take contents of a non-pointer value.");
        }
        Type target = v.resolved().target();
        if (target == null || target.resolve().kind() == Kind.VOID) throw new CommandException("Attempt to take contents of a non-pointer value.");
        return Value.at(complete(target), v.bits(), env.memory());
    }

    /**
     * A struct/union only declared where the pointer was (an opaque "struct sched_class"), replaced
     * by its definition from elsewhere, as gdb does; qualifiers are kept.
     */
    private Type complete(Type t) {
        Type r = t.resolve();
        if ((r.kind() != Kind.STRUCT && r.kind() != Kind.UNION) || r.name() == null
                || !(r.isDeclaration() || r.size() < 0) || !r.members().isEmpty()) return t;
        Optional<Type> full = env.lookup((r.kind() == Kind.STRUCT ? "struct " : "union ") + r.name());
        if (full.isEmpty() || full.get().resolve().isDeclaration() || full.get().resolve().size() < 0) return t;
        boolean isConst = false;
        boolean isVolatile = false;
        for (Type cur = t; cur != null && cur != r; cur = cur.target()) {
            if (cur.kind() == Kind.CONST) isConst = true;
            if (cur.kind() == Kind.VOLATILE) isVolatile = true;
            if (cur.kind() == Kind.TYPEDEF) return full.get(); // the typedef's name is lost; rare
        }
        Type out = full.get();
        if (isVolatile) out = Synthetic.volatileOf(out);
        if (isConst) out = Synthetic.constOf(out);
        return out;
    }

    /** Arrays become pointers to their first element, functions pointers to themselves. */
    private Value decay(Value v) {
        if (v.isNoDebugData()) throw new CommandException("'" + v.noDebugName() + "' has unknown type; cast it to its declared type");
        if (v.isNoDebugText()) return Value.of(Synthetic.pointer(FunctionType.returning(Synthetic.INT)), v.address());
        Kind k = v.kind();
        if (k == Kind.ARRAY) {
            if (!v.isLvalue()) throw new CommandException("Attempt to take address of value not located in memory.");
            return Value.of(Synthetic.pointer(v.resolved().target()), v.address());
        }
        if (k == Kind.FUNCTION) return Value.of(Synthetic.pointer(v.type()), v.address());
        return v;
    }

    private Value member(Value v, String name) {
        Value base = v;
        if (base.kind() == Kind.POINTER) base = deref(base);
        Type t = base.resolved();
        if (t.kind() != Kind.STRUCT && t.kind() != Kind.UNION) {
            throw new CommandException(v.kind() == Kind.POINTER
                    ? "The -> operator cannot be applied to a pointer to a non-structure."
                    : "Attempt to extract a component of a value that is not a structure.");
        }
        Member m = OffsetLayout.findMember(t, name).orElseThrow(() -> new CommandException("There is no member named " + name + "."));
        return ValueFormatter.member(base, m);
    }

    private Value index(Value v, Value idx) {
        Value i = decay(idx);
        if (v.kind() == Kind.ARRAY && !v.isLvalue()) {
            Type elem = v.resolved().target();
            long n = i.asLong();
            if (n < 0 || (v.resolved().count() >= 0 && n >= v.resolved().count())) throw new CommandException("no such vector element");
            return v.part(elem, n * elemSize(elem));
        }
        Value p = decay(v);
        if (p.kind() != Kind.POINTER) {
            if (i.kind() == Kind.POINTER) return index(i, p);
            throw new CommandException("cannot subscript something of type `" + v.type().cName() + "'");
        }
        requireInteger(i, "[]");
        Type elem = p.resolved().target();
        return Value.at(elem, p.bits() + i.asLong() * elemSize(elem), env.memory());
    }

    private static long elemSize(Type elem) {
        long s = elem == null ? 1 : elem.resolve().size();
        if (elem != null && elem.resolve().kind() == Kind.VOID) return 1;
        if (s < 0) throw new CommandException("Cannot perform pointer math on incomplete type \"" + elem.cName() + "\", try casting to a known type, or void *.");
        return s;
    }

    private Value binary(Node.Binary b) {
        String op = b.op();
        if (op.equals("&&")) return Value.of(Synthetic.INT, truth(eval(b.left())) && truth(eval(b.right())) ? 1 : 0);
        if (op.equals("||")) return Value.of(Synthetic.INT, truth(eval(b.left())) || truth(eval(b.right())) ? 1 : 0);
        Value l = eval(b.left());
        Value r = eval(b.right());
        if (op.equals(",")) return r;
        if (op.equals("@")) return artificialArray(l, r);
        l = decay(l);
        r = decay(r);
        boolean lp = l.kind() == Kind.POINTER;
        boolean rp = r.kind() == Kind.POINTER;
        if (lp || rp) return pointerArith(op, l, r, lp, rp);
        Type lt = l.resolved();
        Type rt = r.resolved();
        if (isFloat(lt) || isFloat(rt)) return floatArith(op, l, r);
        requireInteger(l, op);
        requireInteger(r, op);
        if (op.equals("<<") || op.equals(">>")) {
            Type pt = promote(lt);
            long x = l.asLong();
            int s = (int) r.asLong();
            if (op.equals("<<")) return Value.of(pt, x << s);
            return Value.of(pt, pt.isSigned() ? x >> s : (pt.size() == 4 ? (x & 0xffffffffL) >>> s : x >>> s));
        }
        Type t = usual(lt, rt);
        boolean signed = t.isSigned();
        long x = normalize(l.asLong(), t);
        long y = normalize(r.asLong(), t);
        return switch (op) {
            case "+" -> Value.of(t, x + y);
            case "-" -> Value.of(t, x - y);
            case "*" -> Value.of(t, x * y);
            case "/" -> {
                if (y == 0) throw new CommandException("Division by zero");
                yield Value.of(t, signed ? x / y : Long.divideUnsigned(x, y));
            }
            case "%" -> {
                if (y == 0) throw new CommandException("Division by zero");
                yield Value.of(t, signed ? x % y : Long.remainderUnsigned(x, y));
            }
            case "&" -> Value.of(t, x & y);
            case "|" -> Value.of(t, x | y);
            case "^" -> Value.of(t, x ^ y);
            default -> Value.of(Synthetic.INT, compare(op, signed ? Long.compare(x, y) : Long.compareUnsigned(x, y)) ? 1 : 0);
        };
    }

    /** The value seen in the common type: sign- or zero-extended from the common type's width. */
    private static long normalize(long v, Type t) {
        if (t.size() >= 8) return v;
        return t.isSigned() ? (long) (int) v : v & 0xffffffffL;
    }

    private static boolean compare(String op, int c) {
        return switch (op) {
            case "==" -> c == 0;
            case "!=" -> c != 0;
            case "<" -> c < 0;
            case ">" -> c > 0;
            case "<=" -> c <= 0;
            case ">=" -> c >= 0;
            default -> throw new CommandException("Argument to arithmetic operation not a number or boolean.");
        };
    }

    private Value pointerArith(String op, Value l, Value r, boolean lp, boolean rp) {
        if (lp && rp) {
            if (op.equals("-")) {
                long size = elemSize(l.resolved().target());
                long rs = elemSize(r.resolved().target());
                if (size != rs) throw new CommandException("First argument of `-' is a pointer and second argument is neither\nan integer nor a pointer of the same type.");
                return Value.of(Synthetic.LONG, (l.bits() - r.bits()) / size);
            }
            return Value.of(Synthetic.INT, compare(op, Long.compareUnsigned(l.bits(), r.bits())) ? 1 : 0);
        }
        Value p = lp ? l : r;
        Value i = lp ? r : l;
        if (isComparison(op)) {
            long a = lp ? l.bits() : l.asLong();
            long b = rp ? r.bits() : r.asLong();
            return Value.of(Synthetic.INT, compare(op, Long.compareUnsigned(a, b)) ? 1 : 0);
        }
        requireInteger(i, op);
        long size = elemSize(p.resolved().target());
        if (op.equals("+")) return Value.of(p.type(), p.bits() + i.asLong() * size);
        if (op.equals("-") && lp) return Value.of(p.type(), p.bits() - i.asLong() * size);
        if (op.equals("&") || op.equals("|") || op.equals("^")) {
            long a = lp ? l.bits() : l.asLong();
            long b = rp ? r.bits() : r.asLong();
            long v = op.equals("&") ? a & b : op.equals("|") ? a | b : a ^ b;
            return Value.of(Synthetic.LONG, v);
        }
        throw new CommandException("Argument to arithmetic operation not a number or boolean.");
    }

    private static boolean isComparison(String op) {
        return op.equals("==") || op.equals("!=") || op.equals("<") || op.equals(">") || op.equals("<=") || op.equals(">=");
    }

    private Value floatArith(String op, Value l, Value r) {
        double x = l.asDouble();
        double y = r.asDouble();
        return switch (op) {
            case "+" -> Value.ofDouble(Synthetic.DOUBLE, x + y);
            case "-" -> Value.ofDouble(Synthetic.DOUBLE, x - y);
            case "*" -> Value.ofDouble(Synthetic.DOUBLE, x * y);
            case "/" -> Value.ofDouble(Synthetic.DOUBLE, x / y);
            default -> {
                if (isComparison(op)) yield Value.of(Synthetic.INT, compare(op, Double.compare(x, y)) ? 1 : 0);
                throw new CommandException("Integer only operation " + op + ".");
            }
        };
    }

    private Value artificialArray(Value l, Value r) {
        long n = decay(r).asLong();
        if (n <= 0) throw new CommandException("Only values in memory can be extended with '@'.");
        if (!l.isLvalue()) throw new CommandException("Only values in memory can be extended with '@'.");
        return Value.at(Synthetic.array(l.type(), n), l.address(), env.memory());
    }

    public Value cast(Type to, Value v) {
        Type rt = to.resolve();
        switch (rt.kind()) {
            case VOID:
                return Value.of(to, new byte[0]);
            case STRUCT:
            case UNION:
            case ARRAY:
                if (v.isLvalue()) return Value.at(to, v.address(), env.memory());
                if (v.resolved().size() == rt.size()) return Value.of(to, v.bytes());
                throw new CommandException("Invalid cast.");
            default:
        }
        if (v.isNoDebugData()) return Value.at(to, v.address(), env.memory());
        Value s = decay(v);
        Type st = s.resolved();
        if (isFloat(rt)) return Value.ofDouble(to, s.asDouble());
        if (rt.kind() == Kind.BASE && rt.isBool()) return Value.of(to, truth(s) ? 1 : 0);
        if (isFloat(st)) return Value.of(to, (long) s.asDouble());
        if (st.kind() == Kind.STRUCT || st.kind() == Kind.UNION) throw new CommandException("Invalid cast.");
        return Value.of(to, st.kind() == Kind.POINTER ? s.bits() : s.asLong());
    }

    private boolean truth(Value v) {
        Value d = decay(v);
        Type t = d.resolved();
        if (isFloat(t)) return d.asDouble() != 0;
        if (t.kind() == Kind.STRUCT || t.kind() == Kind.UNION) throw new CommandException("Attempt to use a type name as an expression");
        return d.bits() != 0;
    }

    private static long scalarBits(Value v) {
        return v.kind() == Kind.POINTER ? v.bits() : v.asLong();
    }

    /** Offset of a member path ("a.b", "arr[3].c") in a struct type. */
    public static long offsetOf(Type type, String path) {
        Type t = type;
        long off = 0;
        for (String part : path.split("\\.")) {
            String name = part;
            long idx = -1;
            int br = part.indexOf('[');
            if (br >= 0) {
                name = part.substring(0, br);
                idx = Long.parseLong(part.substring(br + 1, part.indexOf(']')));
            }
            Type rt = t.resolve();
            String n = name;
            Member m = OffsetLayout.findMember(rt, n).orElseThrow(() -> new CommandException("There is no member named " + n + "."));
            off += m.offset();
            t = m.type();
            if (idx >= 0) {
                Type at = t.resolve();
                if (at.kind() != Kind.ARRAY) throw new CommandException("cannot subscript something of type `" + t.cName() + "'");
                off += idx * at.target().resolve().size();
                t = at.target();
            }
        }
        return off;
    }

    private static boolean isFloat(Type t) {
        return t.kind() == Kind.BASE && t.isFloat();
    }

    private static void requireInteger(Value v, String op) {
        Kind k = v.kind();
        if (k != Kind.BASE && k != Kind.ENUM && k != Kind.POINTER) {
            throw new CommandException("Argument to arithmetic operation not a number or boolean.");
        }
    }

    /** C integer promotion (as gdb applies it). */
    static Type promote(Type t) {
        Type r = t.resolve();
        if (r.kind() == Kind.POINTER) return Synthetic.ULONG;
        long size = r.size();
        if (size < 4 || r.isBool()) return Synthetic.INT;
        if (size == 4) return r.isSigned() ? Synthetic.INT : Synthetic.UINT;
        return r.isSigned() ? Synthetic.LONG : Synthetic.ULONG;
    }

    /** The usual arithmetic conversions of two integer types. */
    static Type usual(Type a, Type b) {
        Type pa = promote(a);
        Type pb = promote(b);
        if (pa.size() != pb.size()) return pa.size() > pb.size() ? pa : pb;
        if (!pa.isSigned()) return pa;
        return pb;
    }
}
