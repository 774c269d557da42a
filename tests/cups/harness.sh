#!/bin/bash
# harness.sh - a private CUPS for the tests: dbus-daemon + cupsd + ippeveprinter.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: harness.sh start DIR               start everything in DIR (created if needed)
#        harness.sh stop DIR                stop everything started in DIR
#        harness.sh printer-stop DIR [2]    stop a virtual printer only (the first, or the second)
#        harness.sh printer-start DIR [2]   start it again (same port, same spool)
#        harness.sh status DIR              print what runs (exit 1 if something is down)
#        harness.sh env DIR                 print DIR/env
#
# Two virtual printers, each behind its own queue, and a CUPS class of the
# two (lpadmin -p QUEUE -c CLASS): how a lab spreads work over machines.
# A third, the device printer, takes only PWG raster (the colour tests).
#
# DIR/env (written by start, sourceable) exports:
#   CUPS_SERVER            127.0.0.1:PORT of the private cupsd
#   PS_TEST_QUEUE          the CUPS queue of the first printer, photosheet-test
#   PS_TEST_SPOOL          where the first ippeveprinter keeps every document it receives
#   PS_TEST_PRINTER_URI    ipp://127.0.0.1:PORT2/ipp/print (the first virtual printer)
#   PS_TEST_QUEUE2         the queue of the second printer, photosheet-test2
#   PS_TEST_SPOOL2         the second printer's documents
#   PS_TEST_CLASS          the class of both queues, photosheet-class
#   PS_TEST_DEVICE_QUEUE   photosheet-device: a third queue (in no class) whose device takes
#                          PWG raster in device CMYK and device RGB, passed through as is
#   PS_TEST_DEVICE_SPOOL   where its virtual printer keeps every document
#   PS_CUPS_DIR            DIR
#   PS_CUPS_HARNESS        this script (the tests call printer-stop/-start)
#   DBUS_SYSTEM_BUS_ADDRESS  the private bus
#
# Everything is time-bounded; PIDs are recorded in DIR/run/*.pid and only
# those processes are ever signalled.  Works as root (filters then run as
# user lp, so DIR and its parents must be traversable: DIR is made 0711) and
# as an ordinary user.  Logs: DIR/log/.
set -u
set -o pipefail

QUEUE=photosheet-test
QUEUE2=photosheet-test2
CLASS=photosheet-class
PRINTER_NAME="Photosheet Test Printer"
DEVICE_QUEUE=photosheet-device
DEVICE_NAME="Photosheet Device Printer"
SELF=$(readlink -f "${BASH_SOURCE[0]}")

START_TIMEOUT=${PS_CUPS_START_TIMEOUT:-30}   # seconds per wait

die () { echo "harness: $*" >&2; exit 1; }
log () { echo "harness: $*" >>"$DIR/log/harness.log"; }

need () {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$tool" >/dev/null 2>&1 \
            || { echo "harness: missing tool '$tool'" >&2; exit 77; }
    done
}

export PATH=$PATH:/usr/sbin:/sbin

# port_in_use PORT: true if a socket listens on PORT.  Read from /proc
# rather than by connecting: a connect to a free local port can succeed by
# itself (TCP simultaneous open onto its own source port).
port_in_use () {
    local hex
    hex=$(printf '%04X' "$1")
    awk -v p=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { found = 1 }
                      END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

free_port () {
    local tries=0 port
    while [ $tries -lt 50 ]; do
        # below the ephemeral range (32768-60999): no client takes it
        port=$(( 20000 + RANDOM % 12000 ))
        if ! port_in_use "$port" && [ "$port" != "${1:-0}" ]; then
            echo "$port"
            return 0
        fi
        tries=$((tries + 1))
    done
    return 1
}

# wait_for SECONDS CMD...: polls CMD every 0.2 s until it succeeds.
wait_for () {
    local limit=$1; shift
    local deadline=$(( $(date +%s) + limit ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        "$@" && return 0
        sleep 0.2
    done
    "$@"
}

# alive NAME: the recorded process NAME still runs and is the one we started
# (its executable matches), so a recycled PID is never signalled.
alive () {
    local pidfile="$DIR/run/$1.pid" pid exe
    [ -s "$pidfile" ] || return 1
    read -r pid exe <"$pidfile"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    [ "$(readlink -f "/proc/$pid/exe" 2>/dev/null)" = "$exe" ]
}

# launch NAME LOG EXE ARGS...: starts a daemon in the background, records it.
launch () {
    local name=$1 logfile=$2 exe
    shift 2
    exe=$(readlink -f "$(command -v "$1")")
    # stdin/stdout/stderr away from the caller: meson waits for its pipes.
    ( trap '' HUP; exec "$@" </dev/null >>"$logfile" 2>&1 ) &
    echo "$! $exe" >"$DIR/run/$name.pid"
    log "started $name pid $! ($*)"
}

# terminate NAME: SIGTERM, wait up to 5 s, then SIGKILL.
terminate () {
    local name=$1 pidfile="$DIR/run/$1.pid" pid exe i
    [ -s "$pidfile" ] || return 0
    read -r pid exe <"$pidfile"
    if alive "$name"; then
        kill -TERM "$pid" 2>/dev/null
        for i in $(seq 50); do
            alive "$name" || break
            sleep 0.1
        done
        if alive "$name"; then
            log "$name pid $pid ignored SIGTERM, sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null
            for i in $(seq 20); do
                alive "$name" || break
                sleep 0.1
            done
        fi
        log "stopped $name pid $pid"
    fi
    rm -f "$pidfile"
}

# up_or_dead NAME PORT: stop waiting when NAME listens or has exited.
up_or_dead () {
    ! alive "$1" || port_in_use "$2"
}

load_env () {
    [ -s "$DIR/env" ] || die "$DIR/env: not started"
    # shellcheck disable=SC1091
    . "$DIR/env"
}

write_cups_conf () {
    local port=$1 user group
    if [ "$(id -u)" = 0 ]; then
        user=lp; group=lp
    else
        user=$(id -un); group=$(id -gn)
    fi
    mkdir -p "$DIR/cups/ppd" "$DIR/cups/ssl" "$DIR/spool/tmp" "$DIR/cache" "$DIR/state" \
             "$DIR/log"
    cat >"$DIR/cups/cups-files.conf" <<EOF
# generated by harness.sh
ServerRoot $DIR/cups
RequestRoot $DIR/spool
TempDir $DIR/spool/tmp
CacheDir $DIR/cache
StateDir $DIR/state
ServerKeychain $DIR/cups/ssl
AccessLog $DIR/log/access_log
ErrorLog $DIR/log/error_log
PageLog $DIR/log/page_log
# never the host's /run/cups/printcap
Printcap $DIR/run/printcap
User $user
Group $group
SystemGroup $(id -gn)
FileDevice Yes
Sandboxing Relaxed
EOF
    cat >"$DIR/cups/cupsd.conf" <<EOF
# generated by harness.sh
Listen 127.0.0.1:$port
ServerAlias *
LogLevel debug
MaxLogSize 0
Browsing No
BrowseLocalProtocols none
WebInterface No
DefaultShared No
DefaultAuthType None
HostNameLookups Off
# retry a job whose backend failed (printer down) every few seconds
ErrorPolicy retry-job
JobRetryInterval 3
JobRetryLimit 200
PreserveJobHistory Yes
PreserveJobFiles No
MaxJobs 0
Timeout 60
<Location />
  Order allow,deny
  Allow from 127.0.0.1
  Allow from localhost
</Location>
<Policy default>
  JobPrivateAccess all
  JobPrivateValues none
  SubscriptionPrivateAccess all
  SubscriptionPrivateValues none
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
EOF
}

write_dbus_conf () {
    mkdir -p "$DIR/dbus"
    cat >"$DIR/dbus/system.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$DIR/dbus/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
EOF
}

# The names of printer N (1 or 2): its process, spool, port file and queue.
printer_proc () { [ "$1" = 2 ] && echo ippeveprinter2 || echo ippeveprinter; }
printer_spool () { [ "$1" = 2 ] && echo "$DIR/printer2-spool" || echo "$DIR/printer-spool"; }
printer_portfile () { [ "$1" = 2 ] && echo "$DIR/run/printer2-port" || echo "$DIR/run/printer-port"; }
printer_queue () { [ "$1" = 2 ] && echo "$QUEUE2" || echo "$QUEUE"; }

start_printer () {
    local port=$1 n=${2:-1} proc spool name
    proc=$(printer_proc "$n")
    spool=$(printer_spool "$n")
    name=$PRINTER_NAME
    [ "$n" = 2 ] && name="$PRINTER_NAME 2"
    mkdir -p "$spool"
    # -k keeps every document; -c true: no per-job sleep; -r off: no DNS-SD.
    # -s 10,10 makes it a colour printer, whose built-in media list has the
    # photo sizes (na_index-4x6_4x6in, na_5x7_5x7in, ...): no -a file needed.
    launch "$proc" "$DIR/log/$proc.log" \
        ippeveprinter -s 10,10 -k -c /usr/bin/true -d "$spool" -p "$port" \
        -f application/pdf,image/pwg-raster,image/urf,image/jpeg -r off \
        -M Photosheet -m "Test Printer" "$name"
    wait_for "$START_TIMEOUT" up_or_dead "$proc" "$port"
    if ! port_in_use "$port" || ! alive "$proc"; then
        log "$proc did not listen on $port"
        return 1
    fi
    # give it a moment to answer IPP, not just accept
    wait_for "$START_TIMEOUT" ipptool -T 3 -q "ipp://127.0.0.1:$port/ipp/print" get-printer-attributes.test \
        >/dev/null 2>&1 || true
}

queue_has_driver () {
    local queue=${1:-$QUEUE} model
    model=$(timeout 10 lpstat -h "$CUPS_SERVER" -l -p "$queue" 2>/dev/null) || return 1
    ! grep -q "Local Raw Printer" <<<"$model" || return 1
    # the driver's PPD gives the queue a media list
    timeout 10 lpoptions -h "$CUPS_SERVER" -p "$queue" -l 2>/dev/null | grep -qi "PageSize"
}

# add_printer N: starts virtual printer N on a free port (a few tries: a
# port can be taken between the check and the bind) and makes its queue.
add_printer () {
    local n=$1 pport attempt queue proc uri
    queue=$(printer_queue "$n")
    proc=$(printer_proc "$n")
    for attempt in 1 2 3; do
        pport=$(free_port "$port") || { log "no free port"; return 1; }
        echo "$pport" >"$(printer_portfile "$n")"
        start_printer "$pport" "$n" && break
        log "$proc attempt $attempt on port $pport failed: $(tail -n 3 "$DIR/log/$proc.log" 2>/dev/null | tr '\n' ' ')"
        [ $attempt = 3 ] && return 1
    done
    uri="ipp://127.0.0.1:$pport/ipp/print"
    [ "$n" = 1 ] && PRINTER_URI=$uri

    # the everywhere driver appears asynchronously
    timeout 60 lpadmin -h "$CUPS_SERVER" -p "$queue" -E -v "$uri" -m everywhere \
        >>"$DIR/log/harness.log" 2>&1 || { log "lpadmin -p $queue failed"; return 1; }
    if ! wait_for "$START_TIMEOUT" queue_has_driver "$queue"; then
        log "queue $queue never got its driver"
        return 1
    fi
    # only now the connect timeout (earlier the driver query retries forever)
    timeout 30 lpadmin -h "$CUPS_SERVER" -p "$queue" -v "$uri?contimeout=5" \
        -o printer-error-policy=retry-job >>"$DIR/log/harness.log" 2>&1 \
        || { log "lpadmin -v failed"; return 1; }
    timeout 10 cupsenable -h "$CUPS_SERVER" "$queue" >>"$DIR/log/harness.log" 2>&1
    timeout 10 cupsaccept -h "$CUPS_SERVER" "$queue" >>"$DIR/log/harness.log" 2>&1
    if ! timeout 10 lpoptions -h "$CUPS_SERVER" -p "$queue" -l 2>/dev/null | grep -q "4x6"; then
        log "queue $queue has no 4x6 media:"
        timeout 10 lpoptions -h "$CUPS_SERVER" -p "$queue" -l >>"$DIR/log/harness.log" 2>&1
        return 1
    fi
    return 0
}

# The device printer: a virtual IPP printer that takes only PWG raster (no
# PDF, no Apple raster), so CUPS's IPP Everywhere driver passes PWG raster
# through untouched.  ippeveprinter cannot advertise cmyk_8 or rgb_8 in its
# built-in mode, so the queue's generated PPD gets the ColorModels CUPS
# writes for a printer that does (ppd-cache.c: cupsColorSpace 6 = CMYK,
# 1 = device RGB) - the queue then stands for a device that takes them.
start_device_printer () {
    local port=$1 uri
    mkdir -p "$DIR/device-spool"
    launch ippeveprinter-device "$DIR/log/ippeveprinter-device.log" \
        ippeveprinter -s 10,10 -k -c /usr/bin/true -d "$DIR/device-spool" -p "$port" \
        -f image/pwg-raster,image/jpeg -r off -M Photosheet -m "Device Printer" "$DEVICE_NAME"
    wait_for "$START_TIMEOUT" up_or_dead ippeveprinter-device "$port"
    port_in_use "$port" && alive ippeveprinter-device || return 1
    wait_for "$START_TIMEOUT" ipptool -T 3 -q "ipp://127.0.0.1:$port/ipp/print" get-printer-attributes.test \
        >/dev/null 2>&1 || true
    uri="ipp://127.0.0.1:$port/ipp/print"
    timeout 60 lpadmin -h "$CUPS_SERVER" -p "$DEVICE_QUEUE" -E -v "$uri" -m everywhere \
        >>"$DIR/log/harness.log" 2>&1 || { log "lpadmin -p $DEVICE_QUEUE failed"; return 1; }
    wait_for "$START_TIMEOUT" queue_has_driver "$DEVICE_QUEUE" || { log "$DEVICE_QUEUE: no driver"; return 1; }
    local ppd="$DIR/cups/ppd/$DEVICE_QUEUE.ppd"
    grep -q '^\*cupsFilter2: "image/pwg-raster image/pwg-raster [0-9]* -"' "$ppd" \
        || { log "$DEVICE_QUEUE: PWG raster is not passed through"; return 1; }
    sed '/^\*ColorModel RGB:/a\
*ColorModel CMYK: "<</cupsColorSpace 6/cupsBitsPerColor 8/cupsColorOrder 0/cupsCompression 0>>setpagedevice"\
*ColorModel DeviceRGB: "<</cupsColorSpace 1/cupsBitsPerColor 8/cupsColorOrder 0/cupsCompression 0>>setpagedevice"' \
        "$ppd" >"$DIR/device.ppd"
    grep -q "cupsColorSpace 6/" "$DIR/device.ppd" || { log "$DEVICE_QUEUE: PPD not extended"; return 1; }
    timeout 30 lpadmin -h "$CUPS_SERVER" -p "$DEVICE_QUEUE" -P "$DIR/device.ppd" \
        -v "$uri?contimeout=5" >>"$DIR/log/harness.log" 2>&1 || { log "lpadmin -P failed"; return 1; }
    timeout 10 cupsenable -h "$CUPS_SERVER" "$DEVICE_QUEUE" >>"$DIR/log/harness.log" 2>&1
    timeout 10 cupsaccept -h "$CUPS_SERVER" "$DEVICE_QUEUE" >>"$DIR/log/harness.log" 2>&1
    return 0
}

cmd_start () {
    need cupsd ippeveprinter lpadmin lpstat lpoptions dbus-daemon ipptool cupsenable cupsaccept
    mkdir -p "$DIR" || die "cannot create $DIR"
    DIR=$(readlink -f "$DIR")
    mkdir -p "$DIR/run" "$DIR/log"
    if alive cupsd || alive dbus || alive ippeveprinter || alive ippeveprinter2 \
        || alive ippeveprinter-device; then
        die "$DIR: already started (run stop first)"
    fi
    # filters run as lp when we are root: everything must be traversable
    chmod 0711 "$DIR" "$DIR/run"
    chmod 0755 "$DIR/log"
    # ... from / down.  A freshly unpacked chroot can have a mode-0700 root
    # (the directory it was unpacked into), where every filter fails with
    # "execv failed: Permission denied"; a real system's / is 0755.
    if [ "$(id -u)" = 0 ] && [ "$(( 0$(stat -c %a /) & 01 ))" = 0 ]; then
        echo "harness: / is mode $(stat -c %a /): making it searchable for user lp" >&2
        chmod o+x /
    fi
    : >"$DIR/log/harness.log"

    # 1. the private system bus (ippeveprinter will not start without one)
    write_dbus_conf
    rm -f "$DIR/dbus/system_bus_socket"
    launch dbus "$DIR/log/dbus-daemon.log" dbus-daemon --config-file="$DIR/dbus/system.conf" --nofork \
        --nopidfile --nosyslog
    export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$DIR/dbus/system_bus_socket"
    wait_for 10 test -S "$DIR/dbus/system_bus_socket" || { log "dbus-daemon did not start"; return 1; }

    # 2. cupsd on a free loopback port (retried if the port was taken meanwhile)
    local port attempt ok=0
    for attempt in 1 2 3; do
        port=$(free_port) || { log "no free port"; return 1; }
        write_cups_conf "$port"
        launch cupsd "$DIR/log/cupsd.log" cupsd -f -c "$DIR/cups/cupsd.conf" \
            -s "$DIR/cups/cups-files.conf"
        export CUPS_SERVER="127.0.0.1:$port"
        wait_for "$START_TIMEOUT" up_or_dead cupsd "$port"
        if port_in_use "$port" && alive cupsd; then
            if wait_for "$START_TIMEOUT" sh -c 'timeout 5 lpstat -h "$CUPS_SERVER" -r 2>/dev/null | grep -q "is running"'; then
                ok=1; break
            fi
        fi
        log "cupsd attempt $attempt on port $port failed"
        terminate cupsd
    done
    [ $ok = 1 ] || return 1

    # 3. the virtual printers and their queues, 4. the class of both
    add_printer 1 || return 1
    add_printer 2 || return 1
    local q
    for q in "$QUEUE" "$QUEUE2"; do
        timeout 30 lpadmin -h "$CUPS_SERVER" -p "$q" -c "$CLASS" >>"$DIR/log/harness.log" 2>&1 \
            || { log "lpadmin -p $q -c $CLASS failed"; return 1; }
    done
    timeout 10 cupsenable -h "$CUPS_SERVER" "$CLASS" >>"$DIR/log/harness.log" 2>&1
    timeout 10 cupsaccept -h "$CUPS_SERVER" "$CLASS" >>"$DIR/log/harness.log" 2>&1
    timeout 10 lpstat -h "$CUPS_SERVER" -c "$CLASS" 2>/dev/null | grep -q "$QUEUE2" \
        || { log "class $CLASS lacks its members"; return 1; }
    local uri=$PRINTER_URI

    # 5. the device printer (PWG raster in device CMYK / RGB), in no class
    local dport
    dport=$(free_port "$port") || { log "no free port"; return 1; }
    start_device_printer "$dport" || { log "device printer did not start"; return 1; }

    {
        printf 'export CUPS_SERVER=%q\n' "$CUPS_SERVER"
        printf 'export PS_TEST_DEVICE_QUEUE=%q\n' "$DEVICE_QUEUE"
        printf 'export PS_TEST_DEVICE_SPOOL=%q\n' "$DIR/device-spool"
        printf 'export PS_TEST_QUEUE=%q\n' "$QUEUE"
        printf 'export PS_TEST_SPOOL=%q\n' "$DIR/printer-spool"
        printf 'export PS_TEST_PRINTER_URI=%q\n' "$uri"
        printf 'export PS_TEST_QUEUE2=%q\n' "$QUEUE2"
        printf 'export PS_TEST_SPOOL2=%q\n' "$DIR/printer2-spool"
        printf 'export PS_TEST_CLASS=%q\n' "$CLASS"
        printf 'export PS_CUPS_DIR=%q\n' "$DIR"
        printf 'export PS_CUPS_HARNESS=%q\n' "$SELF"
        printf 'export DBUS_SYSTEM_BUS_ADDRESS=%q\n' "$DBUS_SYSTEM_BUS_ADDRESS"
    } >"$DIR/env"
    log "ready: $CUPS_SERVER queues $QUEUE -> $uri, $QUEUE2, class $CLASS, $DEVICE_QUEUE"
    return 0
}

cmd_stop () {
    [ -d "$DIR/run" ] || return 0
    terminate ippeveprinter2
    terminate ippeveprinter
    terminate ippeveprinter-device
    terminate cupsd
    terminate dbus
    return 0
}

cmd_printer_stop () {
    terminate "$(printer_proc "${1:-1}")"
}

cmd_printer_start () {
    load_env
    local n=${1:-1} proc queue portfile pport old attempt
    proc=$(printer_proc "$n")
    queue=$(printer_queue "$n")
    portfile=$(printer_portfile "$n")
    alive "$proc" && return 0
    old=$(cat "$portfile") || die "no printer port recorded"
    pport=$old
    wait_for 10 eval "! port_in_use $pport" || log "port $pport still in use"
    for attempt in 1 2 3; do
        start_printer "$pport" "$n" && break
        log "$proc restart attempt $attempt on port $pport failed: $(tail -n 3 "$DIR/log/$proc.log" 2>/dev/null | tr '\n' ' ')"
        [ $attempt = 3 ] && die "$proc did not restart"
        # The old port can stay unusable for a while on a loaded machine:
        # another one, and the queue pointed at it.
        pport=$(free_port "$old") || die "no free port"
    done
    if [ "$pport" != "$old" ]; then
        echo "$pport" >"$portfile"
        timeout 30 lpadmin -h "$CUPS_SERVER" -p "$queue" \
            -v "ipp://127.0.0.1:$pport/ipp/print?contimeout=5" >>"$DIR/log/harness.log" 2>&1 \
            || die "lpadmin -v to the new printer port failed"
        log "printer $n moved from port $old to $pport"
    fi
    # the queue may have been stopped by a failed job: take it up again
    timeout 10 cupsenable -h "$CUPS_SERVER" "$queue" >>"$DIR/log/harness.log" 2>&1
    return 0
}

cmd_status () {
    local name rc=0
    for name in dbus cupsd ippeveprinter ippeveprinter2 ippeveprinter-device; do
        if alive "$name"; then echo "$name: running ($(cut -d' ' -f1 "$DIR/run/$name.pid"))"
        else echo "$name: stopped"; rc=1; fi
    done
    return $rc
}

[ $# -ge 2 ] || die "usage: $0 start|stop|printer-stop|printer-start|status|env DIR"
CMD=$1
DIR=$2
mkdir -p "$DIR/run" "$DIR/log" 2>/dev/null
DIR=$(readlink -f "$DIR")

case "$CMD" in
    start)
        if ! cmd_start; then
            echo "harness: start failed; logs in $DIR/log" >&2
            tail -n 30 "$DIR/log/harness.log" "$DIR/log/cupsd.log" "$DIR/log/ippeveprinter.log" \
                "$DIR/log/ippeveprinter2.log" "$DIR/log/ippeveprinter-device.log" \
                2>/dev/null | sed 's/^/  /' >&2
            tail -n 30 "$DIR/log/error_log" 2>/dev/null | sed 's/^/  /' >&2
            cmd_stop
            exit 1
        fi ;;
    stop) cmd_stop ;;
    printer-stop) cmd_printer_stop "${3:-1}" ;;
    printer-start) cmd_printer_start "${3:-1}" ;;
    status) cmd_status ;;
    env) cat "$DIR/env" ;;
    *) die "unknown command '$CMD'" ;;
esac
