package org.kdive.symbols.dwarf.types;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.kdive.api.KdiveException;
import org.kdive.api.symbols.Enumerator;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Type;
import org.kdive.symbols.dwarf.dwarf.DW;
import org.kdive.symbols.dwarf.dwarf.Die;
import org.kdive.symbols.dwarf.dwarf.Reader;

/** A {@link Type} read from DWARF. Members, targets and the C spelling are computed on first use. */
public final class DwarfType implements Type {
    private static final int MAX_DEPTH = 64;

    private final TypeFactory f;
    private final Die die;             // null for void and synthesized array dimensions
    private final Kind kind;
    private final String name;
    private final long size;
    private final int encoding;
    // arrays: the dimensions still to apply, as subrange DIEs (multi-dimensional arrays)
    private final List<Die> dims;
    private final DwarfType element;   // arrays: element type when built from remaining dims
    private long elemRef = -1;         // innermost array dimension: the element type's DIE, read lazily
    private volatile Type target;
    private volatile List<Member> members;
    private volatile List<Enumerator> enumerators;
    private volatile List<Type> params;
    private volatile String cName;
    private boolean varargs;
    // declarations (struct foo;): the definition elsewhere in the file, looked up once; this when none
    private volatile DwarfType definition;

    private DwarfType(TypeFactory f, Die die, Kind kind, String name, long size, int encoding, List<Die> dims,
                      DwarfType element) {
        this.f = f;
        this.die = die;
        this.kind = kind;
        this.name = name;
        this.size = size;
        this.encoding = encoding;
        this.dims = dims;
        this.element = element;
    }

    static DwarfType voidType() {
        return new DwarfType(null, null, Kind.VOID, "void", -1, 0, null, null);
    }

    static DwarfType of(TypeFactory f, Die d) {
        int tag = d.tag();
        String name = d.name();
        long size = d.udata(DW.AT_byte_size, -1);
        switch (tag) {
            case DW.TAG_base_type:
                return new DwarfType(f, d, Kind.BASE, name, size, (int) d.udata(DW.AT_encoding, 0), null, null);
            case DW.TAG_unspecified_type:
                return new DwarfType(f, d, Kind.VOID, name == null ? "void" : name, -1, 0, null, null);
            case DW.TAG_pointer_type: case DW.TAG_reference_type:
                return new DwarfType(f, d, Kind.POINTER, null, size < 0 ? d.unit.addrSize : size, 0, null, null);
            case DW.TAG_structure_type: case DW.TAG_class_type:
                return new DwarfType(f, d, Kind.STRUCT, name, d.flag(DW.AT_declaration) ? -1 : size, 0, null, null);
            case DW.TAG_union_type:
                return new DwarfType(f, d, Kind.UNION, name, d.flag(DW.AT_declaration) ? -1 : size, 0, null, null);
            case DW.TAG_enumeration_type:
                return new DwarfType(f, d, Kind.ENUM, name, size, 0, null, null);
            case DW.TAG_typedef:
                return new DwarfType(f, d, Kind.TYPEDEF, name, -2, 0, null, null);
            case DW.TAG_const_type: return new DwarfType(f, d, Kind.CONST, null, -2, 0, null, null);
            case DW.TAG_volatile_type: return new DwarfType(f, d, Kind.VOLATILE, null, -2, 0, null, null);
            case DW.TAG_restrict_type: return new DwarfType(f, d, Kind.RESTRICT, null, -2, 0, null, null);
            case DW.TAG_atomic_type: return new DwarfType(f, d, Kind.ATOMIC, null, -2, 0, null, null);
            case DW.TAG_subroutine_type: case DW.TAG_subprogram:
                return new DwarfType(f, d, Kind.FUNCTION, null, -1, 0, null, null);
            case DW.TAG_array_type: {
                List<Die> subs = new ArrayList<>();
                for (Die c : f.dwarf.children(d)) if (c.tag() == DW.TAG_subrange_type || c.tag() == DW.TAG_enumeration_type) subs.add(c);
                return array(f, d, subs, d.has(DW.AT_type) ? d.reference(DW.AT_type) : -1);
            }
            default:
                throw f.dwarf.error(d.unit.toString(), d.offset, "a type DIE", "tag 0x" + Integer.toHexString(tag));
        }
    }

    /** An array over the given dimensions (outermost first); no subranges means one of unknown count. */
    private static DwarfType array(TypeFactory f, Die d, List<Die> subs, long elemRef) {
        if (subs.size() <= 1) {
            DwarfType a = new DwarfType(f, d, Kind.ARRAY, null, -2, 0, subs, null);
            a.elemRef = elemRef;
            return a;
        }
        DwarfType inner = array(f, d, subs.subList(1, subs.size()), elemRef);
        return new DwarfType(f, d, Kind.ARRAY, null, -2, 0, subs.subList(0, 1), inner);
    }

    @Override
    public Kind kind() { return kind; }

    @Override
    public String name() { return name; }

    /**
     * A struct, union or enum only declared where it is referenced (a typedef or pointer in a unit that
     * did not include its definition) stands for the file's definition of that name, as in gdb: its
     * size, members and enumerators are the definition's. Null when this is no declaration or none is found.
     */
    private DwarfType definition() {
        if (die == null || !die.flag(DW.AT_declaration) || (kind != Kind.STRUCT && kind != Kind.UNION && kind != Kind.ENUM)) {
            return null;
        }
        DwarfType d = definition;
        if (d == null) {
            d = f.definitionOf(this);
            if (d == null) d = this;
            definition = d;
        }
        return d == this ? null : d;
    }

    @Override
    public long size() {
        if (size == -1) {
            DwarfType d = definition();
            if (d != null) return d.size();
        }
        if (size != -2) return size;
        switch (kind) {
            case ARRAY: {
                long n = count();
                if (n < 0) return -1;
                long es = sizeGuarded(target(), 0);
                return n == 0 ? 0 : es < 0 ? -1 : n * es;
            }
            default: {
                Type t = target();
                return t == null ? -1 : sizeGuarded(t, 0);
            }
        }
    }

    private static long sizeGuarded(Type t, int depth) {
        if (depth > MAX_DEPTH) throw new KdiveException("type reference cycle while computing a size");
        if (t instanceof DwarfType dt && dt.size == -2 && dt.kind != Kind.ARRAY) {
            Type n = dt.target();
            return n == null ? -1 : sizeGuarded(n, depth + 1);
        }
        return t.size();
    }

    @Override
    public Type target() {
        Type t = target;
        if (t != null || kind == Kind.VOID || kind == Kind.BASE || kind == Kind.STRUCT || kind == Kind.UNION) return t;
        if (kind == Kind.ARRAY) {
            t = element != null ? element : f.type(elemRef);
        } else {
            t = f.typeOf(die);
        }
        checkChain(t);
        target = t;
        return t;
    }

    /** Typedef/qualifier chains must end: a cycle would make resolve() spin. */
    private void checkChain(Type t) {
        int n = 0;
        Type cur = t;
        while (cur instanceof DwarfType dt && (dt.kind == Kind.TYPEDEF || dt.kind == Kind.CONST || dt.kind == Kind.VOLATILE
                || dt.kind == Kind.RESTRICT || dt.kind == Kind.ATOMIC)) {
            if (++n > MAX_DEPTH || dt == this) {
                throw f.dwarf.error(die.unit.toString(), die.offset, "a typedef/qualifier chain that ends", "a reference cycle");
            }
            Type next = dt.target != null ? dt.target : f.typeOf(dt.die);
            if (next == dt) throw f.dwarf.error(die.unit.toString(), die.offset, "a typedef/qualifier chain that ends", "a reference cycle");
            cur = next;
        }
    }

    @Override
    public List<Member> members() {
        if (kind != Kind.STRUCT && kind != Kind.UNION) return List.of();
        List<Member> m = members;
        if (m == null) {
            DwarfType d = definition();
            m = d != null ? d.members() : readMembers();
            members = m;
        }
        return m;
    }

    private List<Member> readMembers() {
        List<Member> out = new ArrayList<>();
        for (Die c : f.dwarf.children(die)) {
            if (c.tag() != DW.TAG_member) continue;
            DwarfType mt = (DwarfType) f.typeOf(c);
            long byteOff = 0;
            if (c.has(DW.AT_data_member_location)) {
                if (c.isBlock(DW.AT_data_member_location)) byteOff = simpleLocation(c.block(DW.AT_data_member_location));
                else byteOff = c.udata(DW.AT_data_member_location, 0);
            }
            int bitSize = (int) c.udata(DW.AT_bit_size, 0);
            int bitOff = 0;
            if (bitSize > 0) {
                long dataBitOffset;
                if (c.has(DW.AT_data_bit_offset)) {
                    dataBitOffset = c.udata(DW.AT_data_bit_offset, 0);
                } else {
                    // DWARF 2/3: bit_offset counts from the storage unit's most significant bit
                    long storage = c.udata(DW.AT_byte_size, -1);
                    if (storage < 0) storage = Math.max(1, sizeGuarded(mt, 0));
                    long bo = c.udata(DW.AT_bit_offset, 0);
                    dataBitOffset = byteOff * 8 + storage * 8 - bo - bitSize;
                }
                long unit = sizeGuarded(mt, 0);
                if (unit <= 0 || unit > 16) unit = 1;
                long unitBits = unit * 8;
                // the storage unit of the member's type that holds the field's first bit
                byteOff = (dataBitOffset / unitBits) * unit;
                bitOff = (int) (dataBitOffset - byteOff * 8);
                if (bitOff + bitSize > unitBits) { // straddles (packed): fall back to byte granularity
                    byteOff = dataBitOffset / 8;
                    bitOff = (int) (dataBitOffset % 8);
                }
            }
            out.add(new Member(c.name(), byteOff, bitOff, bitSize, mt));
        }
        return Collections.unmodifiableList(out);
    }

    /** data_member_location as an expression: DW_OP_plus_uconst N (older compilers), or a constant push. */
    private long simpleLocation(ByteBuffer b) {
        if (b == null || !b.hasRemaining()) return 0;
        Reader r = new Reader(b, 0);
        int op = r.u8();
        if (op == DW.OP_plus_uconst || op == DW.OP_constu) return r.uleb();
        if (op == DW.OP_consts) return r.sleb();
        throw f.dwarf.error(die.unit.toString(), die.offset, "a constant member location", "DW_OP 0x" + Integer.toHexString(op));
    }

    @Override
    public long count() {
        if (kind != Kind.ARRAY) return -1;
        if (dims.isEmpty()) return -1;
        Die s = dims.get(0);
        if (s.tag() == DW.TAG_enumeration_type) return -1;
        if (s.has(DW.AT_count)) return s.isConstantForm(DW.AT_count) ? s.udata(DW.AT_count, -1) : -1;
        if (s.has(DW.AT_upper_bound)) {
            if (!s.isConstantForm(DW.AT_upper_bound)) return -1; // a variable-length array
            long lower = s.udata(DW.AT_lower_bound, 0);
            long upper = s.form(DW.AT_upper_bound) == DW.FORM_sdata ? s.sdata(DW.AT_upper_bound, -1) : s.udata(DW.AT_upper_bound, -1);
            // gcc writes [0] arrays as upper bound -1: sdata, or all ones in a 4- or 8-byte data form. A
            // one- or two-byte 0xff / 0xffff is a real bound (char buf[256] of struct linux_binprm).
            if (upper == -1 || upper == 0xffffffffL && s.form(DW.AT_upper_bound) == DW.FORM_data4) return 0;
            return upper - lower + 1;
        }
        return -1;
    }

    @Override
    public List<Enumerator> enumerators() {
        if (kind != Kind.ENUM) return List.of();
        List<Enumerator> e = enumerators;
        if (e == null) {
            DwarfType d = definition();
            if (d != null) {
                e = d.enumerators();
                enumerators = e;
                return e;
            }
            List<Enumerator> out = new ArrayList<>();
            boolean signed = isSigned();
            for (Die c : f.dwarf.children(die)) {
                if (c.tag() != DW.TAG_enumerator) continue;
                out.add(new Enumerator(c.name(), enumeratorValue(c, signed)));
            }
            e = Collections.unmodifiableList(out);
            enumerators = e;
        }
        return e;
    }

    /**
     * An enumerator's value. A fixed-size data form narrower than the enumeration holds the value's low
     * bytes with the rest zero (gcc writes NF_IP_PRI_SELINUX_LAST = 225 of a signed 4-byte enum as one
     * byte 0xe1, and negative values as sdata): only a form as wide as the type is sign-extended.
     */
    private long enumeratorValue(Die c, boolean signed) {
        if (!signed) return c.udata(DW.AT_const_value, 0);
        int width;
        switch (c.form(DW.AT_const_value)) {
            case DW.FORM_data1: width = 1; break;
            case DW.FORM_data2: width = 2; break;
            case DW.FORM_data4: width = 4; break;
            default: width = 0;
        }
        long typeSize = size > 0 ? size : 4;
        return width > 0 && width < typeSize ? c.udata(DW.AT_const_value, 0) : c.sdata(DW.AT_const_value, 0);
    }

    @Override
    public List<Type> parameters() {
        if (kind != Kind.FUNCTION) return List.of();
        List<Type> p = params;
        if (p == null) {
            List<Type> out = new ArrayList<>();
            boolean va = false;
            for (Die c : f.dwarf.children(die)) {
                if (c.tag() == DW.TAG_formal_parameter) out.add(f.typeOf(c));
                else if (c.tag() == DW.TAG_unspecified_parameters) va = true;
            }
            varargs = va;
            p = Collections.unmodifiableList(out);
            params = p;
        }
        return p;
    }

    @Override
    public List<String> parameterNames() {
        if (kind != Kind.FUNCTION || die == null) return List.of();
        List<String> out = new ArrayList<>();
        for (Die c : f.dwarf.children(die)) {
            if (c.tag() == DW.TAG_formal_parameter) out.add(c.name());
        }
        return Collections.unmodifiableList(out);
    }

    /** Function types: whether the parameter list ends with "...". */
    public boolean isVarargs() {
        parameters();
        return varargs;
    }

    /** Function types: whether the function has a prototype (else "()" means unknown parameters). */
    public boolean isPrototyped() { return die != null && die.flag(DW.AT_prototyped); }

    @Override
    public boolean isSigned() {
        if (kind == Kind.BASE) {
            return encoding == DW.ATE_signed || encoding == DW.ATE_signed_char || encoding == DW.ATE_float
                    || encoding == DW.ATE_complex_float;
        }
        if (kind == Kind.ENUM) {
            if (die.has(DW.AT_type)) {
                Type u = f.typeOf(die).resolve();
                return u.isSigned();
            }
            for (Die c : f.dwarf.children(die)) {
                if (c.form(DW.AT_const_value) == DW.FORM_sdata && c.sdata(DW.AT_const_value, 0) < 0) return true;
            }
            return false;
        }
        return false;
    }

    @Override
    public boolean isFloat() {
        return kind == Kind.BASE && (encoding == DW.ATE_float || encoding == DW.ATE_complex_float);
    }

    @Override
    public boolean isBool() { return kind == Kind.BASE && encoding == DW.ATE_boolean; }

    @Override
    public boolean isDeclaration() { return die != null && die.flag(DW.AT_declaration) && definition() == null; }

    /** The DIE this type comes from (null for void). */
    public Die die() { return die; }

    @Override
    public String cName() {
        String c = cName;
        if (c == null) {
            c = CNames.spell(this);
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
