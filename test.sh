#!/usr/bin/env bash
# Runs every kdive test: unpacks the shared corpus into its cache (verified), makes the extra
# panic dumps for autopsy when QEMU and the corpus kernel are installed (see .ci/run), then builds
# all modules and runs their tests, the distribution's integration tests included.
set -euo pipefail
cd "$(dirname "$0")"
corpus=$(bash ../shared/corpus/setup.sh)
extra=$corpus/extra
if [ ! -f "$extra/vmcore-warn.flat" ] || [ ! -f "$extra/vmcore-sysrq.qemu.elf" ] \
   || [ ! -f "$extra/vmcore-kdump.proc" ] || [ ! -f "$extra/crash-kdump.txt" ]; then
  if command -v qemu-system-x86_64 >/dev/null && [ -e /boot/vmlinuz-6.1.0-50-cloud-amd64 ]; then
    bash bundles/autopsy/src/test/dumps/make-dumps.sh "$extra"
  else
    echo "test.sh: extra panic dumps not made (needs QEMU and the corpus kernel, see .ci/run): autopsy's tests of them are skipped" >&2
  fi
fi
exec mvn -B -ntp clean install "$@"
