package org.kdive.symbols.dwarf.elf;

import io.airlift.compress.zstd.ZstdDecompressor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.kdive.api.dump.DumpFormatException;

/**
 * An ELF64 file read through mmap. Opening reads only the header and the section headers;
 * section contents are mapped (or decompressed) on first use and kept.
 */
public final class ElfFile implements AutoCloseable {
    public static final int ET_REL = 1, ET_EXEC = 2, ET_DYN = 3;
    /** Decompressed sections larger than this are refused (a corrupt header must not allocate without bound). */
    static final long MAX_DECOMPRESSED = Integer.MAX_VALUE - 8;

    private final Path path;
    private final FileChannel channel;
    private final ByteBuffer whole; // for in-memory images (fuzzing); null when file-backed
    private final long fileSize;
    private final ByteOrder order;
    private final int type;
    private final int machine;
    private final List<ElfSection> sections;
    private final Map<String, ElfSection> byName = new HashMap<>();
    private final Map<Integer, ByteBuffer> contents = new ConcurrentHashMap<>();

    private ElfFile(Path path, FileChannel channel, ByteBuffer whole) throws IOException {
        this.path = path;
        this.channel = channel;
        this.whole = whole;
        this.fileSize = channel != null ? channel.size() : whole.capacity();
        ByteBuffer eh = read(0, (int) Math.min(64, fileSize));
        if (eh.remaining() < 64 || eh.order(ByteOrder.BIG_ENDIAN).getInt(0) != 0x7f454c46) {
            throw fail(0, "ELF magic 7f 45 4c 46 and a 64-byte header", eh.remaining() < 4 ? "short file" : null);
        }
        if (eh.get(4) != 2) throw fail(4, "ELFCLASS64", "class " + eh.get(4));
        byte data = eh.get(5);
        if (data != 1 && data != 2) throw fail(5, "ELFDATA2LSB or ELFDATA2MSB", "data " + data);
        order = data == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        eh.order(order);
        type = Short.toUnsignedInt(eh.getShort(16));
        machine = Short.toUnsignedInt(eh.getShort(18));
        long shoff = eh.getLong(40);
        int shentsize = Short.toUnsignedInt(eh.getShort(58));
        int shnum = Short.toUnsignedInt(eh.getShort(60));
        int shstrndx = Short.toUnsignedInt(eh.getShort(62));
        if (shoff == 0) {
            sections = List.of();
            return;
        }
        if (shentsize < 64) throw fail(58, "section header size >= 64", String.valueOf(shentsize));
        if (shoff < 0 || shoff > fileSize) throw fail(40, "section header offset inside the file", hex(shoff));
        if (shnum == 0 || shstrndx == 0xffff) { // extended numbering: real values in section 0
            ByteBuffer s0 = read(shoff, 64).order(order);
            if (shnum == 0) shnum = (int) Math.min(s0.getLong(32), Integer.MAX_VALUE);
            if (shstrndx == 0xffff) shstrndx = s0.getInt(40);
        }
        long tableSize = (long) shnum * shentsize;
        if (shoff + tableSize > fileSize || shnum > 1_000_000) {
            throw fail(shoff, shnum + " section headers inside the file", "file size " + fileSize);
        }
        ByteBuffer sh = read(shoff, (int) tableSize).order(order);
        List<long[]> raw = new ArrayList<>();
        for (int i = 0; i < shnum; i++) {
            int b = i * shentsize;
            raw.add(new long[] {Integer.toUnsignedLong(sh.getInt(b)), Integer.toUnsignedLong(sh.getInt(b + 4)),
                sh.getLong(b + 8), sh.getLong(b + 16), sh.getLong(b + 24), sh.getLong(b + 32),
                Integer.toUnsignedLong(sh.getInt(b + 40)), Integer.toUnsignedLong(sh.getInt(b + 44)),
                sh.getLong(b + 48), sh.getLong(b + 56)});
        }
        ByteBuffer names = null;
        if (shstrndx < shnum) {
            long[] s = raw.get(shstrndx);
            if (s[4] >= 0 && s[5] >= 0 && s[4] + s[5] <= fileSize && s[5] < (1 << 24)) names = read(s[4], (int) s[5]);
        }
        List<ElfSection> list = new ArrayList<>(shnum);
        for (int i = 0; i < shnum; i++) {
            long[] s = raw.get(i);
            String name = names == null ? "" : cString(names, (int) Math.min(s[0], Integer.MAX_VALUE));
            ElfSection sec = new ElfSection(i, name, (int) s[1], s[2], s[3], s[4], s[5], (int) s[6], (int) s[7], s[8], s[9]);
            list.add(sec);
            byName.putIfAbsent(name, sec);
        }
        sections = Collections.unmodifiableList(list);
    }

    public static ElfFile open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return new ElfFile(path, ch, null);
        } catch (RuntimeException | IOException e) {
            ch.close();
            throw e;
        }
    }

    /** An ELF image held in memory (tests, fuzzing). */
    public static ElfFile of(Path nameForErrors, byte[] image) {
        try {
            return new ElfFile(nameForErrors, null, ByteBuffer.wrap(image));
        } catch (IOException e) {
            throw new IllegalStateException(e); // no I/O on a heap image
        }
    }

    public Path path() { return path; }

    public ByteOrder order() { return order; }

    public int type() { return type; }

    public int machine() { return machine; }

    public boolean isRelocatable() { return type == ET_REL; }

    public List<ElfSection> sections() { return sections; }

    public Optional<ElfSection> section(String name) { return Optional.ofNullable(byName.get(name)); }

    public ElfSection section(int index) {
        if (index < 0 || index >= sections.size()) throw fail(0, "section index < " + sections.size(), String.valueOf(index));
        return sections.get(index);
    }

    /**
     * Contents of a section, decompressed when SHF_COMPRESSED (zlib or zstd) or a GNU .zdebug section;
     * NOBITS sections read as empty. The buffer is read-only, in the file's byte order, position 0.
     */
    public ByteBuffer data(ElfSection s) {
        ByteBuffer b = contents.computeIfAbsent(s.index(), i -> load(s));
        return b.duplicate().order(order);
    }

    private ByteBuffer load(ElfSection s) {
        if (s.isNoBits() || s.size() == 0) return ByteBuffer.allocate(0).asReadOnlyBuffer();
        if (s.offset() < 0 || s.size() < 0 || s.offset() > fileSize || s.size() > fileSize - s.offset()) {
            throw fail(s.offset(), "section " + s.name() + " (" + s.size() + " bytes) inside the file", "file size " + fileSize);
        }
        if (s.size() > Integer.MAX_VALUE) throw fail(s.offset(), "section smaller than 2 GiB", s.name());
        ByteBuffer raw;
        try {
            raw = read(s.offset(), (int) s.size());
        } catch (IOException e) {
            throw new DumpFormatException(path, s.offset(), "readable section " + s.name(), e.getMessage());
        }
        raw.order(order);
        if (s.isCompressed()) return decompressChdr(s, raw);
        if (s.name().startsWith(".zdebug") && raw.remaining() >= 12
                && raw.getInt(0) == (order == ByteOrder.LITTLE_ENDIAN ? 0x42494c5a : 0x5a4c4942)) {
            long size = raw.duplicate().order(ByteOrder.BIG_ENDIAN).getLong(4);
            return inflate(s, raw.position(12).slice(), size);
        }
        return raw.asReadOnlyBuffer();
    }

    private ByteBuffer decompressChdr(ElfSection s, ByteBuffer raw) {
        if (raw.remaining() < 24) throw fail(s.offset(), "Elf64_Chdr (24 bytes) in " + s.name(), raw.remaining() + " bytes");
        int chType = raw.getInt(0);
        long size = raw.getLong(8);
        ByteBuffer payload = raw.position(24).slice();
        if (chType == 1) return inflate(s, payload, size);
        if (chType == 2) {
            checkSize(s, size);
            byte[] in = new byte[payload.remaining()];
            payload.get(in);
            byte[] out = new byte[(int) size];
            try {
                int n = new ZstdDecompressor().decompress(in, 0, in.length, out, 0, out.length);
                if (n != size) throw fail(s.offset(), size + " bytes after zstd in " + s.name(), n + " bytes");
            } catch (RuntimeException e) {
                if (e instanceof DumpFormatException d) throw d;
                throw fail(s.offset(), "valid zstd data in " + s.name(), e.getMessage());
            }
            return ByteBuffer.wrap(out).asReadOnlyBuffer();
        }
        throw fail(s.offset(), "ELFCOMPRESS_ZLIB or ELFCOMPRESS_ZSTD in " + s.name(), "type " + chType);
    }

    private ByteBuffer inflate(ElfSection s, ByteBuffer payload, long size) {
        checkSize(s, size);
        byte[] out = new byte[(int) size];
        Inflater inf = new Inflater();
        try {
            inf.setInput(payload);
            int n = 0;
            while (n < out.length) {
                int k = inf.inflate(out, n, out.length - n);
                if (k == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) break;
                n += k;
            }
            if (n != size) throw fail(s.offset(), size + " bytes after zlib in " + s.name(), n + " bytes");
        } catch (DataFormatException e) {
            throw fail(s.offset(), "valid zlib data in " + s.name(), e.getMessage());
        } finally {
            inf.end();
        }
        return ByteBuffer.wrap(out).asReadOnlyBuffer();
    }

    private void checkSize(ElfSection s, long size) {
        // a compressed section cannot honestly grow more than ~1000x (zlib's limit is 1032:1)
        if (size < 0 || size > MAX_DECOMPRESSED || size > s.size() * 2000L + 4096) {
            throw fail(s.offset(), "plausible decompressed size of " + s.name(), String.valueOf(size));
        }
    }

    private ByteBuffer read(long offset, int size) throws IOException {
        if (whole != null) {
            if (offset > whole.capacity() || size > whole.capacity() - offset) {
                throw fail(offset, size + " bytes inside the image", "size " + whole.capacity());
            }
            return whole.duplicate().position((int) offset).limit((int) offset + size).slice().asReadOnlyBuffer();
        }
        if (size >= 1 << 16) return channel.map(FileChannel.MapMode.READ_ONLY, offset, size);
        ByteBuffer b = ByteBuffer.allocate(size);
        while (b.hasRemaining()) {
            if (channel.read(b, offset + b.position()) < 0) break;
        }
        return b.flip();
    }

    /** GNU build-id from the notes, as lowercase hex. */
    public Optional<String> buildId() {
        for (ElfSection s : sections) {
            if (s.type() != ElfSection.SHT_NOTE) continue;
            ByteBuffer b = data(s);
            int p = 0;
            while (p + 12 <= b.limit()) {
                long namesz = Integer.toUnsignedLong(b.getInt(p)), descsz = Integer.toUnsignedLong(b.getInt(p + 4));
                int ntype = b.getInt(p + 8);
                long name = p + 12, desc = name + align4(namesz), next = desc + align4(descsz);
                if (next > b.limit()) break;
                if (ntype == 3 && namesz == 4 && b.get((int) name) == 'G' && b.get((int) name + 1) == 'N'
                        && b.get((int) name + 2) == 'U') {
                    StringBuilder sb = new StringBuilder();
                    for (int i = 0; i < descsz; i++) sb.append(String.format("%02x", b.get((int) desc + i)));
                    return Optional.of(sb.toString());
                }
                p = (int) next;
            }
        }
        return Optional.empty();
    }

    /** The .gnu_debuglink file name and CRC32, if present. */
    public Optional<DebugLink> debugLink() {
        return section(".gnu_debuglink").filter(s -> !s.isNoBits()).map(s -> {
            ByteBuffer b = data(s);
            String name = cString(b, 0);
            int crcAt = (int) align4(name.length() + 1);
            long crc = crcAt + 4 <= b.limit() ? Integer.toUnsignedLong(b.getInt(crcAt)) : 0;
            return new DebugLink(name, crc);
        });
    }

    public record DebugLink(String file, long crc32) {
    }

    private static long align4(long v) { return (v + 3) & ~3L; }

    /** The NUL-terminated string at {@code off}; "" when out of range. */
    public static String cString(ByteBuffer b, int off) {
        if (off < 0 || off >= b.limit()) return "";
        int end = off;
        while (end < b.limit() && b.get(end) != 0) end++;
        byte[] bytes = new byte[end - off];
        b.get(off, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public DumpFormatException fail(long offset, String expected, String found) {
        return new DumpFormatException(path, offset, expected, found);
    }

    private static String hex(long v) { return "0x" + Long.toHexString(v); }

    @Override
    public void close() {
        contents.clear();
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a read-only channel cannot lose data
            }
        }
    }
}
