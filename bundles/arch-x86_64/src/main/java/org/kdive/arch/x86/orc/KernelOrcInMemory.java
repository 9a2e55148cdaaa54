package org.kdive.arch.x86.orc;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.kdive.api.session.Memory;
import org.kdive.api.session.Session;
import org.kdive.api.symbols.Symbol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel image's own ORC table read from the dump, for a session without a vmlinux: the IP
 * table between {@code __start_orc_unwind_ip} and {@code __stop_orc_unwind_ip}, the entries between
 * {@code __start_orc_unwind} and {@code __stop_orc_unwind} (both in kallsyms, read-only data kept at
 * every dump level). The kernel's fast-lookup index {@code orc_lookup} (one u32 table index per
 * 256-byte block of text from {@code _stext}) is compared with the table on a sample of blocks: a
 * disagreement means the table read is not the one the kernel used, and is reported.
 */
public final class KernelOrcInMemory {
    private static final Logger LOG = LoggerFactory.getLogger(KernelOrcInMemory.class);
    private static final long MAX_ORCS = 4_000_000;
    /** LOOKUP_BLOCK_ORDER 8 in arch/x86/include/asm/orc_lookup.h. */
    private static final int LOOKUP_BLOCK = 256;
    private static final int LOOKUP_SAMPLES = 64;

    private final Session session;
    private final List<String> problems = new ArrayList<>();

    public KernelOrcInMemory(Session session) {
        this.session = session;
    }

    /** What did not agree while reading (empty when all did). */
    public List<String> problems() { return problems; }

    /**
     * The table, or null when kallsyms does not locate it (no symbols, or a kernel without ORC).
     *
     * @param low        lowest kernel text address the table may describe
     * @param high       one past the highest
     * @param withHeader entries in the 6.4+ layout
     */
    public OrcTable read(long low, long high, boolean withHeader) {
        OptionalLong ipStart = symbol("__start_orc_unwind_ip");
        OptionalLong ipStop = symbol("__stop_orc_unwind_ip");
        OptionalLong orcStart = symbol("__start_orc_unwind");
        if (ipStart.isEmpty() || ipStop.isEmpty() || orcStart.isEmpty()) return null;
        long n = (ipStop.getAsLong() - ipStart.getAsLong()) / 4;
        if (n <= 0 || n > MAX_ORCS) {
            problems.add(String.format("ORC IP table %x-%x: implausible %d entries", ipStart.getAsLong(), ipStop.getAsLong(), n));
            return null;
        }
        OptionalLong orcStop = symbol("__stop_orc_unwind");
        if (orcStop.isPresent()) {
            long m = (orcStop.getAsLong() - orcStart.getAsLong()) / OrcEntry.SIZE;
            if (m != n) {
                problems.add(String.format("ORC tables disagree: %d IPs (%x) but %d entries (%x): using %d",
                        n, ipStart.getAsLong(), m, orcStart.getAsLong(), Math.min(n, Math.max(m, 0))));
                n = Math.min(n, Math.max(m, 0));
                if (n == 0) return null;
            }
        }
        Memory mem = session.memory();
        byte[] ips = mem.read(ipStart.getAsLong(), (int) (n * 4));
        byte[] entries = mem.read(orcStart.getAsLong(), (int) (n * OrcEntry.SIZE));
        OrcTable table = OrcTable.fromSections("vmlinux", ips, ipStart.getAsLong(), entries, low, high, withHeader);
        checkLookup(table, ips, ipStart.getAsLong(), low);
        problems.forEach(p -> LOG.warn("{}", p));
        return table;
    }

    /** Samples orc_lookup: block b's value is the index of the last table entry at or below _stext + b*256. */
    private void checkLookup(OrcTable table, byte[] ipBytes, long ipAddress, long textStart) {
        OptionalLong lookup = symbol("orc_lookup");
        OptionalLong lookupEnd = symbol("orc_lookup_end");
        OptionalLong stext = symbol("_stext");
        if (lookup.isEmpty() || lookupEnd.isEmpty() || stext.isEmpty()) return;
        long blocks = (lookupEnd.getAsLong() - lookup.getAsLong()) / 4;
        if (blocks <= 1 || blocks > MAX_ORCS) return;
        long[] ips = new long[ipBytes.length / 4];
        for (int i = 0; i < ips.length; i++) {
            int o = 4 * i;
            int rel = (ipBytes[o] & 0xff) | (ipBytes[o + 1] & 0xff) << 8 | (ipBytes[o + 2] & 0xff) << 16 | ipBytes[o + 3] << 24;
            ips[i] = ipAddress + o + rel;
        }
        Memory mem = session.memory();
        int bad = 0;
        long firstBad = -1;
        for (int k = 0; k < LOOKUP_SAMPLES; k++) {
            long b = (blocks - 1) * k / (LOOKUP_SAMPLES - 1);
            long want;
            try {
                want = mem.u32(lookup.getAsLong() + 4 * b);
            } catch (RuntimeException e) {
                return; // orc_lookup is .bss-like data a filtered dump may lack: nothing to compare
            }
            long at = stext.getAsLong() + b * LOOKUP_BLOCK;
            int idx = lastAtOrBelow(ips, at);
            // the kernel's index may point one entry early (it rounds down to the block's start)
            if (idx < 0 || Math.abs(idx - want) > 1) {
                bad++;
                if (firstBad < 0) firstBad = b;
            }
        }
        if (bad > 0) {
            problems.add(String.format("orc_lookup disagrees with the ORC table read at %x on %d of %d sampled blocks"
                    + " (first: block %d): stacks may be wrong", ipAddress, bad, LOOKUP_SAMPLES, firstBad));
        }
    }

    private static int lastAtOrBelow(long[] a, long v) {
        int lo = 0, hi = a.length - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(a[mid], v) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    private OptionalLong symbol(String name) {
        try {
            Optional<Symbol> s = session.symbols().first(name);
            return s.isPresent() ? OptionalLong.of(s.get().address()) : OptionalLong.empty();
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }
}
