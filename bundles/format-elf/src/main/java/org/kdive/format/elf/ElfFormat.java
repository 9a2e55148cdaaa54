package org.kdive.format.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpFormat;
import org.kdive.api.dump.DumpFormatException;
import org.kdive.format.support.FileSource;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** ELF vmcores: kdump's /proc/vmcore, makedumpfile -E, QEMU dump-guest-memory. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = DumpFormat.class)
public final class ElfFormat implements DumpFormat {
    @Override public String name() { return ElfReader.FORMAT; }

    @Override
    public String description() {
        return "ELF vmcore (/proc/vmcore, makedumpfile -E, QEMU dump-guest-memory)";
    }

    @Override
    public int probe(Path file, ByteBuffer head) {
        if (head.remaining() < 20) return 0;
        ByteBuffer b = head.duplicate();
        int p = b.position();
        if (b.get(p) != 0x7f || b.get(p + 1) != 'E' || b.get(p + 2) != 'L' || b.get(p + 3) != 'F') return 0;
        int type = (b.get(p + 16) & 0xff) | (b.get(p + 17) & 0xff) << 8;
        // other ELF files (vmlinux) are not dumps; a big-endian core we cannot read yet scores low
        if (b.get(p + 5) != 1) return type == 0x400 ? 10 : 0;
        return type == 4 ? 90 : 0;
    }

    @Override
    public Dump open(List<Path> files) throws IOException {
        if (files.size() != 1) {
            throw new DumpFormatException(files.get(0), 0, "one ELF vmcore file", files.size() + " files");
        }
        return ElfReader.open(new FileSource(files.get(0)));
    }
}
