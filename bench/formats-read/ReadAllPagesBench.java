import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpFormat;
import org.kdive.api.dump.PhysicalMemory;

/** Reads every present page of each dump given (format picked by probe, like the session) and prints MB/s. */
public final class ReadAllPagesBench {
    public static void main(String[] args) throws Exception {
        List<DumpFormat> formats = List.of(new org.kdive.format.diskdump.DiskdumpFormat(),
                new org.kdive.format.flattened.FlattenedFormat(), new org.kdive.format.elf.ElfFormat(),
                new org.kdive.format.lkcd.LkcdFormat());
        int rounds = Integer.getInteger("rounds", 3);
        for (String a : args) {
            Path file = Paths.get(a);
            byte[] head = new byte[DumpFormat.PROBE_SIZE];
            try (var in = Files.newInputStream(file)) {
                in.readNBytes(head, 0, head.length);
            }
            DumpFormat best = null;
            int score = 0;
            for (DumpFormat f : formats) {
                int s = f.probe(file, ByteBuffer.wrap(head));
                if (s > score) {
                    score = s;
                    best = f;
                }
            }
            if (best == null) {
                System.out.println(file.getFileName() + ": no format");
                continue;
            }
            long t0 = System.nanoTime();
            try (Dump d = best.open(List.of(file))) {
                double openMs = (System.nanoTime() - t0) / 1e6;
                PhysicalMemory m = d.memory();
                byte[] page = new byte[m.pageSize()];
                double bestMbs = 0;
                double firstMbs = 0;
                long pages = 0;
                for (int r = 0; r < rounds; r++) {
                    long t = System.nanoTime();
                    pages = 0;
                    for (long p = m.nextPresent(0); p >= 0; p = m.nextPresent(p + page.length)) {
                        m.read(p, page, 0, page.length);
                        pages++;
                    }
                    double s = (System.nanoTime() - t) / 1e9;
                    double mbs = pages * page.length / 1e6 / s;
                    if (r == 0) firstMbs = mbs;
                    bestMbs = Math.max(bestMbs, mbs);
                }
                System.out.printf("%-24s %-17s %-7s open %7.1f ms  %6d pages  first %7.0f MB/s  best %7.0f MB/s%n",
                        file.getFileName(), d.info().format(), d.info().compression(), openMs, pages, firstMbs, bestMbs);
            }
        }
    }
}
