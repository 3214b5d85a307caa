#!/usr/bin/env bash
# Agenda benchmark: for each size (100k, 1M cases) seeds a data folder with synthetic cases (or reuses one
# already seeded to that size, shared with search.sh), runs `mixite bench agenda` for the seeding day, and
# prints p50/p95/p99/max of `Register::agenda` with each bucket's count. The target: under 50 ms at 1 M.
# Results (one JSON line per run) are appended to $BENCH_DIR/results.jsonl.
#
#   tests/bench/agenda.sh                  # 1M takes a long while to seed the first time
#   SIZES="100000" RUNS=100 tests/bench/agenda.sh
#
# Environment: BENCH_DIR (default /tmp/mixite-bench), SIZES, RUNS (timed runs, 50), SEED, TODAY (the
# demo's last day and the agenda's day, default today). Never point BENCH_DIR at real data.
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH_DIR=${BENCH_DIR:-/tmp/mixite-bench}
SIZES=${SIZES:-"100000 1000000"}
RUNS=${RUNS:-50}
TODAY=${TODAY:-$(date +%F)}
TARGET=${CARGO_TARGET_DIR:-target}
MIXITE="$TARGET/release/mixite"

cargo build --release -p mixite-cli
mkdir -p "$BENCH_DIR"
results="$BENCH_DIR/results.jsonl"

cases_in() { # number of cases in a folder, 0 when there is no register
    if [ -f "$1/mixite.sqlite3" ]; then
        "$MIXITE" bench size --data-dir "$1" | grep '^{' | jq -r .cases
    else
        echo 0
    fi
}

for n in $SIZES; do
    dir="$BENCH_DIR/$n"
    have=$(cases_in "$dir")
    if [ "$have" != "$n" ]; then
        rm -rf "$dir"
        echo "== seeding $n cases into $dir (up to $TODAY)"
        "$MIXITE" seed --data-dir "$dir" --count "$n" --today "$TODAY" ${SEED:+--seed "$SEED"}
    fi
    echo "== agenda, $n cases"
    out=$("$MIXITE" bench agenda --data-dir "$dir" --runs "$RUNS" --today "$TODAY")
    echo "$out" | grep -v '^{'
    echo "$out" | grep '^{' >>"$results"
done
