package org.kdive.symbols.btf.types;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kdive.api.symbols.Type;
import org.kdive.symbols.btf.format.Btf;
import org.kdive.symbols.btf.format.BtfException;

/**
 * The types of one BTF blob as {@link Type}s, and its names with C's scoping: struct, union and enum
 * tags each in their own name space, typedefs and base types in the ordinary one; enumerators,
 * functions (FUNC) and variables (VAR in a DATASEC) by name. A module's split BTF shares the
 * base's type objects for ids below its own.
 */
public final class BtfTypes {
    private static final int MAX_CHAIN = 64;
    private static final Map<String, String> BASE_ALIASES = Map.ofEntries(
            Map.entry("unsigned", "unsigned int"), Map.entry("signed", "int"), Map.entry("signed int", "int"),
            Map.entry("unsigned long", "long unsigned int"), Map.entry("long unsigned", "long unsigned int"),
            Map.entry("unsigned long int", "long unsigned int"), Map.entry("long", "long int"),
            Map.entry("signed long", "long int"), Map.entry("unsigned long long", "long long unsigned int"),
            Map.entry("long long", "long long int"), Map.entry("unsigned short", "short unsigned int"),
            Map.entry("short", "short int"), Map.entry("unsigned short int", "short unsigned int"),
            Map.entry("unsigned long long int", "long long unsigned int"), Map.entry("bool", "_Bool"));

    private final Btf btf;
    private final BtfTypes base;
    private final int pointerSize;
    private final BtfType[] cache;

    /**
     * A variable of a DATASEC: its VAR's type id, the section, the offset and size in it, and whether
     * it is global (BTF_VAR_GLOBAL_ALLOCATED) rather than static.
     */
    public record VarInfo(String name, int typeId, String section, long offset, long size, boolean global) { }

    public BtfTypes(Btf btf, BtfTypes base, int pointerSize) {
        this.btf = btf;
        this.base = base;
        this.pointerSize = pointerSize;
        this.cache = new BtfType[btf.count()];
    }

    public Btf btf() { return btf; }

    int pointerSize() { return pointerSize; }

    /** The type with this id (0 is void; type tags are skipped to what they annotate). */
    public Type type(int id) {
        return typeRef(id, btf, -1);
    }

    /** A type referenced from offset {@code usedAt} of blob {@code from} (named in errors). */
    Type typeRef(int id, Btf from, long usedAt) {
        if (id == 0) return BtfType.VOID;
        if (id < btf.firstId()) {
            if (base == null) throw new BtfException(from.source(), usedAt, "a type id", Integer.toUnsignedString(id));
            return base.typeRef(id, from, usedAt);
        }
        if (id >= btf.endId() || id < 0) {
            throw new BtfException(from.source(), usedAt, "a type id below " + btf.endId(), Integer.toUnsignedString(id));
        }
        int i = id - btf.firstId();
        BtfType t = cache[i];
        if (t != null) return t;
        int k = btf.kind(id);
        if (k == Btf.TYPE_TAG) return typeRef(skipTags(id), btf, btf.record(id) + 8);
        checkChain(id);
        t = BtfType.of(this, btf, id);
        cache[i] = t; // a benign race: equal objects
        return t;
    }

    /** The first id past a chain of TYPE_TAGs. */
    private int skipTags(int id) {
        int cur = id;
        for (int n = 0; n < MAX_CHAIN; n++) {
            Btf owner = btf.owner(cur, -1);
            if (owner.kind(cur) != Btf.TYPE_TAG) return cur;
            cur = (int) owner.sizeOrType(cur);
            if (cur == 0) return 0;
        }
        throw new BtfException(btf.source(), btf.record(id), "a chain of type tags that ends", "a reference cycle");
    }

    /** Typedef and qualifier chains must end, or resolving a type would never stop. */
    private void checkChain(int id) {
        int cur = id;
        for (int n = 0; n < MAX_CHAIN; n++) {
            Btf owner = btf.owner(cur, -1);
            int k = owner.kind(cur);
            if (k != Btf.TYPEDEF && k != Btf.CONST && k != Btf.VOLATILE && k != Btf.RESTRICT && k != Btf.TYPE_TAG) return;
            long next = owner.sizeOrType(cur);
            if (next == 0) return;
            if (next >= btf.endId()) {
                throw new BtfException(owner.source(), owner.record(cur) + 8, "a type id below " + btf.endId(), Long.toString(next));
            }
            cur = (int) next;
        }
        throw new BtfException(btf.source(), btf.owner(id, -1).record(id), "a typedef/qualifier chain that ends (type id " + id + ")",
                "a reference cycle");
    }

    /** Type names with C's name spaces: struct, union and enum tags apart from typedefs and base types. */
    private record TypeNames(NameHash structs, NameHash unions, NameHash enums, NameHash ordinary,
                             java.util.Set<String> redefined) { }

    private volatile TypeNames typeNames;
    private volatile NameHash enumerators;
    private volatile NameHash functions;
    private volatile Map<String, VarInfo> variables;

    /** Each category is indexed on its first lookup, in one pass over the records, without a String per name. */
    private TypeNames typeNames() {
        TypeNames t = typeNames;
        if (t != null) return t;
        synchronized (this) {
            if (typeNames != null) return typeNames;
            int n = btf.count();
            NameHash structs = new NameHash(btf, n / 8), unions = new NameHash(btf, n / 64), enums = new NameHash(btf, n / 32),
                    ordinary = new NameHash(btf, n / 8);
            java.util.Set<String> redefined = new java.util.HashSet<>();
            for (int id = btf.firstId(); id < btf.endId(); id++) {
                int k = btf.kind(id);
                int off = btf.nameOffset(id);
                if (off == 0) continue;
                switch (k) {
                    case Btf.STRUCT, Btf.UNION, Btf.FWD -> {
                        boolean union = k == Btf.UNION || (k == Btf.FWD && btf.kindFlag(id));
                        NameHash m = union ? unions : structs;
                        int old = m.get(off);
                        if (old < 0) m.put(off, id, false);
                        else if (btf.kind(old) == Btf.FWD && k != Btf.FWD) m.put(off, id, true); // a definition wins
                        else if (k != Btf.FWD) redefined.add((union ? "union " : "struct ") + btf.name(id));
                    }
                    case Btf.ENUM, Btf.ENUM64 -> {
                        int old = enums.get(off);
                        if (old < 0) enums.put(off, id, false);
                        else if (btf.vlen(old) == 0 && btf.vlen(id) > 0) enums.put(off, id, true);
                        else if (btf.vlen(id) > 0) redefined.add("enum " + btf.name(id));
                    }
                    case Btf.TYPEDEF, Btf.INT, Btf.FLOAT -> ordinary.put(off, id, false);
                    default -> { }
                }
            }
            t = new TypeNames(structs, unions, enums, ordinary, redefined);
            typeNames = t;
            return t;
        }
    }

    private NameHash enumeratorIndex() {
        NameHash e = enumerators;
        if (e != null) return e;
        synchronized (this) {
            if (enumerators != null) return enumerators;
            e = new NameHash(btf, btf.count() / 2);
            for (int id = btf.firstId(); id < btf.endId(); id++) {
                int k = btf.kind(id);
                if (k != Btf.ENUM && k != Btf.ENUM64) continue;
                int stride = k == Btf.ENUM ? 2 : 3;
                for (int i = 0, n = btf.vlen(id); i < n; i++) e.put((int) btf.word(id, stride * i), id, false);
            }
            enumerators = e;
            return e;
        }
    }

    private NameHash functionIndex() {
        NameHash f = functions;
        if (f != null) return f;
        synchronized (this) {
            if (functions != null) return functions;
            f = new NameHash(btf, btf.count() / 2);
            for (int id = btf.firstId(); id < btf.endId(); id++) {
                if (btf.kind(id) == Btf.FUNC) f.put(btf.nameOffset(id), id, false);
            }
            functions = f;
            return f;
        }
    }

    private Map<String, VarInfo> variableIndex() {
        Map<String, VarInfo> v = variables;
        if (v != null) return v;
        synchronized (this) {
            if (variables != null) return variables;
            v = new HashMap<>();
            for (int id = btf.firstId(); id < btf.endId(); id++) {
                if (btf.kind(id) != Btf.DATASEC) continue;
                String section = btf.name(id);
                for (int i = 0, n = btf.vlen(id); i < n; i++) {
                    int var = (int) btf.word(id, 3 * i);
                    Btf owner = btf.owner(var, btf.wordOffset(id, 3 * i));
                    if (owner.kind(var) != Btf.VAR) continue;
                    String vn = owner.name(var);
                    if (vn == null) continue;
                    v.putIfAbsent(vn, new VarInfo(vn, (int) owner.sizeOrType(var), section, btf.word(id, 3 * i + 1),
                            btf.word(id, 3 * i + 2), owner.word(var, 0) != 0));
                }
            }
            variables = v;
            return v;
        }
    }

    /**
     * A type by its C spelling: "struct x", "union x", "enum x", a typedef or base type name (with
     * gdb's short spellings, "unsigned long"), or a bare tag (as crash accepts "task_struct").
     */
    public Optional<Type> byName(String cName) {
        String n = cName.trim().replaceAll("\\s+", " ");
        TypeNames names = typeNames();
        int id;
        if (n.startsWith("struct ")) id = names.structs().get(n.substring(7).trim());
        else if (n.startsWith("union ")) id = names.unions().get(n.substring(6).trim());
        else if (n.startsWith("enum ")) id = names.enums().get(n.substring(5).trim());
        else {
            id = names.ordinary().get(n);
            if (id < 0 && BASE_ALIASES.containsKey(n)) id = names.ordinary().get(BASE_ALIASES.get(n));
            if (id < 0) id = names.structs().get(n);
            if (id < 0) id = names.unions().get(n);
            if (id < 0) id = names.enums().get(n);
        }
        return id < 0 ? Optional.empty() : Optional.of(type(id));
    }

    /** The enum type declaring constant {@code name}. */
    public Optional<Type> enumeratorType(String name) {
        int id = enumeratorIndex().get(name);
        return id < 0 ? Optional.empty() : Optional.of(type(id));
    }

    /** A function's type (a FUNC: its prototype with the parameters' names). */
    public Optional<Type> function(String name) {
        int id = functionIndex().get(name);
        return id < 0 ? Optional.empty() : Optional.of(type(id));
    }

    /** A variable that a DATASEC lists (BTF has per-CPU variables, rarely others). */
    public Optional<VarInfo> variable(String name) {
        return Optional.ofNullable(variableIndex().get(name));
    }

    /** Counts of what the names index holds (diagnostics, bench). */
    public Map<String, Integer> census() {
        TypeNames n = typeNames();
        Map<String, Integer> m = new java.util.LinkedHashMap<>();
        m.put("types", btf.count());
        m.put("structs", n.structs().size());
        m.put("unions", n.unions().size());
        m.put("enums", n.enums().size());
        m.put("typedefs and base types", n.ordinary().size());
        m.put("functions", functionIndex().size());
        m.put("enumerators", enumeratorIndex().size());
        m.put("variables", variableIndex().size());
        return m;
    }

    /** Every struct (keyword "struct"), union or enum tag this blob names. */
    public List<String> tags(String keyword) {
        TypeNames n = typeNames();
        NameHash m = switch (keyword) {
            case "struct" -> n.structs();
            case "union" -> n.unions();
            case "enum" -> n.enums();
            default -> throw new IllegalArgumentException(keyword);
        };
        List<String> out = m.names();
        java.util.Collections.sort(out);
        return out;
    }

    /**
     * Whether several different definitions share this tag ("struct elf_thread_core_info": the
     * native and the compat ELF core writer each define one); the first is the one returned.
     */
    public boolean isRedefined(String cName) {
        return typeNames().redefined().contains(cName);
    }

    /** Every typedef and base type name. */
    public List<String> ordinaryNames() {
        List<String> out = typeNames().ordinary().names();
        java.util.Collections.sort(out);
        return out;
    }

    /** Every function name. */
    public List<String> functionNames() {
        List<String> out = functionIndex().names();
        java.util.Collections.sort(out);
        return out;
    }

    /** Every variable the DATASECs list. */
    public List<VarInfo> variables() { return new ArrayList<>(variableIndex().values()); }
}
