package org.kdive.cmd.devices.bpf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdive.api.KdiveException;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.dis.Disassembler;
import org.kdive.api.dis.Instruction;
import org.kdive.api.util.Hex;
import org.kdive.cmd.devices.access.Kern;

/**
 * A program's JIT-ed image listed as crash lists it: gdb's {@code x/Ni} lines ("   0xADDR:\tmnemonic
 * operands", a call target followed by {@code <symbol>}) up to the end of the image, each line
 * ending in a space and, when its last word is an address crash finds a symbol for, that symbol.
 */
final class JitListing {
    private static final int MAX_IMAGE = 1 << 20;

    private JitListing() {
    }

    /** Where the native code is: bpf_prog.bpf_func, jited_len bytes. */
    record Image(long start, int length) {
    }

    /** One listed instruction. */
    record Line(Instruction insn, String text, String symbol) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("address", Hex.json(insn.address()));
            StringBuilder b = new StringBuilder();
            for (byte x : insn.bytes()) b.append(String.format("%02x", x & 0xff));
            m.put("bytes", b.toString());
            m.put("mnemonic", insn.mnemonic());
            m.put("operands", insn.operands());
            m.put("target", insn.target() == -1 ? null : Hex.json(insn.target()));
            m.put("targetSymbol", symbol);
            m.put("text", text);
            return m;
        }
    }

    /**
     * The image, or null when the program is interpreted. Before Linux 5.13 a program with
     * bpf-to-bpf calls kept jited_len 0 in its own bpf_prog (the JIT ran per function, aux->func[]);
     * its code is then that of aux->func[0], the main function, which bpf_func points at.
     */
    static Image image(Kern k, BpfObjects.Prog p) {
        long func = k.ptr(p.addr() + k.off("bpf_prog", "bpf_func"));
        int len = (int) Math.min(p.jitedLen(), MAX_IMAGE);
        if (len > 0) return new Image(func, len);
        if (func == 0 || !k.hasMember("bpf_prog_aux", "func") || !k.hasMember("bpf_prog_aux", "func_cnt")) return null;
        long cnt = k.u32(p.aux() + k.off("bpf_prog_aux", "func_cnt"));
        long funcs = k.ptr(p.aux() + k.off("bpf_prog_aux", "func"));
        if (cnt == 0 || funcs == 0) return null;
        long main = k.ptr(funcs);
        if (main == 0 || k.ptr(main + k.off("bpf_prog", "bpf_func")) != func) return null;
        int mainLen = (int) Math.min(k.u32(main + k.off("bpf_prog", "jited_len")), MAX_IMAGE);
        return mainLen > 0 ? new Image(func, mainLen) : null;
    }

    static List<Line> lines(CommandContext ctx, Kern k, Disassembler dis, Image image) {
        byte[] code;
        try {
            code = k.memory().read(image.start(), image.length());
        } catch (RuntimeException e) {
            throw new CommandException(String.format("bpf -j: cannot read the JIT-ed image at 0x%x (%d bytes): %s",
                    image.start(), image.length(), e.getMessage()));
        }
        List<Instruction> insns;
        try {
            insns = dis.disassemble(k.session().arch().machine(), code, image.start(), image.length());
        } catch (KdiveException e) {
            throw new CommandException("bpf -j: " + e.getMessage());
        }
        List<Line> out = new ArrayList<>();
        long end = image.start() + image.length();
        long at = image.start();
        for (Instruction ins : insns) {
            ctx.checkCancelled();
            if (Long.compareUnsigned(ins.address(), end) >= 0) break;
            at = ins.address() + ins.length();
            out.add(line(k, ins));
        }
        // undecodable bytes before the end: gdb prints "(bad)" one byte at a time
        while (Long.compareUnsigned(at, end) < 0 && out.size() < image.length()) {
            Instruction bad = new Instruction(at, new byte[] {code[(int) (at - image.start())]}, "(bad)", "", -1);
            out.add(line(k, bad));
            at++;
        }
        return out;
    }

    private static Line line(Kern k, Instruction ins) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("   0x%x:\t", ins.address())).append(String.format("%-6s ", ins.mnemonic())).append(ins.operands());
        String symbol = null;
        if (ins.target() != -1 && !ins.dataTarget()) {
            // gdb names a branch target by the symbol that contains it
            String label = k.symstr(ins.target());
            if (!label.isEmpty()) {
                s.append(" <").append(label).append('>');
                symbol = label;
            }
        }
        if (ins.target() != -1 && ins.dataTarget()) s.append(String.format("        # 0x%x", ins.target()));
        s.append(' ');
        if (symbol == null) {
            // crash names a trailing address gdb left bare
            String[] words = s.toString().trim().split("\\s+");
            String last = words[words.length - 1];
            if (words.length > 1 && last.matches("(0x)?[0-9a-fA-F]+")) {
                String label = k.symstr(Long.parseUnsignedLong(last.startsWith("0x") ? last.substring(2) : last, 16));
                if (!label.isEmpty()) {
                    s.append('<').append(label).append('>');
                    symbol = label;
                }
            }
        }
        return new Line(ins, s.toString(), symbol);
    }
}
