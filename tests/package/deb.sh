#!/usr/bin/env bash
# Install test of the Debian package (`make test-package`, part of `make test`): what the Comune's IT does,
# on this machine, then the operator's smoke test against the INSTALLED binary.
#  1. `dpkg -i` the .deb (`apt-get -f install` for missing dependencies); the binary, the desktop entry, the
#     icon, the fonts (in the package's resource folder) and the licence files are where they belong.
#  2. First start of /usr/bin/sportello-mixite under Xvfb on a fresh data folder: the time from exec to the
#     first painted screen (`first-paint-ms` on stderr with MIXITE_REPORT_STARTUP=1) and the wall clock.
#  3. The smoke test (tests/e2e/tests/smoke.rs, first run) against the installed binary, inside a mount
#     namespace where the source tree's assets/fonts is hidden by an empty tmpfs, so the checklist it prints
#     can only have been laid out with the package's fonts; printed through real CUPS to the cups-pdf queue
#     (tests/support/cups-printer.sh, named to lp by LPDEST): the job must complete, the PDF the app
#     submitted (kept in CUPS's spool) must read back with pdftotext, and cups-pdf must have printed a page.
#  4. `dpkg -r`: the binary is gone, the data folder is untouched (same files, same bytes).
#  5. `dpkg -i` again: the smoke test's second run signs in and finds the first run's case.
#  6. `dpkg -P` (purge) leaves the data folder too; the machine is left without the package.
# Figures (the .deb's size, install and first-start times) go to $ARTIFACTS/package/figures.txt.
#
#   tests/package/deb.sh [path/to/package.deb]     (default: the newest under $CARGO_TARGET_DIR/release/bundle/deb)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
DEB=${1:-$(ls -t "$TARGET"/release/bundle/deb/*.deb 2>/dev/null | head -1 || true)}
[ -n "$DEB" ] && [ -f "$DEB" ] || { echo "deb.sh: no .deb (run \`make deb\` first)" >&2; exit 1; }
DEB=$(realpath "$DEB")
ART=${ARTIFACTS:-$ROOT/artifacts}/package
mkdir -p "$ART"
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
PKG=$(dpkg-deb -f "$DEB" Package)
BIN=/usr/bin/sportello-mixite
PRODUCT=$(python3 -c 'import json; print(json.load(open("tauri.conf.json"))["productName"])')
RESOURCES="/usr/lib/$PRODUCT"
DOC=/usr/share/doc/sportello-mixite
SCRATCH=$(mktemp -d /tmp/mixite-deb-XXXXXX)
# The desk user's data folder, as the app names it by default for a user whose home is $SCRATCH/home.
DATA=$SCRATCH/home/.local/share/sportello-mixite
# The print jobs (as submitted and as printed) are kept with the artifacts.
SPOOL=$ART/printer
FIGURES=$ART/figures.txt
: >"$FIGURES"
rm -rf "$SPOOL"
trap 'tests/support/cups-printer.sh stop; rm -rf "$SCRATCH"' EXIT

fail() { echo "deb.sh: FAIL: $*" >&2; exit 1; }
figure() { echo "$1" | tee -a "$FIGURES"; }
now_ms() { date +%s%3N; }

install_deb() { # dpkg -i, then apt-get -f for the dependencies dpkg could not satisfy
    if ! $SUDO dpkg -i "$DEB" >"$ART/dpkg-i.log" 2>&1; then
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get -f install -y -qq >>"$ART/dpkg-i.log" 2>&1 ||
            { cat "$ART/dpkg-i.log" >&2; fail "the package's dependencies could not be installed"; }
    fi
    dpkg-query -W -f='${Status}' "$PKG" | grep -q 'install ok installed' || fail "$PKG is not installed"
}

# The smoke test, run by cargo in tests/e2e against the installed binary, in a mount namespace where the
# build tree's fonts are an empty folder (the binary's last-resort lookup).
smoke() { # smoke first|again
    (cd tests/e2e && $SUDO env PATH="$HOME/.cargo/bin:$PATH" HOME="$HOME" LPDEST=MixiteTest \
        ARTIFACTS="$ART/e2e" APP_BINARY="$BIN" GSETTINGS_BACKEND=memory CARGO_TARGET_DIR="$ROOT/tests/e2e/target" \
        MIXITE_SMOKE_DIR="$DATA" MIXITE_SMOKE_RUN="$1" \
        unshare -m sh -c 'mount -t tmpfs -o ro,size=1m empty "$0" && exec "$@"' "$ROOT/assets/fonts" \
        timeout --kill-after=20 300 xvfb-run -a -s "-screen 0 1280x800x24" \
        cargo test --offline --test smoke -- --test-threads=1) ||
        fail "the smoke test ($1 run) failed against the installed $BIN"
}

# The data folder's files and their digests (the lock file is the instance's, gone once it quits).
digest() { (cd "$DATA" && find . -type f ! -name '*.lock' -print0 | sort -z | xargs -0 sha256sum); }

# ---- 0. a clean start ------------------------------------------------------------------------------------
if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'install ok installed'; then
    $SUDO dpkg -r "$PKG" >/dev/null
fi
(cd tests/e2e && CARGO_TARGET_DIR="$ROOT/tests/e2e/target" cargo test --no-run --test smoke 2>&1 | tail -1)
mkdir -p "$DATA"

# ---- 1. install ------------------------------------------------------------------------------------------
size=$(stat -c %s "$DEB")
installed_kib=$(dpkg-deb -f "$DEB" Installed-Size)
figure "deb: $(basename "$DEB") $size bytes ($(awk -v b="$size" 'BEGIN{printf "%.1f", b/1048576}') MiB), installed size $installed_kib KiB"
[ "$size" -le $((25 * 1024 * 1024)) ] || fail "the .deb is over 25 MiB"
t0=$(now_ms)
install_deb
figure "install (dpkg -i): $(($(now_ms) - t0)) ms"
[ -x "$BIN" ] || fail "$BIN is missing"
desktop=$(dpkg -L "$PKG" | grep '^/usr/share/applications/.*\.desktop$' | head -1)
[ -n "$desktop" ] || fail "no desktop entry"
grep -q '^Name=Sportello Mixitè$' "$desktop" || fail "the desktop entry's name: $(grep '^Name=' "$desktop")"
grep -q '^Comment=Sportello immigrazione' "$desktop" || fail "the desktop entry's Italian comment"
grep -q '^Categories=Office;' "$desktop" || fail "the desktop entry's category"
grep -q "^Exec=sportello-mixite" "$desktop" || fail "the desktop entry starts $(grep '^Exec=' "$desktop")"
if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$desktop" || fail "desktop-file-validate"; fi
dpkg -L "$PKG" | grep -q '^/usr/share/icons/hicolor/.*/apps/sportello-mixite\.png$' || fail "no icon"
for f in NotoSans-Regular.ttf NotoSansCJKsc-Regular.otf NotoNaskhArabic-Regular.ttf; do
    cmp -s "assets/fonts/$f" "$RESOURCES/fonts/$f" || fail "the font $f is not in $RESOURCES/fonts"
done
for f in LICENSE-EUPL-1.2.txt fonts/OFL.txt reference/LICENSE-python-codicefiscale.txt \
    reference/LICENSE-pycountry.txt reference/LICENSE-belfiore-connector-embedded.txt \
    ui/LICENSE-bootstrap-italia.txt; do
    [ -s "$DOC/$f" ] || fail "the licence file $DOC/$f is missing"
done

# ---- 2. first start --------------------------------------------------------------------------------------
log=$SCRATCH/first-start.log
t0=$(now_ms)
MIXITE_REPORT_STARTUP=1 GSETTINGS_BACKEND=memory timeout 120 xvfb-run -a -s "-screen 0 1280x800x24" \
    "$BIN" --data-dir "$SCRATCH/first-start" >/dev/null 2>"$log" &
runner=$!
paint=
for _ in $(seq 1 1200); do
    paint=$(grep -o 'first-paint-ms=[0-9]*' "$log" | head -1 | cut -d= -f2 || true)
    [ -n "$paint" ] && break
    kill -0 "$runner" 2>/dev/null || break
    sleep 0.05
done
wall=$(($(now_ms) - t0))
for pid in $(pgrep -f "^$BIN --data-dir $SCRATCH/first-start" || true); do kill -TERM "$pid"; done
wait "$runner" || true
[ -n "$paint" ] || { cat "$log" >&2; fail "the installed app painted no first screen within 60 s"; }
figure "first start of the installed app (fresh data folder, set-up screen painted): ${paint} ms from main, ${wall} ms wall clock including xvfb-run"

# ---- 3. the smoke test, first run ------------------------------------------------------------------------
tests/support/cups-printer.sh start
smoke first
tests/support/cups-printer.sh jobs "$SPOOL" >"$ART/printer.txt" || fail "the print queue's jobs (see above)"
[ -s "$ART/printer.txt" ] || fail "nothing reached the print queue"
pages=$(pdfinfo "$SPOOL/job-1.printed.pdf" 2>/dev/null | awk '$1 == "Pages:" { print $2 }')
[ "${pages:-0}" -ge 1 ] || fail "cups-pdf printed no page of the checklist"
figure "printed through CUPS: $(wc -l <"$ART/printer.txt") job(s), the checklist on $pages page(s)"
text=$(pdftotext -layout "$SPOOL/job-1.pdf" - 2>/dev/null) || fail "the submitted PDF does not read back"
grep -q 'Documenti' <<<"$text" || fail "the printed checklist lacks its Italian text"
# Albanian beside the Italian: letters only the shipped Noto faces draw in this PDF.
grep -q '[ëç]' <<<"$text" || fail "the printed checklist lacks the applicant's language (Albanian)"
before=$(digest)
[ -n "$before" ] || fail "the first run left no data in $DATA"

# ---- 4. uninstall: the data stays ------------------------------------------------------------------------
$SUDO dpkg -r "$PKG" >"$ART/dpkg-r.log" 2>&1 || fail "dpkg -r"
[ ! -e "$BIN" ] || fail "$BIN is still there after dpkg -r"
[ "$(digest)" = "$before" ] || fail "the data folder changed with the package's removal"

# ---- 5. reinstall: the data is picked up -----------------------------------------------------------------
install_deb
smoke again
$SUDO dpkg -P "$PKG" >"$ART/dpkg-P.log" 2>&1 || fail "dpkg -P"
[ -n "$(digest)" ] && [ -f "$DATA/mixite.keys" ] || fail "the data folder did not survive the purge"
figure "package: installed, smoke-tested, removed (data kept: $(echo "$before" | wc -l) files), reinstalled (case found), purged"
