#!/usr/bin/env bash
# test-install.sh - photosheet installed, used as a packager and a user would
# (issue 15): DESTDIR=... meson install, the tree moved elsewhere, then the
# library through pkg-config, the program with an empty environment from a
# folder outside the checkout, its man pages and its completion; and no path
# of the checkout or the build dir in anything installed or opened.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The build passes what it knows in PS_* variables (tests/install/meson.build).
set -u
. "$(dirname "$0")/tap.sh"

src=$PS_SOURCE_ROOT
build=$PS_BUILD_ROOT
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ps-install-XXXXXX")
trap 'rm -rf "$tmp" "$TAP_LOG"' EXIT

case $tmp/ in
  "$src"/* | "$build"/*) echo "Bail out! the temp dir $tmp is inside the checkout"; exit 1 ;;
esac

# 1. Install into a DESTDIR, then move the tree: what is installed must find
# its data relative to itself, wherever it is.
if ! DESTDIR=$tmp/stage "$PS_MESON" install -C "$build" --no-rebuild --quiet >>"$TAP_LOG" 2>&1; then
  tap_not_ok "DESTDIR=... meson install"
  echo "Bail out! nothing installed"
  exit 1
fi
mv "$tmp/stage" "$tmp/moved"
root=$tmp/moved$PS_PREFIX
bin=$tmp/moved$PS_BINDIR/photosheet
libdir=$tmp/moved$PS_LIBDIR
datadir=$tmp/moved$PS_DATADIR/photosheet
lib=$libdir/$PS_SONAME
tap_ok "DESTDIR=... meson install, tree moved to $tmp/moved"

# 2. What a -dev package and the program package need.
installed_files()
{
  local f
  for f in "$bin" "$lib" "$libdir/${PS_SONAME%.*}" "$libdir/pkgconfig/$PS_PKG.pc" \
           "$tmp/moved$PS_INCLUDEDIR/$PS_PKG/photosheet.h" \
           "$datadir/layouts/default.ini" "$datadir/fonts/fonts.conf" \
           "$datadir/profiles/sRGB.icc" "$datadir/profiles/lab-rgb.icc" \
           "$datadir/profiles/lab-cmyk.icc" "$tmp/moved$PS_COMPLETIONSDIR/photosheet"; do
    [ -e "$f" ] || { echo "missing: ${f#"$tmp/moved"}"; return 1; }
  done
  # The test-only profiles stay in the build.
  [ ! -e "$datadir/profiles/broken-header.icc" ] || { echo "broken-header.icc installed"; return 1; }
}
tap_run "library, header, pkg-config file, data, profiles and completion installed" installed_files

soname()
{
  local s
  s=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
  echo "SONAME: $s"
  [ "$s" = "$PS_SONAME" ] && [ -L "$lib" ] && [ -f "$(readlink -f "$lib")" ]
}
tap_run "shared library with soname $PS_SONAME" soname

# The exported symbols are exactly the PS_API declarations of the header.
symbols()
{
  nm -D --defined-only "$lib" | awk '{ print $NF }' | sort -u >"$tmp/exported"
  # Each declaration starts a line: "PS_API type *name (".
  sed -n 's/^PS_API \([^(]*\)(.*/\1/p' "$tmp/moved$PS_INCLUDEDIR/$PS_PKG/photosheet.h" |
    sed 's/[ *]*$//; s/.*[ *]//' | sort -u >"$tmp/declared"
  echo "exported $(wc -l <"$tmp/exported"), declared $(wc -l <"$tmp/declared")"
  [ -s "$tmp/declared" ] || return 1
  comm -23 "$tmp/declared" "$tmp/exported" | sed 's/^/declared, not exported: /'
  comm -13 "$tmp/declared" "$tmp/exported" | sed 's/^/exported, not declared: /'
  cmp -s "$tmp/declared" "$tmp/exported"
}
tap_run "nm -D: the library exports the PS_API functions and nothing else" symbols

# 3. A program against the installed library through pkg-config alone.
cat >"$tmp/hello.c" <<'EOF'
#include <photosheet.h>
#include <stdio.h>

int
main (void)
{
  printf ("photosheet %s\n", ps_version ());
  ps_shutdown ();
  return 0;
}
EOF
pkg_program()
{
  local flags out pcdir=$libdir/pkgconfig
  # The .pc file is relocatable (prefix=${pcfiledir}/...): found in the moved
  # tree, it names the moved tree.  A build dir set up before that became
  # the default has prefix=$PS_PREFIX: use a copy naming the moved prefix.
  if ! grep '^prefix=${pcfiledir}/' "$pcdir/$PS_PKG.pc"; then
    echo "$PS_PKG.pc not relocatable (build dir set up before pkgconfig.relocatable); moved copy"
    mkdir -p "$tmp/pc"
    sed "s|^prefix=.*|prefix=$root|" "$pcdir/$PS_PKG.pc" >"$tmp/pc/$PS_PKG.pc"
    pcdir=$tmp/pc
  fi
  flags=$(PKG_CONFIG_PATH=$pcdir pkg-config --cflags --libs "$PS_PKG") || return 1
  echo "pkg-config --cflags --libs $PS_PKG: $flags"
  # shellcheck disable=SC2086
  $PS_CC ${PS_SANITIZE:+-fsanitize=$PS_SANITIZE} -o "$tmp/hello" "$tmp/hello.c" $flags || return 1
  out=$(env -i LD_LIBRARY_PATH="$libdir" ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
          ${LSAN_OPTIONS:+LSAN_OPTIONS=$LSAN_OPTIONS} "$tmp/hello") || return 1
  echo "hello: $out"
  LD_LIBRARY_PATH=$libdir ldd "$tmp/hello" | grep -F "$PS_SONAME"
  [ "$out" = "photosheet $PS_VERSION" ] &&
    LD_LIBRARY_PATH=$libdir ldd "$tmp/hello" | grep -qF "$libdir/$PS_SONAME"
}
tap_run "a 10-line C program builds with pkg-config $PS_PKG and prints ps_version ()" pkg_program

# 4. The installed program with an empty environment, from a folder outside
# the checkout, on a copy of the built samples.
mkdir -p "$tmp/home" "$tmp/work"
cp -r "$PS_SAMPLES_DIR" "$tmp/work/samples"
installed()
{
  (cd "$tmp/work" &&
     env -i PATH=/usr/bin:/bin HOME="$tmp/home" LC_ALL=C.UTF-8 LD_LIBRARY_PATH="$libdir" \
       ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} ${LSAN_OPTIONS:+LSAN_OPTIONS=$LSAN_OPTIONS} \
       ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} "$@")
}

layouts()
{
  installed "$bin" layouts >"$tmp/layouts" || return 1
  cat "$tmp/layouts"
  installed "$bin" layouts --names >"$tmp/names" || return 1
  grep -q '^default ' "$tmp/layouts" && grep -q '^6inch-33x48 ' "$tmp/layouts" &&
    grep -qx 'default' "$tmp/names" &&
    [ "$(wc -l <"$tmp/names")" -eq "$(ls "$datadir/layouts/"*.ini | wc -l)" ]
}
tap_run "installed photosheet layouts (env -i, cwd outside the tree) lists the installed layouts" layouts

check_samples()
{
  installed "$bin" check --roster samples/roster.xlsx --photos samples/photos
}
# Exit 0 means every caption was shaped with the fonts of the installed
# fonts.conf: a character no font covers would be a problem.
tap_run "installed photosheet check: the samples are printable" check_samples

render_samples()
{
  local out pages
  out=$(installed "$bin" render --roster samples/roster.xlsx --photos samples/photos --out out \
          --profile "$datadir/profiles/lab-rgb.icc" --format pdf,tiff) || { echo "$out"; return 1; }
  echo "$out"
  pages=$(echo "$out" | sed -n 's/^rendered \([0-9]*\) pages.*/\1/p')
  [ -n "$pages" ] && [ "$pages" -gt 0 ] || return 1
  pdfinfo "$tmp/work/out/sheets.pdf" | grep -q "^Pages: *$pages$" || return 1
  [ "$(ls "$tmp/work/out/tiff" | wc -l)" -eq "$pages" ] || return 1
  # The captions are set in the Debian CJK fonts the installed fonts.conf names.
  pdffonts "$tmp/work/out/sheets.pdf" | tee /dev/stderr | grep -q 'NotoSansCJK'
}
if command -v pdfinfo >/dev/null && command -v pdffonts >/dev/null; then
  tap_run "installed photosheet renders the samples (PDF pages, TIFFs, CJK fonts)" render_samples
else
  tap_skip "installed photosheet renders the samples" "pdfinfo/pdffonts (poppler-utils) not installed"
fi

# 5. Nothing installed holds a path of the checkout or the build dir.
no_tree_paths()
{
  local f bad=0
  for f in "$bin" "$(readlink -f "$lib")"; do
    if strings -a "$f" | grep -F -e "$src" -e "$build"; then
      echo "${f#"$tmp/moved"} holds a source-tree path"
      bad=1
    fi
  done
  # And no other installed file (header, .pc, man pages, data, archive).
  grep -rlaF -e "$src" -e "$build" "$tmp/moved" && bad=1
  return $bad
}
tap_run "strings: no source-tree or build-dir path in the installed program, library or data" no_tree_paths

# 6. What the program opens: strace, where it may trace.
traced()
{
  # LeakSanitizer cannot run under ptrace: no leak check in this one run.
  local ASAN_OPTIONS=${ASAN_OPTIONS:-}
  [ -z "$PS_SANITIZE" ] || ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
  installed strace -f -o "$tmp/trace" -e trace=%file "$@" >/dev/null || return 1
  if grep -F -e "$src" -e "$build" "$tmp/trace"; then
    echo "the installed program touched the checkout"
    return 1
  fi
  grep -F "$datadir/layouts/default.ini" "$tmp/trace" | grep -q 'open' &&
    grep -F "$datadir/fonts/fonts.conf" "$tmp/trace" | grep -q 'open'
}
if ! command -v strace >/dev/null; then
  tap_skip "strace: the installed program opens only the installed data" "strace not installed"
elif ! strace -o /dev/null true 2>>"$TAP_LOG"; then
  tap_skip "strace: the installed program opens only the installed data" "strace cannot trace here (ptrace refused)"
else
  tap_run "strace: check opens the installed layouts and fonts.conf, nothing in the checkout" \
    traced "$bin" check --roster samples/roster.csv --photos samples/photos
fi

# 7. Man pages: photosheet(1) and one per command, each with the options
# its command's --help lists.
man_pages()
{
  local page command text option
  for command in "" $PS_COMMANDS; do
    page=photosheet${command:+-$command}
    text=$(LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$tmp/moved$PS_MANDIR/man1/$page.1" 2>&1) || {
      echo "man -l $page.1 failed: $text"; return 1; }
    echo "$text" | grep -q "^NAME" || { echo "$page: no NAME"; return 1; }
    echo "$text" | grep -q "^ *$page - ." || { echo "$page: NAME does not name it"; return 1; }
    [ -n "$command" ] || continue
    for option in $(installed "$bin" "$command" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
      echo "$text" | grep -q -- "$option" || { echo "$page: $option missing"; return 1; }
    done
    echo "$page: $(echo "$text" | wc -l) lines"
  done
}
if [ "$PS_MAN_PAGES" = true ]; then
  tap_run "man -l shows photosheet(1) and photosheet-{${PS_COMMANDS// /,}}(1)" man_pages
else
  tap_skip "man -l shows each page" "man pages not built (-Dman=disabled or no help2man)"
fi

# Every command the program lists has its page and is completed: the
# build's command list (meson.build) is the program's.
commands_listed()
{
  local listed
  listed=$(installed "$bin" --help | sed -n '/^Commands:$/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' | tr '\n' ' ')
  echo "photosheet --help: $listed; meson.build: $PS_COMMANDS"
  [ "${listed% }" = "$PS_COMMANDS" ]
}
tap_run "the commands of 'photosheet --help' are those with man pages and completion" commands_listed

# 8. The installed completion, with the installed program on PATH.
complete_words()
{
  installed env PATH="$tmp/moved$PS_BINDIR:/usr/bin:/bin" bash --norc --noprofile -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    _photosheet
    printf "%s\n" "${COMPREPLY[@]}"' bash "$tmp/moved$PS_COMPLETIONSDIR/photosheet" "$@"
}
completion()
{
  local words
  words=$(complete_words photosheet '' | tr '\n' ' ')
  echo "photosheet <TAB>: $words"
  for c in $PS_COMMANDS; do
    [[ " $words " == *" $c "* ]] || return 1
  done
  words=$(complete_words photosheet render --layout '' | tr '\n' ' ')
  echo "photosheet render --layout <TAB>: $words"
  [[ " $words " == *" default "* && " $words " == *" 6inch-33x48 "* ]]
}
tap_run "installed completion: commands and the installed layouts" completion

tap_done
