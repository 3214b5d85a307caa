#!/usr/bin/env bash
# The offline proof (`make test-offline`, part of `make test`): the end-to-end suite once more, inside a
# network namespace that has only the loopback interface (`unshare -n`, then `ip link set lo up`: tauri-driver
# and WebKitWebDriver talk HTTP on it), with the app started under strace (tests/offline/traced-app as
# APP_BINARY), printing to real CUPS (tests/support/cups-printer.sh: the scheduler and its cups-pdf queue
# run outside the namespace; the app's `lp` reaches cupsd over its Unix socket, /run/cups/cups.sock, which
# as a file crosses network namespaces: libcups picks that socket when it exists, so lp needs no CUPS_SERVER
# and opens no IPv4/IPv6 socket, which the trace checks) and with the USB test's stick on a FAT32 image
# (mkfs.vfat, mounted with fusefat). Then tests/offline/check_sockets.py fails the run if any of the app's
# processes created an IPv4/IPv6 socket other than WebKit's automation channel (the inspector server on the
# loopback address WebKitWebDriver names in WEBKIT_INSPECTOR_SERVER, and the connections to it), and the
# print queue must have finished jobs whose submitted PDFs read back and whose printed copies have pages.
# Before that, a canary: a program opening one loopback TCP connection under the same tracer must be
# caught by the same check, so a tracer or parser that sees nothing cannot pass for an offline app.
#
#   tests/offline/run.sh                     the whole e2e suite (needs the app built: target/debug/sportello-mixite)
#   OFFLINE_TESTS="--test operator --test usb" tests/offline/run.sh
# Figures go to $ARTIFACTS/offline/figures.txt, the socket summary to $ARTIFACTS/offline/sockets.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
APP=$(realpath "${APP_EXE:-$TARGET/debug/sportello-mixite}")
[ -x "$APP" ] || { echo "run.sh: no app binary at $APP (cargo build --bin sportello-mixite)" >&2; exit 1; }
ART=${ARTIFACTS:-$ROOT/artifacts}/offline
TESTS=${OFFLINE_TESTS:-}
rm -rf "$ART"
mkdir -p "$ART"
FIGURES=$ART/figures.txt
WORK=$(mktemp -d /tmp/mixite-offline-XXXXXX)
# The print jobs (as submitted and as printed) are kept with the artifacts.
TRACE=$WORK/trace SPOOL=$ART/printer STICK=$WORK/stick
mkdir -p "$TRACE" "$SPOOL" "$STICK"
# Root enters a new network namespace directly; anyone else through a user namespace of their own.
NETNS=(unshare -n)
[ "$(id -u)" = 0 ] || NETNS=(unshare -rn)

unmount() { fusermount -u "$STICK" 2>/dev/null || fusermount3 -u "$STICK" 2>/dev/null || true; }
trap 'unmount; tests/support/cups-printer.sh stop; rm -rf "$WORK"' EXIT
fail() { echo "offline: FAIL: $*" >&2; exit 1; }
figure() { echo "$1" | tee -a "$FIGURES"; }

# ---- the canary ------------------------------------------------------------------------------------------
mkdir -p "$WORK/canary"
"${NETNS[@]}" sh -c 'ip link set lo up && exec "$@"' canary env MIXITE_TRACE_DIR="$WORK/canary" \
    APP_EXE="$(command -v python3)" tests/offline/traced-app -c '
import socket
server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen()
socket.create_connection(server.getsockname()).close()'
sleep 1
if python3 tests/offline/check_sockets.py "$WORK/canary" >"$ART/canary.txt" 2>&1; then
    cat "$ART/canary.txt" >&2
    fail "the canary's two loopback sockets went unnoticed: the check is blind"
fi

# ---- the stick: a FAT32 image --------------------------------------------------------------------------
truncate -s 64M "$WORK/stick.img"
mkfs.vfat -F 32 -n MIXITE "$WORK/stick.img" >/dev/null
fusefat -o rw+ "$WORK/stick.img" "$STICK" >/dev/null
grep -q " $STICK fuse" /proc/mounts || fail "the FAT32 image is not mounted on $STICK"

# ---- the printer: CUPS outside the namespace -------------------------------------------------------------
tests/support/cups-printer.sh start

# ---- the suite, offline ----------------------------------------------------------------------------------
(cd tests/e2e && CARGO_TARGET_DIR="$ROOT/tests/e2e/target" cargo test --no-run 2>&1 | tail -1)
start=$(date +%s)
# shellcheck disable=SC2016
(cd tests/e2e && "${NETNS[@]}" sh -c '
    ip link set lo up
    # Only the loopback interface, holding only loopback addresses: nothing else is reachable.
    if ip -o link show | grep -v ": lo:"; then echo "offline: an interface other than lo" >&2; exit 1; fi
    if ip -o addr show | grep -v -e " 127\.0\.0\.1/8 " -e " ::1/128 "; then echo "offline: a non-loopback address" >&2; exit 1; fi
    exec "$@"' offline \
    env PATH="$HOME/.cargo/bin:$PATH" ARTIFACTS="$ART/e2e" LPDEST=MixiteTest \
    APP_BINARY="$ROOT/tests/offline/traced-app" APP_EXE="$APP" MIXITE_TRACE_DIR="$TRACE" \
    MIXITE_E2E_STICK="$STICK" GSETTINGS_BACKEND=memory \
    CARGO_TARGET_DIR="$ROOT/tests/e2e/target" \
    timeout --kill-after=20 1200 xvfb-run -a -s "-screen 0 1280x800x24" \
    cargo test --offline $TESTS -- --test-threads=1) || fail "the end-to-end tests failed inside the offline namespace"
seconds=$(($(date +%s) - start))
# The tracers run detached: let them write their last lines before the traces are read.
for _ in $(seq 1 100); do pgrep -f "strace .*$TRACE" >/dev/null || break; sleep 0.2; done

# ---- the checks ------------------------------------------------------------------------------------------
mkdir -p "$ART/trace"
cp "$TRACE"/* "$ART/trace/" 2>/dev/null || true
python3 tests/offline/check_sockets.py "$TRACE" --json "$ART/sockets.json" | tee "$ART/sockets.txt" ||
    fail "the app opened a network socket (see above, $ART/sockets.json and the traces in $ART/trace)"
tests/support/cups-printer.sh jobs "$SPOOL" >"$ART/printer.txt" || fail "the print queue's jobs (see above)"
jobs=$(wc -l <"$ART/printer.txt")
[ "$jobs" -ge 1 ] || fail "nothing reached the print queue"
pages=0
for n in $(seq 1 "$jobs"); do
    text=$(pdftotext "$SPOOL/job-$n.pdf" - 2>/dev/null) && grep -q '[[:alpha:]]' <<<"$text" ||
        fail "the submitted job-$n.pdf does not read back"
    p=$(pdfinfo "$SPOOL/job-$n.printed.pdf" 2>/dev/null | awk '$1 == "Pages:" { print $2 }')
    [ "${p:-0}" -ge 1 ] || fail "cups-pdf printed no page for job $n"
    pages=$((pages + p))
done
figure "offline run ($([ -n "$TESTS" ] && echo "$TESTS" || echo "whole e2e suite")): ${seconds} s; $(head -1 "$ART/sockets.txt")"
figure "printer (CUPS, cups-pdf): $jobs job(s) completed, $pages page(s) printed, each submitted PDF reads back; stick: FAT32 image through fusefat"
