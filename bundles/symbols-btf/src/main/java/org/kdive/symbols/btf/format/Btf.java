package org.kdive.symbols.btf.format;

import java.nio.charset.StandardCharsets;

/**
 * One BTF blob (the kernel's Documentation/bpf/btf.rst): a header, a type section of variable-length
 * records numbered from 1 (0 is void), and a string section. A module's BTF is <em>split</em>: its
 * type ids and string offsets continue after those of its base (the vmlinux BTF).
 *
 * <p>Parsing walks the type section once to find each record (every record's length follows from its
 * kind and vlen) and checks that each lies inside its section; type ids and string offsets inside a
 * record are checked when read, so damage is reported with the offset it is at, and never reads past
 * the blob.
 */
public final class Btf {
    public static final int MAGIC = 0xeb9f;
    public static final int HEADER_SIZE = 24;

    public static final int INT = 1, PTR = 2, ARRAY = 3, STRUCT = 4, UNION = 5, ENUM = 6, FWD = 7, TYPEDEF = 8,
            VOLATILE = 9, CONST = 10, RESTRICT = 11, FUNC = 12, FUNC_PROTO = 13, VAR = 14, DATASEC = 15, FLOAT = 16,
            DECL_TAG = 17, TYPE_TAG = 18, ENUM64 = 19;
    private static final String[] KIND_NAMES = {"VOID", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD",
        "TYPEDEF", "VOLATILE", "CONST", "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT", "DECL_TAG",
        "TYPE_TAG", "ENUM64"};

    /** INT encoding bits. */
    public static final int INT_SIGNED = 1, INT_CHAR = 2, INT_BOOL = 4;

    private final String source;
    private final byte[] data;
    private final Btf base;
    private final int firstId;
    private final int strBase;
    private final int typeStart;
    private final int strStart;
    private final int strLen;
    private final int[] offsets;
    private final boolean enumSignFlag;

    private Btf(String source, byte[] data, Btf base, int typeStart, int strStart, int strLen, int[] offsets,
            boolean enumSignFlag) {
        this.source = source;
        this.data = data;
        this.base = base;
        this.firstId = base == null ? 1 : base.endId();
        this.strBase = base == null ? 0 : base.strBase + base.strLen;
        this.typeStart = typeStart;
        this.strStart = strStart;
        this.strLen = strLen;
        this.offsets = offsets;
        this.enumSignFlag = enumSignFlag || (base != null && base.enumSignFlag);
    }

    /**
     * Whether this BTF's encoder marks signed enums with the kind flag (pahole 1.24+, with ENUM64):
     * then an enum without it is unsigned. Older BTF only has 32-bit patterns, whose sign is a guess.
     */
    public boolean enumSignFlag() { return enumSignFlag; }

    /** Whether {@code head} starts like a little-endian BTF blob. */
    public static boolean looksLikeBtf(byte[] head, int len) {
        return len >= HEADER_SIZE && (head[0] & 0xff | (head[1] & 0xff) << 8) == MAGIC && head[2] == 1;
    }

    /**
     * Parses a blob.
     *
     * @param source names the blob in errors ("vmlinux BTF at ffffffffbde35fc0")
     * @param base   the vmlinux BTF for a module's split BTF, else null
     */
    public static Btf parse(String source, byte[] data, Btf base) {
        if (data.length < HEADER_SIZE) throw new BtfException(source, 0, "a BTF header (24 bytes)", data.length + " bytes");
        int magic = u16(data, 0);
        if (magic != MAGIC) {
            throw new BtfException(source, 0, "magic 0xeb9f", magic == 0x9feb ? "0x9feb (big-endian BTF, not supported)"
                    : String.format("0x%04x", magic));
        }
        if ((data[2] & 0xff) != 1) throw new BtfException(source, 2, "version 1", Integer.toString(data[2] & 0xff));
        long hdrLen = u32(data, 4);
        if (hdrLen < HEADER_SIZE || hdrLen > data.length) {
            throw new BtfException(source, 4, "a header length within the blob", Long.toString(hdrLen));
        }
        long typeOff = u32(data, 8), typeLen = u32(data, 12), strOff = u32(data, 16), strLen = u32(data, 20);
        long room = data.length - hdrLen;
        if (typeOff > room || typeLen > room - typeOff || (typeOff & 3) != 0) {
            throw new BtfException(source, 8, "a 4-aligned type section inside the blob (" + room + " bytes)",
                    "offset " + typeOff + " length " + typeLen);
        }
        if (strOff > room || strLen > room - strOff) {
            throw new BtfException(source, 16, "a string section inside the blob (" + room + " bytes)",
                    "offset " + strOff + " length " + strLen);
        }
        int ts = (int) (hdrLen + typeOff), te = (int) (ts + typeLen), ss = (int) (hdrLen + strOff);
        if (strLen > 0 && data[ss + (int) strLen - 1] != 0) {
            throw new BtfException(source, ss + strLen - 1, "a string section ending in NUL", "a non-NUL byte");
        }
        if (base == null && (strLen == 0 || data[ss] != 0)) {
            throw new BtfException(source, ss, "the empty string at string offset 0", strLen == 0 ? "no strings" : "text");
        }
        int[] offs = new int[(int) (typeLen / 12) + 1];
        int n = 0;
        int at = ts;
        boolean signFlag = false;
        while (at < te) {
            if (te - at < 12) throw new BtfException(source, at, "a 12-byte type record", (te - at) + " bytes left");
            int info = (int) u32(data, at + 4);
            int kind = (info >>> 24) & 0x1f;
            int vlen = info & 0xffff;
            long extra = switch (kind) {
                case INT, VAR, DECL_TAG -> 4;
                case ARRAY -> 12;
                case STRUCT, UNION, DATASEC -> 12L * vlen;
                case ENUM, FUNC_PROTO -> 8L * vlen;
                case ENUM64 -> 12L * vlen;
                case PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT, TYPE_TAG -> 0;
                default -> throw new BtfException(source, at + 4, "a BTF kind 1-19 (type id "
                        + ((base == null ? 1 : base.endId()) + n) + ")", "kind " + kind);
            };
            if (extra > te - at - 12) {
                throw new BtfException(source, at, "a " + KIND_NAMES[kind] + " record of " + (12 + extra)
                        + " bytes inside the type section", (te - at) + " bytes left");
            }
            if ((kind == ENUM && info < 0) || kind == ENUM64) signFlag = true;
            offs[n++] = at;
            at += 12 + (int) extra;
        }
        return new Btf(source, data, base, ts, ss, (int) strLen, java.util.Arrays.copyOf(offs, n), signFlag);
    }

    public String source() { return source; }

    public Btf base() { return base; }

    /** Size of this blob in bytes. */
    public int size() { return data.length; }

    /** Id of the first type of this blob (1, or the next after the base's). */
    public int firstId() { return firstId; }

    /** One past the last type id. */
    public int endId() { return firstId + offsets.length; }

    /** Number of types in this blob (not counting the base's). */
    public int count() { return offsets.length; }

    /** The blob owning type {@code id} (this or a base), checking the id. */
    public Btf owner(int id, long usedAt) {
        if (id >= firstId) {
            if (id >= endId()) {
                throw new BtfException(source, usedAt, "a type id below " + endId(), Integer.toUnsignedString(id));
            }
            return this;
        }
        if (base != null) return base.owner(id, usedAt);
        throw new BtfException(source, usedAt, "a type id 1-" + (endId() - 1), Integer.toUnsignedString(id));
    }

    /** Offset of the record of a type of this blob. */
    public int record(int id) { return offsets[id - firstId]; }

    public int info(int id) { return (int) u32(data, record(id) + 4); }

    public int kind(int id) { return id == 0 ? 0 : (info(id) >>> 24) & 0x1f; }

    public int vlen(int id) { return info(id) & 0xffff; }

    public boolean kindFlag(int id) { return info(id) < 0; }

    /** The record's size or type field. */
    public long sizeOrType(int id) { return u32(data, record(id) + 8); }

    public int nameOffset(int id) { return (int) u32(data, record(id)); }

    public String name(int id) { return string(nameOffset(id), record(id)); }

    /** The i-th 32-bit word after the record's 12-byte head. */
    public long word(int id, int i) { return u32(data, record(id) + 12 + 4 * i); }

    /** Offset of the i-th word after the record's head (for error messages). */
    public int wordOffset(int id, int i) { return record(id) + 12 + 4 * i; }

    /** A string by offset (split BTF: offsets below the base's end are the base's); "" is null. */
    public String string(int off, long usedAt) {
        if (off == 0) return null;
        if (off < strBase) return base.string(off, usedAt);
        int rel = off - strBase;
        if (rel < 0 || rel >= strLen) {
            throw new BtfException(source, usedAt, "a string offset below " + (strBase + strLen), Integer.toUnsignedString(off));
        }
        int s = strStart + rel, e = s;
        while (data[e] != 0) e++; // the section ends in NUL (checked)
        return e == s ? null : new String(data, s, e - s, StandardCharsets.ISO_8859_1);
    }

    /** The blob whose string section holds string offset {@code off} (this or a base). */
    public Btf stringOwner(int off) {
        return off < strBase && base != null ? base.stringOwner(off) : this;
    }

    /**
     * Position in {@link #bytes()} of string offset {@code off} of this blob (its owner's:
     * {@link #stringOwner}), or -1 when out of range.
     */
    public int stringPosition(int off) {
        int rel = off - strBase;
        return rel < 0 || rel >= strLen ? -1 : strStart + rel;
    }

    /** The blob's bytes, for reading strings in place (not to be modified). */
    public byte[] bytes() { return data; }

    public static String kindName(int kind) {
        return kind >= 0 && kind < KIND_NAMES.length ? KIND_NAMES[kind] : "kind " + kind;
    }

    @Override
    public String toString() { return source; }

    private static int u16(byte[] b, int at) { return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8; }

    static long u32(byte[] b, int at) {
        return ((b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (long) (b[at + 3] & 0xff) << 24);
    }
}
