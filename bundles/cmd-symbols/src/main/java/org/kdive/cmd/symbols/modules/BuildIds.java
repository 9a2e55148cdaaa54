package org.kdive.cmd.symbols.modules;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Optional;

/** GNU build-ids from ELF note data and from ELF files (section headers only, no debuginfo parsing). */
public final class BuildIds {
    private static final int NT_GNU_BUILD_ID = 3;

    private BuildIds() {
    }

    /** The build-id in a run of ELF notes (4-byte aligned name and desc). */
    public static Optional<String> fromNotes(byte[] notes) {
        ByteBuffer b = ByteBuffer.wrap(notes).order(ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() >= 12) {
            int namesz = b.getInt();
            int descsz = b.getInt();
            int type = b.getInt();
            if (namesz < 0 || descsz < 0 || namesz > b.remaining()) break;
            byte[] name = new byte[namesz];
            b.get(name);
            b.position(Math.min(b.limit(), (b.position() + 3) & ~3));
            if (descsz > b.remaining()) break;
            byte[] desc = new byte[descsz];
            b.get(desc);
            b.position(Math.min(b.limit(), (b.position() + 3) & ~3));
            if (type == NT_GNU_BUILD_ID && namesz == 4 && name[0] == 'G' && name[1] == 'N' && name[2] == 'U') {
                return Optional.of(HexFormat.of().formatHex(desc));
            }
        }
        return Optional.empty();
    }

    /** The build-id of an ELF64 little-endian file, from its SHT_NOTE sections. */
    public static Optional<String> ofFile(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer eh = read(ch, 0, 64);
            if (eh.getInt(0) != 0x464c457f || eh.get(4) != 2 || eh.get(5) != 1) return Optional.empty();
            long shoff = eh.getLong(0x28);
            int shentsize = eh.getShort(0x3a) & 0xffff;
            int shnum = eh.getShort(0x3c) & 0xffff;
            if (shoff <= 0 || shentsize < 64 || shnum > 65535) return Optional.empty();
            ByteBuffer sh = read(ch, shoff, shentsize * shnum);
            for (int i = 0; i < shnum; i++) {
                int base = i * shentsize;
                int type = sh.getInt(base + 4);
                long off = sh.getLong(base + 0x18);
                long size = sh.getLong(base + 0x20);
                if (type == 7 && size > 0 && size < 65536) {
                    ByteBuffer n = read(ch, off, (int) size);
                    byte[] a = new byte[n.remaining()];
                    n.get(a);
                    Optional<String> id = fromNotes(a);
                    if (id.isPresent()) return id;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static ByteBuffer read(FileChannel ch, long off, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, off + b.position()) < 0) break;
        }
        b.flip();
        return b;
    }
}
