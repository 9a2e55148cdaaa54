package org.kdive.arch.x86.orc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A sorted ORC table: start addresses (absolute, run-time) and the entry valid from each. The
 * entry for an address is the one with the highest start at or below it.
 * <p>
 * A vmlinux's table (250k entries) is used where it lies: its IP slots copied once as ints, its
 * entries read in the mapped section on lookup. Decoding every start into a long and copying the
 * entries cost ~10 ms of every first backtrace, in code the JIT has not compiled yet (bench/).
 */
public final class OrcTable {
    private final String owner;
    /** The .orc_unwind_ip slots: s32 offsets, each relative to its own slot's address. */
    private final int[] slots;
    private final long ipAddress;
    /** Absolute starts in order, when the slots were not sorted (a module's file): else null. */
    private final long[] sortedStarts;
    /** The entries, 6 bytes each, in the starts' order. */
    private final ByteBuffer entries;
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
        return fromSections(owner, ByteBuffer.wrap(ipSection), ipAddress, ByteBuffer.wrap(orcSection), low, high, withHeader);
    }

    /** The sections as buffers (a mapped object file's): the entries are read in place, not copied. */
    public static OrcTable fromSections(String owner, ByteBuffer ipSection, long ipAddress, ByteBuffer orcSection,
            long low, long high, boolean withHeader) {
        ByteBuffer ip = ipSection.slice().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer orc = orcSection.slice();
        int n = Math.min(ip.remaining() / 4, orc.remaining() / OrcEntry.SIZE);
        int[] slots = new int[n];
        ip.asIntBuffer().get(slots); // a bulk copy: ~20x a loop of single reads before the JIT
        return new OrcTable(owner, slots, ipAddress, orc.limit(n * OrcEntry.SIZE).slice(), low, high, withHeader);
    }

    private OrcTable(String owner, int[] slots, long ipAddress, ByteBuffer entries, long low, long high, boolean withHeader) {
        this.owner = owner;
        this.slots = slots;
        this.ipAddress = ipAddress;
        this.withHeader = withHeader;
        this.low = low;
        this.high = high;
        if (sorted(slots, ipAddress)) {
            this.sortedStarts = null;
            this.entries = entries;
        } else {
            // Tables in a module's file are sorted only at load; sort a copy in step with the entries.
            int n = slots.length;
            long[] starts = new long[n];
            for (int i = 0; i < n; i++) starts[i] = start(slots, ipAddress, i);
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> Long.compareUnsigned(starts[a], starts[b]));
            long[] sorted = new long[n];
            byte[] sortedEntries = new byte[n * OrcEntry.SIZE];
            for (int i = 0; i < n; i++) {
                sorted[i] = starts[order[i]];
                entries.get(order[i] * OrcEntry.SIZE, sortedEntries, i * OrcEntry.SIZE, OrcEntry.SIZE);
            }
            this.sortedStarts = sorted;
            this.entries = ByteBuffer.wrap(sortedEntries);
        }
    }

    private static long start(int[] slots, long ipAddress, int i) {
        return ipAddress + 4L * i + slots[i];
    }

    /**
     * Whether the starts ascend (unsigned). Each is the first slot's address plus a distance of
     * under 2^34: the distances ascend, and the first and last start do too unless the sum wraps
     * past 2^64 in between. (Long.compareUnsigned in the loop would double its cost uncompiled.)
     */
    private static boolean sorted(int[] slots, long ipAddress) {
        long prev = Long.MIN_VALUE;
        for (int i = 0; i < slots.length; i++) {
            long distance = 4L * i + slots[i];
            if (distance < prev) return false;
            prev = distance;
        }
        return slots.length == 0 || Long.compareUnsigned(start(slots, ipAddress, 0), start(slots, ipAddress, slots.length - 1)) <= 0;
    }

    private long startAt(int i) {
        return sortedStarts != null ? sortedStarts[i] : start(slots, ipAddress, i);
    }

    public String owner() { return owner; }

    public int size() { return slots.length; }

    /** Whether {@code ip} lies in the code this table describes. */
    public boolean covers(long ip) {
        return slots.length > 0 && Long.compareUnsigned(ip, low) >= 0 && Long.compareUnsigned(ip, high) < 0
                && Long.compareUnsigned(ip, startAt(0)) >= 0;
    }

    /** Entries around {@code ip} as "start entry" lines (diagnostics). */
    public java.util.List<String> around(long ip, int count) {
        java.util.List<String> out = new java.util.ArrayList<>();
        int i = index(ip);
        for (int k = Math.max(0, i - count); k <= Math.min(slots.length - 1, i + count); k++) {
            out.add(String.format("%x %s", startAt(k), entry(k)));
        }
        return out;
    }

    private int index(long ip) {
        int lo = 0;
        int hi = slots.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (Long.compareUnsigned(startAt(mid), ip) <= 0) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    private OrcEntry entry(int i) {
        byte[] e = new byte[OrcEntry.SIZE];
        entries.get(i * OrcEntry.SIZE, e);
        return OrcEntry.decode(e, 0, withHeader);
    }

    /** The entry for {@code ip}, or null when the table does not cover it. */
    public OrcEntry find(long ip) {
        if (!covers(ip)) return null;
        return entry(index(ip));
    }
}
