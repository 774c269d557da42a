#!/usr/bin/env bash
# make-photos.sh - the bench's third-party photos: real portraits from two
# Debian packages, not the project's samples, made into M distinct 480 x 640
# ID-style JPEGs with ImageMagick (not tools/make-samples, not cairo).
# Not a test and not run by CI.
#
#   bench/make-photos.sh OUT_DIR M
#
# Sources (public domain, shipped by Debian main, fetched with `apt-get
# download` and unpacked with dpkg-deb into OUT_DIR/../debs, nothing installed):
#   python-matplotlib-data  .../mpl-data/sample_data/grace_hopper.jpg
#                           512 x 600, Grace Hopper, US Navy photo
#   python3-skimage         .../skimage/data/astronaut.png
#                           512 x 512, Eileen Collins, NASA photo
#
# Photo i (0 <= i < M) is bench-NNNNNN.jpg: source i % 2, rotated by -3..3
# degrees (edge pixels fill the corners), a 3:4 head-and-shoulders window of
# varying size and position, resized to 480 x 640, mirrored for half of them,
# brightness 92..108 %, saturation 85..115 %, hue +-4, JPEG quality 60..72,
# 4:2:0, JFIF 300 dpi; 26-45 kB (mean 35 kB).  Every tenth (i % 10 == 3) is
# converted to an Adobe-RGB-compatible space with that profile embedded
# (icc-profiles-free, else Argyll's ClayRGB1998.icm); every tenth
# (i % 10 == 7) is stored turned on its side (640 x 480) with an EXIF
# Orientation tag (6 or 8) that turns it upright.  The parameters come from
# a fixed LCG: the same M photos every run.
# Idempotent: OUT_DIR/.done-M records a finished set.
set -euo pipefail

out=${1:?usage: make-photos.sh OUT_DIR M}
m=${2:?usage: make-photos.sh OUT_DIR M}
[ -f "$out/.done-$m" ] && exit 0
command -v convert >/dev/null || { echo "make-photos: needs imagemagick" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
debs=$(dirname "$out")/debs
mkdir -p "$debs"

hopper=$debs/grace_hopper.jpg astro=$debs/astronaut.png
fetch() {   # PACKAGE PATH_IN_DEB DEST
  [ -s "$3" ] && return 0
  ( cd "$debs" && ls "$1"_*.deb >/dev/null 2>&1 || apt-get download -qq "$1" 2>/dev/null ) \
    || { echo "make-photos: apt-get download $1 failed (apt-get update?)" >&2; exit 1; }
  dpkg-deb --fsys-tarfile "$(ls "$debs/$1"_*.deb | head -n 1)" | tar -xO "./$2" >"$3"
}
fetch python-matplotlib-data usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg "$hopper"
fetch python3-skimage usr/lib/python3/dist-packages/skimage/data/astronaut.png "$astro"

srgb=/usr/share/color/argyll/ref/sRGB.icm
adobe=/usr/share/color/icc/compatibleWithAdobeRGB1998.icc
[ -f "$adobe" ] || adobe=/usr/share/color/argyll/ref/ClayRGB1998.icm
[ -f "$srgb" ] || srgb=/usr/share/color/icc/sRGB.icc

# An EXIF APP1 holding only IFD0 Orientation (big-endian TIFF), put right
# after the JFIF APP0 segment.
add_orientation() {   # FILE ORIENTATION
  local f=$1 o=$2 len0
  len0=$(od -An -tu1 -j4 -N2 "$f" | awk '{ print $1 * 256 + $2 }')
  { head -c $((4 + len0)) "$f"
    printf '\xff\xe1\x00\x22Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00'
    printf "\\x0$o"
    printf '\x00\x00\x00\x00\x00\x00'
    tail -c +$((5 + len0)) "$f"; } >"$f.tmp"
  mv "$f.tmp" "$f"
}

# One line of parameters per photo, from an LCG (awk's rand() is not the same
# everywhere).
awk -v m="$m" 'function r() { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 }
  BEGIN { s = 20261201
    for (i = 0; i < m; i++) {
      src = i % 2
      rot = (r() - 0.5) * 6
      if (src == 0) { w = 380 + int(r() * 90); cx = 262 + int((r() - 0.5) * 40); sw = 512; sh = 600 }
      else          { w = 300 + int(r() * 84); cx = 226 + int((r() - 0.5) * 40); sw = 512; sh = 512 }
      h = int(w * 4 / 3); if (h > sh) { h = sh; w = int(h * 3 / 4) }
      x = cx - int(w / 2); if (x < 0) x = 0; if (x + w > sw) x = sw - w
      y = int(r() * (sh - h + 1))
      printf "%d %d %.2f %dx%d+%d+%d %d %d %d %d %d\n", i, src, rot, w, h, x, y, \
        r() < 0.5, 92 + int(r() * 17), 85 + int(r() * 31), 96 + int(r() * 9), 60 + int(r() * 13)
    } }' | while read -r i src rot crop flop bri sat hue q; do
  f=$(printf '%s/bench-%06d.jpg' "$out" "$i")
  [ -s "$f" ] && continue
  in=$hopper; [ "$src" = 1 ] && in=$astro
  args=(-virtual-pixel Edge -distort SRT "$rot" -crop "$crop" +repage
        -resize '480x640!' -modulate "$bri,$sat,$hue")
  [ "$flop" = 1 ] && args+=(-flop)
  args+=(-strip)
  case $((i % 10)) in
    3) args+=(-profile "$srgb" -profile "$adobe") ;;
    7) [ $((i % 20)) = 7 ] && args+=(-rotate -90) || args+=(-rotate 90) ;;
  esac
  convert "$in" "${args[@]}" -sampling-factor 2x2 -quality "$q" \
    -units PixelsPerInch -density 300 "jpg:$f.part"
  if [ $((i % 10)) = 7 ]; then
    # -rotate -90 is undone by orientation 6 (turn 90 clockwise), 90 by 8.
    if [ $((i % 20)) = 7 ]; then add_orientation "$f.part" 6; else add_orientation "$f.part" 8; fi
  fi
  mv "$f.part" "$f"
done
touch "$out/.done-$m"
