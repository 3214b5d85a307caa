#!/usr/bin/env python3
"""Keeps the cut stylesheet in step with the UI. bootstrap-italia.used.min.css (what index.html loads) is
bootstrap-italia.min.css cut by PurgeCSS (ui/vendor/purge-css.sh) to the rules of the classes the UI uses,
and it stays right as long as that set of classes does. This script computes the set: the words of
ui/index.html, ui/js/*.js and ui/js/views/*.js (as PurgeCSS reads them) that are classes in the full stylesheet.

  check-css.py          fails, naming the difference, when the set is not the one the cut was made for
                        (bootstrap-italia.used.classes); run by `make lint`
  check-css.py --write  records the set; purge-css.sh runs it after cutting

Needs only Python 3. Without --write it must not change any file.
"""
import re
import sys
from pathlib import Path

UI = Path(__file__).resolve().parents[1]
CSS = UI / "vendor" / "bootstrap-italia" / "css"
RECORD = CSS / "bootstrap-italia.used.classes"


def classes(css: str) -> set[str]:
    css = re.sub(r"url\([^)]*\)", "", css)  # data: URIs have dots too
    names = set()
    for selector in re.findall(r"([^{}]+)\{", css):
        for name in re.findall(r"\.((?:[A-Za-z_-]|\\.)(?:[A-Za-z0-9_-]|\\.)*)", selector):
            names.add(re.sub(r"\\(.)", r"\1", name))
    return names


def used() -> list[str]:
    sources = [UI / "index.html", *sorted((UI / "js").glob("*.js")), *sorted((UI / "js" / "views").glob("*.js"))]
    words = set()
    for path in sources:
        words |= set(re.findall(r"[A-Za-z0-9_-]+", path.read_text(encoding="utf-8")))
    return sorted(words & classes((CSS / "bootstrap-italia.min.css").read_text(encoding="utf-8")))


def main() -> int:
    now = used()
    if sys.argv[1:] == ["--write"]:
        RECORD.write_text("\n".join(now) + "\n", encoding="utf-8")
        return 0
    recorded = RECORD.read_text(encoding="utf-8").split() if RECORD.exists() else []
    if now != recorded:
        added, dropped = sorted(set(now) - set(recorded)), sorted(set(recorded) - set(now))
        print("the UI's bootstrap-italia classes changed since bootstrap-italia.used.min.css was cut"
              f" (new: {' '.join(added) or '-'}; no longer used: {' '.join(dropped) or '-'});"
              " run ui/vendor/purge-css.sh", file=sys.stderr)
        return 1
    print(f"check-css: the cut stylesheet matches the {len(now)} bootstrap-italia classes the UI uses")
    return 0


if __name__ == "__main__":
    sys.exit(main())
