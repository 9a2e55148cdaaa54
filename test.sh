#!/usr/bin/env bash
# Runs every kdive test: unpacks the shared corpus into its cache (verified), makes or verifies the
# dumps made at test time (dumps/make-dumps.sh: every kind, from their stamps; see dumps/README.md),
# then builds all modules and runs their tests, the distribution's integration tests included.
#
#   ./test.sh [--allow-missing-dumps] [MAVEN ARGS...]
#
# A test that needs a made dump FAILS when that dump is missing, unless --allow-missing-dumps is
# given: then it is skipped, and the list of skipped tests, with why, is printed at the end.
set -euo pipefail
cd "$(dirname "$0")"
allow=false
args=()
for a in "$@"; do
  case $a in
    --allow-missing-dumps) allow=true ;;
    *) args+=("$a") ;;
  esac
done
bash ../shared/corpus/setup.sh >/dev/null
dumps_rc=0
bash dumps/make-dumps.sh || dumps_rc=$?
if [ $dumps_rc != 0 ]; then
  if $allow; then
    echo "test.sh: some dumps could not be made (above): the tests needing them are skipped (--allow-missing-dumps)" >&2
  else
    echo "test.sh: some dumps could not be made (above): the tests needing them will fail (--allow-missing-dumps skips them)" >&2
  fi
fi
mvn_rc=0
mvn -B -ntp clean install -Dkdive.allowMissingDumps=$allow ${args[@]+"${args[@]}"} || mvn_rc=$?

# every skipped test of this run, with its reason (JUnit's aborted assumptions, @Disabled)
python3 - <<'PY'
import glob, xml.etree.ElementTree as ET
skipped = []
for f in sorted(glob.glob("**/target/*-reports/TEST-*.xml", recursive=True)):
    try:
        root = ET.parse(f).getroot()
    except ET.ParseError:
        continue
    for case in root.iter("testcase"):
        s = case.find("skipped")
        if s is not None:
            # the reason: surefire's message attribute, else the first line of the aborted assumption
            why = s.get("message") or (s.text or "").strip().split("\n")[0] or "no reason given"
            why = why.strip()
            for prefix in ("org.opentest4j.TestAbortedException: ", "org.opentest4j.TestSkippedException: "):
                if why.startswith(prefix):
                    why = why[len(prefix):]
            skipped.append(("%s.%s" % (case.get("classname"), case.get("name")), why))
if skipped:
    print("test.sh: %d test(s) SKIPPED:" % len(skipped))
    for name, why in skipped:
        print("  - %s: %s" % (name, why))
    # the same, counted by reason (a missing dump names itself before its path)
    reasons = {}
    for _, why in skipped:
        key = why.split(" (")[0]
        reasons[key] = reasons.get(key, 0) + 1
    print("test.sh: skipped, by reason:")
    for key, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
        print("  %5d  %s" % (n, key))
else:
    print("test.sh: no test skipped")
PY
[ $mvn_rc = 0 ] || exit $mvn_rc
if [ $dumps_rc != 0 ] && ! $allow; then
  echo "test.sh: FAILED: dumps/make-dumps.sh could not make every dump (above)" >&2
  exit 1
fi
