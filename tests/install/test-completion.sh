#!/usr/bin/env bash
# test-completion.sh - the bash completion, driven the way bash drives it:
# source the script, set COMP_WORDS / COMP_CWORD, call _photosheet, read
# COMPREPLY.  Runs the build's photosheet (PHOTOSHEET_BIN, with the test
# setup's PHOTOSHEET_DATA_DIR) as "photosheet" on PATH, and a stand-in
# lpstat for the CUPS queues.
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u
. "$(dirname "$0")/tap.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ps-completion-XXXXXX")
trap 'rm -rf "$tmp" "$TAP_LOG"' EXIT
mkdir -p "$tmp/bin" "$tmp/files/photos" "$tmp/files/out"
ln -s "$PHOTOSHEET_BIN" "$tmp/bin/photosheet"
cat >"$tmp/bin/lpstat" <<'EOF'
#!/bin/sh
# lpstat -e (or -h SERVER -e): the queue names, one a line.
case "$*" in
  "-e") printf 'lab-frontier\nlab-epson\n' ;;
  "-h print-room:631 -e") printf 'room-noritsu\n' ;;
  *) exit 1 ;;
esac
EOF
chmod +x "$tmp/bin/lpstat"
touch "$tmp/files/roster.csv" "$tmp/files/lab.icc" "$tmp/files/notes.txt"

# complete WORD...: COMPREPLY for the command line WORD... (the last word is
# the one being completed), one word a line.
complete()
{
  (cd "$tmp/files" && PATH=$tmp/bin:$PATH bash --norc --noprofile -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    _photosheet
    printf "%s\n" "${COMPREPLY[@]}"' bash "$PS_COMPLETION" "$@")
}

# expect DESCRIPTION "WORDS..." -- LINE...: COMPREPLY holds exactly WORDS
# (sorted, space-separated).
expect()
{
  local description=$1 want=$2 got
  shift 3
  got=$(complete "$@" | sort | tr '\n' ' ')
  got=${got% }
  tap_note "photosheet ${*:2}<TAB>: got '$got', want '$want'"
  if [ "$got" = "$want" ]; then tap_ok "$description"; else tap_not_ok "$description"; fi
}
# expect_has DESCRIPTION "WORDS..." -- LINE...: COMPREPLY holds WORDS (and
# maybe more).
expect_has()
{
  local description=$1 want=$2 got w missing=
  shift 3
  got=" $(complete "$@" | tr '\n' ' ') "
  for w in $want; do
    [[ $got == *" $w "* ]] || missing+=" $w"
  done
  tap_note "photosheet ${*:2}<TAB>: got '$got', missing '$missing'"
  if [ -z "$missing" ]; then tap_ok "$description"; else tap_not_ok "$description"; fi
}

commands=$(printf '%s\n' $PS_COMMANDS help --help --version | sort | tr '\n' ' ')
expect "commands" "${commands% }" -- photosheet ''
expect "a command from its first letters" "render reprint" -- photosheet re
expect "help COMMAND completes commands" "layouts" -- photosheet help la

expect_has "render's options, from its --help" \
  "--roster --photos --layout --out --profile --intent --tiff-compression --skip-invalid --jobs" \
  -- photosheet render --
expect "an option of render from its first letters" "--tiff-compression" -- photosheet render --ti
expect "print has --resume, render has not" "--resume" -- photosheet print --res
expect "render has no --resume" "" -- photosheet render --res

layouts=$(ls "$PHOTOSHEET_DATA_DIR/layouts/" | sed -n 's/\.ini$//p' | sort | tr '\n' ' ')
expect "layout names after --layout" "${layouts% }" -- photosheet render --layout ''
expect "layout names after -l (render's short option)" "6inch-33x48 6inch-33x48-5up 6inch-35x45" -- photosheet render -l 6inch
expect "layout names after --layout= (bash splits at '=')" "default" -- photosheet check --layout = def
expect "layout names after layouts --show" "a4-33x48" -- photosheet layouts --show a4

expect "CUPS queues from lpstat -e after --printer" "lab-epson lab-frontier" -- photosheet print --printer ''
expect "-P is --printer in reprint" "lab-frontier" -- photosheet reprint -P lab-f
expect "queues of the --server given" "room-noritsu" -- photosheet print --server print-room:631 --printer ''

expect "--intent values" "perceptual" -- photosheet render --intent per
expect "--format completes after the last comma" "pdf,tiff" -- photosheet render --format pdf,t
expect "--tiff-compression values" "deflate lzw none" -- photosheet render --tiff-compression ''
expect "export's --format is one of tiff and jpeg" "jpeg tiff" -- photosheet export --format ''
expect "--impose values" "sequence stack" -- photosheet render --impose ''
expect "--hot-folder offers folders" "out photos" -- photosheet export --hot-folder ''
expect "render has --force" "--force" -- photosheet render --forc
expect "--profile offers ICC files and folders" "lab.icc out photos" -- photosheet render --profile ''
expect "--photos offers folders" "out photos" -- photosheet check --photos ''
expect "--roster offers files" "lab.icc notes.txt out photos roster.csv" -- photosheet check --roster ''
expect "-o is --out in render: folders" "out photos" -- photosheet render -o ''
expect "-o is --option in print: nothing to offer" "" -- photosheet print -o ''
expect "an option taking a number offers nothing" "" -- photosheet render --jobs ''

tap_done
