package org.kdive.cmd.process.mm;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import org.kdive.api.command.CommandException;
import org.kdive.api.kernel.MapleTree;
import org.kdive.cmd.process.access.Layout;
import org.kdive.cmd.process.access.PathNames;

/**
 * The VMAs of an mm_struct in address order, from whichever structure the kernel has: the maple
 * tree mm_struct.mm_mt (6.1+) or the vm_next list from mm_struct.mmap (before), told apart by the
 * members the debuginfo has.
 */
public final class AddressSpaces {
    /** More VMAs than the kernel's default vm.max_map_count allows many times over: a loop. */
    private static final int MAX_VMAS = 1 << 22;
    private final Layout k;
    private final PathNames paths;
    private final Runnable checkCancelled;

    public AddressSpaces(Layout k, Runnable checkCancelled) {
        this.k = k;
        this.paths = new PathNames(k);
        this.checkCancelled = checkCancelled;
    }

    /** The vm_area_struct addresses of {@code mm}. */
    public List<Long> vmaAddresses(long mm) {
        List<Long> out = new ArrayList<>();
        each(mm, out::add);
        return out;
    }

    public void each(long mm, LongConsumer vma) {
        if (k.hasMember("mm_struct", "mmap")) {
            long v = k.pointer(mm, "mm_struct", "mmap");
            long next = k.requireOffset("vm_area_struct", "vm_next");
            int n = 0;
            while (v != 0) {
                if (++n > MAX_VMAS) throw new CommandException(String.format("mm_struct %x: the VMA list does not end (loop?)", mm));
                if ((n & 1023) == 0) checkCancelled.run();
                vma.accept(v);
                v = k.u64(v + next);
            }
        } else if (k.hasMember("mm_struct", "mm_mt")) {
            MapleTree.of(k.session(), checkCancelled).entries(mm + k.requireOffset("mm_struct", "mm_mt"), vma);
        } else {
            throw new CommandException("mm_struct has neither mmap nor mm_mt in this kernel's debuginfo");
        }
    }

    /** One VMA's fields and its file's path. */
    public Vma read(long vma) {
        long start = k.pointer(vma, "vm_area_struct", "vm_start");
        long end = k.pointer(vma, "vm_area_struct", "vm_end");
        long flags = k.read(vma, "vm_area_struct", "vm_flags");
        long file = k.pointer(vma, "vm_area_struct", "vm_file");
        long pgoff = k.pointer(vma, "vm_area_struct", "vm_pgoff");
        String path = "";
        if (file != 0) {
            try {
                path = paths.ofFile(file);
            } catch (RuntimeException e) {
                path = "";
            }
        }
        return new Vma(vma, start, end, flags, file, path, pgoff);
    }
}
