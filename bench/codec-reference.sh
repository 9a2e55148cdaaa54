#!/usr/bin/env bash
# C reference for bench/formats-read.sh: decodes the very same stored pages of the same kdump files
# with the C libraries (zlib uncompress, lzo1x_decompress_safe, snappy_uncompress, ZSTD_decompressDCtx
# with one reused context) on one thread, so kdive's page-read MB/s can be stated as a ratio kdive/C.
# The C side holds the whole file in memory and does no descriptor lookup or file read in the timed
# loop: it is the codecs' ceiling, so the ratio is conservative for kdive.
# Prints, per file: decompressed MB/s (first round, best wall round, best per CPU second of the thread)
# over ROUNDS rounds (default 10, like formats-read.sh; no core pinning), then the mean stored size per
# codec. ZSTD1=1 (default) also re-compresses every page with ZSTD_compressCCtx level 1, as makedumpfile
# -z does, and times decoding those ("+zstd-1 recomp." lines): the fixtures' zstd pages are written by
# aircompressor's Java compressor instead.
# Needs gcc and the Debian packages zlib1g-dev liblzo2-dev libsnappy-dev libzstd-dev.
# The flattened and ELF corpus dumps are not kdump-compressed files: not measured here.
# Usage: bench/codec-reference.sh [extra kdump files...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${KDIVE_CORPUS:-$HOME/.cache/kdive-corpus}/vqbug-6.1
missing=()
for h in zlib.h:zlib1g-dev lzo/lzo1x.h:liblzo2-dev snappy-c.h:libsnappy-dev zstd.h:libzstd-dev; do
    [ -f "/usr/include/${h%%:*}" ] || missing+=("${h#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "codec-reference: missing C headers; install: apt-get install -y ${missing[*]}" >&2
    exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -O2 -Wall -o "$work/pagedecode" "$root/bench/codec-reference/pagedecode.c" -lz -llzo2 -lsnappy -lzstd
files=("$corpus/vmcore.kdump-zlib" "$corpus/vmcore.kdump-lzo")
for f in "$root"/bundles/format-diskdump/target/fixtures/spec-{zstd,snappy,lzo,none}.kdump; do
    [ -f "$f" ] && files+=("$f")
done
opts=(-r "${ROUNDS:-10}")
[ "${ZSTD1:-1}" = 1 ] && opts+=(-z)
echo "load: $(cut -d' ' -f1-3 /proc/loadavg), cores: $(nproc), gcc: $(gcc -dumpfullversion)"
"$work/pagedecode" "${opts[@]}" "${files[@]}" "$@"
