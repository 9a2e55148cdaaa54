package org.kdive.arch.x86.idt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.kdive.api.KdiveException;
import org.kdive.api.arch.InterruptVector;
import org.kdive.api.session.Session;
import org.kdive.arch.x86.unwind.KernelLayout;

/**
 * The kernel's interrupt descriptor table, {@code idt_table}: 256 long-mode gate descriptors of 16
 * bytes each (the format is the CPU's, so it holds on every x86_64 kernel whatever the debuginfo
 * calls the type: gate_struct64, gate_struct, gate_desc). A gate keeps its handler address in three
 * pieces: bits 0-15 in bytes 0-1, bits 16-31 in bytes 6-7 and bits 32-63 in bytes 8-11; the low
 * three bits of byte 4 select an interrupt stack (IST slot 1-7, 0 for none).
 */
public final class InterruptDescriptorTable {
    public static final int VECTORS = 256;
    public static final int GATE_SIZE = 16;
    private static final String CACHE_KEY = "arch-x86_64.idt";

    /** One gate: the handler's address and its IST slot (1-7, 0 when it runs on the current stack). */
    public record Gate(int vector, long handler, int ist) {
        public InterruptVector toVector() {
            return new InterruptVector(vector, handler);
        }
    }

    private InterruptDescriptorTable() {
    }

    /** The gates of the session's idt_table (read once per session). */
    public static List<Gate> gates(Session session) {
        return session.cached(CACHE_KEY, () -> read(session));
    }

    private static List<Gate> read(Session session) {
        OptionalLong idt = new KernelLayout(session).symbol("idt_table");
        if (idt.isEmpty()) throw new KdiveException("symbol not found: idt_table (the interrupt descriptor table)");
        byte[] table;
        try {
            table = session.memory().read(idt.getAsLong(), VECTORS * GATE_SIZE);
        } catch (KdiveException e) {
            throw new KdiveException(String.format("cannot read idt_table at %x (%d bytes): %s", idt.getAsLong(),
                    VECTORS * GATE_SIZE, e.getMessage()), e);
        }
        return decode(table);
    }

    /** The gates of a table's bytes (little-endian, {@link #GATE_SIZE} bytes per vector). */
    public static List<Gate> decode(byte[] table) {
        ByteBuffer b = ByteBuffer.wrap(table).order(ByteOrder.LITTLE_ENDIAN);
        List<Gate> gates = new ArrayList<>(table.length / GATE_SIZE);
        for (int i = 0; i < table.length / GATE_SIZE; i++) {
            long lo = b.getLong(i * GATE_SIZE);
            long hi = b.getLong(i * GATE_SIZE + 8);
            long handler = (hi << 32) | ((lo >>> 32) & 0xffff0000L) | (lo & 0xffffL);
            gates.add(new Gate(i, handler, (int) ((lo >>> 32) & 7)));
        }
        return List.copyOf(gates);
    }
}
