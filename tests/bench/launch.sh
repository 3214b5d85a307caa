#!/usr/bin/env bash
# Launch benchmark: builds the app in release, then starts it RUNS times (default 10) under Xvfb on a
# data folder seeded with 10,000 synthetic cases (`mixite seed`: its demo responsabile). For each run:
#  1. it reads `first-paint-ms=<n>` (printed on stderr when MIXITE_REPORT_STARTUP=1 once the first
#     screen, sign-in, is painted: the register opens only at sign-in), waits 2 s more and sums the
#     resident memory of the app and all its descendants (WebKitWebProcess, WebKitNetworkProcess…): RSS
#     from /proc/<pid>/status and PSS from /proc/<pid>/smaps_rollup;
#  2. it signs in as the demo responsabile with xdotool (keyboard into the app's window, as an operator
#     types: the name is preselected, Tab, passphrase, Tab, PIN, Enter), reads `cases-paint-ms=<n>` once
#     the register's first screen is painted (the day's agenda since the agenda issue; the case list
#     before), waits 2 s more and measures again, each process's share printed with the total;
#  3. it stops the app with SIGTERM.
# Prints each run and the median/p95 of first paint and of the case list, and the median RSS/PSS at both.
#
#   tests/bench/launch.sh
#   RUNS=5 tests/bench/launch.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH_DIR=${BENCH_DIR:-/tmp/mixite-bench}
RUNS=${RUNS:-10}
CASES=${CASES:-10000}
TIMEOUT=${TIMEOUT:-120}
TARGET=${CARGO_TARGET_DIR:-target}
APP="$(realpath -m "$TARGET/release/sportello-mixite")"
MIXITE="$TARGET/release/mixite"
# The demo responsabile of `mixite seed` (src-tauri/cli/src/sign_in.rs); a PIN for the session.
PASSPHRASE="frase di prova del banco"
PIN=2468

command -v xdotool >/dev/null || { echo "launch.sh needs xdotool (apt-get install xdotool)" >&2; exit 1; }

cargo build --release --bin sportello-mixite
cargo build --release -p mixite-cli
dir="$BENCH_DIR/launch-$CASES"
if ! [ -f "$dir/mixite.sqlite3" ] ||
    [ "$("$MIXITE" bench size --data-dir "$dir" | grep '^{' | jq -r .cases)" != "$CASES" ]; then
    rm -rf "$dir"
    "$MIXITE" seed --data-dir "$dir" --count "$CASES"
fi

descendants() { # the pid and all its descendants
    echo "$1"
    local child
    for child in $(pgrep -P "$1" || true); do descendants "$child"; done
}

kib() { # sum of a field (kB) over pids: kib FILE FIELD PIDS…
    local file=$1 field=$2 total=0 pid v
    shift 2
    for pid in "$@"; do
        v=$(awk -v f="$field:" '$1 == f {print $2}' "/proc/$pid/$file" 2>/dev/null || true)
        total=$((total + ${v:-0}))
    done
    echo "$total"
}

results=$(mktemp)
log=$(mktemp)
wait_for() { # wait_for NAME: the number printed as NAME=<n> on the app's stderr, or empty on timeout
    local value=
    for _ in $(seq 1 $((TIMEOUT * 10))); do
        value=$(grep -o "$1=[0-9]*" "$log" | head -1 | cut -d= -f2 || true)
        [ -n "$value" ] && break
        kill -0 "$runner" 2>/dev/null || break
        sleep 0.1
    done
    echo "$value"
}

measure() { # RSS and PSS (KiB) of the app and its descendants
    local pids
    mapfile -t pids < <(descendants "$app")
    echo "$(kib status VmRSS "${pids[@]}") $(kib smaps_rollup Pss "${pids[@]}")"
}

fail() {
    echo "run $i: $1; app stderr:" >&2
    tail -20 "$log" >&2
    [ -n "$app" ] && kill -TERM "$app" 2>/dev/null || true
    wait "$runner" || true
    exit 1
}

display=$(mktemp)
trap 'rm -f "$results" "$log" "$display"' EXIT
for i in $(seq 1 "$RUNS"); do
    : >"$log"
    : >"$display"
    # The display and its cookie are written out for xdotool.
    MIXITE_REPORT_STARTUP=1 xvfb-run -a -s "-screen 0 1280x800x24" \
        sh -c 'echo "$DISPLAY $XAUTHORITY" >"$0"; exec "$1" --data-dir "$2"' "$display" "$APP" "$dir" \
        >/dev/null 2>"$log" &
    runner=$!
    app=
    paint=$(wait_for first-paint-ms)
    for pid in $(descendants "$runner"); do
        if [ "$(readlink "/proc/$pid/exe" 2>/dev/null || true)" = "$APP" ]; then app=$pid; fi
    done
    [ -n "$paint" ] && [ -n "$app" ] || fail "no first paint within ${TIMEOUT}s"
    sleep 2
    read -r rss pss <<<"$(measure)"
    read -r DISPLAY XAUTHORITY <"$display"
    export DISPLAY XAUTHORITY
    xdotool search --sync --onlyvisible --name . windowfocus --sync
    xdotool key Tab type --delay 10 "$PASSPHRASE"
    xdotool key Tab type --delay 10 "$PIN"
    xdotool key Return
    cases=$(wait_for cases-paint-ms)
    [ -n "$cases" ] || fail "no case list within ${TIMEOUT}s of the sign-in"
    sleep 2
    read -r rss2 pss2 <<<"$(measure)"
    names=$(for p in $(descendants "$app"); do cat "/proc/$p/comm" 2>/dev/null || true; done | sort | uniq -c | awk '{printf "%s%s×%s", sep, $2, $1; sep=" "}')
    # Each process's share at the case list, to see which one grew.
    shares=$(for p in $(descendants "$app"); do
        echo "$(cat "/proc/$p/comm" 2>/dev/null)=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null)"
    done | paste -sd' ')
    names="$names | PSS KiB: $shares"
    echo "run $i: first-paint-ms=$paint rss-kib=$rss pss-kib=$pss | cases-paint-ms=$cases rss-kib=$rss2 pss-kib=$pss2 processes: $names"
    echo "$paint $rss $pss $cases $rss2 $pss2" >>"$results"
    kill -TERM "$app"
    for _ in $(seq 1 100); do kill -0 "$app" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$app" 2>/dev/null && { echo "run $i: app ignored SIGTERM, killing it" >&2; kill -KILL "$app"; }
    wait "$runner" || true
done

python3 - "$results" <<'PY'
import json, math, sys
rows = [list(map(int, line.split())) for line in open(sys.argv[1])]
def pct(values, p):
    v = sorted(values)
    return v[max(0, math.ceil(p * len(v)) - 1)]
paint, rss, pss, cases, rss2, pss2 = zip(*rows)
print(f"first paint (sign-in): median {pct(paint, .5)} ms, p95 {pct(paint, .95)} ms, min {min(paint)} ms ({len(rows)} runs)")
print(f"memory at sign-in + 2 s: median RSS {pct(rss, .5) / 1024:.0f} MiB, median PSS {pct(pss, .5) / 1024:.0f} MiB")
print(f"case list after sign-in: median {pct(cases, .5)} ms since launch")
print(f"memory at the case list + 2 s: median RSS {pct(rss2, .5) / 1024:.0f} MiB, median PSS {pct(pss2, .5) / 1024:.0f} MiB")
print(json.dumps({"bench": "launch", "runs": len(rows), "firstPaintMedianMs": pct(paint, .5),
                  "firstPaintP95Ms": pct(paint, .95), "rssMedianKiB": pct(rss, .5), "pssMedianKiB": pct(pss, .5),
                  "casesPaintMedianMs": pct(cases, .5), "casesRssMedianKiB": pct(rss2, .5),
                  "casesPssMedianKiB": pct(pss2, .5)}))
PY
