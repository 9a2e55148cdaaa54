package org.kdive.core;

import java.util.function.Supplier;
import org.kdive.api.arch.KernelArch;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.dump.PhysicalMemory;
import org.kdive.api.session.Memory;

/** Kernel virtual memory: translates page by page through the architecture. */
final class VirtualMemory implements Memory {
    private final Supplier<KernelArch> arch;
    private final PhysicalMemory physical;

    VirtualMemory(Supplier<KernelArch> arch, PhysicalMemory physical) {
        this.arch = arch;
        this.physical = physical;
    }

    @Override
    public void read(long vaddr, byte[] dst, int off, int len) {
        KernelArch a = arch.get();
        int page = physical.pageSize();
        long addr = vaddr;
        int done = 0;
        while (done < len) {
            int inPage = (int) (page - Long.remainderUnsigned(addr, page));
            int n = Math.min(inPage, len - done);
            long paddr = a.toPhysical(addr);
            try {
                physical.read(paddr, dst, off + done, n);
            } catch (MemoryAccessException e) {
                throw new MemoryAccessException(addr, false, e.reason(),
                        String.format("%s (virtual 0x%x)", e.getMessage(), addr));
            }
            done += n;
            addr += n;
        }
    }

    @Override
    public boolean isReadable(long vaddr) {
        try {
            return physical.isPresent(arch.get().toPhysical(vaddr));
        } catch (MemoryAccessException e) {
            return false;
        }
    }

    @Override
    public long toPhysical(long vaddr) {
        return arch.get().toPhysical(vaddr);
    }
}
