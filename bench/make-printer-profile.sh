#!/usr/bin/env bash
# make-printer-profile.sh - the bench's third-party RGB printer profile, made
# with ArgyllCMS the way a profiling service makes one for a minilab: a test
# chart (targen), its "measurement" (fakeread, simulating a printer that is
# not sRGB), and a LUT-based output profile built from the readings (colprof).
# Nothing here uses photosheet's own profile code.  Not a test, not run by CI.
#
#   bench/make-printer-profile.sh OUT_DIR     -> OUT_DIR/argyll-minilab.icc
#
# Needs Debian's `argyll` (apt-get install argyll); works offline: the only
# inputs are the reference profiles Argyll ships in /usr/share/color/argyll/ref.
#
# The simulated printer ("truth" that fakeread reads the chart through):
#   1. device RGB taken as Adobe-like RGB (ClayRGB1998) and gamut-mapped by a
#      collink device link into SMPTE-C primaries (a smaller gamut than sRGB
#      in the greens and cyans, with the non-linear compression a real
#      printer's response has, i.e. cross-talk between the channels);
#   2. per-channel dot gain: powers 1.15, 1.05, 1.25 on R, G, B (a grey
#      balance that is off, which the profile must correct);
#   3. black lifted to L* 7, a* 0.5, b* -1.5 (a real paper's D-max);
#   4. 0.4 % normal noise on the readings (an instrument), fixed seed.
# The chart: 900 patches, "Print RGB", 16 grey steps, OFPS full spread.
# The profile: colprof -qm -al (Lab cLUT A2B0 / B2A0..2, ICC v2.2 'prtr',
# ~220 kB), perceptual and saturation tables gamut-mapped from sRGB (-S) for
# ISO 3664 P2 print viewing (-cmt -dpp).  colprof reports the fit.  Takes
# about a minute (collink ~15 s, colprof ~50 s) and is cached in OUT_DIR.
set -euo pipefail

out=${1:?usage: make-printer-profile.sh OUT_DIR}
icc=$out/argyll-minilab.icc
[ -s "$icc" ] && exit 0
for t in targen fakeread collink colprof; do
  command -v "$t" >/dev/null || { echo "make-printer-profile: needs argyll ($t)" >&2; exit 1; }
done
ref=/usr/share/color/argyll/ref
mkdir -p "$out"
tmp=$(mktemp -d "$out/argyll.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

targen -d2 -G -e 4 -B 4 -s 0 -g 16 -f 900 minilab >targen.log 2>&1
collink -qm -G -ip "$ref/ClayRGB1998.icm" "$ref/SMPTE_RP145_NTSC.icm" device-link.icm >collink.log 2>&1
fakeread -I r -p device-link.icm -0 1.15 -1 1.05 -2 1.25 -A 7,0.5,-1.5 -R 0.4 -S 12 \
  "$ref/SMPTE_RP145_NTSC.icm" minilab >fakeread.log 2>&1
# fakeread names the readings after its base profile's class (a display):
# they are a print device's, as chartread would label a printed chart.
sed -i 's/^DEVICE_CLASS "DISPLAY"/DEVICE_CLASS "OUTPUT"/' minilab.ti3
colprof -v -qm -al -S "$ref/sRGB.icm" -cmt -dpp -A "bench" -M "simulated minilab" \
  -D "bench minilab RGB (ArgyllCMS, simulated readings)" -C "No copyright, use freely" \
  minilab >colprof.log 2>&1
grep -h 'Profile check complete' colprof.log >&2 || true
cp minilab.ti3 "$out/argyll-minilab.ti3"
mv minilab.icc "$icc"
