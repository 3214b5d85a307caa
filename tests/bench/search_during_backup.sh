#!/usr/bin/env bash
# Search latency during a backup: seeds COUNT synthetic cases (default 100 000) into a fresh data folder (or
# reuses $BENCH_DIR/<COUNT> when it holds that many), then runs `mixite bench search-during-backup` with the
# register's lock held as the app held it before (`whole`: the entire backup under the lock) and as it holds
# it now (`split`: only the copy and the record), ROUNDS times each, alternating: a search is due every
# EVERY_MS ms in one thread while the backup runs in another, and each search's latency counts from when it
# was due. With FAT=1 the backup goes to a FAT32 image mounted with fusefat (a slow stick, as the tests'),
# instead of a folder on the same disk. JSON lines are appended to $BENCH_DIR/results.jsonl.
#
#   tests/bench/search_during_backup.sh
#   FAT=1 ROUNDS=1 tests/bench/search_during_backup.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH_DIR=${BENCH_DIR:-/tmp/mixite-bench}
COUNT=${COUNT:-100000}
ROUNDS=${ROUNDS:-3}
EVERY_MS=${EVERY_MS:-50}
TARGET=${CARGO_TARGET_DIR:-target}
MIXITE="$TARGET/release/mixite"

cargo build --release -p mixite-cli
mkdir -p "$BENCH_DIR"
data="$BENCH_DIR/$COUNT"
have=0
[ -f "$data/mixite.sqlite3" ] && have=$("$MIXITE" bench size --data-dir "$data" | grep '^{' | jq -r .cases)
if [ "$have" != "$COUNT" ]; then
  rm -rf "$data"
  "$MIXITE" seed --data-dir "$data" --count "$COUNT" --seed 5 | tail -1
fi
work=$(mktemp -d "$BENCH_DIR/during.XXXXXX")
stick="$work/stick"
mkdir -p "$stick"
cleanup() {
  if [ "${FAT:-0}" = 1 ]; then fusermount -u "$stick" 2>/dev/null || fusermount3 -u "$stick" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
if [ "${FAT:-0}" = 1 ]; then
  truncate -s 2G "$work/stick.img"
  mkfs.vfat -F 32 -n MIXITE "$work/stick.img" >/dev/null
  fusefat -o rw+ "$work/stick.img" "$stick" >/dev/null
fi
echo "== search during a backup: $COUNT cases, a search due every $EVERY_MS ms, stick $( [ "${FAT:-0}" = 1 ] && echo 'FAT32 image (fusefat)' || echo 'folder on the same disk')"
for _ in $(seq "$ROUNDS"); do
  for pattern in whole split; do
    out=$("$MIXITE" bench search-during-backup --data-dir "$data" --stick "$stick" --pattern "$pattern" --every-ms "$EVERY_MS")
    echo "$out" | grep -v '^{'
    echo "$out" | grep '^{' >>"$BENCH_DIR/results.jsonl"
    find "$stick" -maxdepth 1 -name 'mixite-backup-*.age' -delete
  done
done
