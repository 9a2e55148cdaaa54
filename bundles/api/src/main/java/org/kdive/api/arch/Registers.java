package org.kdive.api.arch;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A CPU register set by name, in the architecture's print order. The names are the architecture's
 * own (lower case); which register is the program counter and which the stack pointer is part of
 * the set, the other roles are in {@link KernelArch#registerRoles()}.
 */
public final class Registers {
    private final Map<String, Long> values;
    private final String pcName;
    private final String spName;

    public Registers(Map<String, Long> values, String pcName, String spName) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.pcName = pcName;
        this.spName = spName;
    }

    /** No registers: the place of a CPU whose saved registers are lost (a damaged or missing note). */
    public static final Registers NONE = new Registers(Map.of(), null, null);

    public Map<String, Long> values() { return values; }

    /** Whether this set holds no registers at all ({@link #NONE}). */
    public boolean isEmpty() { return values.isEmpty(); }

    public OptionalLong get(String name) {
        Long v = values.get(name);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    public long pc() { return values.getOrDefault(pcName, 0L); }

    public long sp() { return values.getOrDefault(spName, 0L); }

    public String pcName() { return pcName; }

    public String spName() { return spName; }

    /** Equal when the same registers hold the same values (print order ignored). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Registers r && r.values.equals(values) && java.util.Objects.equals(r.pcName, pcName)
                && java.util.Objects.equals(r.spName, spName);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        values.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(k).append('=').append(Long.toHexString(v)));
        return sb.append('}').toString();
    }

    public Registers with(String name, long value) {
        Map<String, Long> m = new LinkedHashMap<>(values);
        m.put(name, value);
        return new Registers(m, pcName, spName);
    }
}
