package org.kdive.symbols.dwarf.types;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.kdive.api.symbols.Type;
import org.kdive.symbols.dwarf.dwarf.DW;
import org.kdive.symbols.dwarf.dwarf.Die;
import org.kdive.symbols.dwarf.dwarf.DwarfFile;

/** Builds (and caches) types from DIEs; members and targets are read on first access. */
public final class TypeFactory {
    final DwarfFile dwarf;
    private final Map<Long, DwarfType> cache = new ConcurrentHashMap<>();
    static final DwarfType VOID = DwarfType.voidType();

    /** Finds a struct/union/enum's definition by its tag and name (the file's name index); null when none. */
    public interface Definitions {
        DwarfType find(Type.Kind kind, String name);
    }

    private final Definitions definitions;

    public TypeFactory(DwarfFile dwarf) {
        this(dwarf, null);
    }

    public TypeFactory(DwarfFile dwarf, Definitions definitions) {
        this.dwarf = dwarf;
        this.definitions = definitions;
    }

    /** The complete type a declaration stands for, as gdb resolves opaque types; null when none is known. */
    DwarfType definitionOf(DwarfType declaration) {
        if (definitions == null || declaration.name() == null) return null;
        DwarfType d = definitions.find(declaration.kind(), declaration.name());
        return d == null || d == declaration || d.isDeclaration() || d.kind() != declaration.kind() ? null : d;
    }

    /** The type at a DIE reference; void for -1 (an absent DW_AT_type). */
    public DwarfType type(long ref) {
        if (ref < 0) return VOID;
        DwarfType t = cache.get(ref);
        if (t != null) return t;
        Die d = dwarf.die(ref);
        if (d == null) throw dwarf.error("type reference", ref, "a type DIE", "a null entry");
        t = DwarfType.of(this, d);
        DwarfType prev = cache.putIfAbsent(ref, t);
        return prev != null ? prev : t;
    }

    public DwarfType type(Die d) {
        DwarfType t = cache.get(d.ref());
        if (t != null) return t;
        t = DwarfType.of(this, d);
        DwarfType prev = cache.putIfAbsent(d.ref(), t);
        return prev != null ? prev : t;
    }

    /** The type a DIE's DW_AT_type names (void when absent). */
    public Type typeOf(Die d) {
        return d.has(DW.AT_type) ? type(d.reference(DW.AT_type)) : VOID;
    }
}
