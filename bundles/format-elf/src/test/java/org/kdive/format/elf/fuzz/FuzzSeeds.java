package org.kdive.format.elf.fuzz;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.kdive.test.Corpus;

/**
 * Writes the fuzz seeds: real ELF dumps cut down. The ELF header, the program headers and the PT_NOTE data are
 * kept whole; each PT_LOAD keeps its first pages (at most 2 in the file, 3 in memory: a filtered tail) and the
 * segments are packed one after another. Run from the module: {@code java -cp <test classpath>
 * org.kdive.format.elf.fuzz.FuzzSeeds src/test/resources}.
 */
public final class FuzzSeeds {
    private static final int PAGE = 4096, LOADS = 6;

    public static void main(String[] args) throws IOException {
        Path inputs = Files.createDirectories(Path.of(args[0], "org/kdive/format/elf/fuzz/ElfDumpFuzzTestInputs/elf"));
        Files.write(inputs.resolve("seed-makedumpfile-E"), cut(Corpus.file("vmcore.elf-d31")));
        Path qemu = Corpus.cacheRoot().resolve("extra/vmcore-sysrq.qemu.elf");
        if (Files.exists(qemu)) Files.write(inputs.resolve("seed-qemu"), cut(qemu));
    }

    static byte[] cut(Path dump) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(dump.toFile(), "r")) {
            byte[] eh = new byte[64];
            f.readFully(eh);
            ByteBuffer e = ByteBuffer.wrap(eh).order(ByteOrder.LITTLE_ENDIAN);
            long phoff = e.getLong(0x20);
            int phnum = e.getShort(0x38) & 0xffff;
            byte[] ph = new byte[phnum * 56];
            f.seek(phoff);
            f.readFully(ph);
            ByteBuffer p = ByteBuffer.wrap(ph).order(ByteOrder.LITTLE_ENDIAN);
            java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
            long base = 64 + ph.length;
            int loads = 0;
            java.util.List<Integer> kept = new java.util.ArrayList<>();
            for (int i = 0; i < phnum; i++) {
                int at = i * 56;
                int type = p.getInt(at);
                long off = p.getLong(at + 8), filesz = p.getLong(at + 32), memsz = p.getLong(at + 40);
                if (type == 1 && loads++ >= LOADS) continue;
                long keep = type == 1 ? Math.min(filesz, 2 * PAGE) : filesz;
                byte[] b = new byte[(int) keep];
                f.seek(off);
                f.readFully(b);
                p.putLong(at + 8, base + data.size());
                if (type == 1) {
                    p.putLong(at + 32, keep);
                    p.putLong(at + 40, Math.min(memsz, 3 * PAGE));
                }
                data.write(b);
                kept.add(i);
            }
            ByteBuffer out = ByteBuffer.allocate((int) (64 + kept.size() * 56 + data.size())).order(ByteOrder.LITTLE_ENDIAN);
            e.putLong(0x20, 64).putShort(0x38, (short) kept.size());
            out.put(eh);
            long shift = (phnum - kept.size()) * 56L;
            for (int i : kept) {
                ByteBuffer one = ByteBuffer.wrap(ph, i * 56, 56).slice().order(ByteOrder.LITTLE_ENDIAN);
                one.putLong(8, one.getLong(8) - shift);
                out.put(ph, i * 56, 56);
            }
            out.put(data.toByteArray());
            return out.array();
        }
    }
}
