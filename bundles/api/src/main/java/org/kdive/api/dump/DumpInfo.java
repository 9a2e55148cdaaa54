package org.kdive.api.dump;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Format-level facts for `dumpinfo` and the fetchers, known before any debuginfo.
 *
 * @param format        e.g. "kdump-compressed", "elf", "flattened", "lkcd"
 * @param formatVersion e.g. "6" for diskdump header version 6; "" if the format has none
 * @param compression   e.g. "zlib", "lzo", "snappy", "zstd", "none", "mixed"
 * @param dumpLevel     makedumpfile dump level, or -1 if unknown
 * @param pageSize      bytes
 * @param cpus          CPUs in the crashed system, or -1 if unknown
 * @param machine       uname -m of the crashed kernel, e.g. "x86_64"
 * @param panicCpu      the CPU that crashed, or -1 if the format does not say
 * @param details       further ordered facts; see the DETAIL_* keys
 */
public record DumpInfo(String format, String formatVersion, String compression, int dumpLevel,
        int pageSize, int cpus, String machine, int panicCpu, Map<String, String> details) {

    public static final String DETAIL_UTS_RELEASE = "utsname.release";
    public static final String DETAIL_UTS_VERSION = "utsname.version";
    public static final String DETAIL_UTS_NODENAME = "utsname.nodename";
    /** Seconds since the epoch when the dump was written, as the header says. */
    public static final String DETAIL_TIMESTAMP = "timestamp";
    /** Bytes of memory the dump describes (present or not). */
    public static final String DETAIL_MEMORY = "memory";
    /** Pages the dump holds (readable). */
    public static final String DETAIL_PAGES_PRESENT = "pages.present";
    /** Pages the crashed system had that the dump left out (makedumpfile's dump level, ELF p_filesz &lt; p_memsz). */
    public static final String DETAIL_PAGES_EXCLUDED = "pages.excluded";

    public DumpInfo {
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }
}
