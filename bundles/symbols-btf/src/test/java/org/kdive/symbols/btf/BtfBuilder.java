package org.kdive.symbols.btf;

import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes small BTF blobs for tests: records by kind, strings interned, optionally split over a base. */
final class BtfBuilder {
    private final ByteArrayOutputStream types = new ByteArrayOutputStream();
    private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
    private final Map<String, Integer> interned = new LinkedHashMap<>();
    private final int strBase;
    private int nextId;

    BtfBuilder() {
        this(1, 0);
    }

    /** For split BTF: ids from {@code firstId}, string offsets from {@code strBase}. */
    BtfBuilder(int firstId, int strBase) {
        this.nextId = firstId;
        this.strBase = strBase;
        if (strBase == 0) strings.write(0);
    }

    int str(String s) {
        if (s == null) return 0;
        return interned.computeIfAbsent(s, k -> {
            int off = strBase + strings.size();
            strings.writeBytes(k.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            strings.write(0);
            return off;
        });
    }

    /** A raw record head; returns its id. */
    int head(String name, int kind, int vlen, boolean kflag, long sizeOrType) {
        u32(types, str(name));
        u32(types, (kflag ? 1L << 31 : 0) | (long) kind << 24 | vlen);
        u32(types, sizeOrType);
        return nextId++;
    }

    BtfBuilder word(long w) {
        u32(types, w);
        return this;
    }

    int intType(String name, int size, int encoding) {
        int id = head(name, 1, 0, false, size);
        word((long) encoding << 24 | size * 8L);
        return id;
    }

    int ptr(int to) { return head(null, 2, 0, false, to); }

    int array(int elem, int index, int n) {
        int id = head(null, 3, 0, false, 0);
        word(elem).word(index).word(n);
        return id;
    }

    /** members as {name, typeId, bitOffset, bitSize} rows; kflag set when any has a bit size. */
    int struct(int kind, String name, int size, Object[]... members) {
        boolean kflag = false;
        for (Object[] m : members) kflag |= (int) m[3] != 0;
        int id = head(name, kind, members.length, kflag, size);
        for (Object[] m : members) {
            word(str((String) m[0]));
            word((int) m[1]);
            word(kflag ? ((long) (int) m[3] << 24) | (int) m[2] : (int) m[2]);
        }
        return id;
    }

    static Object[] m(String name, int type, int bitOffset) { return new Object[] {name, type, bitOffset, 0}; }

    static Object[] bf(String name, int type, int bitOffset, int bits) { return new Object[] {name, type, bitOffset, bits}; }

    int enumType(String name, int size, boolean signed, Object... nameValue) {
        int id = head(name, 6, nameValue.length / 2, signed, size);
        for (int i = 0; i < nameValue.length; i += 2) word(str((String) nameValue[i])).word((int) (long) (Long) nameValue[i + 1]);
        return id;
    }

    int enum64(String name, Object... nameValue) {
        int id = head(name, 19, nameValue.length / 2, false, 8);
        for (int i = 0; i < nameValue.length; i += 2) {
            long v = (Long) nameValue[i + 1];
            word(str((String) nameValue[i])).word(v & 0xffffffffL).word(v >>> 32);
        }
        return id;
    }

    int proto(int ret, Object... nameType) {
        int id = head(null, 13, nameType.length / 2, false, ret);
        for (int i = 0; i < nameType.length; i += 2) word(str((String) nameType[i])).word((int) nameType[i + 1]);
        return id;
    }

    int var(String name, int type) {
        int id = head(name, 14, 0, false, type);
        word(1);
        return id;
    }

    /** entries as {varId, offset, size} triples. */
    int datasec(String name, int size, int... entries) {
        int id = head(name, 15, entries.length / 3, false, size);
        for (int e : entries) word(e);
        return id;
    }

    byte[] build() {
        byte[] t = types.toByteArray(), s = strings.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x9f);
        out.write(0xeb);
        out.write(1);
        out.write(0);
        u32(out, 24);
        u32(out, 0);
        u32(out, t.length);
        u32(out, t.length);
        u32(out, s.length);
        out.writeBytes(t);
        out.writeBytes(s);
        return out.toByteArray();
    }

    int stringsSize() { return strings.size(); }

    private static void u32(ByteArrayOutputStream o, long v) {
        o.write((int) v);
        o.write((int) (v >> 8));
        o.write((int) (v >> 16));
        o.write((int) (v >> 24));
    }
}
