#!/usr/bin/env bash
# Coverage-guided fuzzing of every @FuzzTest target (Jazzer), one after another, MINUTES each (default 10);
# prints per target the executions, the coverage at start (seeds replayed) and at the end, and the findings.
# Usage: bench/fuzz.sh [MINUTES] [TARGET-FILTER]   e.g. bench/fuzz.sh 1 kdump
# Build first (mvn -o -q install -DskipTests on the modules). Findings are written by Jazzer into the
# target's src/test/resources/<package>/<Class>Inputs/<method>/ (crash-*, timeout-*, …) and so become
# regression inputs of `mvn test`. Each run starts from the checked-in seeds; the corpus it grew and its log
# are kept under target/fuzz/ of the repository.
set -uo pipefail
minutes=${1:-10}
filter=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
logs=$root/target/fuzz
mkdir -p "$logs"
# module | test class | method
targets=(
  "format-diskdump|org.kdive.format.diskdump.fuzz.KdumpFuzzTest|kdump"
  "format-diskdump|org.kdive.format.diskdump.fuzz.KdumpFuzzTest|split"
  "format-elf|org.kdive.format.elf.fuzz.ElfDumpFuzzTest|elf"
  "format-flattened|org.kdive.format.flattened.fuzz.FlattenedFuzzTest|flattened"
  "format-lkcd|org.kdive.format.lkcd.fuzz.LkcdFuzzTest|lkcd"
  "symbols-dwarf|org.kdive.symbols.dwarf.fuzz.DebugInfoFuzzTest|module"
  "symbols-dwarf|org.kdive.symbols.dwarf.fuzz.DebugInfoFuzzTest|nameIndex"
  "cmd-symbols|org.kdive.cmd.symbols.ExpressionFuzzTest|expression"
  "shell|org.kdive.shell.ShellInputFuzzTest|crashSyntax"
  "shell|org.kdive.shell.ShellInputFuzzTest|request"
  "fetch-rpm|org.kdive.fetch.rpm.RpmFuzzTest|rpm"
  "fetch-rpm|org.kdive.fetch.rpm.RpmFuzzTest|xz"
  "fetch-deb|org.kdive.fetch.deb.DebFuzzTest|deb"
  "fetch-deb|org.kdive.fetch.deb.DebFuzzTest|ar"
  "fetch-deb|org.kdive.fetch.deb.DebFuzzTest|tar"
)
printf '%-28s %10s %9s %9s %9s  %s\n' target executions cov-start cov-end new-cov findings
for t in "${targets[@]}"; do
    IFS='|' read -r module class method <<<"$t"
    name=$module/${class##*.}#$method
    [[ -n "$filter" && "$name" != *"$filter"* ]] && continue
    inputs=$root/bundles/$module/src/test/resources/$(dirname "${class//.//}")/${class##*.}Inputs/$method
    before=$(ls "$inputs" 2>/dev/null | sort)
    log=$logs/${module}-${class##*.}-$method.log
    # coverage of every kdive class and the embedded decoders (jars included); hooks on for compare tracing
    corpus=$root/bundles/$module/.cifuzz-corpus
    rm -rf "$corpus" # from the seeds: the figures are those of one run
    # coverage of every kdive class and the embedded decoders (jars included); hooks (compare tracing, which
    # the regression runs turn off in junit-platform.properties) on
    (cd "$root" && JAZZER_FUZZ=1 JAZZER_MAX_DURATION=${minutes}m \
        JAZZER_INSTRUMENTATION_INCLUDES='org.kdive.**:io.airlift.compress.**:org.tukaani.**:org.apache.commons.compress.**' \
        mvn -o -q test -pl "bundles/$module" -Dtest="$class#$method" -Djazzer.hooks=true >"$log" 2>&1)
    rc=$?
    mkdir -p "$logs/corpus" && rm -rf "$logs/corpus/${module}-${class##*.}-$method"
    [[ -d "$corpus" ]] && mv "$corpus" "$logs/corpus/${module}-${class##*.}-$method"
    inited=$(grep -m1 -o 'INITED cov: [0-9]*' "$log" | grep -o '[0-9]*$')
    done_line=$(grep -E '#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
    [[ -z "$done_line" ]] && done_line=$(grep -E '^#[0-9]+[[:space:]]+(pulse|NEW|REDUCE)' "$log" | tail -1)
    execs=$(sed -E 's/^#([0-9]+).*/\1/' <<<"$done_line")
    cov=$(grep -o 'cov: [0-9]*' <<<"$done_line" | grep -o '[0-9]*$')
    after=$(ls "$inputs" 2>/dev/null | sort)
    found=$(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')
    [[ $rc -ne 0 && -z "$found" ]] && found="(exit $rc: see $log)"
    printf '%-28s %10s %9s %9s %9s  %s\n' "$name" "${execs:-?}" "${inited:-?}" "${cov:-?}" \
        "$(( ${cov:-0} - ${inited:-0} ))" "${found:-none}"
done
