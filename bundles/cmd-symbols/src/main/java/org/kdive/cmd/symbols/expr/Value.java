package org.kdive.cmd.symbols.expr;

import org.kdive.api.command.CommandException;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.session.Memory;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Type.Kind;
import org.kdive.cmd.symbols.types.Synthetic;

/**
 * A typed C value: either in the dump's memory (an lvalue, read lazily) or computed (bytes held).
 * Values without debuginfo type (kallsyms-only symbols) carry {@link #noDebugName}.
 */
public final class Value {
    /** Values larger than this are not read whole (the printer streams elements instead). */
    static final long MAX_READ = 16L << 20;

    private final Type type;
    private final Long address;
    private final Memory memory;
    private byte[] bytes;
    private final String noDebugName;
    private final boolean noDebugText;

    private Value(Type type, Long address, Memory memory, byte[] bytes, String noDebugName, boolean noDebugText) {
        this.type = type;
        this.address = address;
        this.memory = memory;
        this.bytes = bytes;
        this.noDebugName = noDebugName;
        this.noDebugText = noDebugText;
    }

    public static Value at(Type type, long address, Memory memory) {
        return new Value(type, address, memory, null, null, false);
    }

    public static Value of(Type type, byte[] bytes) {
        return new Value(type, null, null, bytes, null, false);
    }

    public static Value of(Type type, long bits) {
        long size = Math.max(1, Math.min(8, type.resolve().size() <= 0 ? 8 : type.resolve().size()));
        byte[] b = new byte[(int) size];
        for (int i = 0; i < size; i++) b[i] = (byte) (bits >>> (8 * i));
        return new Value(type, null, null, b, null, false);
    }

    public static Value ofDouble(Type type, double d) {
        if (type.resolve().size() == 4) return of(type, Float.floatToRawIntBits((float) d) & 0xffffffffL);
        return of(type, Double.doubleToRawLongBits(d));
    }

    /** A symbol known only from a symbol table: gdb's {@code <text variable, no debug info>}. */
    public static Value noDebug(String name, long address, boolean text, Memory memory) {
        return new Value(Synthetic.INT, address, memory, null, name, text);
    }

    public Type type() { return type; }

    /** Type without typedefs and qualifiers. */
    public Type resolved() { return type.resolve(); }

    public Kind kind() { return type.resolve().kind(); }

    public boolean isLvalue() { return address != null; }

    public long address() {
        if (address == null) throw new CommandException("Attempt to take address of value not located in memory.");
        return address;
    }

    public Memory memory() { return memory; }

    public String noDebugName() { return noDebugName; }

    public boolean isNoDebugText() { return noDebugName != null && noDebugText; }

    public boolean isNoDebugData() { return noDebugName != null && !noDebugText; }

    /** The same storage seen as another type (casts of lvalues, member access). */
    public Value retype(Type t) {
        if (address != null && bytes == null) return at(t, address, memory);
        if (address != null) return new Value(t, address, memory, slice(0, (int) Math.max(0, t.resolve().size())), null, false);
        return of(t, slice(0, (int) Math.max(0, t.resolve().size())));
    }

    /** A part of this value: a member or an element at byte offset {@code off}. */
    public Value part(Type t, long off) {
        if (address != null && bytes == null) return at(t, address + off, memory);
        long size = Math.max(0, t.resolve().size());
        byte[] b = slice((int) off, (int) size);
        return address != null ? new Value(t, address + off, memory, b, null, false) : of(t, b);
    }

    private byte[] slice(int off, int len) {
        byte[] all = bytes();
        byte[] out = new byte[len];
        if (off < all.length) System.arraycopy(all, off, out, 0, Math.min(len, all.length - off));
        return out;
    }

    /** The contents (read from memory the first time). */
    public byte[] bytes() {
        if (bytes == null) {
            long size = type.resolve().size();
            if (size < 0) size = 0;
            if (size > MAX_READ) throw new CommandException("value of type " + type.cName() + " is too large to read (" + size + " bytes)");
            bytes = read(memory, address, (int) size);
        }
        return bytes;
    }

    /** Forces the contents into this value (for the value history). */
    public Value fetch() {
        if (type.resolve().size() <= MAX_READ && noDebugName == null) bytes();
        return this;
    }

    static byte[] read(Memory memory, long address, int size) {
        if (size == 0) return new byte[0];
        try {
            return memory.read(address, size);
        } catch (MemoryAccessException e) {
            throw new CommandException("Cannot access memory at address 0x" + Long.toHexString(address));
        }
    }

    /** Raw little-endian bits of a scalar, zero-extended. */
    public long bits() {
        byte[] b = bytes();
        long v = 0;
        for (int i = Math.min(8, b.length) - 1; i >= 0; i--) v = (v << 8) | (b[i] & 0xff);
        return v;
    }

    /** The scalar as a long: sign-extended for signed integer types, pointers as unsigned bits. */
    public long asLong() {
        Type t = type.resolve();
        if (t.kind() == Kind.BASE && t.isFloat()) return (long) asDouble();
        long v = bits();
        int size = (int) Math.min(8, Math.max(1, t.size()));
        if (size < 8 && isSignedScalar(t)) {
            int shift = 64 - 8 * size;
            v = (v << shift) >> shift;
        }
        return v;
    }

    public double asDouble() {
        Type t = type.resolve();
        if (t.kind() == Kind.BASE && t.isFloat()) {
            if (t.size() == 4) return Float.intBitsToFloat((int) bits());
            if (t.size() == 8) return Double.longBitsToDouble(bits());
            return Double.NaN;
        }
        long v = asLong();
        return isSignedScalar(t) ? v : (v >= 0 ? v : (double) (v >>> 1) * 2.0);
    }

    static boolean isSignedScalar(Type t) {
        return (t.kind() == Kind.BASE || t.kind() == Kind.ENUM) && t.isSigned() && !t.isBool();
    }
}
