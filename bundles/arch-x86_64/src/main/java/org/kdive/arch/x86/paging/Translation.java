package org.kdive.arch.x86.paging;

/** A resolved mapping: virtual page at {@code vbase} of {@code size} bytes → physical {@code pbase}. */
record Translation(long vbase, long pbase, long size) {
    long physical(long vaddr) {
        return pbase + (vaddr - vbase);
    }
}
