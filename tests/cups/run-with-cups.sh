#!/bin/bash
# run-with-cups.sh - run CMD... against a private CUPS started for it.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Starts tests/cups/harness.sh in a new temporary directory, exports its env
# (CUPS_SERVER, PS_TEST_QUEUE, PS_TEST_SPOOL, PS_CUPS_DIR, PS_CUPS_HARNESS,
# ...), runs CMD, stops the harness and exits with CMD's status.
# Exit 77 (or a TAP "1..0 # SKIP" when CMD has --tap) if cupsd, ippeveprinter
# and friends are not installed.  PS_CUPS_KEEP=1 keeps the directory (logs).
set -u

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
HARNESS=$HERE/harness.sh
export PATH=$PATH:/usr/sbin:/sbin

tap=0
for arg in "$@"; do
    [ "$arg" = --tap ] && tap=1
done

skip () {
    if [ $tap = 1 ]; then
        echo "1..0 # SKIP $1"
        exit 0
    fi
    echo "SKIP: $1" >&2
    exit 77
}

[ $# -ge 1 ] || { echo "usage: $0 CMD [ARGS...]" >&2; exit 2; }

for tool in cupsd ippeveprinter lpadmin lpstat lpoptions cupsenable cupsaccept ipptool dbus-daemon; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool not installed (cups-daemon cups-client cups-ipp-utils dbus-daemon)"
done

# Filters run as user lp when we are root: every parent of the work
# directory must be searchable by others.
parent=${TMPDIR:-/tmp}
if [ "$(id -u)" = 0 ]; then
    d=$(readlink -f "$parent")
    while [ -n "$d" ] && [ "$d" != / ]; do
        case $(stat -c %A "$d") in
            *x|*t) ;;
            *) parent=/tmp; break ;;
        esac
        d=$(dirname "$d")
    done
fi
base=$(mktemp -d "$parent/ps-cups-XXXXXX") || { echo "cannot create a temporary directory" >&2; exit 99; }
chmod 0711 "$base"

rc=99
cleanup () {
    "$HARNESS" stop "$base/h" >/dev/null 2>&1
    if [ "$rc" != 0 ] && [ -d "$base/h/log" ]; then
        {
            echo "--- harness log"
            tail -n 20 "$base/h/log/harness.log"
            echo "--- cupsd error_log (last lines, without debug)"
            grep -v '^D ' "$base/h/log/error_log" 2>/dev/null | tail -n 30
            echo "--- ippeveprinter"
            tail -n 20 "$base/h/log/ippeveprinter.log" "$base/h/log/ippeveprinter2.log" \
                "$base/h/log/ippeveprinter-device.log" 2>/dev/null
        } >&2
    fi
    if [ "${PS_CUPS_KEEP:-0}" = 1 ]; then
        echo "run-with-cups: kept $base" >&2
    else
        rm -rf "$base"
    fi
}
trap cleanup EXIT
trap 'rc=143; exit 143' TERM
trap 'rc=130; exit 130' INT
trap 'rc=129; exit 129' HUP

"$HARNESS" start "$base/h"
hrc=$?
if [ $hrc = 77 ]; then
    rc=0
    skip "harness: a CUPS tool is missing"
elif [ $hrc != 0 ]; then
    [ $tap = 1 ] && echo "Bail out! the CUPS harness did not start"
    rc=99
    exit 99
fi

# shellcheck disable=SC1091
. "$base/h/env"
"$@"
rc=$?
exit $rc
