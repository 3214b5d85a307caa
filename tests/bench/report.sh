#!/usr/bin/env bash
# Funder report benchmark (issue 15: "the yearly report over 1 M contacts within 200 ms"): seeds a data
# folder with 10 000 demo cases and CONTACTS desk contacts (1 M) over the year (or reuses one already
# seeded so), then runs `mixite bench report` for each shipped definition: p50/p95/p99/max of
# `Register::report` over that calendar year, every table of the definition. ROUNDS separate processes
# per definition, because on a shared virtual machine the spread between processes is wider than
# within one. Results (one JSON line per round) are appended to $BENCH_DIR/results.jsonl.
#
#   tests/bench/report.sh                       # about a minute to seed the first time
#   CONTACTS=100000 ROUNDS=1 tests/bench/report.sh
#
# Environment: BENCH_DIR (default /tmp/mixite-bench), CONTACTS, RUNS (timed runs per round, 30), ROUNDS
# (3), YEAR (2026). Never point BENCH_DIR at real data.
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH_DIR=${BENCH_DIR:-/tmp/mixite-bench}
CONTACTS=${CONTACTS:-1000000}
RUNS=${RUNS:-30}
ROUNDS=${ROUNDS:-3}
YEAR=${YEAR:-2026}
TARGET=${CARGO_TARGET_DIR:-target}
MIXITE="$TARGET/release/mixite"

cargo build --release --workspace --bin mixite
mkdir -p "$BENCH_DIR"
results="$BENCH_DIR/results.jsonl"
dir="$BENCH_DIR/report-$CONTACTS"
if [ ! -f "$dir/seeded-$YEAR" ]; then
    rm -rf "$dir"
    echo "== seeding 10000 cases and $CONTACTS desk contacts over $YEAR into $dir"
    "$MIXITE" seed --data-dir "$dir" --count 10000 --seed 7 --today "$YEAR-12-31" --contacts "$CONTACTS"
    touch "$dir/seeded-$YEAR"
fi
for definition in amif-2021-2027-so2 desk-monthly; do
    for round in $(seq 1 "$ROUNDS"); do
        echo "== $definition, round $round"
        out=$("$MIXITE" bench report --data-dir "$dir" --year "$YEAR" --definition "$definition" --runs "$RUNS")
        echo "$out" | grep -v '^{'
        echo "$out" | grep '^{' >>"$results"
    done
done
