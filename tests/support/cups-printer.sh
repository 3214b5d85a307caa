#!/usr/bin/env bash
# The tests' printer: the real print service, CUPS, with the cups-pdf virtual printer as a queue of its own
# (MixiteTest), so the app's `lp -t TITLE -- -` goes through the real client, the real scheduler and a real
# backend. Used by `make test-e2e`, tests/offline/run.sh and tests/package/deb.sh; the packages come from the
# Makefile's APT_TEST (this script installs nothing).
#
#   cups-printer.sh start      the scheduler running (started here, detached, only if none runs: a system
#                              CUPS is left as it is and only gets the queue), the queue created (replacing
#                              a leftover of ours), made the default destination when there is none or the
#                              scheduler is ours; waits until `lpstat -r` says it runs.
#   cups-printer.sh jobs DIR   waits until the queue has no pending job, then copies each completed job of
#                              this session, in job order, as DIR/job-N.pdf (the document the app submitted,
#                              kept by CUPS in its spool as d<id>-001: byte for byte what `lp` sent, so it
#                              reads back with pdftotext) and DIR/job-N.printed.pdf (what cups-pdf printed:
#                              re-distilled by Ghostscript, so only its pages can be checked, not its text).
#                              Prints one line per job: "job-N id=<cups job id> pages=<printed pages>".
#   cups-printer.sh stop       removes the queue (and with it its jobs) and the printed copies, and stops
#                              the scheduler only if this script started it (by its pid).
#
# The tests name the queue with LPDEST (lp's own variable for the default destination), so a desk machine
# whose CUPS has a real default printer never gets the tests' paper. CUPS keeps a job's documents for a day
# after printing by default (cupsd.conf's PreserveJobFiles, default 86400 s): `start` fails if cupsd.conf
# turns that off, rather than editing the system's configuration. The queue's URI is plain `cups-pdf:/`
# (its one configuration, /etc/cups/cups-pdf.conf, which Debian's AppArmor profile lets the backend read):
# the printed copy lands in the submitting user's ~/PDF (root: /root/PDF), named "...-job_<id>.pdf" (the
# Label option of the _opt PPD), which is how `jobs` finds it.
set -euo pipefail
QUEUE=MixiteTest
STATE=${MIXITE_CUPS_STATE:-${TMPDIR:-/tmp}/mixite-cups-printer}
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
PPD=lsb/usr/cups-pdf/CUPS-PDF_opt.ppd
TIMEOUT=${MIXITE_PRINT_TIMEOUT:-120}

fail() { echo "cups-printer: FAIL: $*" >&2; exit 1; }
note() { echo "cups-printer: $*" >&2; }
now_ms() { date +%s%3N; }
running() { lpstat -r 2>/dev/null | grep -q 'is running'; }
# The pid of the cupsd this script started, if it still runs (a leftover of an interrupted run counts).
our_cupsd() {
    local pid
    pid=$(cat "$STATE/cupsd.pid" 2>/dev/null) || return 1
    [ -n "$pid" ] && [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = cupsd ] && echo "$pid"
}
# The spool folder (cups-files.conf's RequestRoot), where the submitted documents are kept.
spool() { awk '$1 == "RequestRoot" { print $2; found = 1 } END { if (!found) print "/var/spool/cups" }' \
    /etc/cups/cups-files.conf 2>/dev/null || echo /var/spool/cups; }
# This session's jobs on the queue in the given state ("completed" or "not-completed"), oldest first:
# "<id> <user>" per line; only jobs after the id `start` noted (a job id never comes back).
queue_jobs() {
    local after
    after=$(cat "$STATE/after" 2>/dev/null || echo 0)
    lpstat -W "$1" -o "$QUEUE" 2>/dev/null |
        awk -v q="$QUEUE" -v after="$after" 'index($1, q "-") == 1 {
            id = substr($1, length(q) + 2); if (id ~ /^[0-9]+$/ && id + 0 > after + 0) print id, $2 }' |
        sort -n
}
# Where cups-pdf put job <id> of <user>: its Out folder (cups-pdf.conf, default /var/spool/cups-pdf/${USER})
# with ${HOME} and ${USER} filled in, or the anonymous folder.
printed_copy() {
    local id=$1 user=$2 home out
    home=$(getent passwd "$user" | cut -d: -f6 || true)
    out=$(awk '$1 == "Out" { print $2 }' /etc/cups/cups-pdf.conf 2>/dev/null | tail -1)
    out=${out:-/var/spool/cups-pdf/\$\{USER\}}
    out=${out//\$\{HOME\}/$home}
    out=${out//\$\{USER\}/$user}
    $SUDO find "$out" /var/spool/cups-pdf/ANONYMOUS -maxdepth 1 -name "*-job_$id.pdf" 2>/dev/null | head -1
}

start() {
    command -v lpstat >/dev/null && command -v lpadmin >/dev/null && [ -x /usr/sbin/cupsd ] ||
        fail "CUPS is not installed (apt-get install cups cups-client printer-driver-cups-pdf; make deps-test does)"
    [ -e /usr/lib/cups/backend/cups-pdf ] ||
        fail "the cups-pdf virtual printer is not installed (apt-get install printer-driver-cups-pdf)"
    if grep -qiE '^[[:space:]]*PreserveJobFiles[[:space:]]+(no|off|false|0)[[:space:]]*$' /etc/cups/cupsd.conf; then
        fail "/etc/cups/cupsd.conf sets PreserveJobFiles off: CUPS would not keep the documents the tests read"
    fi
    mkdir -p "$STATE"
    local t0 pid
    t0=$(now_ms)
    # A start that fails half-way leaves no scheduler or queue of ours behind.
    trap 'stop >/dev/null 2>&1 || true' EXIT
    if pid=$(our_cupsd); then
        note "the scheduler this script started earlier (pid $pid) still runs: reusing it"
    elif running; then
        rm -f "$STATE/cupsd.pid"
        note "a CUPS scheduler already runs (the system's): only adding the queue $QUEUE"
    else
        rm -f "$STATE/cupsd.pid"
        # In the foreground (-f) as a child of no one (setsid, stdio on /dev/null), so no caller's pipe or
        # process group holds it; it writes its pid to /run/cups/cupsd.pid.
        $SUDO setsid /usr/sbin/cupsd -f </dev/null >/dev/null 2>&1 &
        local waited=0
        until running; do
            waited=$((waited + 1))
            [ "$waited" -le 300 ] || {
                $SUDO tail -20 /var/log/cups/error_log >&2 2>/dev/null || true
                fail "cupsd did not answer within 30 s (its log above)"
            }
            sleep 0.1
        done
        pid=$(cat /run/cups/cupsd.pid 2>/dev/null || true)
        [ -n "$pid" ] && [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = cupsd ] ||
            fail "cupsd answers but /run/cups/cupsd.pid does not name it"
        echo "$pid" >"$STATE/cupsd.pid"
        note "scheduler started (pid $pid) in $(($(now_ms) - t0)) ms"
    fi
    # Jobs up to the highest id the scheduler lists now are not this session's.
    lpstat -W all -o 2>/dev/null | awk '{ n = split($1, p, "-"); if (p[n] ~ /^[0-9]+$/) print p[n] }' |
        sort -n | tail -1 >"$STATE/after"
    [ -s "$STATE/after" ] || echo 0 >"$STATE/after"
    if lpstat -v "$QUEUE" >/dev/null 2>&1; then
        $SUDO lpadmin -x "$QUEUE" || fail "could not remove the leftover queue $QUEUE"
    fi
    # lpadmin warns that PPD drivers are deprecated (a CUPS 3 plan); the warning alone is dropped.
    $SUDO lpadmin -p "$QUEUE" -v cups-pdf:/ -E -m "$PPD" -o printer-is-shared=false 2>&1 |
        { grep -v 'drivers are deprecated' >&2 || true; }
    lpstat -a "$QUEUE" 2>/dev/null | grep -q 'accepting' || fail "the queue $QUEUE was not created or does not accept jobs"
    rm -f "$STATE/default"
    if [ -e "$STATE/cupsd.pid" ] || lpstat -d 2>/dev/null | grep -q 'no system default'; then
        $SUDO lpadmin -d "$QUEUE" && touch "$STATE/default"
    fi
    note "queue $QUEUE ready (cups-pdf); $(lpstat -d 2>/dev/null); ready $(($(now_ms) - t0)) ms after start"
    trap - EXIT
}

jobs_to() {
    local dir=${1:?usage: cups-printer.sh jobs DIR} waited=0 n=0 id user doc printed pages
    lpstat -v "$QUEUE" >/dev/null 2>&1 || fail "there is no queue $QUEUE (run tests/support/cups-printer.sh start)"
    mkdir -p "$dir"
    while [ -n "$(queue_jobs not-completed)" ]; do
        # A backend that failed stops the queue (ErrorPolicy stop-printer) or retries: say so at once.
        if lpstat -p "$QUEUE" 2>/dev/null | grep -q disabled; then
            lpstat -l -p "$QUEUE" -o "$QUEUE" >&2 || true
            fail "the queue $QUEUE stopped with jobs pending (see above; /var/log/cups/error_log)"
        fi
        waited=$((waited + 1))
        [ "$waited" -le $((TIMEOUT * 5)) ] || {
            lpstat -l -p "$QUEUE" -o "$QUEUE" >&2 || true
            fail "jobs still pending on $QUEUE after $TIMEOUT s (see above)"
        }
        sleep 0.2
    done
    while read -r id user; do
        n=$((n + 1))
        doc=$(spool)/$(printf 'd%05d-001' "$id")
        $SUDO cat "$doc" >"$dir/job-$n.pdf" 2>/dev/null ||
            fail "job $id's submitted document $doc was not kept (cupsd.conf's PreserveJobFiles)"
        printed=$(printed_copy "$id" "$user")
        [ -n "$printed" ] || fail "job $id is done but cups-pdf printed nothing (lpstat -l -p $QUEUE; /var/log/cups/)"
        $SUDO cat "$printed" >"$dir/job-$n.printed.pdf"
        pages=$(pdfinfo "$dir/job-$n.printed.pdf" 2>/dev/null | awk '$1 == "Pages:" { print $2 }')
        echo "job-$n id=$id pages=${pages:-?}"
    done < <(queue_jobs completed)
}

stop() {
    local pid id user printed
    if lpstat -v "$QUEUE" >/dev/null 2>&1; then
        # The printed copies are this session's paper in a user's ~/PDF: removed with the queue, which
        # takes its jobs (and their kept documents) with it.
        while read -r id user; do
            printed=$(printed_copy "$id" "$user")
            [ -z "$printed" ] || $SUDO rm -f "$printed"
        done < <(queue_jobs all)
        $SUDO lpadmin -x "$QUEUE" || note "could not remove the queue $QUEUE"
    fi
    if pid=$(our_cupsd); then
        $SUDO kill -TERM "$pid"
        for _ in $(seq 1 100); do ps -p "$pid" >/dev/null || break; sleep 0.1; done
        if ps -p "$pid" >/dev/null; then
            note "cupsd (pid $pid) did not stop within 10 s: killing it"
            $SUDO kill -KILL "$pid" || true
        fi
        note "scheduler stopped (pid $pid)"
    fi
    rm -rf "$STATE"
}

case ${1:-} in
start) start ;;
jobs) jobs_to "${2:-}" ;;
stop) stop ;;
*) echo "usage: $0 start | jobs DIR | stop" >&2; exit 2 ;;
esac
