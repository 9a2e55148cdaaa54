package org.kdive.format.lkcd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpFormat;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.format.support.FileSource;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** Classic LKCD crash dumps (versions 7-9). */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = DumpFormat.class)
public final class LkcdFormat implements DumpFormat {
    @Override public String name() { return LkcdReader.FORMAT; }

    @Override
    public String description() {
        return "LKCD crash dump (v7-v9; raw, RLE and gzip pages)";
    }

    @Override
    public int probe(Path file, ByteBuffer head) {
        if (head.remaining() < 12) return 0;
        ByteBuffer b = head.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long magic = b.getLong(b.position());
        if (magic != LkcdReader.MAGIC && magic != LkcdReader.MAGIC_LIVE) return 0;
        int version = b.getInt(b.position() + 8) & LkcdReader.VERSION_MASK;
        return version >= 7 && version <= 9 ? 100 : 20;
    }

    @Override
    public Dump open(List<Path> files) throws IOException {
        if (files.size() != 1) throw new DumpFormatException(files.get(0), 0, "one LKCD dump file", files.size() + " files");
        return LkcdReader.open(new FileSource(files.get(0)));
    }
}
