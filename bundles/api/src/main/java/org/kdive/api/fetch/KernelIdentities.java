package org.kdive.api.fetch;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kdive.api.KdiveException;
import org.kdive.api.arch.KernelArch;
import org.kdive.api.dump.Dump;
import org.kdive.api.dump.DumpInfo;
import org.kdive.api.dump.MemoryAccessException;
import org.kdive.api.dump.PhysicalMemory;
import org.kdive.api.dump.VmcoreInfo;

/**
 * Identifies the crashed kernel from the dump alone: VMCOREINFO (OSRELEASE, BUILD-ID), the
 * format's utsname (kdump header), then the kernel's own {@code init_uts_ns} (located through
 * VMCOREINFO, translated by the architecture), and last a bounded scan of physical memory for the
 * "Linux version" banner.
 */
public final class KernelIdentities {
    /** How much present memory the banner scan reads at most. */
    static final long SCAN_LIMIT = 512L << 20;
    private static final byte[] BANNER = "Linux version ".getBytes(StandardCharsets.US_ASCII);
    private static final int UTS_FIELD = 65;
    private static final Pattern BANNER_VERSION = Pattern.compile("\\) (#\\d+ .*)$");

    private KernelIdentities() {
    }

    /** Without an architecture: {@code init_uts_ns} cannot be translated, the banner scan answers instead. */
    public static KernelIdentity of(Dump dump) {
        return of(dump, null);
    }

    /** @param arch the dump's architecture (translates init_uts_ns), or null */
    public static KernelIdentity of(Dump dump, KernelArch arch) {
        VmcoreInfo vi = dump.vmcoreinfo().orElse(VmcoreInfo.empty());
        DumpInfo info = dump.info();
        Map<String, String> d = info.details();
        String release = vi.osRelease().orElse(blankToNull(d.get(DumpInfo.DETAIL_UTS_RELEASE)));
        String version = blankToNull(d.get(DumpInfo.DETAIL_UTS_VERSION));
        String machine = blankToNull(info.machine());
        String banner = "";
        if (release == null || version == null || machine == null) {
            String[] uts = initUtsName(dump, vi, arch);
            if (uts != null) {
                if (release == null) release = uts[2];
                if (version == null) version = uts[3];
                if (machine == null) machine = uts[4];
            }
        }
        if (release == null || version == null) {
            banner = scanBanner(dump.memory(), release).orElse("");
            if (!banner.isEmpty()) {
                String rest = banner.substring(BANNER.length);
                int sp = rest.indexOf(' ');
                if (release == null) release = sp > 0 ? rest.substring(0, sp) : rest;
                Matcher m = BANNER_VERSION.matcher(rest);
                if (version == null && m.find()) version = m.group(1);
            }
        }
        return new KernelIdentity(release == null ? "" : release, version == null ? "" : version,
                machine == null ? "" : machine, vi.buildId(), banner, Map.of());
    }

    /**
     * sysname, nodename, release, version, machine from init_uts_ns, where VMCOREINFO gives the
     * symbol and the architecture translates it; null otherwise or when the page is not in the dump.
     */
    static String[] initUtsName(Dump dump, VmcoreInfo vi, KernelArch arch) {
        OptionalLong sym = vi.symbol("init_uts_ns");
        if (sym.isEmpty() || arch == null) return null;
        long vaddr = sym.getAsLong() + vi.offset("uts_namespace.name").orElse(0);
        long paddr;
        try {
            paddr = arch.toPhysical(vaddr);
        } catch (KdiveException e) {
            return null;
        }
        try {
            byte[] b = dump.memory().read(paddr, 5 * UTS_FIELD);
            String[] f = new String[5];
            for (int i = 0; i < 5; i++) f[i] = cstring(b, i * UTS_FIELD, UTS_FIELD);
            return f[0].equals("Linux") ? f : null;
        } catch (MemoryAccessException | IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The first "Linux version …" line in present memory (reading at most {@link #SCAN_LIMIT}
     * bytes); with a known release, only a banner of that release counts. A banner whose version
     * has a build number ("#1 SMP …") wins over stale copies (this corpus holds one reading "# SMP").
     */
    static Optional<String> scanBanner(PhysicalMemory mem, String release) {
        byte[] want = release == null ? BANNER : ("Linux version " + release + " ").getBytes(StandardCharsets.US_ASCII);
        int page = mem.pageSize();
        byte[] buf = new byte[page + 512];
        long read = 0;
        long p = mem.nextPresent(0);
        String fallback = null;
        while (p >= 0 && read < SCAN_LIMIT) {
            try {
                mem.read(p, buf, 0, page);
            } catch (MemoryAccessException e) {
                p = mem.nextPresent(p + page);
                continue;
            }
            read += page;
            int at = indexOf(buf, page, want);
            if (at >= 0) {
                // the line may run into the next page
                int n = page - at;
                System.arraycopy(buf, at, buf, 0, n);
                try {
                    mem.read(p + page, buf, n, 512);
                } catch (MemoryAccessException e) {
                    // the banner ends in this page or its rest is not in the dump
                }
                int end = 0;
                while (end < n + 512 && buf[end] != '\n' && buf[end] != 0) end++;
                String s = new String(buf, 0, end, StandardCharsets.ISO_8859_1);
                if (s.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                    if (BANNER_VERSION.matcher(s).find()) return Optional.of(s);
                    if (fallback == null) fallback = s;
                }
            }
            p = mem.nextPresent(p + page);
        }
        return Optional.ofNullable(fallback);
    }

    private static int indexOf(byte[] b, int len, byte[] w) {
        outer:
        for (int i = 0; i + w.length <= len; i++) {
            if (b[i] != w[0]) continue;
            for (int j = 1; j < w.length; j++) {
                if (b[i + j] != w[j]) continue outer;
            }
            return i;
        }
        return -1;
    }

    private static String cstring(byte[] b, int off, int max) {
        int end = off;
        while (end < off + max && b[end] != 0) end++;
        return new String(b, off, end - off, StandardCharsets.ISO_8859_1);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
