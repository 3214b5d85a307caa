#!/usr/bin/env bash
# Write benchmark: on a fresh data folder, creates COUNT cases through Register::create and records one
# step on each through Register::add_step (the app's own path: one transaction each, synchronous=FULL),
# then prints cases/s, steps/s and database bytes per case. The folder is removed afterwards unless
# KEEP=1.
#
#   tests/bench/write.sh            # 1000 cases
#   COUNT=5000 tests/bench/write.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH_DIR=${BENCH_DIR:-/tmp/mixite-bench}
COUNT=${COUNT:-1000}
TARGET=${CARGO_TARGET_DIR:-target}
MIXITE="$TARGET/release/mixite"

cargo build --release -p mixite-cli
mkdir -p "$BENCH_DIR"
dir=$(mktemp -d "$BENCH_DIR/write.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$dir"' EXIT
echo "== write benchmark: $COUNT cases into $dir (filesystem: $(df -T "$dir" | awk 'NR==2 {print $2}'))"
out=$("$MIXITE" bench write --data-dir "$dir" --count "$COUNT")
echo "$out"
echo "$out" | grep '^{' >>"$BENCH_DIR/results.jsonl"
