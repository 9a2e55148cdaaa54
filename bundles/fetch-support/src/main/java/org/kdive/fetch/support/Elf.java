package org.kdive.fetch.support;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Optional;

/** Reads the GNU build-id note of an ELF file without loading it (a few small reads). */
public final class Elf {
    private static final int SHT_NOTE = 7;
    private static final int PT_NOTE = 4;
    private static final int NT_GNU_BUILD_ID = 3;
    /** Notes larger than this are not build-id notes; bounds what a hostile file makes us read. */
    private static final long MAX_NOTE_SECTION = 1 << 20;

    private Elf() {
    }

    /** Whether the file starts with the ELF magic. */
    public static boolean isElf(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(4);
            ch.read(b, 0);
            return b.position() == 4 && b.get(0) == 0x7f && b.get(1) == 'E' && b.get(2) == 'L' && b.get(3) == 'F';
        }
    }

    /** The build-id as lower-case hex, or empty when the file is no ELF or has no build-id note. */
    public static Optional<String> buildId(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer h = read(ch, 0, 64, size);
            if (h == null || h.get(0) != 0x7f || h.get(1) != 'E' || h.get(2) != 'L' || h.get(3) != 'F') {
                return Optional.empty();
            }
            boolean is64 = h.get(4) == 2;
            h.order(h.get(5) == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            long shoff = is64 ? h.getLong(0x28) : Integer.toUnsignedLong(h.getInt(0x20));
            int shentsize = Short.toUnsignedInt(h.getShort(is64 ? 0x3a : 0x2e));
            int shnum = Short.toUnsignedInt(h.getShort(is64 ? 0x3c : 0x30));
            long phoff = is64 ? h.getLong(0x20) : Integer.toUnsignedLong(h.getInt(0x1c));
            int phentsize = Short.toUnsignedInt(h.getShort(is64 ? 0x36 : 0x2a));
            int phnum = Short.toUnsignedInt(h.getShort(is64 ? 0x38 : 0x2c));
            // Section headers first (debug files keep .note.gnu.build-id / .notes as SHT_NOTE)
            if (shoff > 0 && shnum > 0 && shentsize >= (is64 ? 64 : 40)) {
                ByteBuffer sh = read(ch, shoff, (long) shnum * shentsize, size);
                if (sh != null) {
                    sh.order(h.order());
                    for (int i = 0; i < shnum; i++) {
                        int base = i * shentsize;
                        int type = sh.getInt(base + 4);
                        if (type != SHT_NOTE) continue;
                        long off = is64 ? sh.getLong(base + 0x18) : Integer.toUnsignedLong(sh.getInt(base + 0x10));
                        long len = is64 ? sh.getLong(base + 0x20) : Integer.toUnsignedLong(sh.getInt(base + 0x14));
                        Optional<String> id = scanNotes(ch, off, len, size, h.order());
                        if (id.isPresent()) return id;
                    }
                }
            }
            if (phoff > 0 && phnum > 0 && phentsize >= (is64 ? 56 : 32)) {
                ByteBuffer ph = read(ch, phoff, (long) phnum * phentsize, size);
                if (ph != null) {
                    ph.order(h.order());
                    for (int i = 0; i < phnum; i++) {
                        int base = i * phentsize;
                        if (ph.getInt(base) != PT_NOTE) continue;
                        long off = is64 ? ph.getLong(base + 8) : Integer.toUnsignedLong(ph.getInt(base + 4));
                        long len = is64 ? ph.getLong(base + 0x20) : Integer.toUnsignedLong(ph.getInt(base + 0x10));
                        Optional<String> id = scanNotes(ch, off, len, size, h.order());
                        if (id.isPresent()) return id;
                    }
                }
            }
            return Optional.empty();
        }
    }

    private static Optional<String> scanNotes(FileChannel ch, long off, long len, long size, ByteOrder order)
            throws IOException {
        if (len <= 0 || len > MAX_NOTE_SECTION) return Optional.empty();
        ByteBuffer n = read(ch, off, len, size);
        if (n == null) return Optional.empty();
        n.order(order);
        int p = 0;
        while (p + 12 <= len) {
            long namesz = Integer.toUnsignedLong(n.getInt(p));
            long descsz = Integer.toUnsignedLong(n.getInt(p + 4));
            int type = n.getInt(p + 8);
            long nameEnd = p + 12 + align4(namesz);
            long descEnd = nameEnd + align4(descsz);
            if (descEnd > len) break;
            if (type == NT_GNU_BUILD_ID && namesz == 4 && n.get(p + 12) == 'G' && n.get(p + 13) == 'N'
                    && n.get(p + 14) == 'U' && descsz > 0 && descsz <= 64) {
                byte[] id = new byte[(int) descsz];
                n.get((int) nameEnd, id);
                return Optional.of(HexFormat.of().formatHex(id));
            }
            p = (int) descEnd;
        }
        return Optional.empty();
    }

    private static long align4(long v) {
        return (v + 3) & ~3L;
    }

    private static ByteBuffer read(FileChannel ch, long off, long len, long size) throws IOException {
        if (off < 0 || len <= 0 || len > Integer.MAX_VALUE || off + len > size) return null;
        ByteBuffer b = ByteBuffer.allocate((int) len);
        while (b.hasRemaining()) {
            if (ch.read(b, off + b.position()) < 0) return null;
        }
        b.flip();
        return b;
    }
}
