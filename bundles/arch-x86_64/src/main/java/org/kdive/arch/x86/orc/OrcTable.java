package org.kdive.arch.x86.orc;

import java.util.Arrays;

/**
 * A sorted ORC table: start addresses (absolute, run-time) and the entry valid from each. The
 * entry for an address is the one with the highest start at or below it.
 */
public final class OrcTable {
    private final String owner;
    private final long[] ips;
    private final byte[] entries;
    private final long low;
    private final long high;
    private final boolean withHeader;

    /**
     * @param ipSection  the .orc_unwind_ip contents: s32 offsets relative to each slot
     * @param ipAddress  run-time address of the first slot
     * @param orcSection the .orc_unwind contents (6 bytes per entry)
     * @param low        lowest code address the table may describe
     * @param high       one past the highest
     */
    public static OrcTable fromSections(String owner, byte[] ipSection, long ipAddress, byte[] orcSection,
            long low, long high) {
        return fromSections(owner, ipSection, ipAddress, orcSection, low, high, false);
    }

    /** @param withHeader entries in the 6.4+ layout (see {@link OrcEntry}) */
    public static OrcTable fromSections(String owner, byte[] ipSection, long ipAddress, byte[] orcSection,
            long low, long high, boolean withHeader) {
        int n = Math.min(ipSection.length / 4, orcSection.length / OrcEntry.SIZE);
        long[] ips = new long[n];
        for (int i = 0; i < n; i++) {
            int off = 4 * i;
            int rel = (ipSection[off] & 0xff) | (ipSection[off + 1] & 0xff) << 8
                    | (ipSection[off + 2] & 0xff) << 16 | ipSection[off + 3] << 24;
            ips[i] = ipAddress + off + rel;
        }
        byte[] orc = Arrays.copyOf(orcSection, n * OrcEntry.SIZE);
        return new OrcTable(owner, ips, orc, low, high, withHeader);
    }

    private OrcTable(String owner, long[] ips, byte[] entries, long low, long high, boolean withHeader) {
        this.withHeader = withHeader;
        if (!sorted(ips)) {
            // Tables in a module's file are sorted only at load; sort a copy in step with the entries.
            Integer[] order = new Integer[ips.length];
            for (int i = 0; i < order.length; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> Long.compareUnsigned(ips[a], ips[b]));
            long[] sIps = new long[ips.length];
            byte[] sOrc = new byte[entries.length];
            for (int i = 0; i < order.length; i++) {
                sIps[i] = ips[order[i]];
                System.arraycopy(entries, order[i] * OrcEntry.SIZE, sOrc, i * OrcEntry.SIZE, OrcEntry.SIZE);
            }
            this.ips = sIps;
            this.entries = sOrc;
        } else {
            this.ips = ips;
            this.entries = entries;
        }
        this.owner = owner;
        this.low = low;
        this.high = high;
    }

    private static boolean sorted(long[] a) {
        for (int i = 1; i < a.length; i++) if (Long.compareUnsigned(a[i - 1], a[i]) > 0) return false;
        return true;
    }

    public String owner() { return owner; }

    public int size() { return ips.length; }

    /** Whether {@code ip} lies in the code this table describes. */
    public boolean covers(long ip) {
        return ips.length > 0 && Long.compareUnsigned(ip, low) >= 0 && Long.compareUnsigned(ip, high) < 0
                && Long.compareUnsigned(ip, ips[0]) >= 0;
    }

    /** Entries around {@code ip} as "start entry" lines (diagnostics). */
    public java.util.List<String> around(long ip, int count) {
        java.util.List<String> out = new java.util.ArrayList<>();
        int i = index(ip);
        for (int k = Math.max(0, i - count); k <= Math.min(ips.length - 1, i + count); k++) {
            out.add(String.format("%x %s", ips[k], OrcEntry.decode(entries, k * OrcEntry.SIZE, withHeader)));
        }
        return out;
    }

    private int index(long ip) {
        int lo = 0;
        int hi = ips.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (Long.compareUnsigned(ips[mid], ip) <= 0) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    /** The entry for {@code ip}, or null when the table does not cover it. */
    public OrcEntry find(long ip) {
        if (!covers(ip)) return null;
        return OrcEntry.decode(entries, index(ip) * OrcEntry.SIZE, withHeader);
    }
}
