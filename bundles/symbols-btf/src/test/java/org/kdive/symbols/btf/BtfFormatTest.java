package org.kdive.symbols.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kdive.symbols.btf.BtfBuilder.bf;
import static org.kdive.symbols.btf.BtfBuilder.m;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdive.api.symbols.Member;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Type.Kind;
import org.kdive.symbols.btf.format.Btf;
import org.kdive.symbols.btf.format.BtfException;
import org.kdive.symbols.btf.types.BtfTypes;

/** Every BTF kind, C's name spaces, bitfields, split BTF and damaged blobs, on blobs written by {@link BtfBuilder}. */
class BtfFormatTest {
    private static BtfTypes types(byte[] blob) {
        return new BtfTypes(Btf.parse("test BTF", blob, null), null, 8);
    }

    private static Type type(BtfTypes t, String name) {
        return t.byName(name).orElseThrow(() -> new AssertionError("no " + name));
    }

    @Test
    void everyKind() {
        BtfBuilder b = new BtfBuilder();
        int u32 = b.intType("unsigned int", 4, 0);
        int chr = b.intType("char", 1, 1);
        int bool = b.intType("_Bool", 1, 4);
        int ul = b.intType("long unsigned int", 8, 0);
        int dbl = b.head("double", 16, 0, false, 8);
        int node = b.head("list_head", 4, 0, false, 0); // patched below through a second struct
        int fwd = b.head("later", 7, 0, true, 0); // union later;
        int pnode = b.ptr(node);
        int arr = b.array(chr, u32, 16);
        int flex = b.array(u32, u32, 0);
        int cnst = b.head(null, 10, 0, false, chr);
        int pcchar = b.ptr(cnst);
        int vol = b.head(null, 9, 0, false, u32);
        int restr = b.head(null, 11, 0, false, pcchar);
        int tag = b.head("user", 18, 0, false, u32); // __attribute__((btf_type_tag("user"))) unsigned int
        int ptag = b.ptr(tag);
        int td = b.head("u32", 8, 0, false, u32);
        int e = b.enumType("state", 4, true, "S_A", -1L, "S_B", 0L, "S_C", 5L);
        int e64 = b.enum64("big", "B_HUGE", 0x1_0000_0000L);
        int proto = b.proto(u32, "a", pnode, "fmt", pcchar, null, 0);
        int fn = b.head("printk_like", 12, 1, false, proto);
        int fptr = b.ptr(proto);
        int s = b.struct(4, "thing", 64, m("next", pnode, 0), m("name", arr, 64), bf("lo", u32, 192, 3),
                bf("hi", u32, 195, 5), m("flag", bool, 200), m("cb", fptr, 256), m("v", vol, 320), m("r", restr, 384),
                m("t", ptag, 448), m("d", dbl, 0), m("data", flex, 512));
        b.head("name_tag", 17, 0, false, s);
        b.word(-1L); // DECL_TAG on the struct itself
        int v = b.var("runqueues", s);
        b.datasec(".data..percpu", 4096, v, 0x31980, 64);
        byte[] blob = b.build();
        BtfTypes t = types(blob);

        Type thing = type(t, "struct thing");
        assertEquals(Kind.STRUCT, thing.kind());
        assertEquals(64, thing.size());
        assertEquals("struct list_head *", thing.member("next").orElseThrow().type().cName());
        assertEquals("char [16]", thing.member("name").orElseThrow().type().cName());
        assertEquals(8, thing.member("name").orElseThrow().offset());
        Member lo = thing.member("lo").orElseThrow(), hi = thing.member("hi").orElseThrow();
        assertEquals(24, lo.offset());
        assertEquals(0, lo.bitOffset());
        assertEquals(3, lo.bitSize());
        assertEquals(24, hi.offset());
        assertEquals(3, hi.bitOffset());
        assertEquals(5, hi.bitSize());
        assertTrue(thing.member("flag").orElseThrow().type().isBool());
        assertEquals("unsigned int (*)(struct list_head *, const char *, ...)", thing.member("cb").orElseThrow().type().cName());
        assertEquals("volatile unsigned int", thing.member("v").orElseThrow().type().cName());
        assertEquals("const char * restrict", thing.member("r").orElseThrow().type().cName());
        assertEquals("unsigned int *", thing.member("t").orElseThrow().type().cName(), "type tags are transparent");
        assertTrue(thing.member("d").orElseThrow().type().isFloat());
        Type data = thing.member("data").orElseThrow().type();
        assertEquals(-1, data.count(), "zero elements read as a flexible array");
        assertEquals("unsigned int []", data.cName());

        Type u = type(t, "u32");
        assertEquals(Kind.TYPEDEF, u.kind());
        assertEquals(4, u.size());
        assertEquals("unsigned int", u.resolve().name());
        assertEquals("long unsigned int", type(t, "unsigned long").name(), "gdb's short spellings");

        Type st = type(t, "enum state");
        assertTrue(st.isSigned());
        assertEquals(-1, st.enumeratorValue("S_A").getAsLong());
        assertEquals(5, st.enumeratorValue("S_C").getAsLong());
        assertEquals("state", t.enumeratorType("S_B").orElseThrow().name());
        assertEquals(0x1_0000_0000L, type(t, "enum big").enumeratorValue("B_HUGE").getAsLong());

        Type later = type(t, "union later");
        assertEquals(Kind.UNION, later.kind());
        assertTrue(later.isDeclaration());
        assertEquals(-1, later.size());

        Type f = t.function("printk_like").orElseThrow();
        assertEquals(Kind.FUNCTION, f.kind());
        assertEquals(List.of("a", "fmt"), f.parameterNames());
        assertEquals("unsigned int (struct list_head *, const char *, ...)", f.cName());

        BtfTypes.VarInfo rq = t.variable("runqueues").orElseThrow();
        assertEquals(0x31980, rq.offset());
        assertEquals(".data..percpu", rq.section());
        assertEquals("struct thing", t.type(rq.typeId()).cName());
        assertEquals(List.of("a", "fmt"), t.type(fn).parameterNames());
        assertEquals(Kind.BASE, t.type(ul).kind());
        assertEquals(Kind.POINTER, t.type(pcchar).kind());
        assertEquals(Kind.FUNCTION, t.type(e64 + 1).kind());
        assertTrue(e > 0 && fwd > 0 && td > 0);
    }

    @Test
    void tagsAndTypedefsLiveInSeparateNameSpaces() {
        BtfBuilder b = new BtfBuilder();
        int i = b.intType("int", 4, 1);
        int s = b.struct(4, "pair", 8, m("a", i, 0), m("b", i, 32));
        b.head("pair", 8, 0, false, i); // typedef int pair;  (legal C beside struct pair)
        int fwd = b.head("pair", 7, 0, false, 0); // a later forward declaration must not hide the definition
        BtfTypes t = types(b.build());
        assertEquals(Kind.TYPEDEF, type(t, "pair").kind(), "a bare name is the typedef first");
        assertEquals(s, idOf(t, type(t, "struct pair")));
        assertEquals(8, type(t, "struct pair").size());
        assertTrue(t.byName("union pair").isEmpty());
        assertTrue(t.byName("enum pair").isEmpty());
        assertTrue(fwd > s);
    }

    private static int idOf(BtfTypes t, Type x) {
        for (int id = 1; id < t.btf().endId(); id++) {
            if (t.btf().kind(id) == Btf.STRUCT && t.type(id) == x) return id;
        }
        return -1;
    }

    @Test
    void splitBtfContinuesTheBasesIdsAndStrings() {
        BtfBuilder base = new BtfBuilder();
        int i = base.intType("int", 4, 1);
        int lh = base.struct(4, "list_head", 16, m("next", 0, 0));
        byte[] baseBlob = base.build();
        Btf vm = Btf.parse("base", baseBlob, null);
        BtfBuilder mod = new BtfBuilder(vm.endId(), base.stringsSize());
        int pl = mod.ptr(lh);
        mod.struct(4, "virtio_blk", 24, m("list", lh, 0), m("p", pl, 128));
        mod.struct(5, "u", 4, m("i", i, 0));
        Btf split = Btf.parse("module", mod.build(), vm);
        BtfTypes bt = new BtfTypes(vm, null, 8);
        BtfTypes mt = new BtfTypes(split, bt, 8);
        Type vb = type(mt, "struct virtio_blk");
        assertEquals("struct list_head", vb.member("list").orElseThrow().type().cName());
        assertEquals("struct list_head *", vb.member("p").orElseThrow().type().cName());
        assertEquals(16, vb.member("p").orElseThrow().offset());
        assertTrue(type(mt, "union u").members().get(0).type() == bt.type(i), "base types are shared");
        assertTrue(mt.byName("struct list_head").isEmpty(), "a module's names index only its own types");
    }

    // ---- damage ----

    @Test
    void wrongMagicNamesTheOffset() {
        byte[] blob = new BtfBuilder().build();
        blob[0] = 0x12;
        BtfException e = assertThrows(BtfException.class, () -> Btf.parse("vmlinux BTF at ffffffff81000000", blob, null));
        assertEquals("vmlinux BTF at ffffffff81000000: offset 0x0: expected magic 0xeb9f, found 0xeb12", e.getMessage());
    }

    @Test
    void truncatedAndOversizedSections() {
        BtfBuilder b = new BtfBuilder();
        b.struct(4, "s", 4, m("a", 0, 0), m("b", 0, 0));
        byte[] blob = b.build();
        // claim 100000 members: the record no longer fits its section
        blob[24 + 4] = (byte) 0xa0;
        blob[24 + 5] = (byte) 0x86;
        BtfException e = assertThrows(BtfException.class, () -> Btf.parse("t", blob, null));
        assertTrue(e.getMessage().contains("offset 0x18: expected a STRUCT record of"), e.getMessage());
        byte[] cut = java.util.Arrays.copyOf(new BtfBuilder().build(), 20);
        assertThrows(BtfException.class, () -> Btf.parse("t", cut, null));
        byte[] big = new BtfBuilder().build();
        big[20] = (byte) 0xff; // string length far past the blob
        assertTrue(assertThrows(BtfException.class, () -> Btf.parse("t", big, null)).getMessage().contains("string section"));
    }

    @Test
    void unknownKind() {
        BtfBuilder b = new BtfBuilder();
        b.head("x", 25, 0, false, 0);
        BtfException e = assertThrows(BtfException.class, () -> Btf.parse("t", b.build(), null));
        assertEquals("t: offset 0x1c: expected a BTF kind 1-19 (type id 1), found kind 25", e.getMessage());
    }

    @Test
    void typeIdsOutOfRangeAreReportedWhereUsed() {
        BtfBuilder b = new BtfBuilder();
        b.struct(4, "s", 8, m("p", 99, 0));
        BtfTypes t = types(b.build());
        Type s = type(t, "struct s");
        BtfException e = assertThrows(BtfException.class, s::members);
        assertEquals("test BTF: offset 0x28: expected a type id below 2, found 99", e.getMessage());
        BtfBuilder b2 = new BtfBuilder();
        b2.struct(4, "s", 8, m("p", 0, 0));
        byte[] blob = b2.build();
        blob[24 + 12] = 0x7f; // member name offset far past the strings
        assertThrows(BtfException.class, () -> types(blob).byName("struct s").orElseThrow().members());
    }

    @Test
    void typedefLoopsAreErrorsNotHangs() {
        BtfBuilder b = new BtfBuilder();
        b.head("a", 8, 0, false, 2);
        b.head("b", 8, 0, false, 3);
        b.head(null, 10, 0, false, 1); // const a: a -> b -> const -> a
        BtfTypes t = types(b.build());
        BtfException e = assertThrows(BtfException.class, () -> t.byName("a"));
        assertTrue(e.getMessage().contains("expected a typedef/qualifier chain that ends"), e.getMessage());
        BtfBuilder p = new BtfBuilder();
        p.ptr(1); // a pointer to itself: spelled with a bounded depth, no stack overflow
        BtfTypes pt = types(p.build());
        assertThrows(org.kdive.api.KdiveException.class, () -> pt.type(1).cName());
        BtfBuilder a = new BtfBuilder();
        a.array(1, 1, 4); // an array of itself
        assertThrows(org.kdive.api.KdiveException.class, () -> types(a.build()).type(1).size());
    }

    @Test
    void acceptsOnlyBtf() {
        BtfDebugInfoProvider p = new BtfDebugInfoProvider();
        assertTrue(p.accepts(null, java.nio.ByteBuffer.wrap(new BtfBuilder().build())));
        assertFalse(p.accepts(null, java.nio.ByteBuffer.wrap(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0})));
        assertEquals(Kind.VOID, new BtfTypes(Btf.parse("t", new BtfBuilder().build(), null), null, 8).type(0).kind());
    }
}
