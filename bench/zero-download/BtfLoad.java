import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.kdive.symbols.btf.format.Btf;
import org.kdive.symbols.btf.types.BtfTypes;

/**
 * Times symbols-btf on a raw vmlinux BTF blob (the same bytes the kernel keeps between __start_BTF
 * and __stop_BTF): parsing (header, every record located and bounds-checked), the name index (C's
 * name spaces, enumerators, functions, DATASEC variables) and one struct's members, in one JVM:
 * the first round (cold, as a kdive run meets it) and the median of the rest.
 */
public class BtfLoad {
    public static void main(String[] args) throws Exception {
        byte[] data = Files.readAllBytes(Path.of(args[0]));
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        double[] parse = new double[rounds], index = new double[rounds];
        int types = 0;
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            Btf b = Btf.parse("vmlinux BTF", data, null);
            long t1 = System.nanoTime();
            BtfTypes t = new BtfTypes(b, null, 8);
            t.byName("struct task_struct").orElseThrow().members();
            long t2 = System.nanoTime();
            parse[r] = (t1 - t0) / 1e6;
            index[r] = (t2 - t1) / 1e6;
            types = b.count();
        }
        double[] p = Arrays.copyOfRange(parse, 1, rounds), i = Arrays.copyOfRange(index, 1, rounds);
        Arrays.sort(p);
        Arrays.sort(i);
        System.out.printf("BTF %.1f MB, %d types: parse %.1f ms cold / %.1f ms median; name index + task_struct %.1f ms cold / %.1f ms median%n",
                data.length / 1048576.0, types, parse[0], p[p.length / 2], index[0], i[i.length / 2]);
    }
}
