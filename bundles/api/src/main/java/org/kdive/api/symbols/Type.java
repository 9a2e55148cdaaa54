package org.kdive.api.symbols;

import java.util.List;
import java.util.Optional;

/**
 * A C type from debuginfo (DWARF or BTF). Instances may be built lazily; identity is not
 * guaranteed, so compare with {@link #cName()} where needed.
 */
public interface Type {
    enum Kind { VOID, BASE, POINTER, STRUCT, UNION, ARRAY, ENUM, TYPEDEF, CONST, VOLATILE, RESTRICT, ATOMIC, FUNCTION }

    Kind kind();

    /** The tag or typedef/base name without "struct "; null for anonymous types. */
    String name();

    /** Size in bytes, or -1 when incomplete (declarations, flexible arrays, void, functions). */
    long size();

    /** Pointee, element, typedef target, qualified type, enum underlying type, function return. */
    Type target();

    /** Struct/union members in declaration order (anonymous members have a null name). */
    List<Member> members();

    /** Array element count, -1 for flexible/unknown. */
    long count();

    /** Enumerators of an enum. */
    List<Enumerator> enumerators();

    /** The value of this enum's (typedefs resolved) constant {@code name}, if it has one. */
    default java.util.OptionalLong enumeratorValue(String name) {
        for (Enumerator e : resolve().enumerators()) {
            if (e.name().equals(name)) return java.util.OptionalLong.of(e.value());
        }
        return java.util.OptionalLong.empty();
    }

    /** Parameters of a function type. */
    List<Type> parameters();

    /**
     * Names of the parameters of a function type, parallel to {@link #parameters()} (null for an
     * unnamed one); empty when the debuginfo does not name them (prototypes, BTF without names).
     */
    default List<String> parameterNames() { return List.of(); }

    /** For BASE and ENUM: whether values are signed. */
    boolean isSigned();

    /** For BASE: floating point. */
    boolean isFloat();

    /** For BASE: DWARF boolean (_Bool). */
    boolean isBool();

    /** A declaration only (no members known in this unit). */
    boolean isDeclaration();

    /** Spelling as gdb/crash print it, e.g. "struct list_head *", "unsigned int", "char [16]". */
    String cName();

    /** Strips typedefs and qualifiers. */
    default Type resolve() {
        Type t = this;
        while (t.kind() == Kind.TYPEDEF || t.kind() == Kind.CONST || t.kind() == Kind.VOLATILE
                || t.kind() == Kind.RESTRICT || t.kind() == Kind.ATOMIC) {
            if (t.target() == null) break;
            t = t.target();
        }
        return t;
    }

    /** Member by name, searching anonymous struct/union members too; offset is from this type's start. */
    Optional<Member> member(String name);
}
