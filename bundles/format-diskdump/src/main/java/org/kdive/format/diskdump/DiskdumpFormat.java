package org.kdive.format.diskdump;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpFormat;
import org.kdive.format.diskdump.reader.KdumpHeader;
import org.kdive.format.diskdump.reader.KdumpReader;
import org.kdive.format.support.BasicDump;
import org.kdive.format.support.FileSource;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** makedumpfile's kdump-compressed format ("KDUMP   " signature), single or split files. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = DumpFormat.class)
public final class DiskdumpFormat implements DumpFormat {
    public static final String NAME = "kdump-compressed";

    @Override public String name() { return NAME; }

    @Override
    public String description() {
        return "kdump compressed (makedumpfile -c/-l/-p/-z, header v1-6, zlib/lzo/snappy/zstd, split dumps)";
    }

    @Override
    public int probe(Path file, ByteBuffer head) {
        if (head.remaining() < 12) return 0;
        byte[] b = new byte[12];
        head.duplicate().get(b);
        if (!KdumpHeader.hasSignature(b, 0)) return 0;
        int version = (b[8] & 0xff) | (b[9] & 0xff) << 8 | (b[10] & 0xff) << 16 | (b[11] & 0xff) << 24;
        return version >= 1 && version <= 6 ? 100 : 50;
    }

    @Override
    public Dump open(List<Path> files) throws IOException {
        List<FileSource> sources = new ArrayList<>();
        try {
            for (Path p : files) sources.add(new FileSource(p));
        } catch (IOException e) {
            BasicDump.closeQuietly(sources);
            throw e;
        }
        return KdumpReader.open(NAME, sources, List.of());
    }
}
