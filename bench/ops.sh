#!/usr/bin/env bash
# ops.sh - issue 12 acceptance 5: check, print and reprint timings, with the
# same profile and third-party photos as bench.sh.  Not a test, not run by CI.
#
#   bench/ops.sh [-b BUILD_DIR] [-w WORK_DIR] [-j JOBS] [--profile argyll|lab|FILE]
#                [--check-rows 10000] [--print-students 600] [--reprints 3]
#                [check] [print] [reprint]          (default: all three)
#
# check    `photosheet check` on a CHECK_ROWS-row roster (1 000 distinct
#          photos, each probed): wall, CPU, peak RSS.
# print    renders a PRINT_STUDENTS batch (PDF only; not timed), starts the
#          test harness's private cupsd + virtual IPP printer
#          (tests/cups/harness.sh), then times `photosheet print --batch ...
#          --printer photosheet-test --server $CUPS_SERVER`.  photosheet
#          waits until every job completes, so the figure asked for - the time
#          until every job is *accepted* by CUPS - comes from the ledger
#          afterwards: each job's "pending" event is written the moment CUPS
#          returned its job id, so  accepted = max(pending event) - start
#          (no polling, no extra load).  Also: the command's wall time (all
#          jobs completed) and lpstat's count of jobs in CUPS's history as a
#          cross-check.  The render of each job's PDF happens inside `print`
#          (it renders the recorded pages again), so it is in both figures.
# reprint  `photosheet reprint` of one student (the middle of the print
#          batch; render only, no --printer) REPRINTS times: wall each and
#          the median; then once with --printer into the private cupsd
#          (returns once CUPS has accepted the job).
# The harness is stopped at the end (only what it started).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build="$root/build-perf" work=/tmp/photosheet-bench jobs=2 profile=argyll
check_rows=10000 print_students=600 reprints=3
what=()
while [ $# -gt 0 ]; do
  case "$1" in
    -b) build=$2; shift 2 ;;
    -w) work=$2; shift 2 ;;
    -j) jobs=$2; shift 2 ;;
    --profile) profile=$2; shift 2 ;;
    --check-rows) check_rows=$2; shift 2 ;;
    --print-students) print_students=$2; shift 2 ;;
    --reprints) reprints=$2; shift 2 ;;
    check|print|reprint) what+=("$1"); shift ;;
    *) sed -n '4,7p' "$0" >&2; exit 2 ;;
  esac
done
[ ${#what[@]} -gt 0 ] || what=(check print reprint)
ps="$build/engine/photosheet"
[ -x "$ps" ] || { echo "ops: no $ps" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "ops: needs sqlite3 (apt-get install sqlite3)" >&2; exit 1; }
mkdir -p "$work"
work=$(cd "$work" && pwd)
case "$profile" in
  argyll) "$here/make-printer-profile.sh" "$work/profiles"; icc="$work/profiles/argyll-minilab.icc" ;;
  lab) icc="$build/profiles/lab-rgb.icc" ;;
  *) icc=$profile ;;
esac

# The same students as bench.sh --photos bench.
students() {   # N -> $roster, $photo_dir
  local n=$1 distinct=$(( $1 < 1000 ? $1 : 1000 )) dir="$work/students-$1-bench"
  "$here/make-photos.sh" "$work/photos-bench" "$distinct"
  photo_dir="$work/photos-bench"
  if [ ! -f "$dir/roster.csv" ]; then
    "$build/tools/make-samples" --samples "$root/samples" --out "$dir.tmp" --count "$n" \
      --distinct-photos 1 >/dev/null
    mkdir -p "$dir"
    awk -F, -v OFS=, -v m="$distinct" '{ sub(/\r$/, "") } NR == 1 { print; next } { $NF = sprintf("bench-%06d.jpg", (NR - 2) % m); print }' \
      "$dir.tmp/roster.csv" >"$dir/roster.csv"
    rm -rf "$dir.tmp"
  fi
  roster="$dir/roster.csv"
}

timed() {   # CMD... -> "wall cpu peak_kb rc"
  local log; log=$(mktemp "$work/time.XXXXXX") rc=0
  /usr/bin/time -v -o "$log" "$@" >>"$work/ops.log" 2>&1 || rc=$?
  awk -F': ' -v rc="$rc" '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
              /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { m = $2 }
              END { printf "%.3f %.3f %d %d\n", w, u + s, m, rc }' "$log"
  rm -f "$log"
}
now() { date +%s.%N; }

echo "ops: $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), profile $icc"

want() { local w; for w in "${what[@]}"; do [ "$w" = "$1" ] && return 0; done; return 1; }

if want check; then
  students "$check_rows"
  read -r w c m rc < <(timed "$ps" check -r "$roster" -p "$photo_dir")
  echo "check   $check_rows rows: $w s wall, $c s CPU, peak $((m / 1024)) MB, exit $rc"
fi

cups=""
stop_cups() { [ -n "$cups" ] && "$root/tests/cups/harness.sh" stop "$cups" >/dev/null 2>&1 || true; }
trap stop_cups EXIT
start_cups() {
  [ -n "$cups" ] && return 0
  cups="$work/cups"
  rm -rf "$cups"
  "$root/tests/cups/harness.sh" start "$cups" >/dev/null || { echo "ops: harness start failed" >&2; exit 1; }
  # shellcheck disable=SC1091
  . "$cups/env"
}

if want print || want reprint; then
  students "$print_students"
  batch="$work/batch-$print_students"
  # Rendered once (not timed); its ledger is kept as rendered, and every
  # print or reprint below works on a fresh copy of it.
  if [ ! -f "$batch.ledger" ]; then
    rm -rf "$batch"
    "$ps" render -r "$roster" -p "$photo_dir" -o "$batch" --profile "$icc" --format pdf \
      --jobs "$jobs" >>"$work/ops.log" 2>&1
    sqlite3 "$batch/ledger.sqlite" ".backup '$batch.ledger'"
  fi
fi
fresh_ledger() {   # FILE: a copy of the batch's ledger as rendered
  rm -f "$1" "$1-wal" "$1-shm"
  sqlite3 "$batch.ledger" ".backup '$1'"
}

if want print; then
  start_cups
  # A fresh copy of the batch's ledger each run (a batch that has jobs is
  # only printed again with --resume); the batch directory stays the same.
  run="$work/print-ledger.sqlite"
  fresh_ledger "$run"
  t0=$(now)
  read -r w c m rc < <(timed "$ps" print --batch "$batch" --ledger "$run" --printer "$PS_TEST_QUEUE" --server "$CUPS_SERVER")
  n_jobs=$(sqlite3 "$run" "SELECT count(*) FROM jobs WHERE cups_id > 0")
  last=$(sqlite3 "$run" \
    "SELECT printf('%.3f', max((julianday(at) - 2440587.5) * 86400.0)) FROM job_events WHERE state = 'pending'")
  first=$(sqlite3 "$run" \
    "SELECT printf('%.3f', min((julianday(at) - 2440587.5) * 86400.0)) FROM job_events WHERE state = 'pending'")
  in_cups=$(lpstat -h "$CUPS_SERVER" -W all -o "$PS_TEST_QUEUE" 2>/dev/null | wc -l)
  pages=$(sqlite3 "$run" "SELECT count(*) FROM job_pages")
  awk -v t0="$t0" -v f="$first" -v l="$last" -v w="$w" -v c="$c" -v n="$n_jobs" -v p="$pages" \
      -v k="$in_cups" -v s="$print_students" -v rc="$rc" \
    'BEGIN { printf "print   %d students, %d jobs, %d pages: every job accepted after %.2f s (first after %.2f s), all completed %.2f s wall, %.2f s CPU, exit %d; CUPS history %d jobs\n", s, n, p, l - t0, f - t0, w, c, rc, k }'
fi

if want reprint; then
  xh=$(awk -F, -v n="$print_students" 'NR == int(n / 2) + 2 { print $5 }' "$roster")
  ws=()
  led="$work/reprint-ledger.sqlite"
  for i in $(seq 1 "$reprints"); do
    rm -rf "$work/reprint-$i"
    fresh_ledger "$led"
    read -r w c m rc < <(timed "$ps" reprint --ledger "$led" --xh "$xh" \
      --out "$work/reprint-$i" --reason "bench")
    ws+=("$w")
    echo "reprint $i: $w s wall, $c s CPU, peak $((m / 1024)) MB, exit $rc"
  done
  med=$(printf '%s\n' "${ws[@]}" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
  echo "reprint one student of $print_students (render only): median $med s wall over $reprints"
  start_cups
  rm -rf "$work/reprint-q"
  fresh_ledger "$led"
  read -r w c m rc < <(timed "$ps" reprint --ledger "$led" --xh "$xh" \
    --out "$work/reprint-q" --reason "bench" --printer "$PS_TEST_QUEUE" --server "$CUPS_SERVER")
  echo "reprint one student with --printer (rendered and queued): $w s wall, exit $rc"
fi
echo "ops: done, load $(cut -d' ' -f1-3 /proc/loadavg)"
