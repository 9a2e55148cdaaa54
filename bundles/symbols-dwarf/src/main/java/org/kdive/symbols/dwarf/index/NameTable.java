package org.kdive.symbols.dwarf.index;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Open-addressing hash table key → (DIE reference, priority), in one array while building and read
 * directly from the mapped index file afterwards. Slot i holds the key at [2i] and the reference with
 * the priority in its top byte at [2i+1]: one cache line per probe (a cold build does ~180k puts at
 * random places). For each key the highest priority wins; among equal priorities the lowest DIE
 * reference (the first unit) stays, so results do not depend on threads or on the order tables are
 * merged in.
 */
final class NameTable {
    private static final int PRIO_SHIFT = 56;
    private static final long REF_MASK = (1L << PRIO_SHIFT) - 1;
    /** Keys and entries interleaved; length is twice the capacity. */
    long[] slots;
    int count;

    NameTable(int capacity) {
        int c = Integer.highestOneBit(Math.max(16, capacity - 1)) << 1;
        slots = new long[2 * c];
    }

    int capacity() { return slots.length >>> 1; }

    void put(long key, long val, int prio) {
        if ((count + 1) * 4 > slots.length) grow();
        long[] s = slots;
        int mask = (s.length >>> 1) - 1;
        int i = (int) (key ^ (key >>> 32)) & mask;
        long e = (long) prio << PRIO_SHIFT | val;
        while (true) {
            long k = s[2 * i];
            if (k == 0) {
                s[2 * i] = key;
                s[2 * i + 1] = e;
                count++;
                return;
            }
            if (k == key) {
                long old = s[2 * i + 1];
                int op = (int) (old >>> PRIO_SHIFT);
                if (prio > op || prio == op && val < (old & REF_MASK)) s[2 * i + 1] = e;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        count = 0;
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != 0) put(old[i], old[i + 1] & REF_MASK, (int) (old[i + 1] >>> PRIO_SHIFT));
        }
    }

    void putAll(NameTable other) {
        long[] o = other.slots;
        for (int i = 0; i < o.length; i += 2) {
            if (o[i] != 0) put(o[i], o[i + 1] & REF_MASK, (int) (o[i + 1] >>> PRIO_SHIFT));
        }
    }

    /** -1 when absent. */
    long get(long key) {
        long[] s = slots;
        int mask = (s.length >>> 1) - 1;
        int i = (int) (key ^ (key >>> 32)) & mask;
        for (int n = 0; n <= mask; n++) {
            long k = s[2 * i];
            if (k == 0) return -1;
            if (k == key) return s[2 * i + 1] & REF_MASK;
            i = (i + 1) & mask;
        }
        return -1;
    }

    /** Lookup in a serialized table: {@code capacity} slots of (key, entry) little-endian longs at {@code at}. */
    static long get(ByteBuffer file, int at, int capacity, long key) {
        int mask = capacity - 1;
        int i = (int) (key ^ (key >>> 32)) & mask;
        ByteBuffer b = file.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int n = 0; n <= mask; n++) {
            long k = b.getLong(at + i * 16);
            if (k == 0) return -1;
            if (k == key) return b.getLong(at + i * 16 + 8) & REF_MASK;
            i = (i + 1) & mask;
        }
        return -1;
    }
}
