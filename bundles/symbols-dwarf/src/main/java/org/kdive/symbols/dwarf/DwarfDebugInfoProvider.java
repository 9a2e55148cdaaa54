package org.kdive.symbols.dwarf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.kdive.api.symbols.DebugInfo;
import org.kdive.api.symbols.DebugInfoProvider;
import org.kdive.api.symbols.LoadSpec;
import org.kdive.symbols.dwarf.elf.ElfFile;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** ELF64 files with DWARF 2–5: vmlinux (KASLR via LoadSpec.bias) and relocatable modules. */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = DebugInfoProvider.class)
public final class DwarfDebugInfoProvider implements DebugInfoProvider {
    @Override
    public String name() { return "elf-dwarf"; }

    @Override
    public String description() {
        return "ELF64 symbols and DWARF 2-5 types, variables, functions and lines (vmlinux and .ko, zlib/zstd sections)";
    }

    @Override
    public boolean accepts(Path file, ByteBuffer head) {
        return head.remaining() >= 5 && head.get(head.position()) == 0x7f && head.get(head.position() + 1) == 'E'
                && head.get(head.position() + 2) == 'L' && head.get(head.position() + 3) == 'F'
                && head.get(head.position() + 4) == 2;
    }

    @Override
    public DebugInfo open(Path file, LoadSpec spec) throws IOException {
        return new DwarfDebugInfo(ElfFile.open(file), spec);
    }
}
