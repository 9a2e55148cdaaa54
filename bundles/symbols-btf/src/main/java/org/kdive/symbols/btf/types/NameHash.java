package org.kdive.symbols.btf.types;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.kdive.symbols.btf.format.Btf;

/**
 * Names of one category (struct tags, typedefs, enumerators …) to type ids, without a String per
 * name: an open-addressing table of (blob, position of the NUL-terminated name in the blob's bytes)
 * with the name's hash; lookups hash the query's bytes and compare in place. First one in wins,
 * unless the caller replaces it.
 */
final class NameHash {
    private final Btf[] blobs;      // 0: the indexed blob, 1: its base (names may be the base's strings)
    private long[] keys;            // blob index << 32 | position; 0 = empty (position 0 is never a name)
    private int[] hashes;
    private int[] values;
    private int size;

    NameHash(Btf btf, int expected) {
        blobs = new Btf[] {btf, btf.base()};
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[cap];
        hashes = new int[cap];
        values = new int[cap];
    }

    int size() { return size; }

    private static int hash(byte[] b, int pos) {
        int h = 0x811c9dc5;
        for (int i = pos; b[i] != 0; i++) h = (h ^ (b[i] & 0xff)) * 0x01000193;
        return h == 0 ? 1 : h;
    }

    private static boolean sameName(byte[] a, int pa, byte[] b, int pb) {
        while (true) {
            byte x = a[pa++], y = b[pb++];
            if (x != y) return false;
            if (x == 0) return true;
        }
    }

    /** The slot of the name at string offset {@code off} of the indexed blob, or -1 for no name. */
    private long key(int off) {
        Btf owner = blobs[0].stringOwner(off);
        int pos = owner.stringPosition(off);
        if (pos <= 0) return -1;
        return (long) (owner == blobs[0] ? 0 : 1) << 32 | pos;
    }

    private byte[] bytesOf(long key) { return blobs[(int) (key >>> 32)].bytes(); }

    /** The value stored for the name at string offset {@code off}, or -1. */
    int get(int off) {
        long k = key(off);
        if (k < 0) return -1;
        byte[] b = bytesOf(k);
        int pos = (int) k;
        return find(b, pos, hash(b, pos));
    }

    /** Stores {@code value} for the name at string offset {@code off}: when absent, or always with {@code replace}. */
    void put(int off, int value, boolean replace) {
        long k = key(off);
        if (k < 0 || bytesOf(k)[(int) k] == 0) return;
        byte[] b = bytesOf(k);
        int pos = (int) k;
        int h = hash(b, pos);
        int mask = keys.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            if (keys[i] == 0) {
                keys[i] = k;
                hashes[i] = h;
                values[i] = value;
                if (++size * 2 > keys.length) grow();
                return;
            }
            if (hashes[i] == h && sameName(bytesOf(keys[i]), (int) keys[i], b, pos)) {
                if (replace) values[i] = value;
                return;
            }
        }
    }

    /** The value for a name given as text, or -1. */
    int get(String name) {
        byte[] q = (name + "\0").getBytes(StandardCharsets.ISO_8859_1);
        return find(q, 0, hash(q, 0));
    }

    private int find(byte[] b, int pos, int h) {
        int mask = keys.length - 1;
        for (int i = h & mask; keys[i] != 0; i = (i + 1) & mask) {
            if (hashes[i] == h && sameName(bytesOf(keys[i]), (int) keys[i], b, pos)) return values[i];
        }
        return -1;
    }

    private void grow() {
        long[] ok = keys;
        int[] oh = hashes, ov = values;
        keys = new long[ok.length * 2];
        hashes = new int[ok.length * 2];
        values = new int[ok.length * 2];
        size = 0;
        int mask = keys.length - 1;
        for (int j = 0; j < ok.length; j++) {
            if (ok[j] == 0) continue;
            int i = oh[j] & mask;
            while (keys[i] != 0) i = (i + 1) & mask;
            keys[i] = ok[j];
            hashes[i] = oh[j];
            values[i] = ov[j];
            size++;
        }
    }

    /** Every name (diagnostics and tests: makes Strings). */
    List<String> names() {
        List<String> out = new ArrayList<>(size);
        for (long k : keys) {
            if (k == 0) continue;
            byte[] b = bytesOf(k);
            int s = (int) k, e = s;
            while (b[e] != 0) e++;
            out.add(new String(b, s, e - s, StandardCharsets.ISO_8859_1));
        }
        return out;
    }
}
