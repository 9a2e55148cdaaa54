package org.kdive.api.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.kdive.api.CorpusFiles;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.dump.PhysicalMemory;
import org.kdive.test.Corpus;

/**
 * The banner scan over the corpus ELF dump's physical memory (its PT_LOADs, read here by segment): the
 * "Linux version" line console.log starts with, not the stale "# SMP" copy that lies in memory too.
 */
class KernelIdentitiesTest {
    private static final String BANNER = "Linux version 6.1.0-50-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian"
            + " 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-07-02)";

    /** Physical memory of the ELF dump: the PT_LOADs' p_paddr, the bytes of their p_filesz. */
    private static final class ElfPhysical implements PhysicalMemory {
        private final List<long[]> loads = new ArrayList<>(); // paddr, offset, filesz

        ElfPhysical() {
            ByteBuffer eh = CorpusFiles.le(CorpusFiles.read(Corpus.file("vmcore.elf-d31"), 0, 64));
            int n = eh.getShort(0x38), size = eh.getShort(0x36);
            ByteBuffer ph = CorpusFiles.le(CorpusFiles.read(Corpus.file("vmcore.elf-d31"), eh.getLong(0x20), n * size));
            for (int i = 0; i < n; i++) {
                // the kernel-text segment repeats a piece of the direct map's: one copy is enough
                if (ph.getInt(i * size) == 1 && ph.getLong(i * size + 16) >= 0xff00000000000000L && ph.getLong(i * size + 16) < 0xffffffff80000000L) {
                    loads.add(new long[] {ph.getLong(i * size + 24), ph.getLong(i * size + 8), ph.getLong(i * size + 32)});
                }
            }
            loads.sort((a, b) -> Long.compare(a[0], b[0]));
        }

        @Override public int pageSize() { return 4096; }

        @Override public long limit() { long[] l = loads.get(loads.size() - 1); return l[0] + l[2]; }

        @Override
        public void read(long paddr, byte[] dst, int off, int len) {
            for (long[] l : loads) {
                if (paddr >= l[0] && paddr + len <= l[0] + l[2]) {
                    System.arraycopy(CorpusFiles.read(Corpus.file("vmcore.elf-d31"), l[1] + paddr - l[0], len), 0, dst, off, len);
                    return;
                }
            }
            throw MemoryAccessException.physical(paddr, MemoryAccessException.Reason.NOT_IN_DUMP, null);
        }

        @Override
        public boolean isPresent(long paddr) {
            return loads.stream().anyMatch(l -> paddr >= l[0] && paddr < l[0] + l[2]);
        }

        @Override
        public long nextPresent(long paddr) {
            long p = paddr & ~4095L;
            for (long[] l : loads) {
                if (p < l[0] + l[2]) return Math.max(p, l[0]);
            }
            return -1;
        }
    }

    @Test
    void theBannerOfTheBuildWins() {
        PhysicalMemory m = new ElfPhysical();
        assertEquals(Optional.of(BANNER), KernelIdentities.scanBanner(m, null));
        assertEquals(Optional.of(BANNER), KernelIdentities.scanBanner(m, "6.1.0-50-cloud-amd64"));
        assertEquals(Optional.empty(), KernelIdentities.scanBanner(m, "6.1.0-49-cloud-amd64"), "only a banner of the release asked");
        String console = Corpus.read(Corpus.file("console.log"));
        assertEquals(true, console.contains("] " + BANNER + "\n") || console.contains("] " + BANNER + "\r\n"), "console.log's first kernel line");
    }
}
