package org.kdive.autopsy.code;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.kdive.api.KdiveException;
import org.kdive.api.arch.CodeModel;
import org.kdive.api.dis.Disassembler;
import org.kdive.api.dis.Instruction;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Symbol;

/** The decoded instructions of the function around an address, with what the architecture says they do. */
public final class FunctionCode {
    private static final int MAX_BYTES = 64 * 1024;
    private static final int PAGE = 4096;
    private final Symbol symbol;
    private final List<Instruction> instructions;
    private final CodeModel model;

    private FunctionCode(Symbol symbol, List<Instruction> instructions, CodeModel model) {
        this.symbol = symbol;
        this.instructions = instructions;
        this.model = model;
    }

    /**
     * The function containing {@code address}, decoded from its start; empty when no text symbol is
     * near or the architecture has no {@link CodeModel}.
     */
    public static Optional<FunctionCode> containing(Session session, Disassembler dis, long address) {
        Optional<CodeModel> model = session.arch().codeModel();
        if (model.isEmpty()) return Optional.empty();
        Optional<Symbol> sym = session.symbols().containing(address);
        if (sym.isEmpty() || !sym.get().isText()) return Optional.empty();
        Symbol s = sym.get();
        long size = s.size() > 0 ? s.size() : Math.max(address - s.address() + 64, 256);
        int len = (int) Math.min(MAX_BYTES, Math.max(size, address - s.address() + 16));
        byte[] code = read(session, s.address(), len);
        if (code.length == 0) return Optional.empty();
        List<Instruction> out = new ArrayList<>();
        for (Instruction i : dis.disassemble(session.arch().machine(), code, s.address(), 20_000)) {
            if (s.size() <= 0 && i.address() != s.address()) {
                // without a size, stop where the next symbol begins
                Optional<Symbol> at = session.symbols().containing(i.address());
                if (at.isPresent() && at.get().address() != s.address()) break;
            }
            out.add(i);
        }
        return Optional.of(new FunctionCode(s, List.copyOf(out), model.get()));
    }

    private static byte[] read(Session session, long address, int max) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long at = address;
        while (out.size() < max) {
            int n = (int) Math.min(max - out.size(), PAGE - (at & (PAGE - 1)));
            try {
                out.write(session.memory().read(at, n), 0, n);
            } catch (KdiveException e) {
                break;
            }
            at += n;
        }
        return out.toByteArray();
    }

    public Symbol symbol() { return symbol; }

    public List<Instruction> instructions() { return instructions; }

    public CodeModel model() { return model; }

    /** Index of the instruction at {@code address}, or -1. */
    public int indexOf(long address) {
        for (int i = 0; i < instructions.size(); i++) if (instructions.get(i).address() == address) return i;
        return -1;
    }

    /** Indexes of the jumps whose target is {@code address}. */
    public List<Integer> jumpsTo(long address) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < instructions.size(); i++) {
            Instruction in = instructions.get(i);
            if (model.isJump(in) && in.target() == address) out.add(i);
        }
        return out;
    }

    /** "name+off" for an address inside this function. */
    public String where(long address) {
        return symbol.name() + "+" + (address - symbol.address());
    }
}
