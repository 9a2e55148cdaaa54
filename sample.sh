#!/usr/bin/env bash
# Builds kdive (if needed) and opens the shared sample dump with it.
#   ./sample.sh                      interactive shell on the sample dump
#   ./sample.sh -c "sys; bt; autopsy"   batch
set -euo pipefail
cd "$(dirname "$0")"
corpus=$(bash ../shared/corpus/setup.sh)/vqbug-6.1
kdive=distro/default/target/kdive/bin/kdive
if [ ! -x "$kdive" ] || [ -n "$(find bundles framework distro -newer "$kdive" -name '*.java' -o -newer "$kdive" -name pom.xml 2>/dev/null | head -1)" ]; then
  echo "building kdive (mvn install -DskipTests) ..." >&2
  mvn -B -q -ntp install -DskipTests
fi
exec "$kdive" "$corpus/vmcore.kdump-zlib" "$corpus/vmlinux-6.1.0-50-cloud-amd64" "$@"
