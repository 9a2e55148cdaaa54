package org.kdive.api.dump;

import org.kdive.api.KdiveException;

/** An address could not be read; the reason says why (excluded page, not in dump, unmapped …). */
public class MemoryAccessException extends KdiveException {
    private static final long serialVersionUID = 1L;

    public enum Reason {
        /** makedumpfile filtered the page out (zero, cache, user, free pages). */
        EXCLUDED,
        /** No segment or bitmap entry describes this address. */
        NOT_IN_DUMP,
        /** The dump file ends before the page's data. */
        TRUNCATED,
        /** The page's data is present but cannot be decoded. */
        CORRUPT,
        /** Virtual address translation failed (page table entry not present). */
        UNMAPPED
    }

    private final long address;
    private final boolean physical;
    private final Reason reason;

    public MemoryAccessException(long address, boolean physical, Reason reason, String message) {
        super(message);
        this.address = address;
        this.physical = physical;
        this.reason = reason;
    }

    /** Standard wording, e.g. "page excluded (dump level 31): physical 0x1000". */
    public static MemoryAccessException physical(long paddr, Reason reason, String detail) {
        String what = switch (reason) {
            case EXCLUDED -> "page excluded";
            case NOT_IN_DUMP -> "page not in dump";
            case TRUNCATED -> "page missing (dump truncated)";
            case CORRUPT -> "page corrupt";
            case UNMAPPED -> "address not mapped";
        };
        String d = detail == null || detail.isEmpty() ? "" : " (" + detail + ")";
        return new MemoryAccessException(paddr, true, reason,
                String.format("%s%s: physical 0x%x", what, d, paddr));
    }

    public long address() { return address; }

    public boolean isPhysical() { return physical; }

    public Reason reason() { return reason; }
}
