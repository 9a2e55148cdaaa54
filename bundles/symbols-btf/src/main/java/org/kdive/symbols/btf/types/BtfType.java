package org.kdive.symbols.btf.types;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.kdive.api.symbols.Enumerator;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Type;
import org.kdive.symbols.btf.format.Btf;
import org.kdive.symbols.btf.format.BtfException;

/**
 * A {@link Type} over one BTF record. BTF's kinds map onto the API's: INT and FLOAT are BASE, FWD is a
 * STRUCT or UNION declaration, ENUM64 an ENUM, FUNC and FUNC_PROTO are FUNCTION; TYPE_TAG is
 * transparent (a type tag only annotates its target). Members, targets and the spelling are read on
 * first use.
 */
final class BtfType implements Type {
    private static final int MAX_DEPTH = 64;

    private final BtfTypes types;
    private final Btf btf;     // the blob holding the record (null for void)
    private final int id;
    private final int btfKind;
    private final Kind kind;
    private final String name;
    private volatile Type target;
    private volatile List<Member> members;
    private volatile List<Enumerator> enumerators;
    private volatile List<Type> params;
    private volatile List<String> paramNames;
    private volatile String cName;
    private boolean varargs;

    static final BtfType VOID = new BtfType(null, null, 0, 0, Kind.VOID, "void");

    private BtfType(BtfTypes types, Btf btf, int id, int btfKind, Kind kind, String name) {
        this.types = types;
        this.btf = btf;
        this.id = id;
        this.btfKind = btfKind;
        this.kind = kind;
        this.name = name;
    }

    /** The type of record {@code id} of {@code btf} (its owner blob); TYPE_TAG, VAR and DATASEC are not built here. */
    static BtfType of(BtfTypes types, Btf btf, int id) {
        int k = btf.kind(id);
        String n = btf.name(id);
        Kind kind = switch (k) {
            case Btf.INT, Btf.FLOAT -> Kind.BASE;
            case Btf.PTR -> Kind.POINTER;
            case Btf.ARRAY -> Kind.ARRAY;
            case Btf.STRUCT -> Kind.STRUCT;
            case Btf.UNION -> Kind.UNION;
            case Btf.FWD -> btf.kindFlag(id) ? Kind.UNION : Kind.STRUCT;
            case Btf.ENUM, Btf.ENUM64 -> Kind.ENUM;
            case Btf.TYPEDEF -> Kind.TYPEDEF;
            case Btf.VOLATILE -> Kind.VOLATILE;
            case Btf.CONST -> Kind.CONST;
            case Btf.RESTRICT -> Kind.RESTRICT;
            case Btf.FUNC, Btf.FUNC_PROTO -> Kind.FUNCTION;
            default -> throw new BtfException(btf.source(), btf.record(id), "a type (type id " + id + ")",
                    Btf.kindName(k) + " record");
        };
        if (kind == Kind.POINTER || kind == Kind.ARRAY || kind == Kind.CONST || kind == Kind.VOLATILE
                || kind == Kind.RESTRICT || k == Btf.FUNC_PROTO) {
            n = null; // BTF requires these unnamed; ignore a stray name rather than print it
        }
        return new BtfType(types, btf, id, k, kind, n);
    }

    /** The BTF type id (0 for void). */
    int id() { return id; }

    int btfKind() { return btfKind; }

    @Override
    public Kind kind() { return kind; }

    @Override
    public String name() { return name; }

    @Override
    public long size() { return size(0); }

    private long size(int depth) {
        if (depth > MAX_DEPTH) throw new BtfException(btf.source(), btf.record(id), "a type whose size ends", "a reference cycle");
        switch (btfKind) {
            case 0: case Btf.FWD: case Btf.FUNC: case Btf.FUNC_PROTO: return -1;
            case Btf.PTR: return types.pointerSize();
            case Btf.INT: case Btf.FLOAT: case Btf.STRUCT: case Btf.UNION: case Btf.ENUM: case Btf.ENUM64:
                return btf.sizeOrType(id);
            case Btf.ARRAY: {
                long n = count();
                if (n < 0) return -1;
                long es = sizeOf(target(), depth + 1);
                return n == 0 ? 0 : es < 0 ? -1 : n * es;
            }
            default: return sizeOf(target(), depth + 1);
        }
    }

    private static long sizeOf(Type t, int depth) {
        if (t instanceof BtfType b) return b.size(depth);
        return t == null ? -1 : t.size();
    }

    @Override
    public Type target() {
        Type t = target;
        if (t != null) return t;
        switch (btfKind) {
            case Btf.PTR: case Btf.TYPEDEF: case Btf.VOLATILE: case Btf.CONST: case Btf.RESTRICT:
                t = types.typeRef((int) btf.sizeOrType(id), btf, btf.record(id) + 8);
                break;
            case Btf.ARRAY:
                t = types.typeRef((int) btf.word(id, 0), btf, btf.wordOffset(id, 0));
                break;
            case Btf.FUNC_PROTO:
                t = types.typeRef((int) btf.sizeOrType(id), btf, btf.record(id) + 8);
                break;
            case Btf.FUNC:
                t = proto().target();
                break;
            default:
                return null; // BTF enums have no underlying type; base and aggregate types no target
        }
        target = t;
        return t;
    }

    /** A FUNC's prototype. */
    private BtfType proto() {
        Type p = types.typeRef((int) btf.sizeOrType(id), btf, btf.record(id) + 8);
        if (!(p instanceof BtfType bp) || bp.btfKind != Btf.FUNC_PROTO) {
            throw new BtfException(btf.source(), btf.record(id) + 8, "a FUNC_PROTO for FUNC " + name, p.kind() + " type");
        }
        return bp;
    }

    @Override
    public List<Member> members() {
        if (btfKind != Btf.STRUCT && btfKind != Btf.UNION) return List.of();
        List<Member> m = members;
        if (m == null) {
            m = readMembers();
            members = m;
        }
        return m;
    }

    private List<Member> readMembers() {
        int n = btf.vlen(id);
        boolean bitfieldsInOffset = btf.kindFlag(id);
        List<Member> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int at = btf.wordOffset(id, 3 * i);
            String mName = btf.string((int) btf.word(id, 3 * i), at);
            Type mt = types.typeRef((int) btf.word(id, 3 * i + 1), btf, at + 4);
            long raw = btf.word(id, 3 * i + 2);
            long bitOffset = bitfieldsInOffset ? raw & 0xffffff : raw;
            int bitSize = bitfieldsInOffset ? (int) (raw >>> 24) : 0;
            if (!bitfieldsInOffset) {
                // old style: a bitfield's width and offset live in its INT type
                Type r = mt.resolve();
                if (r instanceof BtfType bi && bi.btfKind == Btf.INT) {
                    long enc = bi.btf.word(bi.id, 0);
                    int bits = (int) (enc & 0xff);
                    if (bits > 0 && bits != bi.size() * 8) {
                        bitSize = bits;
                        bitOffset += (enc >>> 16) & 0xff;
                    }
                }
            }
            out.add(member(mName, mt, bitOffset, bitSize));
        }
        return Collections.unmodifiableList(out);
    }

    /** A member at a bit offset; a bitfield is placed in the storage unit of its type that holds its first bit (as DWARF's). */
    private static Member member(String name, Type t, long bitOffset, int bitSize) {
        if (bitSize == 0) return new Member(name, bitOffset / 8, 0, 0, t);
        long unit = sizeOf(t, 0);
        if (unit <= 0 || unit > 16) unit = 1;
        long unitBits = unit * 8;
        long byteOff = (bitOffset / unitBits) * unit;
        int bitOff = (int) (bitOffset - byteOff * 8);
        if (bitOff + bitSize > unitBits) { // straddles its unit (packed): byte granularity
            byteOff = bitOffset / 8;
            bitOff = (int) (bitOffset % 8);
        }
        return new Member(name, byteOff, bitOff, bitSize, t);
    }

    @Override
    public long count() {
        if (btfKind != Btf.ARRAY) return -1;
        long n = btf.word(id, 2);
        // BTF writes both `x[]` and `x[0]` as 0 elements; flexible arrays are what the kernel uses now
        return n == 0 ? -1 : n;
    }

    @Override
    public List<Enumerator> enumerators() {
        if (btfKind != Btf.ENUM && btfKind != Btf.ENUM64) return List.of();
        List<Enumerator> e = enumerators;
        if (e == null) {
            int n = btf.vlen(id);
            List<Enumerator> out = new ArrayList<>(n);
            boolean signed = isSigned();
            for (int i = 0; i < n; i++) {
                if (btfKind == Btf.ENUM) {
                    String en = btf.string((int) btf.word(id, 2 * i), btf.wordOffset(id, 2 * i));
                    long v = btf.word(id, 2 * i + 1);
                    out.add(new Enumerator(en, signed ? (int) v : v));
                } else {
                    String en = btf.string((int) btf.word(id, 3 * i), btf.wordOffset(id, 3 * i));
                    long v = btf.word(id, 3 * i + 1) | btf.word(id, 3 * i + 2) << 32;
                    out.add(new Enumerator(en, v));
                }
            }
            e = Collections.unmodifiableList(out);
            enumerators = e;
        }
        return e;
    }

    @Override
    public List<Type> parameters() {
        if (btfKind == Btf.FUNC) return proto().parameters();
        if (btfKind != Btf.FUNC_PROTO) return List.of();
        List<Type> p = params;
        if (p == null) {
            int n = btf.vlen(id);
            List<Type> out = new ArrayList<>(n);
            List<String> names = new ArrayList<>(n);
            boolean va = false;
            for (int i = 0; i < n; i++) {
                int type = (int) btf.word(id, 2 * i + 1);
                int at = btf.wordOffset(id, 2 * i);
                if (type == 0 && i == n - 1) { // "..."
                    va = true;
                    break;
                }
                names.add(btf.string((int) btf.word(id, 2 * i), at));
                out.add(types.typeRef(type, btf, at + 4));
            }
            varargs = va;
            paramNames = Collections.unmodifiableList(names);
            p = Collections.unmodifiableList(out);
            params = p;
        }
        return p;
    }

    @Override
    public List<String> parameterNames() {
        if (btfKind == Btf.FUNC) return proto().parameterNames();
        if (btfKind != Btf.FUNC_PROTO) return List.of();
        parameters();
        List<String> n = paramNames;
        return n.stream().allMatch(x -> x == null) ? List.of() : n;
    }

    /** Function types: whether the parameter list ends with "...". */
    boolean isVarargs() {
        if (btfKind == Btf.FUNC) return proto().isVarargs();
        parameters();
        return varargs;
    }

    @Override
    public boolean isSigned() {
        if (btfKind == Btf.INT) return (btf.word(id, 0) >>> 24 & Btf.INT_SIGNED) != 0;
        if (btfKind == Btf.FLOAT) return true;
        if (btfKind == Btf.ENUM || btfKind == Btf.ENUM64) {
            if (btf.kindFlag(id)) return true; // newer BTF marks signed enums
            if (btf.enumSignFlag()) return false; // ... and so leaves the others unmarked
            if (btfKind == Btf.ENUM) { // older BTF: a negative 32-bit pattern is read as signed
                for (int i = 0; i < btf.vlen(id); i++) if ((int) btf.word(id, 2 * i + 1) < 0) return true;
            }
            return false;
        }
        return false;
    }

    @Override
    public boolean isFloat() { return btfKind == Btf.FLOAT; }

    @Override
    public boolean isBool() { return btfKind == Btf.INT && (btf.word(id, 0) >>> 24 & Btf.INT_BOOL) != 0; }

    @Override
    public boolean isDeclaration() { return btfKind == Btf.FWD; }

    @Override
    public String cName() {
        String c = cName;
        if (c == null) {
            c = CSpelling.spell(this);
            cName = c;
        }
        return c;
    }

    @Override
    public Optional<Member> member(String memberName) {
        return findMember(this, memberName, 0, 0);
    }

    private static Optional<Member> findMember(Type t, String memberName, long base, int depth) {
        if (depth > MAX_DEPTH) return Optional.empty();
        Type r = t.resolve();
        for (Member m : r.members()) {
            if (memberName.equals(m.name())) {
                return Optional.of(base == 0 ? m : new Member(m.name(), base + m.offset(), m.bitOffset(), m.bitSize(), m.type()));
            }
        }
        for (Member m : r.members()) {
            if (m.name() == null) {
                Optional<Member> inner = findMember(m.type(), memberName, base + m.offset(), depth + 1);
                if (inner.isPresent()) return inner;
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() { return cName(); }
}
