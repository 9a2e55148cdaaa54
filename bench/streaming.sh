#!/usr/bin/env bash
# Streaming output (issue 14 item 4): for each large-output command, the time until its first line
# reaches stdout, the total time, the lines printed and the peak resident memory of the kdive JVM
# (/usr/bin/time -v), text and --json. The goal: first line within a second of the command's start,
# peak RSS under 512 MB whatever the output size.
#   bench/streaming.sh            on the corpus dump (vmcore.kdump-zlib), KDIVE_SERVER=off
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${KDIVE_CORPUS:-$HOME/.cache/kdive-corpus}/vqbug-6.1
kdive=$PWD/distro/default/target/kdive/bin/kdive
[ -x "$kdive" ] || { echo "bench: build kdive first (mvn install -DskipTests)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
export KDIVE_SERVER=off
task=$("$kdive" "$corpus/vmcore.kdump-zlib" "$corpus/vmlinux-6.1.0-50-cloud-amd64" -c "bt" | awk '/^PID:/ {print $4; exit}')
cases=(
  "struct task_struct $task -c 1000"
  "rd -64 ffffffffbca00000 4194304"
  "dis vqb_virtqueue_add 1000000"
  "search -k 0"
  "foreach bt"
  "kmem -S"
  "log"
  "list task_struct.tasks -h init_task -s task_struct"
  "tree -t xarray irq_desc_tree -s irq_desc"
)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%-52s %6s %10s %8s %10s %9s\n' COMMAND MODE "FIRST(ms)" "TOTAL(s)" LINES "RSS(MB)"
for c in "${cases[@]}"; do
  for mode in text json; do
    flag=(); [ $mode = json ] && flag=(--json)
    # "echo START" prints just before the command starts: FIRST is the time from there to its first line
    start=$(date +%s%N)
    /usr/bin/time -v -o "$work/time" "$kdive" "${flag[@]}" "$corpus/vmcore.kdump-zlib" "$corpus/vmlinux-6.1.0-50-cloud-amd64" \
        -c "sys > /dev/null; echo START; $c" 2>/dev/null \
      | { while IFS= read -r l && [ "$l" != START ]; do :; done; t0=$(date +%s%N); IFS= read -r first || true
          echo $(( ($(date +%s%N) - t0) / 1000000 )) > "$work/first"; wc -l > "$work/lines"; } || true
    end=$(date +%s%N)
    rss=$(awk -F: '/Maximum resident/ {print int($2/1024)}' "$work/time")
    printf '%-52s %6s %10s %8.1f %10s %9s\n' "$c" $mode "$(cat "$work/first")" "$(echo "($end - $start) / 1000000000" | bc -l)" \
        "$(( $(cat "$work/lines") + 1 ))" "$rss"
  done
done
echo "(FIRST: from the command's start to its first line on stdout; TOTAL includes the JVM's start and sys)" >&2
