#!/usr/bin/env bash
# What encryption costs, in one run (release build):
#  1. for each size in SIZES (default 100 000), `mixite bench crypto-compare`: two folders of the same demo
#     cases under $BENCH_DIR/crypto (plain-<n>, opened as the version before encryption kept its register,
#     and encrypted-<n>, SQLCipher with a fixed bench key), seeded the first time and reused after; search
#     latency p50/p95 per kind and over the mix (the same QUERIES queries per kind on both) and WRITES cases
#     created + steps recorded per second in copies of both, in ROUNDS rounds (default 4, one register open
#     at a time, the one going first alternating), with the ratios encrypted/plain; the time to read a page
#     of each. With CACHE_MIB=<n>, a second run per size gives the encrypted register an n MiB page cache
#     (not what the app does: what a larger cache would buy back);
#  2. `mixite bench convert`: the first start on a copy of plain-<CONVERT> (default 100 000; empty to skip):
#     seconds of Register::set_up (which encrypts it) and the database's size before and after;
#  3. `mixite bench sign-in`: RUNS sign-ins (Register::sign_in at the slots' Argon2id cost) on the converted
#     folder and on a new empty one, and the key derivation alone: min/p50/max.
# JSON lines are appended to $BENCH_DIR/results.jsonl. The seeded folders stay for the next run (about
# 470 MiB per 100 000 cases for the two, and twice one folder's size while the writes run on copies;
# `rm -rf $BENCH_DIR/crypto` frees them); the converted copy is removed.
#
#   tests/bench/crypto_compare.sh
#   SIZES="100000 1000000" tests/bench/crypto_compare.sh     # 1M: seeding takes long the first time
#   SIZES=10000 CONVERT=10000 QUERIES=100 WRITES=200 tests/bench/crypto_compare.sh
#   CACHE_MIB=32 tests/bench/crypto_compare.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH_DIR=${BENCH_DIR:-/tmp/mixite-bench}
SIZES=${SIZES:-100000}
CONVERT=${CONVERT-100000}
QUERIES=${QUERIES:-500}
WRITES=${WRITES:-1000}
ROUNDS=${ROUNDS:-4}
CACHE_MIB=${CACHE_MIB:-}
RUNS=${RUNS:-10}
TARGET=${CARGO_TARGET_DIR:-target}
MIXITE="$TARGET/release/mixite"
work="$BENCH_DIR/crypto"

cargo build --release -p mixite-cli
mkdir -p "$BENCH_DIR"
results="$BENCH_DIR/results.jsonl"

run() { # runs the CLI, shows its table, keeps its JSON line
  local out
  out=$("$MIXITE" "$@")
  echo "$out" | grep -v '^{'
  echo "$out" | grep '^{' >>"$results"
}

echo "== $(nproc) cores, $(df -T "$BENCH_DIR" | awk 'NR==2 {print $2}') under $BENCH_DIR"
for n in $SIZES; do
  echo
  echo "== encrypted against plain, $n cases"
  run bench crypto-compare --work-dir "$work" --count "$n" --queries "$QUERIES" --writes "$WRITES" --rounds "$ROUNDS"
  if [ -n "$CACHE_MIB" ]; then
    echo
    echo "== encrypted against plain, $n cases, the encrypted register's page cache at $CACHE_MIB MiB (not as the app)"
    run bench crypto-compare --work-dir "$work" --count "$n" --queries "$QUERIES" --writes "$WRITES" --rounds "$ROUNDS" \
      --encrypted-cache-mib "$CACHE_MIB"
  fi
done

if [ -n "$CONVERT" ]; then
  converted="$work/converted-$CONVERT"
  trap 'rm -rf "$converted"' EXIT
  rm -rf "$converted"
  echo
  echo "== conversion of a plain register of $CONVERT cases (first start)"
  run bench convert --work-dir "$work" --count "$CONVERT" --keep
  echo
  echo "== sign-in on the converted folder"
  run bench sign-in --data-dir "$converted" --runs "$RUNS"
fi
echo
echo "== sign-in on a new, empty folder"
run bench sign-in --runs "$RUNS"
