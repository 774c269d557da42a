#!/bin/sh
# help2man.sh - one man page from the built photosheet's own --help.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   help2man.sh HELP2MAN PHOTOSHEET VERSION LOCALE OUTPUT INCLUDE [COMMAND]
#
# Without COMMAND: photosheet(1) from 'photosheet --help'.  With it:
# photosheet-COMMAND(1) from 'photosheet COMMAND --help', named by the
# command's line in the 'Commands:' list of 'photosheet --help', so the
# pages say what the program says.  LOCALE is the locale the help is read
# in (C.UTF-8 here; a translated page is the same call with its locale).
#
# help2man reads the help through a stand-in program that prints the text
# captured here, with GLib's "Usage:" and the usage line that follows it
# joined into the one line help2man takes the SYNOPSIS from, and the
# "Examples:" block moved into an EXAMPLES section kept as written (help2man
# would fill it into paragraphs and read its continuation lines as options).
set -eu

help2man=$1 photosheet=$2 version=$3 locale=$4 output=$5 include=$6 command=${7:-}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -z "$command" ]; then
  page=photosheet
  name="print-production of graduate ID photo sheets"
  LC_ALL=$locale "$photosheet" --help >"$tmp/help"
  version_line="photosheet $version"
else
  page=photosheet-$command
  name=$(LC_ALL=$locale "$photosheet" --help | sed -n "s/^  $command  *//p" | sed -n 1p)
  if [ -z "$name" ]; then
    echo "help2man.sh: '$command' is not in the Commands list of 'photosheet --help'" >&2
    exit 1
  fi
  LC_ALL=$locale "$photosheet" "$command" --help >"$tmp/help"
  version_line="$page (photosheet) $version"
fi
sed -i '/^Usage:$/{N;s/\n */ /;}' "$tmp/help"
{
  printf '[EXAMPLES]\n.nf\n'
  sed -n '/^Examples:$/,/^$/{/^Examples:$/d;/^$/d;s/^  //;s/\\/\\e/g;s/-/\\-/g;s/^[.'"'"']/\\\&&/;p;}' "$tmp/help"
  printf '.fi\n'
} >"$tmp/examples.h2m"
sed -i '/^Examples:$/,/^$/d' "$tmp/help"

cat >"$tmp/$page" <<STANDIN
#!/bin/sh
if [ "\$1" = --version ]; then echo '$version_line'; else cat '$tmp/help'; fi
STANDIN
chmod +x "$tmp/$page"

"$help2man" --no-info --locale="$locale" --section=1 --manual="photosheet manual" \
  --name="$name" --include="$include" --include="$tmp/examples.h2m" --output="$output" "$tmp/$page"
