#!/usr/bin/env bash
# Reads every present page of each corpus dump (and of the spec-written zstd/snappy fixtures, when
# the format-diskdump tests have made them) on one thread and prints decompressed MB/s (wall, and per
# CPU second of the reading thread: steadier on a loaded machine) and the decoder used.
# JAVA_CODECS=true forces the pure-Java decoders; JAVA=/path/to/java runs it on another JVM.
# Usage: bench/formats-read.sh [extra dump files...]
# Build first: mvn -o -q install -pl bundles/format-diskdump,bundles/format-elf,bundles/format-flattened,bundles/format-lkcd -DskipTests
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${KDIVE_CORPUS:-$HOME/.cache/kdive-corpus}/vqbug-6.1
m2=$HOME/.m2/repository
v=0.1.0-SNAPSHOT
cp=$m2/org/kdive/kdive-api/$v/kdive-api-$v.jar:$m2/org/osgi/osgi.core/8.0.0/osgi.core-8.0.0.jar
# JNA (a bundle of the distro) lets zstd pages decode with the system's libzstd
cp=$cp:$m2/net/java/dev/jna/jna/5.17.0/jna-5.17.0.jar:$m2/org/slf4j/slf4j-api/2.0.16/slf4j-api-2.0.16.jar
# each format jar embeds the shared format code and the decoders
for m in format-diskdump format-flattened format-elf format-lkcd; do
    cp=$cp:$root/bundles/$m/target/kdive-$m-$v.jar
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
javac -d "$work" -cp "$cp" "$root/bench/formats-read/ReadAllPagesBench.java"
files=("$corpus/vmcore.kdump-zlib" "$corpus/vmcore.kdump-lzo" "$corpus/vmcore.flat" "$corpus/vmcore.elf-d31")
for f in "$root"/bundles/format-diskdump/target/fixtures/spec-{zstd,snappy,lzo,none}.kdump; do
    [ -f "$f" ] && files+=("$f")
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg), cores: $(nproc), java: $("${JAVA:-java}" -version 2>&1 | head -1)"
"${JAVA:-java}" -XX:+UseParallelGC -Drounds=${ROUNDS:-10} -Dkdive.codecs.java=${JAVA_CODECS:-false} -cp "$work:$cp" ReadAllPagesBench "${files[@]}" "$@"
