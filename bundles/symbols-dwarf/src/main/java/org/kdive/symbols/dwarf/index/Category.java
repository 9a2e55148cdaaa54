package org.kdive.symbols.dwarf.index;

import org.kdive.symbols.dwarf.dwarf.DW;

/** What a name in the index stands for. */
public enum Category {
    STRUCT, UNION, ENUM, TYPEDEF, BASE, VARIABLE, FUNCTION,
    /** An enumeration constant; its entry points at the enumeration type that declares it. */
    ENUMERATOR;

    private static final Category[] BY_TAG = new Category[0x50];

    static {
        BY_TAG[DW.TAG_structure_type] = STRUCT;
        BY_TAG[DW.TAG_class_type] = STRUCT;
        BY_TAG[DW.TAG_union_type] = UNION;
        BY_TAG[DW.TAG_enumeration_type] = ENUM;
        BY_TAG[DW.TAG_typedef] = TYPEDEF;
        BY_TAG[DW.TAG_base_type] = BASE;
        BY_TAG[DW.TAG_unspecified_type] = BASE;
        BY_TAG[DW.TAG_variable] = VARIABLE;
        BY_TAG[DW.TAG_subprogram] = FUNCTION;
        BY_TAG[DW.TAG_enumerator] = ENUMERATOR;
    }

    /** null for tags the index does not keep. */
    public static Category ofTag(int tag) {
        return tag >= 0 && tag < BY_TAG.length ? BY_TAG[tag] : null;
    }

    /** The table key of a name hash in this category (never 0: 0 marks an empty slot). */
    public long key(long nameHash) {
        long k = (nameHash ^ (ordinal() + 1) * 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
        k ^= k >>> 31;
        return k == 0 ? 1 : k;
    }
}
