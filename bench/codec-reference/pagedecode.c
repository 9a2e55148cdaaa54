/*
 * pagedecode: the C reference for kdive's page-read benchmark (bench/formats-read.sh).
 *
 * Reads a kdump-compressed file (makedumpfile's "diskdump" layout), keeps the whole file in memory,
 * then decodes every dumped page with the C library its descriptor names (zlib uncompress(),
 * lzo1x_decompress_safe, snappy_uncompress, ZSTD_decompressDCtx with one reused context, memcpy for
 * stored pages) into one page buffer, N rounds, and prints decompressed MB/s in the shape of
 * formats-read.sh's lines. No file I/O, no descriptor lookup in the timed loop: this is the upper
 * bound a reader gets from the C codecs on exactly the pages kdive reads.
 *
 * -z also re-compresses each decoded page with ZSTD_compressCCtx level 1 (what makedumpfile does
 * for -z; a page that does not shrink is stored raw, as makedumpfile does) and times decoding those:
 * the kdive fixtures' zstd pages come from aircompressor's Java compressor, real dumps from libzstd.
 *
 * Usage: pagedecode [-r rounds] [-z] file...    Exit 1 on any unreadable or malformed file.
 * Layout facts (offsets below) from makedumpfile's diskdump_mod.h, as kdive's KdumpHeader reads them.
 */
#include <errno.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>
#include <zstd.h>

enum { F_ZLIB = 0x1, F_LZO = 0x2, F_SNAPPY = 0x4, F_ZSTD = 0x20 };
enum { HEADER_SIZE = 464, DESC_SIZE = 24 };

struct page { const uint8_t *data; uint32_t size, flags; };
struct dump { uint8_t *file; size_t fsize; uint32_t bsize, status; size_t n; struct page *pages; };

static ZSTD_DCtx *dctx;
static uint8_t *out; /* the one page buffer every page decodes into (as kdive's bench reuses one) */

static int fail(const char *path, uint64_t off, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "pagedecode: %s: at offset 0x%llx: ", path, (unsigned long long) off);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

static uint32_t u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; } /* x86: LE */
static uint64_t u64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static double now(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec + t.tv_nsec / 1e9; }

/* Set bits of bitmap bm (bit n = pfn n, LSB first) in [from, to). A plain loop: a few ms per GiB of RAM. */
static uint64_t popcount_range(const uint8_t *bm, uint64_t from, uint64_t to) {
    uint64_t n = 0;
    for (uint64_t b = from; b < to; b++) n += bm[b >> 3] >> (b & 7) & 1;
    return n;
}

/* 0 loaded, 1 error (printed), 2 skipped (printed). Every offset is checked against the file size. */
static int load(const char *path, struct dump *d) {
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0) return fail(path, 0, "cannot open: %s", strerror(errno));
    d->fsize = st.st_size;
    if (d->fsize < HEADER_SIZE) { fclose(f); return fail(path, d->fsize, "truncated: a kdump header needs %d bytes", HEADER_SIZE); }
    d->file = malloc(d->fsize);
    size_t got = d->file ? fread(d->file, 1, d->fsize, f) : 0;
    fclose(f);
    if (got != d->fsize) return fail(path, got, "cannot load %zu bytes (read %zu)", d->fsize, got);
    const uint8_t *h = d->file;
    if (memcmp(h, "makedumpfile", 12) == 0) {
        printf("%-22s skipped: flattened format (reassemble with makedumpfile -R to measure it)\n", path);
        return 2;
    }
    if (memcmp(h, "KDUMP   ", 8) != 0) return fail(path, 0, "not a kdump-compressed file (no \"KDUMP   \" signature)");
    int32_t version = u32(h + 8);
    d->status = u32(h + 424);
    d->bsize = u32(h + 428);
    uint64_t sub_blocks = u32(h + 432), bitmap_blocks = u32(h + 436), max_mapnr = u32(h + 440);
    if (version < 1 || version > 6) return fail(path, 8, "header version %d, expected 1..6", version);
    if (d->bsize < 512 || d->bsize > (1u << 18) || (d->bsize & (d->bsize - 1)))
        return fail(path, 428, "block size %u is not a power of two from 512 to 256 KiB", d->bsize);
    uint64_t bs = d->bsize, bitmap_off = (1 + sub_blocks) * bs, half = bitmap_blocks * bs / 2;
    uint64_t desc_off = bitmap_off + bitmap_blocks * bs;
    if (bitmap_blocks == 0 || desc_off > d->fsize)
        return fail(path, 436, "truncated: header, sub-header and %llu bitmap blocks end at 0x%llx, past the file end 0x%zx",
                    (unsigned long long) bitmap_blocks, (unsigned long long) desc_off, d->fsize);
    /* kdump_sub_header: split flag and pfn range (v2+), 64-bit max_mapnr and range (v6) */
    const uint8_t *s = h + bs;
    int split = sub_blocks > 0 && version >= 2 && u32(s + 12) != 0;
    uint64_t start = split ? u64(s + 16) : 0, end = split ? u64(s + 24) : 0;
    if (sub_blocks > 0 && version >= 6) {
        if (u64(s + 96)) max_mapnr = u64(s + 96);
        if (u64(s + 80) || u64(s + 88)) { start = u64(s + 80); end = u64(s + 88); }
    }
    if (!split) { start = 0; end = max_mapnr; }
    if (end > half * 8 || start > end)
        return fail(path, bs, "pfn range %llu..%llu outside the bitmap's %llu bits", (unsigned long long) start,
                    (unsigned long long) end, (unsigned long long) (half * 8));
    /* one descriptor per set bit of the 2nd bitmap (pages written), in pfn order */
    d->n = popcount_range(h + bitmap_off + half, start, end);
    if (desc_off + d->n * DESC_SIZE > d->fsize)
        return fail(path, d->fsize, "truncated: %zu page descriptors from 0x%llx need up to 0x%llx", d->n,
                    (unsigned long long) desc_off, (unsigned long long) (desc_off + d->n * DESC_SIZE));
    d->pages = malloc(d->n * sizeof *d->pages + 1);
    for (size_t i = 0; i < d->n; i++) {
        const uint8_t *p = h + desc_off + i * DESC_SIZE;
        uint64_t off = u64(p), doff = desc_off + i * DESC_SIZE;
        uint32_t size = u32(p + 8), flags = u32(p + 12);
        if (size == 0 || size > d->bsize) return fail(path, doff, "descriptor %zu: size %u, expected 1..%u", i, size, d->bsize);
        if (flags == 0 ? size != d->bsize : __builtin_popcount(flags) != 1 || (flags & ~(F_ZLIB | F_LZO | F_SNAPPY | F_ZSTD)))
            return fail(path, doff, "descriptor %zu: flags 0x%x with size %u", i, flags, size);
        if (off == 0 || off > d->fsize || size > d->fsize - off)
            return fail(path, doff, "truncated: descriptor %zu: data at 0x%llx+%u beyond the file end 0x%zx", i,
                        (unsigned long long) off, size, d->fsize);
        d->pages[i] = (struct page){ h + off, size, flags };
    }
    return 0;
}

/* Decodes one page into out; the produced length, or 0 when the data does not decode to a full page. */
static size_t decode(const struct page *p, size_t psize) {
    switch (p->flags) {
    case 0: memcpy(out, p->data, psize); return psize;
    case F_ZLIB: { uLongf n = psize; return uncompress(out, &n, p->data, p->size) == Z_OK ? n : 0; }
    case F_LZO: { lzo_uint n = psize; return lzo1x_decompress_safe(p->data, p->size, out, &n, NULL) == LZO_E_OK ? n : 0; }
    case F_SNAPPY: { size_t n = psize; return snappy_uncompress((const char *) p->data, p->size, (char *) out, &n) == SNAPPY_OK ? n : 0; }
    case F_ZSTD: { size_t n = ZSTD_decompressDCtx(dctx, out, psize, p->data, p->size); return ZSTD_isError(n) ? 0 : n; }
    }
    return 0;
}

/* Times `rounds` passes over all pages; prints one line shaped like ReadAllPagesBench's. 1 on a bad page. */
static int bench(const char *path, const char *label, const struct dump *d, const struct page *pages, size_t n,
                 int rounds, double load_ms) {
    double first = 0, best = 0, best_cpu = 0, bytes = (double) n * d->bsize;
    for (int r = 0; r < rounds; r++) {
        double t = now(CLOCK_MONOTONIC), c = now(CLOCK_THREAD_CPUTIME_ID);
        for (size_t i = 0; i < n; i++) {
            if (decode(&pages[i], d->bsize) != d->bsize) /* checked every round: a branch, no cost to speak of */
                return fail(path, pages[i].data - d->file, "page %zu (flags 0x%x, %u bytes) does not decode to %u bytes",
                            i, pages[i].flags, pages[i].size, d->bsize);
        }
        double mbs = bytes / 1e6 / (now(CLOCK_MONOTONIC) - t), cpu = bytes / 1e6 / (now(CLOCK_THREAD_CPUTIME_ID) - c);
        if (r == 0) first = mbs;
        if (mbs > best) best = mbs;
        if (cpu > best_cpu) best_cpu = cpu;
    }
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    printf("%-22s %-16s %-6s load %6.1f ms %6zu pages  first %5.0f  best %5.0f  cpu %5.0f MB/s  C\n", base, label,
           (d->status & F_ZSTD) ? "zstd" : (d->status & F_SNAPPY) ? "snappy" : (d->status & F_LZO) ? "lzo"
           : (d->status & F_ZLIB) ? "zlib" : "none", load_ms, n, first, best, best_cpu);
    return 0;
}

/* Stored pages per descriptor flag, and their mean stored size: the codec's ratio on these pages. */
static void stats(const struct page *pages, size_t n, uint32_t bsize) {
    static const struct { uint32_t f; const char *name; } codecs[] = {
        { 0, "raw" }, { F_ZLIB, "zlib" }, { F_LZO, "lzo" }, { F_SNAPPY, "snappy" }, { F_ZSTD, "zstd" } };
    printf("%24s", "stored:");
    for (size_t k = 0; k < sizeof codecs / sizeof *codecs; k++) {
        size_t cnt = 0;
        double sum = 0;
        for (size_t i = 0; i < n; i++)
            if (pages[i].flags == codecs[k].f) { cnt++; sum += pages[i].size; }
        if (cnt) printf("  %s %zu pages avg %.0f B", codecs[k].name, cnt, sum / cnt);
    }
    double all = 0;
    for (size_t i = 0; i < n; i++) all += pages[i].size;
    printf("  | all avg %.0f B, ratio %.2f\n", n ? all / n : 0, n ? n * (double) bsize / all : 0);
}

/* makedumpfile -z's pages: ZSTD_compressCCtx level 1 per page, raw when it does not shrink. */
static struct page *recompress_zstd1(const struct dump *d, uint8_t **store) {
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    size_t cap = ZSTD_compressBound(d->bsize), used = 0, room = d->n * (size_t) d->bsize / 2 + cap;
    uint8_t *buf = malloc(room), *tmp = malloc(cap);
    size_t *offs = malloc(d->n * sizeof *offs + 1); /* offsets, as buf may move while growing */
    struct page *pages = malloc(d->n * sizeof *pages + 1);
    for (size_t i = 0; i < d->n; i++) {
        decode(&d->pages[i], d->bsize); /* bench() of the stored pages already proved every page decodes */
        size_t c = ZSTD_compressCCtx(cc, tmp, cap, out, d->bsize, 1);
        int raw = ZSTD_isError(c) || c >= d->bsize;
        size_t len = raw ? d->bsize : c;
        if (used + len > room) buf = realloc(buf, room = 2 * room + len);
        memcpy(buf + used, raw ? out : tmp, len);
        offs[i] = used;
        pages[i] = (struct page){ NULL, len, raw ? 0 : F_ZSTD };
        used += len;
    }
    for (size_t i = 0; i < d->n; i++) pages[i].data = buf + offs[i];
    ZSTD_freeCCtx(cc);
    free(tmp);
    free(offs);
    *store = buf;
    return pages;
}

int main(int argc, char **argv) {
    int rounds = 10, zstd1 = 0, rc = 0, i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-z")) zstd1 = 1;
        else if (!strcmp(argv[i], "-r") && i + 1 < argc && atoi(argv[i + 1]) > 0) rounds = atoi(argv[++i]);
        else { fprintf(stderr, "usage: pagedecode [-r rounds] [-z] file...\n"); return 2; }
    }
    if (lzo_init() != LZO_E_OK) { fprintf(stderr, "pagedecode: lzo_init failed\n"); return 1; }
    dctx = ZSTD_createDCtx();
    out = aligned_alloc(4096, 1 << 18);
    printf("C codecs: zlib %s, lzo %s, libsnappy, libzstd %s; %d rounds, whole file in memory\n", zlibVersion(),
           lzo_version_string(), ZSTD_versionString(), rounds);
    for (; i < argc; i++) {
        struct dump d = { 0 };
        double t = now(CLOCK_MONOTONIC);
        int r = load(argv[i], &d);
        double load_ms = (now(CLOCK_MONOTONIC) - t) * 1e3;
        if (r == 0 && bench(argv[i], "kdump-compressed", &d, d.pages, d.n, rounds, load_ms) != 0) r = 1;
        if (r == 0) stats(d.pages, d.n, d.bsize);
        if (r == 0 && zstd1) {
            uint8_t *store;
            struct page *z = recompress_zstd1(&d, &store);
            bench(argv[i], "+zstd-1 recomp.", &d, z, d.n, rounds, 0);
            stats(z, d.n, d.bsize);
            free(z);
            free(store);
        }
        if (r == 1) rc = 1;
        free(d.pages);
        free(d.file);
    }
    return rc;
}
