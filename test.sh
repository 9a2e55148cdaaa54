#!/usr/bin/env bash
# Runs every kdive test: unpacks the shared corpus into its cache (verified), then builds all
# modules and runs their tests, the distribution's integration tests included.
set -euo pipefail
cd "$(dirname "$0")"
bash ../shared/corpus/setup.sh >/dev/null
exec mvn -B -ntp clean install "$@"
