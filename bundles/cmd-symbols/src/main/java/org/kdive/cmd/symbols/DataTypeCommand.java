package org.kdive.cmd.symbols;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.kdive.api.KdiveException;
import org.kdive.api.command.Args;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.kernel.KernelTasks;
import org.kdive.api.session.Memory;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Symbol;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Type.Kind;
import org.kdive.api.util.Hex;
import org.kdive.cmd.symbols.expr.Evaluator;
import org.kdive.cmd.symbols.expr.Value;
import org.kdive.cmd.symbols.format.ValueFormatter;
import org.kdive.cmd.symbols.types.CDecl;
import org.kdive.cmd.symbols.types.OffsetLayout;

/** crash's {@code struct} and {@code union}: declarations, offsets, and contents at an address. */
abstract class DataTypeCommand {
    private final String keyword;
    private final Kind kind;

    DataTypeCommand(String keyword, Kind kind) {
        this.keyword = keyword;
        this.kind = kind;
    }

    /** The task list (the current context for -u), null outside OSGi without one. */
    abstract KernelTasks tasks();

    String usageText() {
        return keyword + " - " + keyword + " contents\n"
                + keyword + " NAME[.member[,member…]] [-o] [-l offset] [-rfuxdp] [ADDR|SYMBOL] [COUNT | -c COUNT]\n"
                + "  no address   print the declaration and SIZE (-o: with member offsets)\n"
                + "  ADDR|SYMBOL  print the " + keyword + " at that kernel address (-o: member addresses)\n"
                + "  .member      only those members (a.b for nested members, a[i] for an element)\n"
                + "  COUNT        that many consecutive " + keyword + "s; negative (-c -N): the N ending with this one\n"
                + "  -x, -d       integers in hex or decimal\n"
                + "  -l OFFSET|NAME.member  ADDR points at that member (e.g. an embedded list_head)\n"
                + "  -r           raw dump of the " + keyword + "'s memory (of one member with .member), as rd\n"
                + "  -p           pointer members: their type, and on the next line what they point to\n"
                + "  -u           ADDR is a user virtual address of the current context\n"
                + "  -f           ADDR is an offset in the dump file (decimal, or hex with 0x)\n";
    }

    Result run(CommandContext context, List<String> raw) {
        Session session = context.session();
        Args args = Args.parse(raw, Set.of("o", "x", "d", "h", "r", "p", "u", "f", "v"), Set.of("c", "l"));
        if (args.has("x") && args.has("d")) throw new CommandException("-d and -x are mutually exclusive");
        boolean hex = args.has("x") || args.has("h");
        List<String> pos = args.positional();
        if (pos.isEmpty()) throw new CommandException("usage: " + keyword + " NAME[.member] [ADDR] [COUNT]");
        String spec = pos.get(0);
        if (spec.endsWith(",") || spec.endsWith(".")) throw new CommandException("invalid format: " + spec);
        String typeName = spec;
        List<String> members = new ArrayList<>();
        int dot = spec.indexOf('.');
        if (dot > 0) {
            typeName = spec.substring(0, dot);
            for (String m : spec.substring(dot + 1).split(",")) members.add(m);
        }
        boolean user = args.has("u");
        boolean file = args.has("f");
        Long address = null;
        Long countGiven = args.value("c") == null ? null : parseCount(args.value("c"));
        for (int i = 1; i < pos.size(); i++) {
            String a = pos.get(i);
            if (address != null && countGiven != null) throw new CommandException("too many arguments!");
            if (address == null) {
                address = file ? parseCount(a) : user && VtopCommand.HexWord.isHex(a) ? VtopCommand.HexWord.parse(a) : resolveAddress(session, a);
            } else {
                countGiven = parseCount(a);
            }
        }
        if (countGiven != null && address == null) throw new CommandException("no kernel virtual address argument entered");
        if (args.has("p") && address == null) throw new CommandException("-p option requires address argument");
        long count = countGiven == null ? 1 : countGiven;
        Type type = lookup(session, typeName);
        if (count < 0) {
            // crash: the |count| structures leading up to and including the one at ADDR
            address -= type.size() * (-count - 1);
            count = -count;
        }
        if (address != null && args.value("l") != null) {
            String l = args.value("l");
            address -= l.matches("\\d+|0x[0-9a-fA-F]+") ? Long.decode(l) : listOffset(session, l);
        }
        ValueFormatter f = SessionEnv.formatter(session, (char) 0, hex);
        StringBuilder out = new StringBuilder();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("type", keyword + " " + type.name());
        data.put("size", type.size());
        if (address == null) {
            declaration(out, data, type, members, args.has("o"), hex);
            return Result.of(out.toString(), data);
        }
        if (members.size() > 1 && args.has("o")) throw new CommandException("-o option not valid with multiple member format");
        if (args.has("r") && !args.has("o")) return raw(context, type, members, address, count, user, file);
        Memory memory = user ? userMemory(session) : file ? fileMemory(session) : session.memory();
        boolean deref = args.has("p") && !args.has("o");
        if (user || file) {
            // crash names the struct, then gdb's read failure
            try {
                memory.read(address, (int) Math.min(type.size(), 1 << 20));
            } catch (org.kdive.api.dump.MemoryAccessException e) {
                String why = e.getMessage();
                long at = address;
                return Result.stream(o -> {
                    o.text(keyword + " " + type.name() + " ");
                    o.error(e.reason() == org.kdive.api.dump.MemoryAccessException.Reason.EXCLUDED ? "memory-excluded" : "memory-invalid",
                            keyword + ": " + why.replaceFirst("type: \"[^\"]*\"$", "type: \"gdb_readmem_callback\"") + "\n");
                    return Map.of("address", "0x" + Long.toHexString(at), "error", why);
                });
            }
        }
        long base = address;
        long total = count;
        boolean offsets = args.has("o");
        // one struct at a time: printed, or one JSON record, as it is read (COUNT may be large)
        return Result.stream("items", sink -> {
            StringBuilder text = new StringBuilder();
            for (long c = 0; c < total; c++) {
                context.checkCancelled();
                long at = base + c * type.size();
                if (c > 0) text.append('\n');
                Value v = Value.at(type, at, memory);
                if (!sink.json()) {
                    if (offsets) {
                        // crash: the layout at the address, then SIZE (only the member's line for NAME.member)
                        if (members.isEmpty()) {
                            text.append(OffsetLayout.render(type, CDecl.ptype(type), hex, at));
                            text.append(sizeLine(type, hex));
                        } else {
                            text.append(memberOffsetLine(type, members.get(0), hex, at));
                        }
                    } else if (deref && members.isEmpty()) {
                        text.append(Dereference.struct(f, keyword, type, v, memory));
                    } else if (members.isEmpty()) {
                        text.append(keyword).append(' ').append(type.name()).append(' ').append(f.value(v, 0)).append('\n');
                    } else {
                        for (String m : members) {
                            String d = deref && !m.contains(".") && !m.contains("[") ? Dereference.member(f, type, v, m, memory) : null;
                            text.append(d != null ? d : memberLine(f, type, v, m));
                        }
                    }
                    sink.text(text);
                    text.setLength(0);
                    continue;
                }
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("address", "0x" + Long.toHexString(at));
                if (members.isEmpty()) {
                    item.put("value", JsonValues.of(v, f));
                } else {
                    Map<String, Object> mv = new LinkedHashMap<>();
                    for (String m : members) mv.put(m, JsonValues.of(memberValue(v, type, m), f));
                    item.put("members", mv);
                }
                sink.record(item);
            }
            return data;
        });
    }

    /**
     * -r: the bytes of the struct (or of its one member) as crash's raw_data_dump shows them: rd's
     * layout, one 8/16/32-bit word when the size is 1, 2 or 4 bytes, else 64-bit words with ASCII.
     */
    private Result raw(CommandContext context, Type type, List<String> members, long address, long count, boolean user, boolean file) {
        if (members.size() > 1) throw new CommandException("only one structure member allowed with -r");
        long at = address;
        long len = type.size();
        if (!members.isEmpty()) {
            String name = members.get(0);
            at += Evaluator.offsetOf(type, name);
            len = memberValueType(type, name).resolve().size();
        }
        StringBuilder out = new StringBuilder();
        List<Object> items = new ArrayList<>();
        RdCommand rd = new RdCommand(tasks());
        for (long c = 0; c < count; c++) {
            context.checkCancelled();
            if (c > 0) out.append('\n');
            List<String> words = new ArrayList<>();
            if (len == 1) words.add("-8");
            else if (len == 2) words.add("-16");
            else if (len == 4) words.add("-32");
            if (user) words.add("-u");
            if (file) words.add("-f");
            long start = at + c * type.size();
            words.add(Long.toHexString(start));
            words.add(Long.toString(len == 1 || len == 2 || len == 4 ? 1 : (len + 7) / 8));
            Result r = rd.execute(context, words);
            out.append(r.text());
            items.add(Map.of("address", "0x" + Long.toHexString(start), "size", len, "memory", r.data()));
        }
        return Result.of(out.toString(), Map.of("type", keyword + " " + type.name(), "raw", items));
    }

    private static Type memberValueType(Type type, String path) {
        Type t = type;
        for (String part : path.split("\\.")) {
            String n = part.contains("[") ? part.substring(0, part.indexOf('[')) : part;
            Member m = OffsetLayout.findMember(t.resolve(), n).orElseThrow(() -> new CommandException(
                    "invalid data structure reference: " + type.name() + "." + path));
            t = m.type();
            if (part.contains("[")) t = t.resolve().target();
        }
        return t;
    }

    /** -u: the current context's user memory for user addresses (kernel addresses as usual). */
    private Memory userMemory(Session s) {
        org.kdive.cmd.symbols.user.UserSpace u = org.kdive.cmd.symbols.user.UserSpace.current(s, tasks());
        return new Memory() {
            @Override public void read(long vaddr, byte[] dst, int off, int len) {
                if (vaddr < 0) {
                    s.memory().read(vaddr, dst, off, len);
                    return;
                }
                byte[] b = new byte[len];
                u.read(vaddr, b, "");
                System.arraycopy(b, 0, dst, off, len);
            }

            @Override public boolean isReadable(long vaddr) {
                try {
                    read(vaddr, new byte[1], 0, 1);
                    return true;
                } catch (org.kdive.api.KdiveException e) {
                    return false;
                }
            }

            @Override public long toPhysical(long vaddr) {
                return vaddr < 0 ? s.memory().toPhysical(vaddr) : s.arch().toPhysical(u.pgdPhys(), vaddr);
            }
        };
    }

    /** -f: the dump file's bytes, addressed by file offset. */
    private static Memory fileMemory(Session s) {
        java.nio.file.Path dump = s.dump().files().get(0);
        return new Memory() {
            @Override public void read(long offset, byte[] dst, int off, int len) {
                byte[] b = new byte[len];
                RdCommand.readFile(dump, offset, b);
                System.arraycopy(b, 0, dst, off, len);
            }

            @Override public boolean isReadable(long offset) {
                try {
                    read(offset, new byte[1], 0, 1);
                    return true;
                } catch (org.kdive.api.KdiveException e) {
                    return false;
                }
            }

            @Override public long toPhysical(long offset) {
                throw new org.kdive.api.dump.MemoryAccessException(offset, false, org.kdive.api.dump.MemoryAccessException.Reason.UNMAPPED,
                        "a dump file offset has no physical address");
            }
        };
    }

    private static long parseCount(String s) {
        try {
            return Long.decode(s);
        } catch (NumberFormatException e) {
            throw new CommandException("invalid count: " + s);
        }
    }

    private long listOffset(Session s, String spec) {
        int dot = spec.indexOf('.');
        if (dot < 0) throw new CommandException("invalid -l option: " + spec);
        Type t = lookup(s, spec.substring(0, dot));
        return Evaluator.offsetOf(t, spec.substring(dot + 1));
    }

    Type lookup(Session s, String name) {
        String n = name.startsWith(keyword + " ") ? name.substring(keyword.length() + 1) : name;
        Optional<Type> t = s.symbols().type(keyword + " " + n);
        if (t.isEmpty()) {
            Optional<Type> td = s.symbols().type(n);
            if (td.isPresent() && td.get().resolve().kind() == kind) t = Optional.of(td.get().resolve());
        }
        if (t.isEmpty()) {
            // crash finds the name whatever its kind, then refuses the other kind
            String other = kind == Kind.STRUCT ? "union " : "struct ";
            if (s.symbols().type(other + n).isPresent()) throw new CommandException("data type mismatch: " + n + " is not a " + keyword);
        }
        if (t.isEmpty() || t.get().resolve().kind() != kind) {
            if (t.isPresent()) throw new CommandException("data type mismatch: " + n + " is not a " + keyword);
            throw new CommandException("invalid data structure reference: " + n);
        }
        return t.get();
    }

    static long resolveAddress(Session s, String a) {
        if (Hex.looksLikeAddress(a)) {
            long addr = Hex.parseAddress(a);
            if (addr >= 0) throw new CommandException("invalid kernel virtual address: " + a);
            return addr;
        }
        if (Names.defined(s, a).isEmpty() && s.symbols().variable(a).isEmpty()) throw new CommandException("symbol not found: " + a);
        return Names.address(s, a);
    }

    private void declaration(StringBuilder out, Map<String, Object> data, Type type, List<String> members, boolean offsets, boolean hex) {
        String ptype = CDecl.ptype(type);
        if (members.size() > 1 && offsets) {
            // crash refuses the member list and goes on with the whole -o layout
            String refusal = keyword + ": -o option not valid with multiple member format";
            out.append(refusal).append('\n');
            data.put("warning", refusal);
            members = List.of();
        }
        if (members.isEmpty()) {
            out.append(offsets ? OffsetLayout.render(type, ptype, hex, 0) : ptype + "\n");
            out.append(sizeLine(type, hex));
        } else {
            if (members.size() > 1) throw new CommandException(offsets ? "-o option not valid with multiple member format"
                    : "multiple member format not supported in this syntax");
            String name = members.get(0);
            if (name.contains(".")) throw new CommandException("invalid data structure reference: " + type.name() + "." + name);
            Member m = OffsetLayout.findMember(type, name).orElseThrow(() -> new CommandException(
                    "invalid data structure reference: " + type.name() + "." + name));
            out.append(memberOffsetLine(type, name, hex, 0));
            data.put("member", name);
            data.put("offset", CDecl.byteOffset(m));
            data.put("member_type", CDecl.name(m.type()));
        }
        List<Object> ms = new ArrayList<>();
        for (Member m : type.resolve().members()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", m.name());
            e.put("type", CDecl.name(m.type()));
            e.put("offset", CDecl.byteOffset(m));
            if (m.isBitfield()) e.put("bits", m.bitSize());
            ms.add(e);
        }
        data.put("members", ms);
        data.put("text", out.toString());
    }

    private static String sizeLine(Type type, boolean hex) {
        return "SIZE: " + (hex ? "0x" + Long.toHexString(type.size()) : Long.toString(type.size())) + "\n";
    }

    /** The member's line of the ptype body with its offset (or address) column. */
    private static String memberOffsetLine(Type type, String name, boolean hex, long base) {
        if (name.contains(".")) throw new CommandException("invalid data structure reference: " + type.name() + "." + name);
        if (OffsetLayout.findMember(type, name).isEmpty()) {
            throw new CommandException("invalid data structure reference: " + type.name() + "." + name);
        }
        String ptype = CDecl.ptype(type);
        String[] lines = OffsetLayout.render(type, ptype, hex, base).split("\n");
        String[] plain = ptype.split("\n");
        for (int i = 1; i < plain.length && i < lines.length; i++) {
            if (declares(plain[i], name)) return lines[i] + "\n";
        }
        return "";
    }

    private static boolean declares(String line, String name) {
        String t = line.strip();
        return t.endsWith(" " + name + ";") || t.endsWith("*" + name + ";") || t.contains(" " + name + "[")
                || t.contains("*" + name + "[") || t.contains(" " + name + " :") || t.contains("(*" + name + ")");
    }

    private static Value memberValue(Value v, Type type, String path) {
        Value cur = v;
        for (String part : path.split("\\.")) {
            String name = part;
            long idx = -1;
            int br = part.indexOf('[');
            if (br >= 0) {
                name = part.substring(0, br);
                idx = Long.parseLong(part.substring(br + 1, part.indexOf(']')).trim());
            }
            Type t = cur.resolved();
            if (t.kind() == Kind.POINTER) throw new CommandException("invalid data structure member reference: " + path);
            String n = name;
            Member m = OffsetLayout.findMember(t, n).orElseThrow(() -> new CommandException(
                    "invalid data structure reference: " + type.name() + "." + path));
            cur = ValueFormatter.member(cur, m);
            if (idx >= 0) {
                Type at = cur.resolved();
                if (at.kind() != Kind.ARRAY || idx >= at.count()) throw new CommandException("invalid data structure member reference: " + path);
                cur = cur.part(at.target(), idx * at.target().resolve().size());
            }
        }
        return cur;
    }

    /** crash's member output: the member's lines of the full print, with its trailing comma. */
    private static String memberLine(ValueFormatter f, Type type, Value v, String path) {
        Value mv = memberValue(v, type, path);
        boolean comma;
        int depth = 0;
        if (path.contains(".") || path.contains("[")) {
            comma = hasNextSibling(type, path);
        } else {
            depth = anonymousDepth(type.resolve(), path, 0);
            comma = hasNextSibling(type, path);
        }
        String indent = " ".repeat(2 + 2 * Math.max(0, depth));
        return indent + path + " = " + f.value(mv, 1 + Math.max(0, depth)) + (comma ? "," : "") + "\n";
    }

    private static int anonymousDepth(Type t, String name, int depth) {
        for (Member m : t.members()) {
            if (name.equals(m.name())) return depth;
        }
        for (Member m : t.members()) {
            if (m.name() == null || m.name().isEmpty()) {
                int d = anonymousDepth(m.type().resolve(), name, depth + 1);
                if (d >= 0) return d;
            }
        }
        return -1;
    }

    /** Whether gdb prints a comma after the member (it is not the last of its enclosing struct). */
    private static boolean hasNextSibling(Type type, String path) {
        String[] parts = path.split("\\.");
        Type t = type.resolve();
        for (int i = 0; i < parts.length; i++) {
            String name = parts[i].contains("[") ? parts[i].substring(0, parts[i].indexOf('[')) : parts[i];
            Type owner = ownerOf(t, name);
            if (owner == null) return false;
            List<Member> ms = owner.members();
            for (int k = 0; k < ms.size(); k++) {
                if (name.equals(ms.get(k).name())) {
                    if (i == parts.length - 1) return k < ms.size() - 1;
                    Type next = ms.get(k).type().resolve();
                    if (next.kind() == Kind.ARRAY) next = next.target().resolve();
                    t = next;
                    break;
                }
            }
        }
        return false;
    }

    private static Type ownerOf(Type t, String name) {
        for (Member m : t.members()) {
            if (name.equals(m.name())) return t;
        }
        for (Member m : t.members()) {
            if (m.name() == null || m.name().isEmpty()) {
                Type o = ownerOf(m.type().resolve(), name);
                if (o != null) return o;
            }
        }
        return null;
    }
}
