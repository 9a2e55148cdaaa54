package org.kdive.api.dump;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The kernel's VMCOREINFO note: {@code KEY=VALUE} lines. SYMBOL() and KERNELOFFSET are hex;
 * OFFSET(), SIZE(), LENGTH(), PAGESIZE and CRASHTIME are decimal; NUMBER() is decimal (signed,
 * {@code %ld}) unless the kernel wrote it with a {@code 0x} prefix, as arm64 does for its addresses and
 * masks ({@code NUMBER(VA_BITS)=48} but {@code NUMBER(kimage_voffset)=0xffffb2eaa2000000}).
 */
public final class VmcoreInfo {
    private final String text;
    private final Map<String, String> entries;

    private VmcoreInfo(String text, Map<String, String> entries) {
        this.text = text;
        this.entries = Collections.unmodifiableMap(entries);
    }

    public static VmcoreInfo parse(String text) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                map.putIfAbsent(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return new VmcoreInfo(text, map);
    }

    public static VmcoreInfo empty() {
        return new VmcoreInfo("", Map.of());
    }

    public boolean isEmpty() { return entries.isEmpty(); }

    public String text() { return text; }

    public Map<String, String> entries() { return entries; }

    public Optional<String> get(String key) { return Optional.ofNullable(entries.get(key)); }

    public Optional<String> osRelease() { return get("OSRELEASE"); }

    public Optional<String> buildId() { return get("BUILD-ID").map(String::toLowerCase); }

    public OptionalLong pageSize() { return decimal("PAGESIZE"); }

    public OptionalLong kernelOffset() { return hex("KERNELOFFSET"); }

    public OptionalLong crashTime() { return decimal("CRASHTIME"); }

    public OptionalLong symbol(String name) { return hex("SYMBOL(" + name + ")"); }

    /** NUMBER(name): decimal, or hex (unsigned, all 64 bits) when written with a 0x prefix. */
    public OptionalLong number(String name) {
        String v = entries.get("NUMBER(" + name + ")");
        return v != null && (v.startsWith("0x") || v.startsWith("0X")) ? hex("NUMBER(" + name + ")") : decimal("NUMBER(" + name + ")");
    }

    public OptionalLong offset(String structDotMember) { return decimal("OFFSET(" + structDotMember + ")"); }

    public OptionalLong size(String name) { return decimal("SIZE(" + name + ")"); }

    public OptionalLong length(String name) { return decimal("LENGTH(" + name + ")"); }

    public OptionalLong hex(String key) {
        String v = entries.get(key);
        if (v == null) return OptionalLong.empty();
        try {
            String s = v.startsWith("0x") || v.startsWith("0X") ? v.substring(2) : v;
            return OptionalLong.of(Long.parseUnsignedLong(s, 16));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    public OptionalLong decimal(String key) {
        String v = entries.get(key);
        if (v == null) return OptionalLong.empty();
        try {
            return OptionalLong.of(Long.parseLong(v));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
