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
import org.kdive.api.session.CrashSymbolTable;
import org.kdive.cmd.symbols.format.Symbolizer;
import org.kdive.api.kernel.KernelTasks;
import org.kdive.cmd.symbols.modules.KernelModules;
import org.kdive.cmd.symbols.user.UserSpace;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * crash's {@code rd}: memory as 8/16/32/64-bit words with an ASCII column, or symbolically; kernel
 * virtual memory, physical (-p), the current context's user memory (-u, or any user address), the
 * dump file itself (-f), or raw bytes into a file (-r).
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=rd")
public final class RdCommand implements Command {
    /** No more than this many entries per command (a typo must not print gigabytes). */
    private static final long MAX_COUNT = 1L << 22;
    /** rd -r copies at most this much (a typo must not fill a disk). */
    private static final long MAX_RAW = 1L << 30;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile KernelTasks tasks;

    public RdCommand() {
    }

    /** Outside OSGi: the task list gives the current context for user addresses (may be null). */
    public RdCommand(KernelTasks tasks) {
        this.tasks = tasks;
    }

    @Override public String name() { return "rd"; }

    @Override public String description() { return "read memory"; }

    @Override
    public String usage() {
        return """
                rd - read memory
                rd [-adDsSupxfNR][-8|-16|-32|-64][-o offs][-e addr][-r file] address|symbol|(expression) [count]
                  -8 -16 -32 -64  entry size (default 64)      -s  show symbols for values (64-bit only)
                  -p              address is physical            -x  no ASCII column
                  -u              address is a user virtual address of the current context (user
                                  addresses are read so without -u too; kernel threads have none)
                  -f              address is an offset in the dump file (hexadecimal)
                  -d / -D         signed / unsigned decimal      -a  ASCII string (count: its length)
                  -N              network byte order (16/32)     -R  count backwards from address
                  -o offs         add offs to the address        -e addr  read up to this end address
                  -r file         copy count bytes (or up to -e) raw into file""";
    }

    @Override
    public Result execute(CommandContext context, List<String> raw) {
        Session s = context.session();
        Args args = Args.parse(raw, Set.of("8", "16", "32", "64", "s", "S", "p", "u", "f", "x", "d", "D", "a", "N", "R"), Set.of("e", "o", "r"));
        String rawFile = args.value("r");
        int size = rawFile != null || args.has("8") ? 1 : args.has("16") ? 2 : args.has("32") ? 4 : 8;
        boolean ascii = args.has("a") && rawFile == null;
        boolean symbolic = args.has("s") || args.has("S");
        if (symbolic && (args.has("8") || args.has("16") || args.has("32"))) throw new CommandException("-s option is only allowed with 64-bit display");
        char mode = args.has("d") ? 'd' : args.has("D") ? 'u' : 'x';
        boolean physical = args.has("p");
        boolean file = args.has("f") && !physical;

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
            } else if (rawFile != null) {
                throw new CommandException("-r option requires either a count argument or the -e option");
            } else {
                count = ascii ? 4096 : 1;
            }
        }
        if (count <= 0) throw new CommandException("invalid count request: " + count);
        // crash reads a user address as one whether -u says so or not (x86_64 and arm64 split the halves)
        boolean user = !physical && !file && (args.has("u") || addr >= 0);
        String space = physical ? "physical" : file ? "file" : user ? "user virtual" : "kernel virtual";
        String type = ascii ? "ascii" : (size * 8) + "-bit" + (physical ? " PHYSADDR" : file ? " FILEADDR" : user ? " UVADDR" : " KVADDR");
        if (user && addr < 0) throw new CommandException("invalid user virtual address: " + Long.toHexString(addr) + "  type: \"" + type + "\"");
        if (count > (rawFile != null ? MAX_RAW : MAX_COUNT)) throw new CommandException("count too large: " + count);
        if (args.has("R")) addr = count > 1 ? addr - (count * (ascii ? 1 : size) - (ascii ? 1 : size)) : addr;
        Reader reader = reader(s, physical, file, user);
        if (rawFile != null) return rawCopy(context, reader, addr, count, rawFile, space, type);
        if (ascii) return asciiDump(reader, addr, count, space, type);
        Symbolizer sym = symbolic ? new Symbolizer(s.symbols(), s.memory(), CrashSymbolTable.table(s)) : null;
        boolean asciiColumn = mode == 'x' && !symbolic && !args.has("x");
        boolean network = args.has("N");
        long start = addr;
        long total = count;
        // crash refuses a first word it cannot read; later failures end the output with the reason
        byte[] first = new byte[size];
        String firstError = tryRead(reader, start, first, space, type);
        if (firstError != null) throw new CommandException(firstError, CommandException.FAILED);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("address", org.kdive.api.util.Hex.json(start));
        summary.put("size", size);
        summary.put("physical", physical);
        summary.put("memory", physical ? "physical" : file ? "file" : user ? "user" : "kernel");
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
                String error = tryRead(reader, a, buf, space, type);
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
                if (network && size < 8) {
                    // crash's ASCII column shows the swapped value's bytes
                    for (int k = 0; k < size; k++) buf[k] = (byte) (v >>> (8 * k));
                }
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
    private static String tryRead(Reader reader, long a, byte[] buf, String space, String type) {
        try {
            reader.read(a, buf);
            return null;
        } catch (MemoryAccessException e) {
            return readError(e, a, space, type);
        } catch (KdiveException e) {
            return "invalid " + space + " address: " + Long.toHexString(a) + "  type: \"" + type + "\"";
        }
    }

    /** Where the addresses point: physical memory, the dump file, the current context's user memory, or kernel memory. */
    private Reader reader(Session s, boolean physical, boolean file, boolean user) {
        if (physical) return (a, b) -> s.dump().memory().read(a, b, 0, b.length);
        if (file) {
            java.nio.file.Path dumpFile = s.dump().files().get(0);
            return (a, b) -> readFile(dumpFile, a, b);
        }
        if (user) {
            UserSpace u = UserSpace.current(s, tasks);
            return (a, b) -> u.read(a, b, "");
        }
        return (a, b) -> s.memory().read(a, b, 0, b.length);
    }

    /** crash's FILEADDR: bytes of the dump file itself, at an offset. */
    static void readFile(java.nio.file.Path file, long offset, byte[] into) {
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(into);
            long at = offset;
            while (b.hasRemaining()) {
                int n = ch.read(b, at);
                if (n < 0) throw new MemoryAccessException(offset, false, MemoryAccessException.Reason.UNMAPPED, "beyond the end of " + file);
                at += n;
            }
        } catch (java.io.IOException e) {
            throw new MemoryAccessException(offset, false, MemoryAccessException.Reason.UNMAPPED, file + ": " + e.getMessage());
        }
    }

    /** rd -r: count bytes from the address into a file, as crash: "N bytes copied from 0xADDR to FILE". */
    private static Result rawCopy(CommandContext context, Reader reader, long addr, long count, String name, String space, String type) {
        java.nio.file.Path out = context.path(name);
        byte[] chunk = new byte[4096];
        try (var os = java.nio.file.Files.newOutputStream(out)) {
            for (long done = 0; done < count; ) {
                context.checkCancelled();
                int n = (int) Math.min(chunk.length, count - done);
                byte[] part = n == chunk.length ? chunk : new byte[n];
                String error = tryRead(reader, addr + done, part, space, type);
                if (error != null) throw new CommandException(error, CommandException.FAILED);
                os.write(part, 0, n);
                done += n;
            }
        } catch (java.io.IOException e) {
            throw new CommandException("cannot write to: " + name + " (" + e.getMessage() + ")");
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("address", org.kdive.api.util.Hex.json(addr));
        data.put("bytes", count);
        data.put("file", out.toString());
        return Result.of(count + " bytes copied from 0x" + Long.toHexString(addr) + " to " + name + "\n", data);
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

    private static String readError(MemoryAccessException e, long a, String space, String type) {
        if (e.reason() == MemoryAccessException.Reason.EXCLUDED) {
            return "page excluded: " + space + " address: " + Long.toHexString(a) + "  type: \"" + type + "\"";
        }
        return "invalid " + space + " address: " + Long.toHexString(a) + "  type: \"" + type + "\"";
    }

    private Result asciiDump(Reader reader, long addr, long count, String space, String type) {
        StringBuilder out = new StringBuilder();
        StringBuilder str = new StringBuilder();
        byte[] one = new byte[1];
        int onLine = 0;
        for (long i = 0; i < count; i++) {
            try {
                reader.read(addr + i, one);
            } catch (KdiveException e) {
                // crash refuses an unreadable first byte; later it ends the string there
                if (i == 0 && e instanceof MemoryAccessException m) throw new CommandException(readError(m, addr, space, type), CommandException.FAILED);
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
