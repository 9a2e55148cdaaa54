package org.kdive.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.dump.VmcoreInfo;
import org.kdive.api.session.Memory;
import org.kdive.test.Corpus;

/**
 * The corpus as core's tests read it without the format and architecture bundles (which depend on
 * core): the ELF dump's PT_LOADs carry the kernel's virtual addresses (makedumpfile -E writes the
 * kernel image and the direct map with them), so its kernel memory reads by segment; and the vmlinux
 * symbol table, the independent source of the addresses kallsyms must give.
 */
final class CorpusImage {
    static final Path DUMP = Corpus.file("vmcore.elf-d31");

    private CorpusImage() {
    }

    /** Kernel virtual memory of the ELF dump: the segment holding an address, its file bytes. */
    static final class ElfKernelMemory implements Memory {
        private final List<long[]> loads = new ArrayList<>(); // vaddr, paddr, offset, filesz, memsz
        private final FileChannel ch;

        ElfKernelMemory() {
            try {
                ch = FileChannel.open(DUMP, StandardOpenOption.READ);
                ByteBuffer eh = fileBytes(0, 64);
                long phoff = eh.getLong(0x20);
                int phentsize = eh.getShort(0x36), phnum = eh.getShort(0x38);
                ByteBuffer ph = fileBytes(phoff, phentsize * phnum);
                for (int i = 0; i < phnum; i++) {
                    int at = i * phentsize;
                    if (ph.getInt(at) != 1) continue;
                    loads.add(new long[] {ph.getLong(at + 16), ph.getLong(at + 24), ph.getLong(at + 8), ph.getLong(at + 32), ph.getLong(at + 40)});
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private ByteBuffer fileBytes(long pos, int len) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining() && ch.read(b, pos + b.position()) > 0) {
                // fill
            }
            return b;
        }

        private long[] segment(long vaddr) {
            for (long[] l : loads) {
                if (Long.compareUnsigned(vaddr, l[0]) >= 0 && Long.compareUnsigned(vaddr - l[0], l[4]) < 0) return l;
            }
            throw new MemoryAccessException(vaddr, false, MemoryAccessException.Reason.NOT_IN_DUMP, String.format("no PT_LOAD maps 0x%x", vaddr));
        }

        @Override
        public void read(long vaddr, byte[] dst, int off, int len) {
            for (int done = 0; done < len;) {
                long a = vaddr + done;
                long[] l = segment(a);
                long in = a - l[0];
                if (in >= l[3]) throw new MemoryAccessException(a, false, MemoryAccessException.Reason.EXCLUDED, String.format("0x%x excluded", a));
                int n = (int) Math.min(len - done, l[3] - in);
                try {
                    ByteBuffer b = fileBytes(l[2] + in, n);
                    System.arraycopy(b.array(), 0, dst, off + done, n);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                done += n;
            }
        }

        @Override
        public boolean isReadable(long vaddr) {
            try {
                long[] l = segment(vaddr);
                return vaddr - l[0] < l[3];
            } catch (MemoryAccessException e) {
                return false;
            }
        }

        @Override
        public long toPhysical(long vaddr) {
            long[] l = segment(vaddr);
            return l[1] + (vaddr - l[0]);
        }
    }

    /** The dump's VMCOREINFO: the ELF dump's third note (readelf -n), text up to its first NUL. */
    static VmcoreInfo vmcoreinfo() {
        try (FileChannel ch = FileChannel.open(DUMP, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(0x1340);
            ch.read(b, 0);
            String s = new String(b.array(), StandardCharsets.ISO_8859_1);
            int at = s.indexOf("OSRELEASE=");
            return VmcoreInfo.parse(s.substring(at, s.indexOf('\0', at)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * vmlinux .symtab: name as crash keeps it (Symbol.crashName: "put_pid.part.0" is "put_pid") → the
     * link-time values (st_value) of its FUNC/OBJECT/NOTYPE symbols of that name.
     */
    static Map<String, List<Long>> vmlinuxSymbols() {
        try (FileChannel ch = FileChannel.open(Corpus.vmlinux(), StandardOpenOption.READ)) {
            ByteBuffer eh = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(eh, 0);
            long shoff = eh.getLong(0x28);
            int shentsize = eh.getShort(0x3a), shnum = eh.getShort(0x3c) & 0xffff;
            MappedByteBuffer sh = ch.map(FileChannel.MapMode.READ_ONLY, shoff, (long) shentsize * shnum);
            sh.order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < shnum; i++) {
                if (sh.getInt(i * shentsize + 4) != 2) continue; // SHT_SYMTAB
                long off = sh.getLong(i * shentsize + 24), size = sh.getLong(i * shentsize + 32);
                int link = sh.getInt(i * shentsize + 40);
                long stroff = sh.getLong(link * shentsize + 24), strsize = sh.getLong(link * shentsize + 32);
                ByteBuffer sym = ch.map(FileChannel.MapMode.READ_ONLY, off, size).order(ByteOrder.LITTLE_ENDIAN);
                ByteBuffer str = ch.map(FileChannel.MapMode.READ_ONLY, stroff, strsize);
                Map<String, List<Long>> out = new HashMap<>();
                for (int s = 24; s + 24 <= size; s += 24) {
                    int type = sym.get(s + 4) & 0xf;
                    if (type > 2) continue; // NOTYPE, OBJECT, FUNC
                    int name = sym.getInt(s);
                    int end = name;
                    while (str.get(end) != 0) end++;
                    byte[] nb = new byte[end - name];
                    str.get(name, nb);
                    if (nb.length == 0) continue;
                    out.computeIfAbsent(org.kdive.api.symbols.Symbol.crashName(new String(nb, StandardCharsets.ISO_8859_1)), k -> new ArrayList<>(1)).add(sym.getLong(s + 8));
                }
                return out;
            }
            throw new IllegalStateException(Corpus.vmlinux() + " has no .symtab");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
