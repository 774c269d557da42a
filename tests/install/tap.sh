# tap.sh - TAP for the shell tests of this directory (sourced).
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Every command's output goes to $TAP_LOG and is shown, as TAP comments,
# only under a failing point, so the TAP stream stays clean.
TAP_N=0
TAP_FAILED=0
TAP_LOG=$(mktemp)
trap 'rm -f "$TAP_LOG"' EXIT

tap_ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1"; : >"$TAP_LOG"; }
tap_not_ok()
{
  TAP_N=$((TAP_N + 1))
  echo "not ok $TAP_N - $1"
  sed 's/^/# /' "$TAP_LOG" | head -n 60
  : >"$TAP_LOG"
  TAP_FAILED=1
}
# tap_skip DESCRIPTION REASON: a visible skip, never a pass.
tap_skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP $2"; : >"$TAP_LOG"; }
# tap_run DESCRIPTION COMMAND...: one point, passed when COMMAND succeeds.
tap_run()
{
  local description=$1
  shift
  if "$@" >>"$TAP_LOG" 2>&1; then tap_ok "$description"; else tap_not_ok "$description"; fi
}
# tap_note TEXT...: a line for the log of the next point.
tap_note() { echo "$*" >>"$TAP_LOG"; }
tap_done() { echo "1..$TAP_N"; exit $TAP_FAILED; }
