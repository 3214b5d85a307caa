#!/usr/bin/env bash
# Backup benchmark: seeds COUNT synthetic cases (default 100 000) into a fresh data folder, then times
# `mixite bench backup`: the full online backup, encrypted at the app's scrypt cost, written safely and
# verified, then its restore into a fresh folder and over existing data; prints sizes, seconds and peak
# memory. With FAT=1 the backup goes to a FAT32 image (mkfs.vfat) mounted with fusefat, as the tests'
# stick, instead of a folder on the same disk. Everything is removed afterwards unless KEEP=1.
#
#   tests/bench/backup.sh                 # 100 000 cases, backup to a folder
#   COUNT=10000 FAT=1 tests/bench/backup.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH_DIR=${BENCH_DIR:-/tmp/mixite-bench}
COUNT=${COUNT:-100000}
TARGET=${CARGO_TARGET_DIR:-target}
MIXITE="$TARGET/release/mixite"

cargo build --release -p mixite-cli
mkdir -p "$BENCH_DIR"
work=$(mktemp -d "$BENCH_DIR/backup.XXXXXX")
stick="$work/stick"
mkdir -p "$stick"
cleanup() {
  if [ "${FAT:-0}" = 1 ]; then fusermount -u "$stick" 2>/dev/null || fusermount3 -u "$stick" 2>/dev/null || true; fi
  [ "${KEEP:-0}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT
if [ "${FAT:-0}" = 1 ]; then
  truncate -s 2G "$work/stick.img"
  mkfs.vfat -F 32 -n MIXITE "$work/stick.img" >/dev/null
  fusefat -o rw+ "$work/stick.img" "$stick" >/dev/null
fi
"$MIXITE" seed --data-dir "$work/data" --count "$COUNT" --seed 5 | tail -1
echo "== backup benchmark: $COUNT cases, stick $( [ "${FAT:-0}" = 1 ] && echo 'FAT32 image (fusefat)' || echo "folder on $(df -T "$work" | awk 'NR==2 {print $2}')")"
out=$("$MIXITE" bench backup --data-dir "$work/data" --stick "$stick")
echo "$out"
echo "$out" | grep '^{' >>"$BENCH_DIR/results.jsonl"
