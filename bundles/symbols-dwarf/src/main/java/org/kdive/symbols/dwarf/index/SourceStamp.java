package org.kdive.symbols.dwarf.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.zip.CRC32C;
import org.kdive.symbols.dwarf.dwarf.DwarfSections;

/**
 * What a cached index was built from. The content key is a checksum of the DWARF sections the index
 * reads (computed once per file seen); the stamp (device, inode, size, modification and change times)
 * lets later runs on that same file skip the checksum: any write to the file changes its change time.
 */
public record SourceStamp(long dev, long ino, long size, long mtime, long ctime) {
    static final int BYTES = 40;

    /** The stamp of a file as it is now, or null when it cannot be had (no such file, no unix attributes). */
    public static SourceStamp of(Path file) {
        if (file == null) return null;
        try {
            Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime,ctime");
            return new SourceStamp((Long) a.get("dev"), (Long) a.get("ino"), (Long) a.get("size"),
                    nanos((FileTime) a.get("lastModifiedTime")), nanos((FileTime) a.get("ctime")));
        } catch (UnsupportedOperationException | IllegalArgumentException | ClassCastException | NullPointerException e) {
            return basic(file); // not a Unix file system view
        } catch (IOException e) {
            return null; // no stamp: such an index is neither saved nor trusted without its checksum
        }
    }

    /** Size, modification time and the file key's hash where there are no Unix attributes. */
    private static SourceStamp basic(Path file) {
        try {
            java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(file,
                    java.nio.file.attribute.BasicFileAttributes.class);
            Object key = a.fileKey();
            return new SourceStamp(0, key == null ? 0 : key.hashCode(), a.size(), nanos(a.lastModifiedTime()), 0);
        } catch (IOException e) {
            return null;
        }
    }

    // written out: a record's generated equals and hashCode bootstrap method handles, ~30 ms on a cold JVM
    @Override
    public boolean equals(Object o) {
        return o instanceof SourceStamp s && s.dev == dev && s.ino == ino && s.size == size && s.mtime == mtime
                && s.ctime == ctime;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(ino * 31 + ctime);
    }

    private static long nanos(FileTime t) {
        return t.to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    public void write(ByteBuffer b, int at) {
        b.putLong(at, dev).putLong(at + 8, ino).putLong(at + 16, size).putLong(at + 24, mtime).putLong(at + 32, ctime);
    }

    public static SourceStamp read(ByteBuffer b, int at) {
        return new SourceStamp(b.getLong(at), b.getLong(at + 8), b.getLong(at + 16), b.getLong(at + 24), b.getLong(at + 32));
    }

    /**
     * CRC32C of the sections a name index is built from (units, abbreviations, strings), each with its
     * length: ~70 ms for a distribution vmlinux in the page cache.
     */
    static long contentChecksum(DwarfSections s) {
        CRC32C crc = new CRC32C();
        long lengths = 0;
        for (ByteBuffer b : new ByteBuffer[] {s.info, s.types, s.abbrev, s.str, s.lineStr, s.strOffsets}) {
            crc.update(b.duplicate().clear());
            lengths = lengths * 0x100000001b3L + b.limit();
        }
        return crc.getValue() << 32 ^ lengths;
    }
}
