package org.kdive.cmd.symbols.types;

import java.util.List;
import java.util.Optional;
import org.kdive.api.symbols.Enumerator;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Type;

/**
 * Types the expression evaluator makes itself: C base types of an LP64 target (literals,
 * arithmetic results, casts to keywords), and pointers, arrays and functions built over
 * types from debuginfo (casts like {@code (struct foo *)}, {@code &x}).
 */
public final class Synthetic implements Type {
    private final Kind kind;
    private final String name;
    private final long size;
    private final Type target;
    private final long count;
    private final boolean signed;
    private final boolean flt;
    private final boolean bool;

    private Synthetic(Kind kind, String name, long size, Type target, long count, boolean signed, boolean flt, boolean bool) {
        this.kind = kind;
        this.name = name;
        this.size = size;
        this.target = target;
        this.count = count;
        this.signed = signed;
        this.flt = flt;
        this.bool = bool;
    }

    public static final Type VOID = new Synthetic(Kind.VOID, "void", -1, null, 0, false, false, false);
    public static final Type CHAR = base("char", 1, true);
    public static final Type SIGNED_CHAR = base("signed char", 1, true);
    public static final Type UCHAR = base("unsigned char", 1, false);
    public static final Type SHORT = base("short", 2, true);
    public static final Type USHORT = base("unsigned short", 2, false);
    public static final Type INT = base("int", 4, true);
    public static final Type UINT = base("unsigned int", 4, false);
    public static final Type LONG = base("long", 8, true);
    public static final Type ULONG = base("unsigned long", 8, false);
    public static final Type LONGLONG = base("long long", 8, true);
    public static final Type ULONGLONG = base("unsigned long long", 8, false);
    public static final Type BOOL = new Synthetic(Kind.BASE, "_Bool", 1, null, 0, false, false, true);
    public static final Type FLOAT = new Synthetic(Kind.BASE, "float", 4, null, 0, true, true, false);
    public static final Type DOUBLE = new Synthetic(Kind.BASE, "double", 8, null, 0, true, true, false);

    private static Type base(String name, long size, boolean signed) {
        return new Synthetic(Kind.BASE, name, size, null, 0, signed, false, false);
    }

    public static Type pointer(Type target) {
        return new Synthetic(Kind.POINTER, null, 8, target, 0, false, false, false);
    }

    public static Type array(Type element, long count) {
        long es = element.size();
        return new Synthetic(Kind.ARRAY, null, count < 0 || es < 0 ? -1 : es * count, element, count, false, false, false);
    }

    public static Type constOf(Type target) {
        return new Synthetic(Kind.CONST, null, target.size(), target, 0, false, false, false);
    }

    public static Type volatileOf(Type target) {
        return new Synthetic(Kind.VOLATILE, null, target.size(), target, 0, false, false, false);
    }

    /** An integer type of the given size and signedness (for literals and arithmetic). */
    public static Type integer(long size, boolean signed) {
        if (size <= 4) return signed ? INT : UINT;
        return signed ? LONG : ULONG;
    }

    /** A C base type keyword spelling, canonicalised as gdb names it; empty if not one. */
    public static Optional<Type> keyword(String spelling) {
        String s = spelling.trim().replaceAll("\\s+", " ");
        return Optional.ofNullable(switch (s) {
            case "void" -> VOID;
            case "char" -> CHAR;
            case "signed char" -> SIGNED_CHAR;
            case "unsigned char" -> UCHAR;
            case "short", "short int", "signed short", "signed short int", "short signed int" -> SHORT;
            case "unsigned short", "unsigned short int", "short unsigned int", "short unsigned" -> USHORT;
            case "int", "signed", "signed int" -> INT;
            case "unsigned", "unsigned int" -> UINT;
            case "long", "long int", "signed long", "signed long int", "long signed int" -> LONG;
            case "unsigned long", "unsigned long int", "long unsigned int", "long unsigned" -> ULONG;
            case "long long", "long long int", "signed long long", "signed long long int", "long long signed int" -> LONGLONG;
            case "unsigned long long", "unsigned long long int", "long long unsigned int", "long long unsigned" -> ULONGLONG;
            case "_Bool", "bool" -> BOOL;
            case "float" -> FLOAT;
            case "double" -> DOUBLE;
            default -> null;
        });
    }

    @Override public Kind kind() { return kind; }
    @Override public String name() { return name; }
    @Override public long size() { return size; }
    @Override public Type target() { return target; }
    @Override public List<Member> members() { return List.of(); }
    @Override public long count() { return count; }
    @Override public List<Enumerator> enumerators() { return List.of(); }
    @Override public List<Type> parameters() { return List.of(); }
    @Override public boolean isSigned() { return signed; }
    @Override public boolean isFloat() { return flt; }
    @Override public boolean isBool() { return bool; }
    @Override public boolean isDeclaration() { return false; }
    @Override public String cName() { return CDecl.name(this); }
    @Override public Optional<Member> member(String n) { return Optional.empty(); }

    @Override
    public String toString() { return cName(); }
}
