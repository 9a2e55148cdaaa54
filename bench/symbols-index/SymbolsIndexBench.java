import java.nio.file.Path;
import java.nio.file.Paths;
import org.kdive.api.symbols.DebugInfo;
import org.kdive.api.symbols.LoadSpec;
import org.kdive.api.symbols.Type;
import org.kdive.api.symbols.Variable;
import org.kdive.symbols.dwarf.DwarfDebugInfoProvider;

/** One run: open vmlinux, lay out struct task_struct, look up jiffies; prints the wall time of those steps. */
public class SymbolsIndexBench {
    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        Path vmlinux = Paths.get(args[0]);
        try (DebugInfo d = new DwarfDebugInfoProvider().open(vmlinux, LoadSpec.vmlinux(0x3ba00000L))) {
            long t1 = System.nanoTime();
            Type t = d.type("struct task_struct").orElseThrow();
            int members = t.members().size();
            long t2 = System.nanoTime();
            Variable j = d.variable("jiffies").orElseThrow();
            long t3 = System.nanoTime();
            System.out.printf("open %.1f ms, struct task_struct (%d bytes, %d members) %.1f ms, jiffies @%x %.1f ms, total %.1f ms%n",
                    (t1 - t0) / 1e6, t.size(), members, (t2 - t1) / 1e6, j.address(), (t3 - t2) / 1e6, (t3 - t0) / 1e6);
        }
    }
}
