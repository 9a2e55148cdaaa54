package org.kdive.symbols.dwarf.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import org.kdive.api.KdiveException;
import org.kdive.api.symbols.Symbol;
import org.kdive.symbols.dwarf.index.SourceStamp;

/**
 * A linked kernel's symbol table as a cache file holds it: parallel arrays a run maps and answers from
 * in place, making a Symbol only when one is asked for. Values are the file's (KASLR-free) with a flag
 * for those the load shift moves, so one file serves every boot of the kernel. The orders that cost
 * most to make are stored: by address (with each entry's value, checked against the shift at load:
 * an order that the shift would change is not used), crash's listing, and the name-hash slots.
 * The address order is answered in place: at load only its checkpoints are checked against the
 * shift (where the moving flag changes or the stored values descend), not its 150k entries (~7 ms
 * of every first address lookup before the JIT, bench/).
 * <pre>
 * header (HEADER bytes): magic, version, counts, .symtab and string table sizes, source stamp, identity
 * long  value[T], size[T]            T = symbols then section symbols
 * long  rangeLink[R], rangeSize[R], orderValue[M]
 * int   nameOff[T + 1], nameHash[T]  names: UTF-8 in blob, as the table names them
 * int   order[M]                     defined symbols by address (orderValue, orderMoves: theirs)
 * int   listing[K]                   crash's listing (section symbol j as N + j)
 * int   slots[S]                     name-hash slots: symbol index + 1, 0 free
 * int   checkpoint[C]                order positions j whose pair (j - 1, j) the shift may reorder
 * byte  type[T], moves[T], orderMoves[M], rangeMoves[R], blob[B]
 * (zeros to a multiple of 8) long CRC32C of all before it
 * </pre>
 */
final class SymbolsImage {
    static final long MAGIC = 0x314d5953_4556494bL; // "KDIVESYM1"
    static final int VERSION = 2;
    private static final int ID_MAX = 64;
    private static final int N = 12, S = 16, R = 20, M = 24, K = 28, SLOTS = 32, BLOB = 36, C = 40, SYMTAB = 48,
            STRTAB = 56, STAMP = 64, ID_LEN = STAMP + 40, ID = ID_LEN + 4, HEADER = ID + ID_MAX + 4;
    private static final int COUNTS = 8;

    private final ByteBuffer b;
    private final int n, s, r, m, k, slots, blob, c;
    private final long bias;
    private final int aValue, aSize, aRangeLink, aRangeSize, aNameOff, aNameHash, aOrder, aOrderValue, aListing, aSlots,
            aCheckpoints, aType, aMoves, aOrderMoves, aRangeMoves, aBlob, end;

    private SymbolsImage(ByteBuffer b, int[] counts, long bias) {
        this.b = b;
        n = counts[0];
        s = counts[1];
        r = counts[2];
        m = counts[3];
        k = counts[4];
        slots = counts[5];
        blob = counts[6];
        c = counts[7];
        this.bias = bias;
        int t = n + s;
        long at = HEADER;
        aValue = (int) at;
        aSize = (int) (at += 8L * t);
        aRangeLink = (int) (at += 8L * t);
        aRangeSize = (int) (at += 8L * r);
        aOrderValue = (int) (at += 8L * r);
        aNameOff = (int) (at += 8L * m);
        aNameHash = (int) (at += 4L * (t + 1));
        aOrder = (int) (at += 4L * t);
        aListing = (int) (at += 4L * m);
        aSlots = (int) (at += 4L * k);
        aCheckpoints = (int) (at += 4L * slots);
        aType = (int) (at += 4L * c);
        aMoves = (int) (at += t);
        aOrderMoves = (int) (at += t);
        aRangeMoves = (int) (at += m);
        aBlob = (int) (at += r);
        end = (int) (at + blob);
    }

    /** File size of these counts (data, padding, checksum); -1 when too large. */
    private static long fileSize(int[] c) {
        long t = (long) c[0] + c[1];
        long data = HEADER + 16 * t + 16L * c[2] + 8L * c[3] + 4 * (t + 1) + 4 * t + 4L * c[3] + 4L * c[4] + 4L * c[5]
                + 4L * c[7] + 2 * t + c[3] + c[2] + c[6];
        long size = (data + 7 & ~7L) + 8;
        return size > Integer.MAX_VALUE ? -1 : size;
    }

    // ---- writing ----

    /**
     * The file image of a cleanly read table, or null when its addresses do not all agree with the
     * values and flags at this shift (then the table is not cached).
     */
    static ByteBuffer encode(ElfSymbols table, ElfSymbols.Cacheable c, long bias, String identity, SourceStamp stamp) {
        Symbol[] syms = table.symbolArray();
        Symbol[] secs = table.sectionSymbols();
        long[][] ranges = table.ranges();
        int n = syms.length, t = n + secs.length;
        if (c.values().length != t || c.rangeLink().length != ranges.length) return null;
        for (int i = 0; i < t; i++) {
            long want = c.values()[i] + (c.moves()[i] != 0 ? bias : 0);
            Symbol x = i < n ? syms[i] : secs[i - n];
            if (x.address() != want || x.type() > 0x7f || x.module() != null) return null;
        }
        for (int i = 0; i < ranges.length; i++) {
            if (ranges[i][0] != c.rangeLink()[i] + (c.rangeMoves()[i] != 0 ? bias : 0)) return null;
        }
        byte[] id = identity.getBytes(StandardCharsets.UTF_8);
        if (id.length > ID_MAX) return null;
        byte[][] names = new byte[t][];
        int blob = 0;
        for (int i = 0; i < t; i++) {
            names[i] = (i < n ? syms[i] : secs[i - n]).name().getBytes(StandardCharsets.UTF_8);
            blob += names[i].length;
            if (blob < 0) return null;
        }
        int[] order = table.addressOrderIndices();
        int[] listing = c.listing().refsInOrder();
        for (int j = 0; j < listing.length; j++) if (listing[j] < 0) listing[j] = n + ~listing[j];
        int[] slots = table.nameSlots();
        long[] orderValue = new long[order.length];
        byte[] orderMoves = new byte[order.length];
        for (int j = 0; j < order.length; j++) {
            orderValue[j] = c.values()[order[j]];
            orderMoves[j] = c.moves()[order[j]];
        }
        int[] checkpoints = checkpoints(orderValue, orderMoves);
        int[] counts = {n, secs.length, ranges.length, order.length, listing.length, slots.length, blob, checkpoints.length};
        long size = fileSize(counts);
        if (size < 0) return null;
        ByteBuffer b = ByteBuffer.allocateDirect((int) size).order(ByteOrder.LITTLE_ENDIAN);
        SymbolsImage l = new SymbolsImage(b, counts, bias);
        b.putLong(0, MAGIC).putInt(8, VERSION);
        for (int i = 0; i < counts.length; i++) b.putInt(N + 4 * i, counts[i]);
        b.putLong(SYMTAB, c.symtabSize()).putLong(STRTAB, c.strtabSize());
        stamp.write(b, STAMP);
        b.putInt(ID_LEN, id.length).put(ID, id);
        // filled as arrays and copied in bulk: a cold JVM runs a million single puts slowly
        long[] sizes = new long[t];
        int[] nameOff = new int[t + 1], hashes = new int[t];
        byte[] types = new byte[t], blobBytes = new byte[blob];
        int off = 0;
        for (int i = 0; i < t; i++) {
            Symbol x = i < n ? syms[i] : secs[i - n];
            sizes[i] = x.size();
            nameOff[i] = off;
            hashes[i] = x.name().hashCode();
            types[i] = (byte) x.type();
            System.arraycopy(names[i], 0, blobBytes, off, names[i].length);
            off += names[i].length;
        }
        nameOff[t] = off;
        long[] rangeSize = new long[ranges.length];
        for (int i = 0; i < ranges.length; i++) rangeSize[i] = ranges[i][1];
        b.asLongBuffer().put(l.aValue / 8, c.values()).put(l.aSize / 8, sizes).put(l.aRangeLink / 8, c.rangeLink())
                .put(l.aRangeSize / 8, rangeSize).put(l.aOrderValue / 8, orderValue);
        b.asIntBuffer().put(l.aNameOff / 4, nameOff).put(l.aNameHash / 4, hashes).put(l.aOrder / 4, order)
                .put(l.aListing / 4, listing).put(l.aSlots / 4, slots).put(l.aCheckpoints / 4, checkpoints);
        b.put(l.aType, types).put(l.aMoves, c.moves()).put(l.aOrderMoves, orderMoves).put(l.aRangeMoves, c.rangeMoves())
                .put(l.aBlob, blobBytes);
        return b.clear(); // NameIndex.write seals it with the checksum
    }

    /**
     * The order positions j where a shift may reorder entries j - 1 and j: where one moves and the
     * other does not, or where their stored values descend (they ascend only by address at the
     * shift the file was made at). Between two checkpoints every entry moves alike and the values
     * ascend, so any shift that does not wrap past 2^64 inside that run keeps their order and ties.
     */
    private static int[] checkpoints(long[] values, byte[] moves) {
        int[] out = new int[16];
        int count = 0;
        for (int j = 1; j < values.length; j++) {
            if (moves[j - 1] != moves[j] || Long.compareUnsigned(values[j - 1], values[j]) > 0) {
                if (count == out.length) out = java.util.Arrays.copyOf(out, 2 * count);
                out[count++] = j;
            }
        }
        return java.util.Arrays.copyOf(out, count);
    }

    // ---- reading ----

    /**
     * The table in a cache file's bytes at this shift, or null when they are not a whole, sound file
     * of this identity, stamp and .symtab.
     */
    static ElfSymbols decode(ByteBuffer b, String identity, SourceStamp stamp, long symtabSize, long strtabSize, long bias) {
        b = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int size = b.capacity();
        if (size < HEADER + 8 || b.getLong(0) != MAGIC || b.getInt(8) != VERSION) return null;
        int[] counts = new int[COUNTS];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = b.getInt(N + 4 * i);
            if (counts[i] < 0) return null;
        }
        if (fileSize(counts) != size) return null;
        int slots = counts[5];
        if (Integer.bitCount(slots) != 1 || slots < counts[0]) return null;
        if (b.getLong(SYMTAB) != symtabSize || b.getLong(STRTAB) != strtabSize) return null;
        if (!stamp.equals(SourceStamp.read(b, STAMP))) return null;
        int idLen = b.getInt(ID_LEN);
        if (idLen < 0 || idLen > ID_MAX) return null;
        byte[] id = new byte[idLen];
        b.get(ID, id);
        if (!new String(id, StandardCharsets.UTF_8).equals(identity)) return null;
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().position(0).limit(size - 8));
        if (crc.getValue() != b.getLong(size - 8)) return null;
        SymbolsImage img = new SymbolsImage(b, counts, bias);
        // (the arrays are checked as they are used: a file is mapped for a few of its 150k symbols)
        long[][] ranges = new long[img.r][];
        for (int i = 0; i < img.r; i++) {
            long link = b.getLong(img.aRangeLink + 8 * i);
            ranges[i] = new long[] {b.get(img.aRangeMoves + i) != 0 ? link + bias : link, b.getLong(img.aRangeSize + 8 * i)};
        }
        Symbol[] secs = new Symbol[img.s];
        for (int j = 0; j < img.s; j++) secs[j] = img.symbol(img.n + j);
        return new ElfSymbols(img, ranges, secs);
    }

    int count() {
        return n;
    }

    int slotCount() {
        return slots;
    }

    /** The symbol index + 1 in this name slot, 0 when free (or out of range). */
    int slot(int i) {
        int v = b.getInt(aSlots + 4 * i);
        return v < 0 || v > n ? 0 : v;
    }

    int nameHash(int i) {
        return b.getInt(aNameHash + 4 * i);
    }

    /** Symbol i (i at or beyond count(): section symbol i - count()). */
    Symbol symbol(int i) {
        int from = b.getInt(aNameOff + 4 * i), to = b.getInt(aNameOff + 4 * i + 4);
        if (from < 0 || from > to || to > blob) throw damaged("name offsets", i);
        byte[] name = new byte[to - from];
        b.get(aBlob + from, name);
        long v = b.getLong(aValue + 8 * i);
        if (b.get(aMoves + i) != 0) v += bias;
        return new Symbol(new String(name, StandardCharsets.UTF_8), v, b.getLong(aSize + 8 * i),
                (char) (b.get(aType + i) & 0xff), null);
    }

    /**
     * The stored address order at this shift, answered from the file, or null when the shift would
     * change it: two entries of a checkpoint (see {@link #checkpoints}) then compare otherwise than
     * when it was made, or a run of moving entries between two wraps past 2^64. Entries tied at this
     * shift must have been tied at any (same value, same flag) for their stored tie order
     * (preference, then .symtab order) to hold.
     */
    ElfSymbols.AddressOrder addressOrder() {
        int from = 0;
        for (int i = 0; i <= c; i++) {
            int to = i < c ? b.getInt(aCheckpoints + 4 * i) : m;
            if (i < c && (to <= from || to >= m)) return null; // checkpoints ascend inside the order
            if (i < c) {
                long prev = orderAddress(to - 1), here = orderAddress(to);
                int cmp = Long.compareUnsigned(prev, here);
                if (cmp > 0 || cmp == 0 && (orderMoves(to - 1) != orderMoves(to) || orderValue(to - 1) != orderValue(to))) return null;
            }
            // a run that moves must not wrap past 2^64 part way
            if (to > from && orderMoves(from) && Long.compareUnsigned(orderAddress(from), orderAddress(to - 1)) > 0) return null;
            from = to;
        }
        return new ElfSymbols.AddressOrder() {
            @Override
            public int length() { return m; }

            @Override
            public int index(int j) {
                int i = b.getInt(aOrder + 4 * j);
                if (i < 0 || i >= n) throw damaged("address order", j);
                return i;
            }

            @Override
            public long address(int j) { return orderAddress(j); }
        };
    }

    private long orderValue(int j) {
        return b.getLong(aOrderValue + 8 * j);
    }

    private boolean orderMoves(int j) {
        return b.get(aOrderMoves + j) != 0;
    }

    private long orderAddress(int j) {
        return orderMoves(j) ? orderValue(j) + bias : orderValue(j);
    }

    /** crash's listing: symbol indices, section symbol j as count() + j. */
    int[] listing() {
        int[] out = new int[k];
        b.asIntBuffer().get(aListing / 4, out);
        for (int j = 0; j < k; j++) if (out[j] < 0 || out[j] >= n + s) throw damaged("listing", j);
        return out;
    }

    /** A file whose checksum holds but whose arrays do not: not one kdive wrote. */
    private KdiveException damaged(String what, int at) {
        return new KdiveException("symbol cache file damaged (" + what + " at entry " + at
                + "): delete it, the next run writes it again");
    }
}
