package org.kdive.format.flattened;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpFormat;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.format.diskdump.reader.KdumpReader;
import org.kdive.format.support.FileSource;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** makedumpfile -F streams: read directly, no `makedumpfile -R` needed. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = DumpFormat.class)
public final class FlattenedFormat implements DumpFormat {
    public static final String NAME = "flattened";

    @Override public String name() { return NAME; }

    @Override
    public String description() {
        return "makedumpfile flattened stream (-F), read in place as kdump compressed";
    }

    @Override
    public int probe(Path file, ByteBuffer head) {
        if (head.remaining() < 16) return 0;
        byte[] b = new byte[16];
        head.duplicate().get(b);
        return FlattenedSource.hasSignature(b) ? 100 : 0;
    }

    @Override
    public Dump open(List<Path> files) throws IOException {
        if (files.size() != 1) {
            throw new DumpFormatException(files.get(0), 0, "one flattened stream", files.size() + " files");
        }
        return open(new FileSource(files.get(0)));
    }

    /** Opens a flattened stream from any source (the fuzz entry point uses bytes in memory). */
    public static Dump open(org.kdive.format.support.Source stream) throws IOException {
        FlattenedSource flat;
        try {
            flat = new FlattenedSource(stream);
        } catch (IOException | RuntimeException e) {
            stream.close();
            throw e;
        }
        return KdumpReader.open(NAME, List.of(flat), flat.warnings());
    }
}
