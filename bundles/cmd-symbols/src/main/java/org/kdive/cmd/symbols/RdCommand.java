package org.kdive.cmd.symbols;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.kdive.api.KdiveException;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.session.Session;
import org.kdive.api.util.Hex;
import org.kdive.cmd.symbols.expr.Evaluator;
import org.kdive.cmd.symbols.format.Symbolizer;
import org.kdive.cmd.symbols.modules.KernelModules;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** crash's {@code rd}: memory as 8/16/32/64-bit words with an ASCII column, or symbolically. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=rd")
public final class RdCommand implements Command {
    /** No more than this many entries per command (a typo must not print gigabytes). */
    private static final long MAX_COUNT = 1L << 22;

    @Override public String name() { return "rd"; }

    @Override public String description() { return "read memory"; }

    @Override
    public String usage() {
        return """
                rd - read memory
                rd [-8|-16|-32|-64] [-s|-S] [-p] [-x|-d|-D] [-a] [-N] [-R] [-o offs] [-e addr] address|symbol|(expression) [count]
                  -8 -16 -32 -64  entry size (default 64)      -s  show symbols for values (64-bit only)
                  -p              address is physical            -x  no ASCII column
                  -d / -D         signed / unsigned decimal      -a  ASCII string
                  -N              network byte order (16/32)     -R  count backwards from address
                  -o offs         add offs to the address        -e addr  read up to this end address""";
    }

    @Override
    public Result execute(CommandContext context, List<String> raw) {
        Session s = context.session();
        Args args = Args.parse(raw, Set.of("8", "16", "32", "64", "s", "S", "p", "u", "x", "d", "D", "a", "N", "R"), Set.of("e", "o"));
        int size = args.has("8") ? 1 : args.has("16") ? 2 : args.has("32") ? 4 : 8;
        boolean ascii = args.has("a");
        boolean symbolic = args.has("s") || args.has("S");
        if (symbolic && (args.has("8") || args.has("16") || args.has("32"))) throw new CommandException("-s option is only allowed with 64-bit display");
        char mode = args.has("d") ? 'd' : args.has("D") ? 'u' : 'x';
        boolean physical = args.has("p");
        if (args.positional().isEmpty()) throw new CommandException("usage: rd [options] address|symbol [count]");
        String where = args.positional(0);
        long addr = address(s, where);
        if (args.value("o") != null) addr += parseNumber(args.value("o"));
        long count = -1;
        if (args.positional(1) != null) count = parseNumber(args.positional(1));
        if (count == -1) {
            if (args.value("e") != null) {
                long end = Hex.parseAddress(args.value("e"));
                if (Long.compareUnsigned(end, addr) <= 0) throw new CommandException("invalid ending address: " + Long.toHexString(end));
                count = Math.max(1, (end - addr) / (ascii ? 1 : size));
            } else {
                count = ascii ? 4096 : 1;
            }
        }
        if (count <= 0) throw new CommandException("invalid count request: " + count);
        if (args.has("u") && !physical && addr < 0) {
            // -u reads the user half; kernel addresses are refused as crash does
            throw new CommandException("invalid user virtual address: " + Long.toHexString(addr) + "  type: \""
                    + (ascii ? "ascii" : (size * 8) + "-bit") + " UVADDR\"");
        }
        if (count > MAX_COUNT) throw new CommandException("count too large: " + count + " (at most " + MAX_COUNT + ")");
        if (args.has("R")) addr = count > 1 ? addr - (count * (ascii ? 1 : size) - (ascii ? 1 : size)) : addr;
        Reader reader = physical ? (a, b) -> s.dump().memory().read(a, b, 0, b.length) : (a, b) -> s.memory().read(a, b, 0, b.length);
        String type = (ascii ? "ascii" : (size * 8) + "-bit") + (physical ? " PHYSADDR" : " KVADDR");
        if (ascii) return asciiDump(reader, addr, count, physical, type);
        Symbolizer sym = symbolic ? new Symbolizer(s.symbols(), s.memory()) : null;
        boolean asciiColumn = mode == 'x' && !symbolic && !args.has("x");
        boolean network = args.has("N");
        long start = addr;
        long total = count;
        // crash refuses a first word it cannot read; later failures end the output with the reason
        byte[] first = new byte[size];
        String firstError = tryRead(reader, start, first, physical, type);
        if (firstError != null) throw new CommandException(firstError, CommandException.FAILED);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("address", org.kdive.api.util.Hex.json(start));
        summary.put("size", size);
        summary.put("physical", physical);
        // one line (16 bytes) at a time: printed, or one JSON record {address, values}, as it is read
        return Result.stream("lines", out -> {
            int perLine = 16 / size;
            StringBuilder line = new StringBuilder();
            StringBuilder chars = new StringBuilder();
            List<Object> words = new ArrayList<>();
            byte[] buf = new byte[size];
            int lineLen = 0;
            long lineStart = start;
            long shown = 0;
            for (long i = 0; i < total; i++) {
                long a = start + i * size;
                String error = tryRead(reader, a, buf, physical, type);
                if (error != null) {
                    endLine(out, line, chars, words, lineStart, asciiColumn, lineLen, perLine, size);
                    out.error(error.startsWith("page excluded") ? "memory-excluded" : "memory-invalid", "rd: " + error + "\n");
                    return summary;
                }
                if (shown % perLine == 0) {
                    if (shown > 0) {
                        endLine(out, line, chars, words, lineStart, asciiColumn, lineLen, perLine, size);
                        context.checkCancelled();
                    }
                    line.append(String.format("%16x:  ", a));
                    lineStart = a;
                    lineLen = 16 + 3;
                }
                long v = 0;
                for (int k = size - 1; k >= 0; k--) v = (v << 8) | (buf[k] & 0xff);
                if (network && size == 2) v = Short.reverseBytes((short) v) & 0xffff;
                if (network && size == 4) v = Integer.reverseBytes((int) v) & 0xffffffffL;
                if (out.json()) words.add(size == 8 && v < 0 ? "0x" + Long.toHexString(v) : (Object) v);
                String cell = null;
                if (sym != null) {
                    String n = sym.near(v, true);
                    if (n != null) cell = String.format("%-16s ", n);
                }
                if (cell == null) cell = cell(v, size, mode);
                line.append(cell);
                lineLen += cell.length();
                for (int k = 0; k < size; k++) {
                    int c = buf[k] & 0xff;
                    chars.append(c >= 0x20 && c < 0x7f ? (char) c : '.');
                }
                shown++;
            }
            endLine(out, line, chars, words, lineStart, asciiColumn, lineLen, perLine, size);
            return summary;
        });
    }

    /** Ends the line being built (if any): text with its ASCII column, or the line's JSON record. */
    private static void endLine(org.kdive.api.command.Output out, StringBuilder line, StringBuilder chars, List<Object> words,
            long lineStart, boolean asciiColumn, int lineLen, int perLine, int size) {
        if (line.length() == 0) return;
        if (asciiColumn) {
            if (chars.length() < 16) {
                int asciiStart = 16 + 3 + perLine * (2 * size + 1);
                line.append(" ".repeat(Math.max(0, asciiStart - lineLen)));
            }
            line.append("  ").append(chars);
        }
        line.append('\n');
        out.text(line);
        if (out.json()) {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("address", org.kdive.api.util.Hex.json(lineStart));
            record.put("values", List.copyOf(words));
            out.record(record);
        }
        line.setLength(0);
        chars.setLength(0);
        words.clear();
    }

    /** Reads one word; the crash-style reason when it cannot be read, else null. */
    private static String tryRead(Reader reader, long a, byte[] buf, boolean physical, String type) {
        try {
            reader.read(a, buf);
            return null;
        } catch (MemoryAccessException e) {
            return readError(e, a, physical, type);
        } catch (KdiveException e) {
            return "invalid " + (physical ? "physical" : "kernel virtual") + " address: " + Long.toHexString(a) + "  type: \"" + type + "\"";
        }
    }

    @FunctionalInterface
    private interface Reader {
        void read(long address, byte[] into);
    }

    private static String cell(long v, int size, char mode) {
        return switch (mode) {
            case 'd' -> switch (size) {
                case 8 -> String.format("%15d ", v);
                case 4 -> String.format("%12d ", (int) v);
                case 2 -> String.format("%5d ", v);
                default -> String.format("%3d ", v);
            };
            case 'u' -> switch (size) {
                case 8 -> String.format("%20s ", Long.toUnsignedString(v));
                case 4 -> String.format("%12d ", v);
                case 2 -> String.format("%5d ", v);
                default -> String.format("%3d ", v);
            };
            default -> String.format("%0" + (2 * size) + "x ", v);
        };
    }

    private static String readError(MemoryAccessException e, long a, boolean physical, String type) {
        String space = physical ? "physical address" : "kernel virtual address";
        if (e.reason() == MemoryAccessException.Reason.EXCLUDED) {
            return "page excluded: " + space + ": " + Long.toHexString(a) + "  type: \"" + type + "\"";
        }
        return "invalid " + space + ": " + Long.toHexString(a) + "  type: \"" + type + "\"";
    }

    private Result asciiDump(Reader reader, long addr, long count, boolean physical, String type) {
        StringBuilder out = new StringBuilder();
        StringBuilder str = new StringBuilder();
        byte[] one = new byte[1];
        int onLine = 0;
        for (long i = 0; i < count; i++) {
            try {
                reader.read(addr + i, one);
            } catch (KdiveException e) {
                break;
            }
            int c = one[0] & 0xff;
            if (c < 0x20 || c >= 0x7f) break;
            if (onLine % 60 == 0) {
                if (onLine > 0) out.append('\n');
                out.append(String.format("%16x:  ", addr + i));
            }
            out.append((char) c);
            str.append((char) c);
            onLine++;
        }
        if (onLine == 0) out.append(String.format("%16x:  ", addr));
        out.append('\n');
        return Result.of(out.toString(), Map.of("address", "0x" + Long.toHexString(addr), "string", str.toString()));
    }

    private static long address(Session s, String where) {
        if (where.startsWith("(")) return expression(s, where);
        if (Hex.looksLikeAddress(where) || where.matches("[0-9a-fA-F]+")) return Hex.parseAddress(where);
        KernelModules.ensureKallsyms(s);
        if (Names.defined(s, where).isEmpty() && s.symbols().variable(where).isEmpty()) throw new CommandException("symbol not found: " + where);
        return Names.address(s, where);
    }

    /** The value of a parenthesised C expression: a pointer's address, else the number. */
    static long expression(Session s, String expression) {
        KernelModules.ensureKallsyms(s);
        var v = new Evaluator(new SessionEnv(s)).evaluate(expression);
        return v.kind() == org.kdive.api.symbols.Type.Kind.POINTER ? v.bits() : v.asLong();
    }

    private static long parseNumber(String t) {
        try {
            return t.startsWith("0x") || t.startsWith("0X") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new CommandException("invalid number: " + t);
        }
    }
}
