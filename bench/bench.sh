#!/usr/bin/env bash
# bench.sh - photosheet against ImageMagick and a libvips C program, same
# sheets, same run; plus the hardware floor and the scaling runs.
# Not a test and not run by CI.  Needs: a release build of photosheet
# (meson setup build-perf -Dbuildtype=release && ninja -C build-perf),
# apt-get install libvips-dev libvips-tools imagemagick time.
#
#   bench/bench.sh [-n STUDENTS] [-r ROUNDS] [-m IM_SHEETS] [-b BUILD_DIR]
#                  [-w WORK_DIR] [--scaling "100 1000 10000"] [--no-peers]
#
# Each round runs photosheet, ImageMagick and libvips one after the other
# (A B C A B C ...) under /usr/bin/time -v; the table gives medians over the
# rounds.  ImageMagick renders only the first IM_SHEETS sheets (default 40:
# it takes seconds a sheet); its rate is per sheet like the others.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
students=200 rounds=3 im_sheets=40 build="$root/build-perf" work=/tmp/photosheet-bench
scaling="" peers=1
while [ $# -gt 0 ]; do
  case "$1" in
    -n) students=$2; shift 2 ;;
    -r) rounds=$2; shift 2 ;;
    -m) im_sheets=$2; shift 2 ;;
    -b) build=$2; shift 2 ;;
    -w) work=$2; shift 2 ;;
    --scaling) scaling=$2; shift 2 ;;
    --no-peers) peers=0; shift ;;
    *) echo "usage: $0 [-n N] [-r ROUNDS] [-m IM_SHEETS] [-b BUILD] [-w WORK] [--scaling LIST] [--no-peers]" >&2; exit 2 ;;
  esac
done

ps="$build/engine/photosheet"
icc="$build/profiles/lab-rgb.icc"
srgb="$build/profiles/sRGB.icc"
font=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
[ -x "$ps" ] || { echo "bench: no $ps (ninja -C $build)" >&2; exit 1; }
mkdir -p "$work"
cc -O2 -o "$work/vips-sheet" "$here/vips-sheet.c" $(pkg-config --cflags --libs vips)
cc -O2 -o "$work/floor" "$here/floor.c" $(pkg-config --cflags --libs glib-2.0 lcms2 libtiff-4 libjpeg)

# The students: make-samples --count, at most 1000 distinct photos.
samples() {   # N -> prints the directory
  local n=$1 dir="$work/students-$1"
  if [ ! -f "$dir/roster.csv" ]; then
    local distinct=$(( n < 1000 ? n : 1000 ))
    "$build/tools/make-samples" --samples "$root/samples" --out "$dir" --count "$n" \
      --distinct-photos "$distinct" >/dev/null
  fi
  echo "$dir"
}

# One ImageMagick convert per sheet, as a lab script would: resize the photo
# once (mpr:), five composites, the caption, sRGB -> printer, TIFF LZW, and
# the sRGB sheet as a one-page PDF (ImageMagick's PDF coder; Debian's
# policy.xml forbids it, so the PDF is written as JPEG-in-PDF only when
# allowed and otherwise skipped - said in the table).
im_batch() {   # DIR OUT MAX
  local dir=$1 out=$2 max=$3 i=0
  mkdir -p "$out"
  tail -n +2 "$dir/roster.csv" | head -n "$max" | while IFS=, read -r sjc cjm yxdm zjhm xh cc xllb xm bh fy photo; do
    i=$((i + 1))
    photo=${photo%$'\r'}
    n=$(printf %04d "$i")
    convert -size 1800x1200 xc:white \
      \( "$dir/photos/$photo" -resize '390x567^' -gravity center -extent 390x567 -write mpr:p +delete \) \
      -gravity NorthWest \
      mpr:p -geometry +268+11 -composite mpr:p -geometry +705+11 -composite \
      mpr:p -geometry +1142+11 -composite mpr:p -geometry +268+583 -composite \
      mpr:p -geometry +705+583 -composite \
      -font "$font" -density 300 -pointsize 6.5 -fill black -annotate +35+1179 "$xm   $xh   $bh" \
      -units PixelsPerInch -density 300 \
      \( +clone -compress JPEG -quality 90 -write "$out/$n.pdf" +delete \) \
      -profile "$srgb" -intent Relative -black-point-compensation -profile "$icc" \
      -compress LZW "$out/$n.tif" 2>/dev/null || true
  done
}

# Runs a command under /usr/bin/time -v; prints "wall cpu peak_kb".
timed() {
  local log="$work/time.$$"
  /usr/bin/time -v -o "$log" "$@" >/dev/null 2>&1 || true
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
              /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { m = $2 }
              END { printf "%.3f %.3f %d\n", w, u + s, m }' "$log"
}

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

if [ "$peers" = 1 ]; then
  dir=$(samples "$students")
  declare -A W C M B
  for r in $(seq 1 "$rounds"); do
    rm -rf "$work/out-ps" "$work/out-im" "$work/out-vips"
    read -r w c m < <(timed "$ps" render -r "$dir/roster.csv" -p "$dir/photos" -o "$work/out-ps" \
      -l bench-6x4-5up --profile "$icc" --tiff-compression lzw --format pdf,tiff)
    W[ps]+="$w "; C[ps]+="$c "; M[ps]+="$m "; B[ps]=$(du -sb --exclude=ledger.sqlite "$work/out-ps" | cut -f1)
    read -r w c m < <(timed bash -c "$(declare -f im_batch); font='$font' srgb='$srgb' icc='$icc' im_batch '$dir' '$work/out-im' $im_sheets")
    W[im]+="$w "; C[im]+="$c "; M[im]+="$m "; B[im]=$(du -sb "$work/out-im" | cut -f1)
    read -r w c m < <(timed "$work/vips-sheet" "$dir/roster.csv" "$dir/photos" "$work/out-vips" "$icc")
    W[vips]+="$w "; C[vips]+="$c "; M[vips]+="$m "; B[vips]=$(du -sb "$work/out-vips" | cut -f1)
    echo "round $r: photosheet ${W[ps]##* } ... done" >&2
  done
  im_done=$(ls "$work/out-im"/*.tif 2>/dev/null | wc -l)
  im_pdf=$(ls "$work/out-im"/*.pdf 2>/dev/null | wc -l)

  printf '\n%d students (photosheet also draws %d separator pages), %d rounds, medians; ImageMagick: %d sheets (%d PDFs)\n' \
    "$students" $(( (students + 39) / 40 )) "$rounds" "$im_done" "$im_pdf"
  printf '%-12s %10s %12s %10s %14s %14s\n' tool sheets/s "CPU s/sheet" "peak MB" "bytes/sheet" "ps speed-up"
  declare -A RATE
  for t in ps im vips; do
    n=$students; [ "$t" = im ] && n=$im_done
    w=$(echo ${W[$t]} | tr ' ' '\n' | median); c=$(echo ${C[$t]} | tr ' ' '\n' | median)
    m=$(echo ${M[$t]} | tr ' ' '\n' | median)
    RATE[$t]=$(awk -v n="$n" -v w="$w" 'BEGIN { printf "%.3f", n / w }')
    cps=$(awk -v n="$n" -v c="$c" 'BEGIN { printf "%.4f", c / n }')
    bps=$(awk -v n="$n" -v b="${B[$t]}" 'BEGIN { printf "%d", b / n }')
    ratio=$(awk -v a="${RATE[ps]}" -v b="${RATE[$t]}" 'BEGIN { printf "%.2fx", a / b }')
    printf '%-12s %10s %12s %10d %14s %14s\n' "$t" "${RATE[$t]}" "$cps" $((m / 1024)) "$bps" "$ratio"
  done
  "$work/floor" "$dir/roster.csv" "$dir/photos" "$work/out-floor" "$icc" lzw
  "$work/floor" "$dir/roster.csv" "$dir/photos" "$work/out-floor" "$icc" deflate
  rm -rf "$work/out-floor"
fi

for n in $scaling; do
  dir=$(samples "$n")
  rm -rf "$work/out-scale"
  read -r w c m < <(timed "$ps" render -r "$dir/roster.csv" -p "$dir/photos" -o "$work/out-scale" \
    -l bench-6x4-5up --profile "$icc" --tiff-compression lzw --format pdf,tiff)
  awk -v n="$n" -v w="$w" -v c="$c" -v m="$m" \
    'BEGIN { printf "scaling %6d students: %8.2f s wall, %.4f s/sheet wall, %.4f CPU s/sheet, peak %d MB\n", n, w, w / n, c / n, m / 1024 }'
  rm -rf "$work/out-scale"
done
