package org.kdive.cmd.devices.bpf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.kdive.api.command.Args;
import org.kdive.api.command.Command;
import org.kdive.api.command.CommandContext;
import org.kdive.api.command.CommandException;
import org.kdive.api.command.Result;
import org.kdive.api.dis.Disassembler;
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
 * or map with details (sizes, load time, licence, name, owner), {@code -P}/{@code -M} all of them,
 * {@code -s} the structures, {@code -t}/{@code -T} the translated eBPF instructions (with their
 * bytes), {@code -j} the JIT-ed native code through the session architecture's
 * {@link Disassembler} service.
 *
 * <p>Where crash 8.0.6 prints something untrue, this prints the truth: the load time is the dumped
 * system's wall clock (crash adds the load time since boot to the boot time of the machine it
 * runs on); see {@link XlatedPrinter} for instructions crash cannot name; {@code -j} of a program
 * with bpf-to-bpf calls on kernels before 5.13, whose bpf_prog says jited_len 0 although its main
 * function is JIT-ed (crash: "(program not jited)"), lists the main function's image (aux->func[0]).
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = Command.class, property = Command.NAME_PROPERTY + "=bpf")
public class BpfCommand implements Command {
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, target = "(" + Command.NAME_PROPERTY + "=struct)")
    private volatile Command struct;

    private final List<Disassembler> disassemblers = new CopyOnWriteArrayList<>();

    public BpfCommand() {
    }

    /** Outside OSGi: {@code struct} for -s (may be null), the disassemblers for -j (may be none). */
    public BpfCommand(Command struct, Disassembler... disassemblers) {
        this.struct = struct;
        this.disassemblers.addAll(List.of(disassemblers));
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addDisassembler(Disassembler d) {
        disassemblers.add(d);
    }

    void removeDisassembler(Disassembler d) {
        disassemblers.remove(d);
    }

    @Override public String name() { return "bpf"; }

    @Override public String description() { return "loaded eBPF programs and maps, their instructions and JIT-ed code"; }

    @Override
    public String usage() {
        return """
                bpf - extended Berkeley Packet Filter (eBPF)
                bpf [[-p ID | -P] [-tTj] [-s] [-x|-d]] [[-m ID | -M] [-s] [-x|-d]]
                  Without options, lists every loaded eBPF program (ID, struct bpf_prog, struct
                  bpf_prog_aux, program type, tag, IDs of the maps it uses) and every map (ID, struct
                  bpf_map, map type, flags). A kernel with none prints nothing.
                    -p ID  one program, with its translated and JIT-ed sizes, MEMLOCK (pages charged),
                           load time (the dumped system's wall clock), whether its licence is GPL
                           compatible, its name and the UID that loaded it.
                    -P     every program, with the same details.
                    -t     with -p/-P: the translated eBPF instructions (after the verifier's
                           rewrites), as the kernel's disassembler prints them: map addresses as
                           map[id:N], helper calls by name, bpf-to-bpf calls as "call pc+N".
                    -T     as -t, each instruction followed by its raw bytes (16 for ld_imm64).
                    -j     with -p/-P: the JIT-ed native code, disassembled (x86_64: AT&T syntax as
                           gdb prints it), call and jump targets named by symbol.
                    -m ID  one map, with key/value sizes, entries, MEMLOCK, name and UID.
                    -M     every map, with the same details.
                    -s     with -p/-P/-m/-M: also the bpf_prog, bpf_prog_aux and bpf_map structures.
                    -x/-d  with -s: numbers in hex or decimal.
                  Differences from crash 8.0.6 (which prints these wrongly): LOAD_TIME from the dump,
                  not from the host's clock; JMP32 branches, the kernel's internal tail call and the
                  atomic operations other than add named as the kernel names them (crash: "BUG",
                  "if r0 (null) ..."); -j of a program with subprograms on Linux < 5.13 lists its
                  main function (crash: "(program not jited)").
                JSON
                  {programs: [{id, bpfProg, bpfProgAux, type, tag, usedMaps: [ids], xlatedLen, jitedLen,
                  memlock, loadTime (ns since boot), loadDate (epoch s), gplCompatible, name, uid,
                  instructions: [{index, code, dstReg, srcReg, off, imm, text, bytes}],
                  jited: [{address, bytes, mnemonic, operands, target, text}]}],
                  maps: [{id, bpfMap, type, flags, keySize, valueSize, maxEntries, memlock, name, uid}]}.
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
        boolean jited = a.has("j");
        boolean xlated = a.has("t") || a.has("T");
        if (a.has("x") && a.has("d")) throw new CommandException("-d and -x are mutually exclusive", CommandException.USAGE);
        if (jited && !progId && !progVerbose) throw new CommandException("-j option only applicable with -p or -P", CommandException.USAGE);
        if (xlated && !progId && !progVerbose) throw new CommandException("-t option only applicable with -p or -P", CommandException.USAGE);
        if (a.has("s") && !any) throw new CommandException("-s option requires either -p, -P, -m or -M", CommandException.USAGE);
        if ((a.has("x") || a.has("d")) && !any) throw new CommandException("-" + (a.has("d") ? "d" : "x") + " option requires -s", CommandException.USAGE);
        if (!a.positional().isEmpty()) throw new CommandException("invalid argument: " + a.positional(0), CommandException.USAGE);
        Kern k = Kern.of(context.session());
        if (!k.hasSymbol("prog_idr") || !k.hasSymbol("map_idr") || !k.hasStruct("bpf_prog") || !k.hasStruct("bpf_map")) {
            throw new CommandException("command not supported or applicable on this architecture or kernel");
        }
        String radix = a.has("x") ? "-x" : a.has("d") ? "-d" : null;
        BpfObjects objs = BpfObjects.read(k, context);
        long pid = progId ? number(a.value("p")) : -1;
        long mid = mapId ? number(a.value("m")) : -1;
        if (progId && objs.progs().stream().noneMatch(e -> e.index() == pid)) {
            throw new CommandException("invalid program ID: " + pid, CommandException.NOT_FOUND);
        }
        if (mapId && objs.maps().stream().noneMatch(e -> e.index() == mid)) {
            throw new CommandException("invalid map ID: " + mid, CommandException.NOT_FOUND);
        }
        boolean doProgs = !any || progId || progVerbose;
        boolean doMaps = !any || mapId || mapVerbose;
        StringBuilder sb = new StringBuilder();
        List<Object> progRows = new ArrayList<>();
        List<Object> mapRows = new ArrayList<>();
        if (doProgs) {
            int entries = 0;
            for (IndexedTree.Entry e : objs.progs()) {
                context.checkCancelled();
                if (e.value() == 0) continue;
                if (progId && !progVerbose && e.index() != pid) continue;
                BpfObjects.Prog p = objs.prog(e);
                if (entries > 0 && progVerbose) sb.append('\n').append(objs.progHeader()).append('\n');
                if (entries++ == 0) sb.append(objs.progHeader()).append('\n');
                sb.append(objs.progRow(p)).append('\n');
                Map<String, Object> r = p.json();
                if (progId || progVerbose) {
                    sb.append("     XLATED: ").append(p.xlatedLen()).append("  JITED: ").append(p.jitedLen()).append("  MEMLOCK: ")
                            .append(p.memlock() < 0 ? "(unknown)" : Long.toString(p.memlock())).append('\n');
                    sb.append("     LOAD_TIME: ").append(p.loadDateText()).append('\n');
                    sb.append("     GPL_COMPATIBLE: ").append(p.gplCompatible() == null ? "(unknown)" : p.gplCompatible() ? "yes" : "no");
                    sb.append("  NAME: ").append(p.name() == null ? "(unknown)" : p.name().isEmpty() ? "(unused)" : "\"" + p.name() + "\"");
                    sb.append("  UID: ").append(p.uid() < 0 ? "(unknown)" : Long.toString(p.uid())).append('\n');
                    r.putAll(p.detailsJson());
                }
                if (jited) {
                    sb.append('\n');
                    JitListing.Image image = JitListing.image(k, p);
                    if (image == null) {
                        sb.append("(program not jited)\n");
                    } else {
                        List<JitListing.Line> lines = JitListing.lines(context, k, pick(context), image);
                        for (JitListing.Line l : lines) sb.append(l.text()).append('\n');
                        r.put("jited", lines.stream().map(JitListing.Line::json).toList());
                    }
                }
                if (xlated) {
                    sb.append('\n');
                    List<XlatedPrinter.Line> lines = objs.xlated(p);
                    sb.append(XlatedPrinter.render(lines, a.has("T")));
                    r.put("instructions", lines.stream().map(XlatedPrinter.Line::json).toList());
                }
                if (a.has("s")) {
                    sb.append('\n').append(dump(context, "bpf_prog", p.addr(), radix)).append('\n').append(dump(context, "bpf_prog_aux", p.aux(), radix));
                }
                progRows.add(r);
            }
            if (doMaps) sb.append('\n');
        }
        if (doMaps) {
            int entries = 0;
            for (IndexedTree.Entry e : objs.maps()) {
                context.checkCancelled();
                if (e.value() == 0) continue;
                if (mapId && !mapVerbose && e.index() != mid) continue;
                BpfObjects.BpfMap m = objs.map(e);
                if (entries > 0 && mapVerbose) sb.append('\n').append(objs.mapHeader()).append('\n');
                if (entries++ == 0) sb.append(objs.mapHeader()).append('\n');
                sb.append(objs.mapRow(m)).append('\n');
                Map<String, Object> r = m.json();
                if (mapId || mapVerbose) {
                    sb.append("     KEY_SIZE: ").append(m.keySize()).append("  VALUE_SIZE: ").append(m.valueSize())
                            .append("  MAX_ENTRIES: ").append(m.maxEntries())
                            .append("  MEMLOCK: ").append(m.memlock() <= 0 ? "(unknown)" : Long.toString(m.memlock())).append('\n');
                    sb.append("     NAME: ").append(m.name() == null ? "(unknown)" : m.name().isEmpty() ? "(unused)" : "\"" + m.name() + "\"");
                    sb.append("  UID: ").append(m.uid() < 0 ? "(unused)" : Long.toString(m.uid())).append('\n');
                    r.putAll(m.detailsJson());
                }
                if (a.has("s")) sb.append('\n').append(dump(context, "bpf_map", m.addr(), radix));
                mapRows.add(r);
            }
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("programs", progRows);
        data.put("maps", mapRows);
        return Result.of(sb.toString(), data);
    }

    private Disassembler pick(CommandContext context) {
        String machine = context.session().arch().machine();
        for (Disassembler d : disassemblers) {
            if (d.supports(machine)) return d;
        }
        throw new CommandException("bpf -j: no disassembler for " + machine + " is installed (the architecture's bundle registers it)");
    }

    private static long number(String s) {
        try {
            return s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new CommandException("invalid ID: " + s, CommandException.USAGE);
        }
    }

    private String dump(CommandContext ctx, String type, long addr, String radix) {
        Command c = struct;
        if (c == null) return "(struct " + type + " " + Fmt.hex(addr) + ": the struct command is not available)\n";
        List<String> a = new ArrayList<>(List.of(type, Hex.json(addr)));
        if (radix != null) a.add(radix);
        return c.execute(ctx, a).text();
    }
}
