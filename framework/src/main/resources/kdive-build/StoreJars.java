import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Build step of a distribution (run by the JDK as a source file): rewrites the jars of its bundles/
 * folder with every entry stored, not deflated. Felix reads a bundle's class from its jar each time
 * the bundle's class loader defines it, even when the class-data archive holds the class already:
 * from a stored entry that read is a copy instead of an inflate, ~6% of a run's start-up (bench/).
 * The distribution's tar.gz compresses them as a whole. Entries, their order and times are kept.
 */
public final class StoreJars {
    public static void main(String[] args) throws IOException {
        if (args.length != 1) throw new IllegalArgumentException("usage: StoreJars.java BUNDLES_DIR");
        List<Path> jars = new ArrayList<>();
        try (var s = Files.list(Path.of(args[0]))) {
            s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().forEach(jars::add);
        }
        for (Path jar : jars) {
            if (allStored(jar)) continue;
            Path tmp = jar.resolveSibling(jar.getFileName() + ".stored.tmp");
            try (ZipFile in = new ZipFile(jar.toFile()); OutputStream file = Files.newOutputStream(tmp);
                 ZipOutputStream out = new ZipOutputStream(file)) {
                out.setMethod(ZipOutputStream.STORED);
                for (Enumeration<? extends ZipEntry> e = in.entries(); e.hasMoreElements(); ) {
                    ZipEntry from = e.nextElement();
                    byte[] data;
                    try (InputStream is = in.getInputStream(from)) {
                        data = is.readAllBytes();
                    }
                    CRC32 crc = new CRC32();
                    crc.update(data);
                    ZipEntry to = new ZipEntry(from.getName());
                    to.setMethod(ZipEntry.STORED);
                    to.setSize(data.length);
                    to.setCompressedSize(data.length);
                    to.setCrc(crc.getValue());
                    to.setTime(from.getTime());
                    if (from.getExtra() != null) to.setExtra(from.getExtra());
                    out.putNextEntry(to);
                    out.write(data);
                    out.closeEntry();
                }
            }
            Files.setLastModifiedTime(tmp, Files.getLastModifiedTime(jar));
            Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static boolean allStored(Path jar) throws IOException {
        try (ZipFile z = new ZipFile(jar.toFile())) {
            for (Enumeration<? extends ZipEntry> e = z.entries(); e.hasMoreElements(); ) {
                if (e.nextElement().getMethod() != ZipEntry.STORED) return false;
            }
        }
        return true;
    }
}
