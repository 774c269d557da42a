#!/bin/sh
# check-headers.sh CC BUILD_ROOT ENGINE_DIR - the modules that must not see
# cairo, pango, lcms2 or libtiff (the batch model's readers that store and
# queue) compile without any of their headers (gcc -H lists every header
# a translation unit opens).
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u
cc=$1 build=$2 engine=$3
flags="-fsyntax-only -H -DPS_COMPILATION -D_GNU_SOURCE -I$build -I$engine $(pkg-config --cflags glib-2.0 sqlite3) $(cups-config --cflags 2>/dev/null)"
echo "1..1"
bad=0
for f in ps-ledger.c ps-ledger-batch.c ps-ledger-job.c ps-ledger-status.c ps-queue.c \
         ps-print.c ps-reprint.c ps-plan.c ps-job.c ps-record.c ps-problem.c ps-config.c; do
  headers=$($cc $flags "$engine/$f" 2>&1 >/dev/null) || { echo "# $f does not compile"; bad=1; continue; }
  n=$(printf '%s\n' "$headers" | grep -E '^\.+ ' | grep -cE '/(cairo|pango-1\.0|lcms2|tiffio)') || true
  echo "# $f: $(printf '%s\n' "$headers" | grep -cE '^\.+ ') headers, $n of cairo/pango/lcms2/libtiff"
  [ "$n" -eq 0 ] || bad=1
done
if [ $bad -eq 0 ]; then echo "ok 1 - storage and queue modules see no drawing library"; else echo "not ok 1 - a storage or queue module sees a drawing library"; fi
