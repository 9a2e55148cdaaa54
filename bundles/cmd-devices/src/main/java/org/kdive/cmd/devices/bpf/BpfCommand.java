package org.kdive.cmd.devices.bpf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.symbols.Enumerator;
import org.kdive.api.symbols.Type;
import org.kdive.api.util.Hex;
import org.kdive.cmd.devices.access.Fmt;
import org.kdive.cmd.devices.access.IndexedTree;
import org.kdive.cmd.devices.access.Kern;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * crash's {@code bpf}: the loaded eBPF programs (prog_idr) and maps (map_idr): ID, bpf_prog /
 * bpf_prog_aux, type, tag and used maps; map type and flags. {@code -p ID}/{@code -m ID} one program
 * or map with details, {@code -P}/{@code -M} all with details, {@code -s} the structures.
 * The translated (-t/-T) and jited (-j) instruction listings are not available in kdive: their
 * options are checked as crash checks them, and a kernel with programs says the listing is missing.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=bpf")
public class BpfCommand implements Command {
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, target = "(" + Command.NAME_PROPERTY + "=struct)")
    private volatile Command struct;

    public BpfCommand() {
    }

    public BpfCommand(Command struct) {
        this.struct = struct;
    }

    @Override public String name() { return "bpf"; }

    @Override public String description() { return "loaded eBPF programs and maps"; }

    @Override
    public String usage() {
        return """
                bpf - extended Berkeley Packet Filter (eBPF)
                bpf [[-p ID | -P] [-s] [-x|-d]] [[-m ID] | -M] [-s] [-x|-d]]
                  Without options, lists every loaded eBPF program (ID, struct bpf_prog, struct
                  bpf_prog_aux, program type, tag, IDs of the maps it uses) and every map (ID, struct
                  bpf_map, map type, flags). A kernel with none prints nothing.
                    -p ID  one program, with its sizes, name and user.
                    -P     every program, with the same details.
                    -m ID  one map, with key/value sizes, entries, name and user.
                    -M     every map, with the same details.
                    -s     with -p/-P/-m/-M: also the bpf_prog, bpf_prog_aux and bpf_map structures.
                    -x/-d  with -s: numbers in hex or decimal.
                    -j, -t, -T  with -p/-P: checked as crash checks them (only with -p or -P; an
                                unknown ID is an error; no programs, no output); the jited and
                                translated instruction listings themselves are not available yet.
                JSON
                  {programs: [{id, bpfProg, bpfProgAux, type, tag, usedMaps, ...}], maps: [{id, bpfMap,
                  type, flags, ...}]}.
                """;
    }

    @Override
    public Result execute(CommandContext context, List<String> args) {
        Args a = Args.parse(args, Set.of("P", "M", "t", "T", "j", "s", "x", "d"), Set.of("p", "m"));
        boolean progId = a.has("p");
        boolean mapId = a.has("m");
        boolean progVerbose = a.has("P");
        boolean mapVerbose = a.has("M");
        boolean any = progId || mapId || progVerbose || mapVerbose;
        boolean listings = a.has("j") || a.has("t") || a.has("T");
        if (a.has("j") && !progId && !progVerbose) throw new CommandException("-j option only applicable with -p or -P", CommandException.USAGE);
        if ((a.has("t") || a.has("T")) && !progId && !progVerbose) {
            throw new CommandException("-t option only applicable with -p or -P", CommandException.USAGE);
        }
        if (a.has("s") && !any) throw new CommandException("-s option requires either -p, -P, -m or -M", CommandException.USAGE);
        if ((a.has("x") || a.has("d")) && !any) throw new CommandException("-" + (a.has("d") ? "d" : "x") + " option requires -s", CommandException.USAGE);
        if (!a.positional().isEmpty()) throw new CommandException("invalid argument: " + a.positional(0), CommandException.USAGE);
        Kern k = Kern.of(context.session());
        if (!k.hasSymbol("prog_idr") || !k.hasSymbol("map_idr") || !k.hasStruct("bpf_prog") || !k.hasStruct("bpf_map")) {
            throw new CommandException("command not supported or applicable on this architecture or kernel");
        }
        String radix = a.has("x") ? "-x" : a.has("d") ? "-d" : null;
        List<IndexedTree.Entry> progs = IndexedTree.xarray(k, k.requireSymbol("prog_idr") + k.off("idr", "idr_rt"), context);
        List<IndexedTree.Entry> maps = IndexedTree.xarray(k, k.requireSymbol("map_idr") + k.off("idr", "idr_rt"), context);
        long pid = progId ? number(a.value("p")) : -1;
        long mid = mapId ? number(a.value("m")) : -1;
        if (progId && progs.stream().noneMatch(e -> e.index() == pid)) {
            throw new CommandException("invalid program ID: " + pid, CommandException.NOT_FOUND);
        }
        if (mapId && maps.stream().noneMatch(e -> e.index() == mid)) {
            throw new CommandException("invalid map ID: " + mid, CommandException.NOT_FOUND);
        }
        if (listings && !progs.isEmpty()) {
            // no dump of the corpus or of dumps/ has a loaded program to check a listing against
            throw new CommandException("-j, -t and -T (jited and translated instruction listings) are not available in kdive yet",
                    CommandException.USAGE);
        }
        boolean doProgs = !any || progId || progVerbose;
        boolean doMaps = !any || mapId || mapVerbose;
        int typeLen = Math.min(13, enumWidth(k, "bpf_prog_type", "BPF_PROG_TYPE_"));
        int mapTypeLen = Math.min(22, enumWidth(k, "bpf_map_type", "BPF_MAP_TYPE_"));
        String progHdr = Fmt.mk("ID", 4, Fmt.CENTER | Fmt.LJUST) + " " + Fmt.mk("BPF_PROG", k.vaddrLen(), Fmt.CENTER | Fmt.LJUST) + " "
                + Fmt.mk("BPF_PROG_AUX", k.vaddrLen(), Fmt.CENTER | Fmt.LJUST) + " " + Fmt.mk("BPF_PROG_TYPE", typeLen, Fmt.CENTER | Fmt.LJUST)
                + "       TAG        USED_MAPS";
        String mapHdr = Fmt.mk("ID", 4, Fmt.CENTER | Fmt.LJUST) + " " + Fmt.mk("BPF_MAP", k.vaddrLen(), Fmt.CENTER | Fmt.LJUST) + " "
                + Fmt.mk("BPF_MAP_TYPE", mapTypeLen, Fmt.CENTER | Fmt.LJUST) + " MAP_FLAGS";
        StringBuilder sb = new StringBuilder();
        List<Object> progRows = new ArrayList<>();
        List<Object> mapRows = new ArrayList<>();
        if (doProgs) {
            int entries = 0;
            for (IndexedTree.Entry e : progs) {
                context.checkCancelled();
                if (progId && !progVerbose && e.index() != pid) continue;
                long prog = e.value();
                long aux = k.ptr(prog + k.off("bpf_prog", "aux"));
                if (entries > 0 && progVerbose) sb.append('\n').append(progHdr).append('\n');
                if (entries++ == 0) sb.append(progHdr).append('\n');
                int type = k.s32(prog + k.off("bpf_prog", "type"));
                String typeName = enumName(k, "bpf_prog_type", "BPF_PROG_TYPE_", type);
                byte[] tagBytes = k.memory().read(prog + k.off("bpf_prog", "tag"), 8);
                StringBuilder tag = new StringBuilder();
                for (byte b : tagBytes) tag.append(String.format("%02x", b & 0xff));
                String used = usedMaps(k, aux, maps);
                sb.append(Fmt.mk(Long.toString(e.index()), 4, Fmt.CENTER | Fmt.LJUST)).append(' ')
                        .append(Fmt.mk(Fmt.hex(prog), k.vaddrLen(), Fmt.CENTER | Fmt.LJUST)).append(' ')
                        .append(Fmt.mk(Fmt.hex(aux), k.vaddrLen(), Fmt.CENTER | Fmt.LJUST)).append(' ')
                        .append(Fmt.mk(typeName, typeLen, Fmt.CENTER | Fmt.LJUST)).append(' ')
                        .append(tag).append(' ').append(Fmt.mk(used, 9, Fmt.CENTER | Fmt.LJUST)).append(" \n");
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("id", e.index());
                r.put("bpfProg", Hex.json(prog));
                r.put("bpfProgAux", Hex.json(aux));
                r.put("type", typeName);
                r.put("tag", tag.toString());
                r.put("usedMaps", used);
                if (progId || progVerbose) {
                    long xlated = k.u32(prog + k.off("bpf_prog", "len")) * k.requireSize("bpf_insn");
                    long jited = k.u32(prog + k.off("bpf_prog", "jited_len"));
                    sb.append("     XLATED: ").append(xlated).append("  JITED: ").append(jited).append("  MEMLOCK: ");
                    if (k.hasMember("bpf_prog", "pages")) sb.append((k.u16(prog + k.off("bpf_prog", "pages")) * 4096L) & 0xffff).append('\n');
                    else sb.append("(unknown)\n");
                    String name = k.hasMember("bpf_prog_aux", "name") ? k.inlineString(aux + k.off("bpf_prog_aux", "name"), 16) : null;
                    sb.append("     NAME: ").append(name == null ? "(unknown)" : name.isEmpty() ? "(unused)" : "\"" + name + "\"").append('\n');
                    r.put("xlated", xlated);
                    r.put("jited", jited);
                    r.put("name", name);
                }
                if (a.has("s")) {
                    sb.append('\n').append(dump(context, "bpf_prog", prog, radix)).append('\n').append(dump(context, "bpf_prog_aux", aux, radix));
                }
                progRows.add(r);
            }
            if (doMaps) sb.append('\n');
        }
        if (doMaps) {
            int entries = 0;
            for (IndexedTree.Entry e : maps) {
                context.checkCancelled();
                if (mapId && !mapVerbose && e.index() != mid) continue;
                long map = e.value();
                if (entries > 0 && mapVerbose) sb.append('\n').append(mapHdr).append('\n');
                if (entries++ == 0) sb.append(mapHdr).append('\n');
                int type = k.s32(map + k.off("bpf_map", "map_type"));
                String typeName = enumName(k, "bpf_map_type", "BPF_MAP_TYPE_", type);
                long flags = k.u32(map + k.off("bpf_map", "map_flags"));
                sb.append(Fmt.mk(Long.toString(e.index()), 4, Fmt.CENTER | Fmt.LJUST)).append(' ')
                        .append(Fmt.mk(Fmt.hex(map), k.vaddrLen(), Fmt.CENTER | Fmt.LJUST)).append(' ')
                        .append(Fmt.mk(typeName, mapTypeLen, Fmt.CENTER | Fmt.LJUST)).append(' ')
                        .append(String.format(" %08x \n", flags));
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("id", e.index());
                r.put("bpfMap", Hex.json(map));
                r.put("type", typeName);
                r.put("flags", flags);
                if (mapId || mapVerbose) {
                    long key = k.u32(map + k.off("bpf_map", "key_size"));
                    long value = k.u32(map + k.off("bpf_map", "value_size"));
                    long max = k.u32(map + k.off("bpf_map", "max_entries"));
                    sb.append("     KEY_SIZE: ").append(key).append("  VALUE_SIZE: ").append(value).append("  MAX_ENTRIES: ").append(max).append('\n');
                    String name = k.hasMember("bpf_map", "name") ? k.inlineString(map + k.off("bpf_map", "name"), 16) : null;
                    sb.append("     NAME: ").append(name == null ? "(unknown)" : name.isEmpty() ? "(unused)" : "\"" + name + "\"").append('\n');
                    r.put("keySize", key);
                    r.put("valueSize", value);
                    r.put("maxEntries", max);
                    r.put("name", name);
                }
                if (a.has("s")) sb.append('\n').append(dump(context, "bpf_map", map, radix));
                mapRows.add(r);
            }
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("programs", progRows);
        data.put("maps", mapRows);
        return Result.of(sb.toString(), data);
    }

    private static long number(String s) {
        try {
            return s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new CommandException("invalid ID: " + s, CommandException.USAGE);
        }
    }

    private static Optional<Type> enumType(Kern k, String name) {
        return k.type("enum " + name).map(Type::resolve).filter(t -> t.enumerators() != null && !t.enumerators().isEmpty());
    }

    /** The longest enumerator name less its prefix (crash's column width for the type). */
    private static int enumWidth(Kern k, String enumName, String prefix) {
        int max = 0;
        for (Enumerator e : enumType(k, enumName).map(Type::enumerators).orElse(List.of())) max = Math.max(max, e.name().length());
        return Math.max(max - prefix.length(), 0);
    }

    private static String enumName(Kern k, String enumName, String prefix, long value) {
        for (Enumerator e : enumType(k, enumName).map(Type::enumerators).orElse(List.of())) {
            if (e.value() == value) return e.name().startsWith(prefix) ? e.name().substring(prefix.length()) : e.name();
        }
        return "";
    }

    private static String usedMaps(Kern k, long aux, List<IndexedTree.Entry> maps) {
        long cnt = k.u32(aux + k.off("bpf_prog_aux", "used_map_cnt"));
        long arr = k.ptr(aux + k.off("bpf_prog_aux", "used_maps"));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cnt && i < 4096; i++) {
            long map;
            try {
                map = k.ptr(arr + 8L * i);
            } catch (RuntimeException e) {
                break;
            }
            for (IndexedTree.Entry m : maps) {
                if (m.value() == map) sb.append(sb.length() > 0 ? "," : "").append(m.index());
            }
        }
        return sb.toString();
    }

    private String dump(CommandContext ctx, String type, long addr, String radix) {
        Command c = struct;
        if (c == null) return "(struct " + type + " " + Fmt.hex(addr) + ": the struct command is not available)\n";
        List<String> a = new ArrayList<>(List.of(type, Hex.json(addr)));
        if (radix != null) a.add(radix);
        return c.execute(ctx, a).text();
    }
}
