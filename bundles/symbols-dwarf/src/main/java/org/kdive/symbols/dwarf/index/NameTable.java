package org.kdive.symbols.dwarf.index;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Open-addressing hash table key → (DIE reference, priority), in plain arrays while building and
 * read directly from the mapped index file afterwards. For each key the highest priority wins;
 * among equal priorities the lowest DIE reference (the first unit) stays, so results do not depend on
 * threads or on the order tables are merged in.
 */
final class NameTable {
    long[] keys;
    long[] vals;
    byte[] prios;
    int count;

    NameTable(int capacity) {
        int c = Integer.highestOneBit(Math.max(16, capacity - 1)) << 1;
        keys = new long[c];
        vals = new long[c];
        prios = new byte[c];
    }

    void put(long key, long val, int prio) {
        if ((count + 1) * 2 > keys.length) grow();
        int mask = keys.length - 1;
        int i = (int) (key ^ (key >>> 32)) & mask;
        while (true) {
            long k = keys[i];
            if (k == 0) {
                keys[i] = key;
                vals[i] = val;
                prios[i] = (byte) prio;
                count++;
                return;
            }
            if (k == key) {
                if (prio > prios[i] || prio == prios[i] && val < vals[i]) {
                    vals[i] = val;
                    prios[i] = (byte) prio;
                }
                return;
            }
            i = (i + 1) & mask;
        }
    }

    private void grow() {
        long[] ok = keys, ov = vals;
        byte[] op = prios;
        keys = new long[ok.length * 2];
        vals = new long[ok.length * 2];
        prios = new byte[ok.length * 2];
        count = 0;
        for (int i = 0; i < ok.length; i++) if (ok[i] != 0) put(ok[i], ov[i], op[i]);
    }

    void putAll(NameTable other) {
        for (int i = 0; i < other.keys.length; i++) if (other.keys[i] != 0) put(other.keys[i], other.vals[i], other.prios[i]);
    }

    /** -1 when absent. */
    long get(long key) {
        int mask = keys.length - 1;
        int i = (int) (key ^ (key >>> 32)) & mask;
        for (int n = 0; n <= mask; n++) {
            long k = keys[i];
            if (k == 0) return -1;
            if (k == key) return vals[i];
            i = (i + 1) & mask;
        }
        return -1;
    }

    /** Lookup in a serialized table (see {@link IndexStore}). */
    static long get(ByteBuffer file, int keysAt, int capacity, long key) {
        int mask = capacity - 1;
        int i = (int) (key ^ (key >>> 32)) & mask;
        int valsAt = keysAt + capacity * 8;
        ByteBuffer b = file.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int n = 0; n <= mask; n++) {
            long k = b.getLong(keysAt + i * 8);
            if (k == 0) return -1;
            if (k == key) return b.getLong(valsAt + i * 8);
            i = (i + 1) & mask;
        }
        return -1;
    }
}
