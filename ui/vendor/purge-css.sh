#!/usr/bin/env bash
# Writes ui/vendor/bootstrap-italia/css/bootstrap-italia.used.min.css: bootstrap-italia.min.css (612 KB, as
# vendored from npm) cut by PurgeCSS to the rules whose classes, ids and elements appear in the UI's markup and
# scripts (ui/index.html, ui/js/*.js, ui/js/views/*.js: every class the UI sets is written out whole there, never
# built from parts). index.html loads only the cut file: the web process keeps ~8 MB less of parsed style
# (tests/bench/launch.sh). Run it after changing the UI's classes or updating bootstrap-italia; `make lint`
# (ui/vendor/check-css.py) fails when the UI's set of bootstrap-italia classes is not the one recorded here.
# Needs Node.js (npx fetches the pinned PurgeCSS from npm); the app and its tests do not.
set -euo pipefail
cd "$(dirname "$0")/../.."
css=ui/vendor/bootstrap-italia/css
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
npx --yes purgecss@7.0.2 --css "$css/bootstrap-italia.min.css" \
    --content ui/index.html 'ui/js/*.js' 'ui/js/views/*.js' --output "$out"
mv "$out/bootstrap-italia.min.css" "$css/bootstrap-italia.used.min.css"
python3 ui/vendor/check-css.py --write
wc -c "$css/bootstrap-italia.min.css" "$css/bootstrap-italia.used.min.css"
