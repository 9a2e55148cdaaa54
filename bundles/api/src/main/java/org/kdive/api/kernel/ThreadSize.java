package org.kdive.api.kernel;

import java.util.List;
import java.util.OptionalLong;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Symbol;

/**
 * The kernel's THREAD_SIZE (a task's kernel stack), from the kernel itself: one rule for every
 * command and architecture. {@code union thread_union}, crash's source for it, is missing from
 * the DWARF of Debian's 5.10, 6.1 and 6.12 kernels, and the size differs by build (KASAN doubles it).
 */
public final class ThreadSize {
    private ThreadSize() {
    }

    /**
     * The init task's stack area the linker script lays out ({@code __start_init_task} ..
     * {@code __end_init_task} up to 6.1, {@code __start_init_stack} .. {@code __end_init_stack} since),
     * else the size of {@code union thread_union}, else the declared type of {@code init_stack}
     * ({@code unsigned long[THREAD_SIZE / sizeof(long)]}); empty when the kernel says none of them.
     */
    public static OptionalLong of(Session s) {
        for (String[] bounds : new String[][] {{"__start_init_task", "__end_init_task"}, {"__start_init_stack", "__end_init_stack"}}) {
            List<Symbol> lo = s.symbols().byName(bounds[0]);
            List<Symbol> hi = s.symbols().byName(bounds[1]);
            if (!lo.isEmpty() && !hi.isEmpty() && hi.get(0).address() - lo.get(0).address() > 0) {
                return OptionalLong.of(hi.get(0).address() - lo.get(0).address());
            }
        }
        long union = s.symbols().type("union thread_union").map(t -> t.resolve().size()).orElse(0L);
        if (union > 0) return OptionalLong.of(union);
        // last: a variable's type is what BTF lacks, and asking for it may fetch the debuginfo
        long declared = s.symbols().variable("init_stack").map(v -> v.type().resolve().size()).orElse(0L);
        return declared > 0 ? OptionalLong.of(declared) : OptionalLong.empty();
    }
}
