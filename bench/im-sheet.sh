#!/usr/bin/env bash
# im-sheet.sh - the benchmark's ImageMagick peer: the same sheets as
# `photosheet render` with the default layout, one `convert` per sheet as a
# lab's shell script would, then img2pdf to bind the pages into one PDF.
# Not a test and not run by CI (bench/bench.sh runs it).
#
#   bench/im-sheet.sh [-c deflate|lzw] [-s FIRST] [-n COUNT] ROSTER.csv PHOTOS_DIR OUT_DIR PRINTER.icc
#
# Students FIRST .. FIRST+COUNT-1 (0-based data rows of make-samples --count
# output).  Per sheet, one convert:
#   - the photo: -auto-orient (EXIF), -profile sRGB (converts from an
#     embedded profile, else only tags it), cover-resize and centre crop to
#     390 x 567, kept in mpr: and composited 4 times at the layout's slots;
#   - the per-copy caption (masked name and 学号, Noto Sans CJK SC 7 pt at 300
#     dpi) as one label: image centred under each copy, the 32 cut marks as
#     1 px rectangles, the strip (nine labelled fields, three a line, 8 pt)
#     with -annotate;
#   - sRGB -> PRINTER.icc with -intent Relative -black-point-compensation;
#   - OUT_DIR/tiff/NNNN.tif, the profile embedded, 300 dpi: Zip level 1
#     (-quality 10) without predictor, or LZW + horizontal predictor;
#   - the sheet as a JPEG (quality 90, no profile: DeviceRGB printer RGB, or
#     the sRGB sheet with a CMYK profile, as photosheet's PDF) for the PDF.
# Then img2pdf OUT_DIR/jpg/*.jpg -> OUT_DIR/sheets-FIRST.pdf (the JPEGs
# passed through unchanged; 300 dpi gives the 4 x 6 in page) and the JPEGs
# are removed.  Debian's ImageMagick policy forbids its own PDF writer.
set -euo pipefail

comp=deflate first=0 count=-1
while getopts c:s:n: o; do
  case $o in c) comp=$OPTARG ;; s) first=$OPTARG ;; n) count=$OPTARG ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
[ $# = 4 ] || { echo "usage: im-sheet.sh [-c deflate|lzw] [-s FIRST] [-n COUNT] ROSTER PHOTOS OUT PRINTER.icc" >&2; exit 2; }
roster=$1 photos=$2 out=$3 icc=$4
srgb=/usr/share/color/argyll/ref/sRGB.icm
[ -f "$srgb" ] || srgb=/usr/share/color/icc/sRGB.icc
font=Noto-Sans-CJK-SC
jpg=$out/jpg-$first
mkdir -p "$out/tiff" "$jpg"
cmyk=0
[ "$(dd if="$icc" bs=1 skip=16 count=4 2>/dev/null)" = CMYK ] && cmyk=1
if [ "$comp" = lzw ]; then tiffopt=(-compress LZW -define tiff:predictor=2)
else tiffopt=(-compress Zip -quality 10 -define tiff:predictor=1); fi

# The layout (photosheet layouts --show default, at 300 dpi).
sx=(187 624 187 624) sy=(156 156 817 817)
marks=()
for s in 0 1 2 3; do
  l=${sx[s]} t=${sy[s]} r=$((sx[s] + 389)) b=$((sy[s] + 566))
  for x in $l $r; do
    for y in $t $b; do
      if [ "$x" = "$l" ]; then hx0=$((x - 36)); else hx0=$((x + 13)); fi
      if [ "$y" = "$t" ]; then vy0=$((y - 36)); else vy0=$((y + 13)); fi
      marks+=("rectangle $hx0,$y $((hx0 + 23)),$y" "rectangle $x,$vy0 $x,$((vy0 + 23))")
    done
  done
done
draw=$(printf '%s ' "${marks[@]}")

row=0 n=0
tail -n +2 "$roster" | while IFS=, read -r sjc cjm yxdm zjhm xh cc xllb xm bh fy photo; do
  row=$((row + 1))
  [ "$row" -le "$first" ] && continue
  [ "$count" -ge 0 ] && [ "$n" -ge "$count" ] && break
  n=$((n + 1))
  photo=${photo%$'\r'}
  num=$(printf %04d "$row")
  pdfpage=(\( +clone -strip -quality 90 -write "$jpg/$num.jpg" +delete \))
  before=() after=()
  if [ $cmyk = 1 ]; then before=("${pdfpage[@]}"); else after=("${pdfpage[@]}"); fi
  convert -size 1200x1800 xc:white -units PixelsPerInch -density 300 \
    \( "$photos/$photo" -auto-orient -profile "$srgb" -resize '390x567^' -gravity center \
       -extent 390x567 -write mpr:p +delete \) \
    \( -background white -fill black -font "$font" -pointsize 7 label:"$xm $xh" \
       -gravity center -extent 390x47 -write mpr:c +delete \) \
    -gravity NorthWest \
    mpr:p -geometry +187+156 -composite mpr:p -geometry +624+156 -composite \
    mpr:p -geometry +187+817 -composite mpr:p -geometry +624+817 -composite \
    mpr:c -geometry +187+723 -composite mpr:c -geometry +624+723 -composite \
    mpr:c -geometry +187+1384 -composite mpr:c -geometry +624+1384 -composite \
    -fill black -stroke none -draw "$draw" \
    -font "$font" -pointsize 8 \
    -annotate +35+1576 "时间戳 $sjc   采集码 $cjm   院校代码 $yxdm
证件号码 $zjhm   学号 $xh   学历层次 $cc
学历类别 $xllb   姓名 $xm   班级 $bh" \
    "${before[@]}" \
    -profile "$srgb" -intent Relative -black-point-compensation -profile "$icc" \
    "${after[@]}" \
    -alpha off -depth 8 "${tiffopt[@]}" "$out/tiff/$num.tif"
done
if ls "$jpg"/*.jpg >/dev/null 2>&1; then
  img2pdf "$jpg"/*.jpg -o "$out/sheets-$(printf %04d "$first").pdf"
fi
rm -rf "$jpg"
