package org.kdive.symbols.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.kdive.api.session.OpenRequest;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.DebugInfo;
import org.kdive.api.symbols.LoadSpec;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Type.Kind;
import org.kdive.api.symbols.Variable;
import org.kdive.arch.x86.X86Architecture;
import org.kdive.core.KdiveSessions;
import org.kdive.format.diskdump.DiskdumpFormat;
import org.kdive.symbols.btf.kernel.KernelBtf;
import org.kdive.symbols.btf.types.BtfTypes;
import org.kdive.symbols.dwarf.DwarfDebugInfoProvider;
import org.kdive.test.Corpus;

/**
 * The corpus dump's own BTF (no vmlinux) against the vmlinux's DWARF: every struct, union, enum and
 * typedef the BTF names has the same size, members (name, offset, bit position, spelled type) and
 * enumerators, except for the differences BTF's format forces, each counted and explained.
 */
class KernelBtfCorpusTest {
    private static Session btfSession;
    private static DebugInfo dwarf;

    static synchronized Session btfSession() {
        if (btfSession == null) {
            KdiveSessions sessions = new KdiveSessions(List.of(new DiskdumpFormat()), List.of(new X86Architecture()),
                    List.of(new DwarfDebugInfoProvider(), new BtfDebugInfoProvider()), List.of());
            try {
                btfSession = sessions.open(new OpenRequest(List.of(Corpus.file("vmcore.kdump-zlib")), null, false));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return btfSession;
    }

    static synchronized DebugInfo dwarf() throws IOException {
        if (dwarf == null) {
            long kaslr = btfSession().vmcoreinfo().kernelOffset().orElse(0);
            dwarf = new DwarfDebugInfoProvider().open(Corpus.vmlinux(), LoadSpec.vmlinux(kaslr));
        }
        return dwarf;
    }

    private static final java.util.function.Supplier<BtfDebugInfo> BTF_HOLDER = new java.util.function.Supplier<>() {
        private BtfDebugInfo di;

        @Override
        public synchronized BtfDebugInfo get() {
            if (di == null) {
                Session s = btfSession();
                di = (BtfDebugInfo) new BtfDebugInfoProvider().openKernelMemory(new org.kdive.api.symbols.KernelMemory() {
                    @Override public org.kdive.api.session.Memory memory() { return s.memory(); }

                    @Override public org.kdive.api.symbols.SymbolTable symbols() { return s.symbols(); }

                    @Override public org.kdive.api.dump.VmcoreInfo vmcoreinfo() { return s.vmcoreinfo(); }

                    @Override public List<java.nio.file.Path> dumpFiles() { return s.dump().files(); }

                    @Override public void warn(String message) { throw new AssertionError(message); }
                }).orElseThrow();
            }
            return di;
        }
    };

    @Test
    void opensWithoutVmlinuxAndSaysWhereTypesComeFrom() {
        Session s = btfSession();
        assertTrue(s.vmlinux().isEmpty());
        String line = s.warnings().stream().filter(w -> w.startsWith("no vmlinux: types from the dump's BTF")).findFirst()
                .orElseThrow(() -> new AssertionError(s.warnings().toString()));
        assertTrue(line.contains("symbols from kallsyms, stacks from ORC"), line);
        assertEquals(16, s.symbols().type("struct list_head").orElseThrow().size());
        Type ts = s.symbols().type("struct task_struct").orElseThrow();
        // what the commands read: the task list, its PID, the state enum
        assertEquals(dwarfMember("task_struct", "tasks"), ts.member("tasks").orElseThrow().offset());
        assertEquals(dwarfMember("task_struct", "pid"), ts.member("pid").orElseThrow().offset());
        Type pf = s.symbols().enumeratorType("PG_slab").orElseThrow();
        assertEquals("pageflags", pf.name());
        try {
            assertEquals(dwarf().enumeratorType("PG_slab").orElseThrow().enumeratorValue("PG_slab"), pf.enumeratorValue("PG_slab"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long dwarfMember(String struct, String member) {
        try {
            return dwarf().type("struct " + struct).orElseThrow().member(member).orElseThrow().offset();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void moduleBtfThroughBtfModules() {
        KernelBtf k = (KernelBtf) BTF_HOLDER.get().source();
        long t0 = System.nanoTime();
        k.vmlinux();
        long t1 = System.nanoTime();
        KernelBtf.ModuleStatus st = k.moduleStatus();
        long t2 = System.nanoTime();
        System.out.printf("vmlinux BTF: %d bytes, %d types: read+parse %.1f ms (this call %.1f ms); modules' BTF %.1f ms%n",
                k.size(), k.vmlinux().btf().count(), k.loadNanos() / 1e6, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
        assertTrue(st.problems().isEmpty(), st.problems().toString());
        assertTrue(st.withBtf().containsAll(List.of("virtio_blk", "virtio_ring", "virtio")), st.withBtf().toString());
        assertEquals(List.of("vqbug"), st.withoutBtf(), "vqbug was built out of tree without pahole");
        Type vb = BTF_HOLDER.get().type("struct virtio_blk").orElseThrow();
        assertEquals("struct virtio_device *", vb.member("vdev").orElseThrow().type().cName());
        Type vq = BTF_HOLDER.get().type("struct vring_virtqueue").orElseThrow();
        // the module's DWARF agrees: llvm-dwarfdump --name=vring_virtqueue modules/virtio_ring.ko: DW_AT_byte_size 0xd0
        assertEquals(0xd0, vq.size());
    }

    @Test
    void perCpuVariablesFromTheDatasec() throws IOException {
        Variable rq = BTF_HOLDER.get().variable("runqueues").orElseThrow();
        Variable d = dwarf().variable("runqueues").orElseThrow();
        assertEquals(d.address(), rq.address());
        assertEquals("struct rq", rq.type().cName());
        assertTrue(BTF_HOLDER.get().variable("jiffies").isEmpty(), "BTF does not type ordinary globals");
    }

    @Test
    void functionPrototypes() throws IOException {
        Type f = BTF_HOLDER.get().function("vfs_read").orElseThrow();
        Type d = dwarf().function("vfs_read").orElseThrow();
        assertEquals(d.cName(), f.cName());
        assertEquals(d.parameterNames(), f.parameterNames());
    }

    /** Every named struct, union and enum, and every typedef, against DWARF. */
    @Test
    void everyTypeMatchesDwarf() throws IOException {
        BtfTypes vm = ((KernelBtf) BTF_HOLDER.get().source()).vmlinux();
        DebugInfo dw = dwarf();
        Map<String, Integer> reasons = new TreeMap<>();
        List<String> unexplained = new ArrayList<>();
        int compared = 0;
        for (String kw : List.of("struct", "union", "enum")) {
            for (String tag : vm.tags(kw)) {
                String name = kw + " " + tag;
                Type b = vm.byName(name).orElseThrow();
                Optional<Type> d = dw.type(name);
                if (d.isEmpty() || (d.get().isDeclaration() && !b.isDeclaration())) {
                    // symbols-dwarf's index: no entry, or a declaration where a CU defines the type
                    reasons.merge("DWARF side: the name index gives no definition or only a declaration", 1, Integer::sum);
                    continue;
                }
                compared++;
                String diff = compare(b, d.get());
                if (diff != null && vm.isRedefined(name)) {
                    reasons.merge("defined more than once (native and compat code): BTF and DWARF may pick another", 1, Integer::sum);
                } else if (diff != null) {
                    classify(name, diff, reasons, unexplained);
                }
            }
        }
        for (String n : vm.ordinaryNames()) {
            Type b = vm.byName(n).orElseThrow();
            Optional<Type> d = dw.type(n);
            if (d.isEmpty()) {
                unexplained.add(n + ": not in DWARF");
                continue;
            }
            compared++;
            if (b.size() != d.get().size() && d.get().size() == -1) {
                reasons.merge("DWARF side: a typedef of a type the picked unit only declares", 1, Integer::sum);
            } else if (b.size() != d.get().size() && d.get().resolve().kind() == Kind.ARRAY && d.get().resolve().count() == 0) {
                reasons.merge("DWARF side: symbols-dwarf reads an upper bound 0xff/0xffff (DW_FORM_data1/2) as gcc's [0] marker", 1, Integer::sum);
            } else if (b.size() != d.get().size()) classify(n, "size " + b.size() + " vs " + d.get().size(), reasons, unexplained);
            else if (!b.cName().equals(d.get().cName())) classify(n, "spelled " + b.cName() + " vs " + d.get().cName(), reasons, unexplained);
        }
        System.out.println("compared " + compared + " named types; explained differences: " + reasons);
        // every named struct, union, enum and ordinary name of the corpus kernel's BTF but the 14 the DWARF index misses
        assertEquals(14, reasons.get("DWARF side: the name index gives no definition or only a declaration"), reasons.toString());
        assertEquals(10542, compared, "compared " + compared);
        assertTrue(unexplained.size() <= 0, unexplained.size() + " unexplained:\n" + String.join("\n", unexplained.subList(0, Math.min(60, unexplained.size()))));
    }

    /** Known, explained differences; anything else is unexplained. */
    private static void classify(String name, String diff, Map<String, Integer> reasons, List<String> unexplained) {
        String reason = null;
        if (diff.contains("count -1 vs 0")) reason = "BTF writes x[0] and x[] alike: read as x[]";
        if (diff.startsWith("flattened ")) reason = "pahole writes x[M][N] as one array x[M*N]";
        if (diff.endsWith("count 256 vs 0") || diff.endsWith("count 65536 vs 0")) {
            reason = "DWARF side: symbols-dwarf reads an upper bound 0xff/0xffff (DW_FORM_data1/2) as gcc's [0] marker";
        }
        if (diff.startsWith("sign-extended ")) {
            reason = "DWARF side: symbols-dwarf sign-extends DW_FORM_data1/2 enumerators (225 read as -31) of a signed enum";
        }
        if (reason == null) unexplained.add(name + ": " + diff);
        else reasons.merge(reason, 1, Integer::sum);
    }

    /** Whether the DWARF values differ only as 8- or 16-bit constants read with their sign bit extended. */
    private static boolean onlySignExtended(List<org.kdive.api.symbols.Enumerator> btf, List<org.kdive.api.symbols.Enumerator> dw) {
        if (btf.size() != dw.size()) return false;
        for (int i = 0; i < btf.size(); i++) {
            long x = btf.get(i).value(), y = dw.get(i).value();
            if (!btf.get(i).name().equals(dw.get(i).name())) return false;
            if (x != y && !(x >= 128 && x < 256 && y == x - 256) && !(x >= 32768 && x < 65536 && y == x - 65536)) return false;
        }
        return true;
    }

    /** Elements of a multi-dimensional array, all dimensions multiplied. */
    private static long flat(Type array) {
        long n = 1;
        Type t = array;
        for (int i = 0; i < 8 && t != null && t.resolve().kind() == Kind.ARRAY; i++) {
            if (t.resolve().count() < 0) return -1;
            n *= t.resolve().count();
            t = t.resolve().target();
        }
        return n;
    }

    private static String compare(Type b, Type d) {
        if (b.kind() != d.kind()) return "kind " + b.kind() + " vs " + d.kind();
        if (b.size() != d.size()) return "size " + b.size() + " vs " + d.size();
        if (b.kind() == Kind.ENUM) {
            if (b.enumerators().equals(d.enumerators())) return null;
            if (onlySignExtended(b.enumerators(), d.enumerators())) return "sign-extended enumerators";
            return "enumerators " + b.enumerators() + " vs " + d.enumerators();
        }
        List<Member> bm = b.members(), dm = d.members();
        if (bm.size() != dm.size()) return "members " + bm.size() + " vs " + dm.size();
        for (int i = 0; i < bm.size(); i++) {
            Member x = bm.get(i), y = dm.get(i);
            if (!java.util.Objects.equals(x.name(), y.name())) return "member " + i + " named " + x.name() + " vs " + y.name();
            if (x.offset() != y.offset() || x.bitOffset() != y.bitOffset() || x.bitSize() != y.bitSize()) {
                return "member " + x.name() + " at " + x.offset() + "/" + x.bitOffset() + ":" + x.bitSize() + " vs "
                        + y.offset() + "/" + y.bitOffset() + ":" + y.bitSize();
            }
            String xs = x.type().cName(), ys = y.type().cName();
            if (!xs.equals(ys)) {
                Type xr = x.type().resolve(), yr = y.type().resolve();
                if (xr.kind() == Kind.ARRAY && yr.kind() == Kind.ARRAY && flat(yr) == xr.count() && yr.target().resolve().kind() == Kind.ARRAY) {
                    return "flattened member " + x.name() + ": " + xs + " vs " + ys;
                }
                if (xr.kind() == Kind.ARRAY && xr.count() != yr.count()) return "member " + x.name() + " count " + xr.count() + " vs " + yr.count();
                return "member " + x.name() + " spelled " + xs + " vs " + ys;
            }
        }
        return null;
    }
}
