package org.kdive.arch.x86.paging;

/**
 * One level of the x86_64 page-table tree, top to bottom; names as Linux and crash use them (crash
 * calls the top table "PGD" with 4 levels as with 5: a user walk prints "   PGD: entry => value", a
 * kernel walk prints its entry as "PAGE DIRECTORY").
 */
enum PagingLevel {
    PGD5("pgd", "PGD", 48),
    P4D("p4d", "P4D", 39),
    PGD4("pgd", "PGD", 39),
    PUD("pud", "PUD", 30),
    PMD("pmd", "PMD", 21),
    PTE("pte", "PTE", 12);

    final String linuxName;
    final String crashLabel;
    final int shift;

    PagingLevel(String linuxName, String crashLabel, int shift) {
        this.linuxName = linuxName;
        this.crashLabel = crashLabel;
        this.shift = shift;
    }

    int index(long vaddr) {
        return (int) ((vaddr >>> shift) & 0x1ff);
    }

    /** A set PS bit maps a large page at this level (1 GiB at PUD, 2 MiB at PMD). */
    boolean allowsLargePage() {
        return this == PUD || this == PMD;
    }

    long pageSize() {
        return 1L << shift;
    }

    static final PagingLevel[] FIVE = {PGD5, P4D, PUD, PMD, PTE};
    static final PagingLevel[] FOUR = {PGD4, PUD, PMD, PTE};
}
