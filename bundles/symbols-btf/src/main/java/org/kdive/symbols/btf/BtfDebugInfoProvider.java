package org.kdive.symbols.btf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.kdive.api.KdiveException;
import org.kdive.api.symbols.DebugInfo;
import org.kdive.api.symbols.DebugInfoProvider;
import org.kdive.api.symbols.KernelMemory;
import org.kdive.api.symbols.LoadSpec;
import org.kdive.symbols.btf.format.Btf;
import org.kdive.symbols.btf.kernel.KernelBtf;
import org.kdive.symbols.btf.types.BtfTypes;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * BTF: the kernel's own types, read from the dump's memory when there is no vmlinux
 * ({@link #openKernelMemory}), or from a raw BTF file (e.g. a copy of /sys/kernel/btf/vmlinux).
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = DebugInfoProvider.class)
public final class BtfDebugInfoProvider implements DebugInfoProvider {
    private static final long MAX_FILE = 256L << 20;

    @Override
    public String name() { return "btf"; }

    @Override
    public String description() {
        return "BTF types, enumerators, function prototypes and per-CPU variables: the kernel's own (vmlinux and"
                + " module BTF read from the dump) or a raw BTF file";
    }

    @Override
    public boolean accepts(Path file, ByteBuffer head) {
        byte[] h = new byte[Math.min(Btf.HEADER_SIZE, head.remaining())];
        head.duplicate().get(h);
        return Btf.looksLikeBtf(h, h.length);
    }

    @Override
    public DebugInfo open(Path file, LoadSpec spec) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE) throw new KdiveException(file + ": " + size + " bytes is too large for a BTF file");
        String src = file.toString();
        byte[] data = Files.readAllBytes(file);
        BtfTypes types = new BtfTypes(Btf.parse(src, data, null), null, 8);
        return new BtfDebugInfo(file, "BTF file " + file, BtfDebugInfo.single(() -> types),
                (v, module) -> ".data..percpu".equals(v.section()) ? OptionalLong.of(v.offset()) : OptionalLong.empty());
    }

    @Override
    public Optional<DebugInfo> openKernelMemory(KernelMemory kernel) {
        Optional<KernelBtf> k = KernelBtf.locate(kernel);
        if (k.isEmpty()) return Optional.empty();
        KernelBtf btf = k.get();
        Path file = kernel.dumpFiles().isEmpty() ? Path.of("(dump)") : kernel.dumpFiles().get(0);
        String origin = String.format("the dump's BTF (%.1f MB at %x)", btf.size() / 1048576.0, btf.address());
        return Optional.of(new BtfDebugInfo(file, origin, btf, btf));
    }
}
