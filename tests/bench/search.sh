#!/usr/bin/env bash
# Search benchmark: for each size (10k, 100k, 1M cases) seeds a data folder with synthetic cases (or
# reuses one already seeded to that size), runs `mixite bench search` and `mixite bench size`, and prints
# a summary table. Results (one JSON line per run) are appended to $BENCH_DIR/results.jsonl.
#
#   tests/bench/search.sh                 # all sizes; 1M takes several minutes to seed the first time
#   SIZES="10000" QUERIES=200 tests/bench/search.sh
#
# Environment: BENCH_DIR (default /tmp/mixite-bench), SIZES, QUERIES (timed queries per kind, 500),
# SEED (demo-data seed; default the CLI's). Never point BENCH_DIR at real data: folders are filled
# with invented cases and deleted when they hold a different number of cases than asked.
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH_DIR=${BENCH_DIR:-/tmp/mixite-bench}
SIZES=${SIZES:-"10000 100000 1000000"}
QUERIES=${QUERIES:-500}
TARGET=${CARGO_TARGET_DIR:-target}
MIXITE="$TARGET/release/mixite"

cargo build --release -p mixite-cli
mkdir -p "$BENCH_DIR"
results="$BENCH_DIR/results.jsonl"
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT

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
    seed_secs=reused
    if [ "$have" != "$n" ]; then
        [ "$have" = 0 ] || echo "== $dir holds $have cases, not $n: seeding it again"
        rm -rf "$dir"
        echo "== seeding $n cases into $dir"
        start=$(date +%s.%N)
        "$MIXITE" seed --data-dir "$dir" --count "$n" ${SEED:+--seed "$SEED"}
        seed_secs=$(echo "$(date +%s.%N) - $start" | bc | xargs printf '%.1f')
    fi
    echo "== search, $n cases"
    out=$("$MIXITE" bench search --data-dir "$dir" --queries "$QUERIES")
    echo "$out" | grep -v '^{'
    size=$("$MIXITE" bench size --data-dir "$dir" | grep '^{')
    echo "$size"
    search=$(echo "$out" | grep '^{')
    echo "$search" >>"$results"
    echo "$size" >>"$results"
    jq -c --argjson size "$size" --arg seed "$seed_secs" \
        '. + {bytesPerCase: $size.bytesPerCase, dbBytes: $size.dbBytes, seedSeconds: $seed}' \
        <<<"$search" >>"$summary"
done

echo
echo "== summary: p50 / p95 / p99 in ms (Register::search, page of 25)"
python3 - "$summary" <<'PY'
import json, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
kinds = ["name_fragment", "short_prefix", "full_name", "passport", "passport_prefix", "codice_fiscale",
         "assicurata", "case_number", "empty", "no_match"]
cell = lambda s: s.ljust(24)
print(cell("kind") + "".join(cell(f"{r['cases']} cases") for r in runs))
for k in kinds:
    row = [r["kinds"].get(k) for r in runs]
    print(cell(k) + "".join(cell(f"{v['p50']:.2f} / {v['p95']:.2f} / {v['p99']:.2f}" if v else "-") for v in row))
print(cell("db bytes/case") + "".join(cell(f"{r['bytesPerCase']:.0f}") for r in runs))
print(cell("seed seconds") + "".join(cell(str(r["seedSeconds"])) for r in runs))
PY
