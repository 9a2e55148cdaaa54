package org.kdive.cmd.devices.bpf;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.kdive.api.command.CommandContext;
import org.kdive.api.symbols.Enumerator;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Type;
import org.kdive.api.util.Hex;
import org.kdive.cmd.devices.access.Fmt;
import org.kdive.cmd.devices.access.IndexedTree;
import org.kdive.cmd.devices.access.Kern;

/** The loaded programs and maps (prog_idr, map_idr) and what crash's bpf reads of each. */
final class BpfObjects {
    private static final int PAGE_SIZE = 4096;
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss yyyy", Locale.ROOT);

    private final Kern k;
    private final List<IndexedTree.Entry> progs;
    private final List<IndexedTree.Entry> maps;
    private final int typeLen;
    private final int mapTypeLen;

    private BpfObjects(Kern k, List<IndexedTree.Entry> progs, List<IndexedTree.Entry> maps) {
        this.k = k;
        this.progs = progs;
        this.maps = maps;
        // crash keeps the program header at 80 columns; its map type width subtracts the length of
        // "BPF_PROG_TYPE_", not "BPF_MAP_TYPE_", from the longest map type name
        this.typeLen = Math.min(13, Math.max(enumWidth("bpf_prog_type") - "BPF_PROG_TYPE_".length(), 0));
        this.mapTypeLen = Math.max(enumWidth("bpf_map_type") - "BPF_PROG_TYPE_".length(), 0);
    }

    static BpfObjects read(Kern k, CommandContext ctx) {
        long rt = k.off("idr", "idr_rt");
        return new BpfObjects(k, IndexedTree.xarray(k, k.requireSymbol("prog_idr") + rt, ctx),
                IndexedTree.xarray(k, k.requireSymbol("map_idr") + rt, ctx));
    }

    List<IndexedTree.Entry> progs() { return progs; }

    List<IndexedTree.Entry> maps() { return maps; }

    String progHeader() {
        return Fmt.mk("ID", 4, Fmt.CENTER | Fmt.LJUST) + " " + Fmt.mk("BPF_PROG", k.vaddrLen(), Fmt.CENTER | Fmt.LJUST) + " "
                + Fmt.mk("BPF_PROG_AUX", k.vaddrLen(), Fmt.CENTER | Fmt.LJUST) + " " + Fmt.mk("BPF_PROG_TYPE", typeLen, Fmt.CENTER | Fmt.LJUST)
                + "       TAG        USED_MAPS";
    }

    String mapHeader() {
        return Fmt.mk("ID", 4, Fmt.CENTER | Fmt.LJUST) + " " + Fmt.mk("BPF_MAP", k.vaddrLen(), Fmt.CENTER | Fmt.LJUST) + " "
                + Fmt.mk("BPF_MAP_TYPE", mapTypeLen, Fmt.CENTER | Fmt.LJUST) + " MAP_FLAGS";
    }

    // ---- programs -------------------------------------------------------------------------------

    /** What crash's bpf shows of a program; -1 / null where the kernel does not keep it. */
    record Prog(long id, long addr, long aux, String typeName, String tag, List<Long> usedMaps, long xlatedLen, long jitedLen,
                long memlock, long loadTime, long loadDate, String loadDateText, Boolean gplCompatible, String name, long uid) {
        Map<String, Object> json() {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", id);
            r.put("bpfProg", Hex.json(addr));
            r.put("bpfProgAux", Hex.json(aux));
            r.put("type", typeName);
            r.put("tag", tag);
            r.put("usedMaps", usedMaps);
            return r;
        }

        Map<String, Object> detailsJson() {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("xlatedLen", xlatedLen);
            r.put("jitedLen", jitedLen);
            r.put("memlock", memlock < 0 ? null : memlock);
            r.put("loadTime", loadTime < 0 ? null : loadTime);
            r.put("loadDate", loadDate < 0 ? null : loadDate);
            r.put("gplCompatible", gplCompatible);
            r.put("name", name);
            r.put("uid", uid < 0 ? null : uid);
            return r;
        }
    }

    Prog prog(IndexedTree.Entry e) {
        long prog = e.value();
        long aux = k.ptr(prog + k.off("bpf_prog", "aux"));
        int type = k.s32(prog + k.off("bpf_prog", "type"));
        byte[] tagBytes = k.memory().read(prog + k.off("bpf_prog", "tag"), 8);
        StringBuilder tag = new StringBuilder();
        for (byte b : tagBytes) tag.append(String.format("%02x", b & 0xff));
        long xlated = k.u32(prog + k.off("bpf_prog", "len")) * k.requireSize("bpf_insn");
        long jited = k.u32(prog + k.off("bpf_prog", "jited_len"));
        // crash multiplies the u16 page count by the page size in a u16
        long memlock = k.hasMember("bpf_prog", "pages") ? (k.u16(prog + k.off("bpf_prog", "pages")) * (long) PAGE_SIZE) & 0xffff : -1;
        long loadTime = k.hasMember("bpf_prog_aux", "load_time") ? k.u64(aux + k.off("bpf_prog_aux", "load_time")) : -1;
        long loadDate = loadTime < 0 ? -1 : wallClock(loadTime);
        String loadText = loadTime < 0 ? "(unknown)"
                : loadDate < 0 ? Long.toString(loadTime / 1_000_000_000L)
                : DATE.format(Instant.ofEpochSecond(loadDate).atZone(ZoneId.systemDefault()));
        Boolean gpl = bit("bpf_prog", "gpl_compatible", prog);
        String name = k.hasMember("bpf_prog_aux", "name") ? k.inlineString(aux + k.off("bpf_prog_aux", "name"), 16) : null;
        long uid = -1;
        if (k.hasMember("bpf_prog_aux", "user") && k.hasMember("user_struct", "uid")) {
            long user = k.ptr(aux + k.off("bpf_prog_aux", "user"));
            if (user != 0 && k.readable(user)) uid = k.u32(user + k.off("user_struct", "uid"));
        }
        return new Prog(e.index(), prog, aux, enumName("bpf_prog_type", "BPF_PROG_TYPE_", type), tag.toString(), usedMaps(aux),
                xlated, jited, memlock, loadTime, loadDate, loadText, gpl, name, uid);
    }

    String progRow(Prog p) {
        String used = String.join(",", p.usedMaps().stream().map(String::valueOf).toList());
        return Fmt.mk(Long.toString(p.id()), 4, Fmt.CENTER | Fmt.LJUST) + " " + Fmt.mk(Fmt.hex(p.addr()), k.vaddrLen(), Fmt.CENTER | Fmt.LJUST)
                + " " + Fmt.mk(Fmt.hex(p.aux()), k.vaddrLen(), Fmt.CENTER | Fmt.LJUST) + " " + Fmt.mk(p.typeName(), typeLen, Fmt.CENTER | Fmt.LJUST)
                + " " + p.tag() + " " + Fmt.mk(used, 9, Fmt.CENTER | Fmt.LJUST) + " ";
    }

    /** The IDs of the maps in bpf_prog_aux.used_maps, in its order (a map no longer in map_idr is left out). */
    private List<Long> usedMaps(long aux) {
        long cnt = k.u32(aux + k.off("bpf_prog_aux", "used_map_cnt"));
        long arr = k.ptr(aux + k.off("bpf_prog_aux", "used_maps"));
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < cnt && i < 4096; i++) {
            long map;
            try {
                map = k.ptr(arr + 8L * i);
            } catch (RuntimeException e) {
                break;
            }
            for (IndexedTree.Entry m : maps) {
                if (m.value() == map) out.add(m.index());
            }
        }
        return out;
    }

    /** The program's instructions (bpf_prog.insnsi, bpf_prog.len of them), printed. */
    List<XlatedPrinter.Line> xlated(Prog p) {
        long len = k.u32(p.addr() + k.off("bpf_prog", "len"));
        byte[] code = k.memory().read(p.addr() + k.off("bpf_prog", "insnsi"), (int) Math.min(len, 1 << 20) * BpfInsn.SIZE);
        XlatedPrinter printer = new XlatedPrinter(this::mapName, this::helperName);
        return printer.lines(code);
    }

    private String mapName(long addr) {
        for (IndexedTree.Entry m : maps) {
            if (m.value() == addr) return "map[id:" + m.index() + "]";
        }
        return null;
    }

    /**
     * A helper call's callee: the verifier replaced the helper number by the function's distance from
     * __bpf_call_base; an unrewritten number below __BPF_FUNC_MAX_ID names itself through the
     * kernel's func_id_str table.
     */
    private String helperName(int imm) {
        OptionalLong max = enumValue("bpf_func_id", "__BPF_FUNC_MAX_ID");
        if (max.isEmpty()) return "unknown";
        if (imm >= 0 && imm < max.getAsLong()) {
            OptionalLong table = k.symbol("func_id_str");
            if (table.isPresent()) {
                String s = k.string(k.ptr(table.getAsLong() + (long) imm * k.pointerSize()), 256);
                if (s != null) return s;
            }
        }
        OptionalLong base = k.symbol("__bpf_call_base");
        if (base.isPresent()) {
            String at = k.symbolAt(base.getAsLong() + imm);
            if (at != null) return at;
        }
        return "unknown";
    }

    // ---- maps -----------------------------------------------------------------------------------

    record BpfMap(long id, long addr, String typeName, long flags, long keySize, long valueSize, long maxEntries, long memlock,
                  String name, long uid) {
        Map<String, Object> json() {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", id);
            r.put("bpfMap", Hex.json(addr));
            r.put("type", typeName);
            r.put("flags", flags);
            return r;
        }

        Map<String, Object> detailsJson() {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("keySize", keySize);
            r.put("valueSize", valueSize);
            r.put("maxEntries", maxEntries);
            r.put("memlock", memlock <= 0 ? null : memlock);
            r.put("name", name);
            r.put("uid", uid < 0 ? null : uid);
            return r;
        }
    }

    BpfMap map(IndexedTree.Entry e) {
        long map = e.value();
        int type = k.s32(map + k.off("bpf_map", "map_type"));
        long flags = k.u32(map + k.off("bpf_map", "map_flags"));
        long key = k.u32(map + k.off("bpf_map", "key_size"));
        long value = k.u32(map + k.off("bpf_map", "value_size"));
        long max = k.u32(map + k.off("bpf_map", "max_entries"));
        long memlock;
        long user = 0;
        if (k.hasMember("bpf_map", "memory.pages")) {            // Linux 5.3 - 5.10: struct bpf_map_memory
            memlock = k.u32(map + k.off("bpf_map", "memory.pages")) * (long) PAGE_SIZE;
            if (k.hasMember("bpf_map", "memory.user")) user = k.ptr(map + k.off("bpf_map", "memory.user"));
        } else if (k.hasMember("bpf_map", "pages")) {
            memlock = k.u32(map + k.off("bpf_map", "pages")) * (long) PAGE_SIZE;
            if (k.hasMember("bpf_map", "user")) user = k.ptr(map + k.off("bpf_map", "user"));
        } else {
            memlock = estimate(type, key, value, max);     // later kernels charge memory cgroups instead: crash's estimate
            if (k.hasMember("bpf_map", "user")) user = k.ptr(map + k.off("bpf_map", "user"));
        }
        long uid = -1;
        if (user != 0 && k.hasMember("user_struct", "uid") && k.readable(user)) uid = k.u32(user + k.off("user_struct", "uid"));
        String name = k.hasMember("bpf_map", "name") ? k.inlineString(map + k.off("bpf_map", "name"), 16) : null;
        return new BpfMap(e.index(), map, enumName("bpf_map_type", "BPF_MAP_TYPE_", type), flags, key, value, max, memlock, name, uid);
    }

    String mapRow(BpfMap m) {
        return Fmt.mk(Long.toString(m.id()), 4, Fmt.CENTER | Fmt.LJUST) + " " + Fmt.mk(Fmt.hex(m.addr()), k.vaddrLen(), Fmt.CENTER | Fmt.LJUST)
                + " " + Fmt.mk(m.typeName(), mapTypeLen, Fmt.CENTER | Fmt.LJUST) + " " + String.format(" %08x ", m.flags());
    }

    /**
     * crash's MEMLOCK estimate for kernels that no longer count map pages: entries times (key + value
     * rounded to 8; a per-CPU value once per possible CPU; an fd map's value is a u32), page-rounded.
     */
    private long estimate(int type, long key, long value, long max) {
        long valSize;
        if (type == 5 || type == 6 || type == 10 || type == 21) {          // the per-CPU hash, array, LRU hash, cgroup storage
            int cpus = possibleCpus();
            if (cpus == 0) return 0;
            valSize = ((value + 7) & ~7L) * cpus;
        } else if (type == 3 || type == 4 || type == 8 || type == 12 || type == 13) {   // prog, perf event, cgroup arrays; map-in-map
            valSize = 4;
        } else {
            valSize = value;
        }
        long size = (key + valSize + 7) & ~7L;
        return ((max * size) + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
    }

    private int possibleCpus() {
        OptionalLong mask = k.symbol("__cpu_possible_mask");
        if (mask.isEmpty()) mask = k.symbol("cpu_possible_mask");
        if (mask.isEmpty()) return 0;
        long words = Math.max(1, k.sizeOf("cpumask") / 8);
        int n = 0;
        for (long i = 0; i < words && i < 128; i++) n += Long.bitCount(k.u64(mask.getAsLong() + 8 * i));
        return n;
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** Wall-clock seconds of a CLOCK_BOOTTIME instant: the dumped kernel's offsets real - boot. */
    private long wallClock(long bootNs) {
        try {
            Optional<Type> tkCore = k.variableType("tk_core").map(Type::resolve);
            OptionalLong tkCoreAddr = k.symbol("tk_core");
            if (tkCore.isEmpty() || tkCoreAddr.isEmpty()) return -1;
            Optional<Member> tk = tkCore.get().member("timekeeper");
            if (tk.isEmpty()) return -1;
            long base = tkCoreAddr.getAsLong() + tk.get().offset();
            long offsReal = k.u64(base + k.off("timekeeper", "offs_real"));
            long offsBoot = k.u64(base + k.off("timekeeper", "offs_boot"));
            return Math.floorDiv(bootNs + offsReal - offsBoot, 1_000_000_000L);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private Boolean bit(String struct, String member, long base) {
        Optional<Member> m = k.member(struct, member);
        if (m.isEmpty()) return null;
        if (!m.get().isBitfield()) return k.u8(base + m.get().offset()) != 0;
        long word = k.u64(base + m.get().offset());
        return ((word >>> m.get().bitOffset()) & ((1L << m.get().bitSize()) - 1)) != 0;
    }

    private Optional<Type> enumType(String name) {
        return k.type("enum " + name).map(Type::resolve).filter(t -> t.enumerators() != null && !t.enumerators().isEmpty());
    }

    private OptionalLong enumValue(String enumName, String name) {
        return enumType(enumName).map(t -> t.enumeratorValue(name)).orElse(OptionalLong.empty());
    }

    /** The longest enumerator name of the enum (crash's column width comes from it). */
    private int enumWidth(String enumName) {
        int max = 0;
        for (Enumerator e : enumType(enumName).map(Type::enumerators).orElse(List.of())) max = Math.max(max, e.name().length());
        return max;
    }

    private String enumName(String enumName, String prefix, long value) {
        for (Enumerator e : enumType(enumName).map(Type::enumerators).orElse(List.of())) {
            if (e.value() == value) return e.name().startsWith(prefix) ? e.name().substring(prefix.length()) : e.name();
        }
        return "";
    }
}
