#!/usr/bin/env bash
# Launch benchmark: builds the app in release, then starts it RUNS times (default 10) under Xvfb on a
# data folder seeded with 10,000 synthetic cases. For each run it reads `first-paint-ms=<n>` (printed
# on stderr when MIXITE_REPORT_STARTUP=1 once the first screen, sign-in, is painted: the register opens only at sign-in), waits 2 s more, sums the
# resident memory of the app and all its descendants (WebKitWebProcess, WebKitNetworkProcess…): RSS
# from /proc/<pid>/status and PSS from /proc/<pid>/smaps_rollup; then stops the app with SIGTERM.
# Prints each run and the median/p95 of first paint and the median RSS/PSS.
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
trap 'rm -f "$results" "$log"' EXIT
for i in $(seq 1 "$RUNS"); do
    : >"$log"
    MIXITE_REPORT_STARTUP=1 xvfb-run -a -s "-screen 0 1280x800x24" \
        "$APP" --data-dir "$dir" >/dev/null 2>"$log" &
    runner=$!
    paint=
    for _ in $(seq 1 $((TIMEOUT * 10))); do
        paint=$(grep -o 'first-paint-ms=[0-9]*' "$log" | head -1 | cut -d= -f2 || true)
        [ -n "$paint" ] && break
        kill -0 "$runner" 2>/dev/null || break
        sleep 0.1
    done
    app=
    for pid in $(descendants "$runner"); do
        if [ "$(readlink "/proc/$pid/exe" 2>/dev/null || true)" = "$APP" ]; then app=$pid; fi
    done
    if [ -z "$paint" ] || [ -z "$app" ]; then
        echo "run $i: no first paint within ${TIMEOUT}s; app stderr:" >&2
        tail -20 "$log" >&2
        [ -n "$app" ] && kill -TERM "$app" 2>/dev/null || true
        wait "$runner" || true
        exit 1
    fi
    sleep 2
    mapfile -t pids < <(descendants "$app")
    rss=$(kib status VmRSS "${pids[@]}")
    pss=$(kib smaps_rollup Pss "${pids[@]}")
    names=$(for p in "${pids[@]}"; do cat "/proc/$p/comm" 2>/dev/null || true; done | sort | uniq -c | awk '{printf "%s%s×%s", sep, $2, $1; sep=" "}')
    echo "run $i: first-paint-ms=$paint rss-kib=$rss pss-kib=$pss processes: $names"
    echo "$paint $rss $pss" >>"$results"
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
paint, rss, pss = zip(*rows)
print(f"first paint: median {pct(paint, .5)} ms, p95 {pct(paint, .95)} ms, min {min(paint)} ms ({len(rows)} runs)")
print(f"memory after first paint + 2 s: median RSS {pct(rss, .5) / 1024:.0f} MiB, median PSS {pct(pss, .5) / 1024:.0f} MiB")
print(json.dumps({"bench": "launch", "runs": len(rows), "firstPaintMedianMs": pct(paint, .5),
                  "firstPaintP95Ms": pct(paint, .95), "rssMedianKiB": pct(rss, .5), "pssMedianKiB": pct(pss, .5)}))
PY
