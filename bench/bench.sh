#!/usr/bin/env bash
# bench.sh - photosheet against a libvips C program and ImageMagick, the same
# sheets in the same run; plus the floor and the scaling runs (issue 12).
# Not a test and not run by CI.  See bench/README.md.
#
#   bench/bench.sh [-n STUDENTS] [-r ROUNDS] [-m IM_SHEETS] [-j JOBS] [-b BUILD_DIR]
#                  [-w WORK_DIR] [--profile argyll|lab|gs-cmyk|FILE.icc]
#                  [--photos bench|samples] [--tiff deflate|lzw]
#                  [--procs N] [--vips-concurrency N|default] [--im-threads N|default]
#                  [--scaling "100 1000 10000"] [--no-peers] [--no-floor] [--setup-only]
#
# Defaults are issue 12's figures: 200 students, default layout, PDF + TIFF,
# the Argyll-made third-party printer profile, the third-party photos,
# photosheet --jobs 2 against the libvips program in 2 processes and
# ImageMagick in 2 streams (on the first IM_SHEETS students: it takes about
# a second a sheet), 3 rounds run A B C A B C ..., medians.  Each peer
# process runs one thread (VIPS_CONCURRENCY=1, MAGICK_THREAD_LIMIT=1): with
# as many processes as cores that was their faster setting here.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
students=200 rounds=3 im_sheets=40 jobs=2 build="$root/build-perf" work=/tmp/photosheet-bench
profile=argyll photos=bench tiff=deflate procs=2 vips_conc=1 im_threads=1
scaling="" peers=1 floor=1 setup_only=0
usage() { sed -n '5,9p' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    -n) students=$2; shift 2 ;;
    -r) rounds=$2; shift 2 ;;
    -m) im_sheets=$2; shift 2 ;;
    -j) jobs=$2; shift 2 ;;
    -b) build=$2; shift 2 ;;
    -w) work=$2; shift 2 ;;
    --profile) profile=$2; shift 2 ;;
    --photos) photos=$2; shift 2 ;;
    --tiff) tiff=$2; shift 2 ;;
    --procs) procs=$2; shift 2 ;;
    --vips-concurrency) vips_conc=$2; shift 2 ;;
    --im-threads) im_threads=$2; shift 2 ;;
    --scaling) scaling=$2; shift 2 ;;
    --no-peers) peers=0; shift ;;
    --no-floor) floor=0; shift ;;
    --setup-only) setup_only=1; shift ;;
    *) usage ;;
  esac
done
case "$tiff" in deflate|lzw) ;; *) usage ;; esac
[ "$im_sheets" -le "$students" ] || im_sheets=$students

ps="$build/engine/photosheet"
[ -x "$ps" ] || { echo "bench: no $ps (meson setup $build -Dbuildtype=release && ninja -C $build)" >&2; exit 1; }
for t in /usr/bin/time convert img2pdf pkg-config; do
  command -v "$t" >/dev/null || { echo "bench: missing $t (apt-get install time imagemagick img2pdf libvips-dev argyll)" >&2; exit 1; }
done
mkdir -p "$work"
work=$(cd "$work" && pwd)
cc -O2 -o "$work/vips-sheet" "$here/vips-sheet.c" $(pkg-config --cflags --libs vips)
cc -O2 -o "$work/floor" "$here/floor.c" $(pkg-config --cflags --libs glib-2.0 lcms2 libtiff-4 libjpeg)

# The printer profile.
case "$profile" in
  argyll) "$here/make-printer-profile.sh" "$work/profiles"; icc="$work/profiles/argyll-minilab.icc" ;;
  lab) icc="$build/profiles/lab-rgb.icc" ;;          # photosheet's own (not third-party)
  gs-cmyk) icc=/usr/share/color/icc/ghostscript/default_cmyk.icc ;;   # Artifex, libgs-common
  *) icc=$profile ;;
esac
[ -s "$icc" ] || { echo "bench: no profile $icc" >&2; exit 1; }
tiff_opt=(); [ "$tiff" = lzw ] && tiff_opt=(--tiff-compression lzw)

# Students: make-samples --count N gives the roster (synthetic masked records,
# 40-odd a class); with --photos bench its photo column is rewritten to the
# third-party photos bench-NNNNNN.jpg, min(N, 1000) distinct, in turn.
students_dir() {   # N -> sets $roster and $photo_dir
  local n=$1 distinct=$(( $1 < 1000 ? $1 : 1000 ))
  local dir="$work/students-$n-$photos"
  if [ "$photos" = bench ]; then
    "$here/make-photos.sh" "$work/photos-bench" "$distinct"
    photo_dir="$work/photos-bench"
    if [ ! -f "$dir/roster.csv" ]; then
      "$build/tools/make-samples" --samples "$root/samples" --out "$dir.tmp" --count "$n" \
        --distinct-photos 1 >/dev/null
      mkdir -p "$dir"
      awk -F, -v OFS=, -v m="$distinct" '{ sub(/\r$/, "") } NR == 1 { print; next } { $NF = sprintf("bench-%06d.jpg", (NR - 2) % m); print }' \
        "$dir.tmp/roster.csv" >"$dir/roster.csv.part"
      rm -rf "$dir.tmp"
      mv "$dir/roster.csv.part" "$dir/roster.csv"
    fi
  else
    photo_dir="$dir/photos"
    if [ ! -f "$dir/roster.csv" ]; then
      "$build/tools/make-samples" --samples "$root/samples" --out "$dir" --count "$n" \
        --distinct-photos "$distinct" >/dev/null
    fi
  fi
  roster="$dir/roster.csv"
}

# Runs one command under /usr/bin/time -v; prints "wall cpu peak_kb".
timed() {
  local log; log=$(mktemp "$work/time.XXXXXX")
  /usr/bin/time -v -o "$log" "$@" >>"$work/bench.log" 2>&1 || echo "bench: failed: $*" >&2
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
              /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { m = $2 }
              END { printf "%.3f %.3f %d\n", w, u + s, m }' "$log"
  rm -f "$log"
}

# Runs PROCS copies of a command side by side, copy k on its share of COUNT
# students: "-s FIRST -n N" is put before the command's other arguments.
# Prints "wall cpu peak_kb": the wall time of the whole, the CPU of all and
# the sum of the per-process peaks (they run at the same time).
par_timed() {   # COUNT CMD ARGS...
  local count=$1; shift
  local k first=0 share t0 t1 logs=() pids=()
  t0=$(date +%s.%N)
  for k in $(seq 0 $((procs - 1))); do
    share=$(( (count * (k + 1)) / procs - first ))
    local log; log=$(mktemp "$work/time.XXXXXX"); logs+=("$log")
    /usr/bin/time -v -o "$log" "$1" -s "$first" -n "$share" "${@:2}" >>"$work/bench.log" 2>&1 &
    pids+=($!)
    first=$((first + share))
  done
  for k in "${pids[@]}"; do wait "$k" || echo "bench: failed: $*" >&2; done
  t1=$(date +%s.%N)
  awk -v w="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" -F': ' \
    '/User time/ { c += $2 } /System time/ { c += $2 } /Maximum resident/ { m += $2 }
     END { printf "%.3f %.3f %d\n", w, c, m }' "${logs[@]}"
  rm -f "${logs[@]}"
}

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# Sum of the TIFF bytes of student sheets (photosheet: the manifest's "sheet"
# pages; the others write sheets only).
tiff_bytes() {   # OUT_DIR
  if [ -f "$1/manifest.csv" ]; then
    awk -F, 'NR > 1 && $2 == "sheet" { printf "%s/tiff/%04d.tif\n", d, $1 }' d="$1" "$1/manifest.csv" \
      | xargs stat -c %s | awk '{ s += $1 } END { print s + 0 }'
  else
    du -cb "$1"/tiff/*.tif | tail -n 1 | cut -f1
  fi
}
pdf_bytes() { du -cb "$1"/*.pdf | tail -n 1 | cut -f1; }

echo "bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "bench: photosheet $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?') ($build), vips $(pkg-config --modversion vips), $(convert -version | head -n 1 | cut -d' ' -f2-3), lcms2 $(pkg-config --modversion lcms2)"
echo "bench: profile $icc ($(dd if="$icc" bs=1 skip=12 count=4 2>/dev/null)/$(dd if="$icc" bs=1 skip=16 count=4 2>/dev/null | tr -d ' '), $(stat -c %s "$icc") bytes, sha256 $(sha256sum "$icc" | cut -c1-12)), photos: $photos, TIFF: $tiff, relative colorimetric + BPC"

if [ "$peers" = 1 ] || [ "$floor" = 1 ] || [ "$setup_only" = 1 ]; then
  students_dir "$students"
  jpeg_mean=$(tail -n +2 "$roster" | tr -d '\r' | awk -F, '{ print $NF }' | sort -u | sed "s|^|$photo_dir/|" | xargs stat -c %s \
    | awk '{ s += $1 } END { printf "%d", s / NR }')
  echo "bench: $students students, $(tail -n +2 "$roster" | tr -d '\r' | awk -F, '{ print $NF }' | sort -u | wc -l) distinct photos (mean $jpeg_mean bytes), $roster"
fi
[ "$setup_only" = 1 ] && exit 0

if [ "$peers" = 1 ]; then
  declare -A W C M T P
  for r in $(seq 1 "$rounds"); do
    rm -rf "$work/out-ps" "$work/out-vips" "$work/out-im"
    read -r w c m < <(timed "$ps" render -r "$roster" -p "$photo_dir" -o "$work/out-ps" \
      --profile "$icc" --format pdf,tiff --jobs "$jobs" "${tiff_opt[@]}")
    W[ps]+="$w "; C[ps]+="$c "; M[ps]+="$m "
    read -r w c m < <([ "$vips_conc" = default ] || export VIPS_CONCURRENCY="$vips_conc"
      par_timed "$students" "$work/vips-sheet" -c "$tiff" "$roster" "$photo_dir" "$work/out-vips" "$icc")
    W[vips]+="$w "; C[vips]+="$c "; M[vips]+="$m "
    read -r w c m < <([ "$im_threads" = default ] || export MAGICK_THREAD_LIMIT="$im_threads"
      par_timed "$im_sheets" "$here/im-sheet.sh" -c "$tiff" "$roster" "$photo_dir" "$work/out-im" "$icc")
    W[im]+="$w "; C[im]+="$c "; M[im]+="$m "
    echo "bench: round $r: ps $(echo ${W[ps]} | awk '{ print $NF }') s, vips $(echo ${W[vips]} | awk '{ print $NF }') s, im $(echo ${W[im]} | awk '{ print $NF }') s ($im_sheets sheets), load $(cut -d' ' -f1 /proc/loadavg)" >&2
  done
  for t in ps vips im; do T[$t]=$(tiff_bytes "$work/out-$t"); P[$t]=$(pdf_bytes "$work/out-$t"); done
  seps=$(awk -F, '$2 == "separator"' "$work/out-ps/manifest.csv" | wc -l)

  printf '\n%d students, default layout, PDF + TIFF (%s), %d rounds A B C, medians; photosheet --jobs %d (+%d separator pages), vips %d processes, ImageMagick %d streams on %d sheets\n' \
    "$students" "$tiff" "$rounds" "$jobs" "$seps" "$procs" "$procs" "$im_sheets"
  printf '%-6s %9s %9s %12s %8s %12s %11s %9s %9s\n' tool wall_s sheets/s "CPU s/sheet" "peak MB" "TIFF B/sheet" "PDF B/sheet" "PDF/JPEG" "ps x"
  declare -A RATE
  for t in ps vips im; do
    n=$students; [ "$t" = im ] && n=$im_sheets
    w=$(echo ${W[$t]} | tr ' ' '\n' | median); c=$(echo ${C[$t]} | tr ' ' '\n' | median)
    m=$(echo ${M[$t]} | tr ' ' '\n' | median)
    RATE[$t]=$(awk -v n="$n" -v w="$w" 'BEGIN { printf "%.3f", n / w }')
    awk -v t="$t" -v n="$n" -v w="$w" -v c="$c" -v m="$m" -v tb="${T[$t]}" -v pb="${P[$t]}" \
        -v j="$jpeg_mean" -v a="${RATE[ps]}" -v b="${RATE[$t]}" \
      'BEGIN { printf "%-6s %9.2f %9.3f %12.4f %8d %12d %11d %8.2fx %8.2fx\n", t, w, n / w, c / n, m / 1024, tb / n, pb / n, pb / n / j, a / b }'
    [ "$t" = ps ] && cps=$(awk -v n="$n" -v c="$c" 'BEGIN { print c / n }')
  done
  echo "(peak MB of vips and im: the sum of the processes' peaks; PDF/JPEG: PDF bytes a sheet over the mean source JPEG)"
  echo "acceptance 1: ps/vips $(awk -v a="${RATE[ps]}" -v b="${RATE[vips]}" 'BEGIN { printf "%.2fx (goal >= 2.0x)", a / b }'), ps/im $(awk -v a="${RATE[ps]}" -v b="${RATE[im]}" 'BEGIN { printf "%.2fx (goal >= 10x)", a / b }')"
  echo "acceptance 2 (photosheet sheets.pdf, goal <= 3x per student): $("$here/pdf-sizes.py" "$roster" "$photo_dir" "$work/out-ps/sheets.pdf" --manifest "$work/out-ps/manifest.csv")"
  echo "  (vips, for comparison: $("$here/pdf-sizes.py" "$roster" "$photo_dir" $(ls "$work"/out-vips/sheets-*.pdf)))"
fi

if [ "$floor" = 1 ]; then
  rm -rf "$work/out-floor"
  fl=$("$work/floor" -c "$tiff" "$roster" "$photo_dir" "$work/out-floor" "$icc")
  flp=$("$work/floor" -c "$tiff" -P "$roster" "$photo_dir" "$work/out-floor" "$icc")
  echo "$fl"; echo "$flp"
  if [ -n "${cps:-}" ]; then
    f=$(echo "$fl" | awk '{ print $4 }')
    echo "acceptance 3: photosheet CPU $(awk -v a="$cps" -v b="$f" 'BEGIN { printf "%.4f s a sheet = %.2fx the floor (TIFF + PDF) (goal <= 1.5x)", a, a / b }')"
  fi
  rm -rf "$work/out-floor"
fi

if [ -n "$scaling" ]; then
  first_w="" first_c="" max_dev_w=0 max_dev_c=0 max_m=0
  for n in $scaling; do
    students_dir "$n"
    rm -rf "$work/out-scale"
    read -r w c m < <(timed "$ps" render -r "$roster" -p "$photo_dir" -o "$work/out-scale" \
      --profile "$icc" --format pdf,tiff --jobs "$jobs" "${tiff_opt[@]}")
    awk -v n="$n" -v w="$w" -v c="$c" -v m="$m" -v l="$(cut -d' ' -f1 /proc/loadavg)" \
      'BEGIN { printf "scaling %6d students: %8.2f s wall, %.4f s/sheet wall, %.4f CPU s/sheet, peak %d MB (load %s)\n", n, w, w / n, c / n, m / 1024, l }'
    ws=$(awk -v n="$n" -v w="$w" 'BEGIN { print w / n }'); cs=$(awk -v n="$n" -v c="$c" 'BEGIN { print c / n }')
    [ -z "$first_w" ] && first_w=$ws first_c=$cs
    max_dev_w=$(awk -v a="$ws" -v b="$first_w" -v d="$max_dev_w" 'BEGIN { x = (a / b - 1) * 100; if (x < 0) x = -x; print (x > d) ? x : d }')
    max_dev_c=$(awk -v a="$cs" -v b="$first_c" -v d="$max_dev_c" 'BEGIN { x = (a / b - 1) * 100; if (x < 0) x = -x; print (x > d) ? x : d }')
    max_m=$(( m > max_m ? m : max_m ))
    rm -rf "$work/out-scale"
  done
  printf 'acceptance 3: peak RSS %d MB (goal <= 200), time a sheet within %.1f %% wall / %.1f %% CPU of the first size (goal <= 15 %%)\n' \
    $((max_m / 1024)) "$max_dev_w" "$max_dev_c"
fi
echo "bench: done, load $(cut -d' ' -f1-3 /proc/loadavg)"
