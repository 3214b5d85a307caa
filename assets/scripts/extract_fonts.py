#!/usr/bin/env python3
"""Copy the Noto fonts the print engine needs into ``assets/fonts/``.

What it does
------------
Run once by a maintainer (``python3 assets/scripts/extract_fonts.py``) after
``apt-get install fonts-noto-core fonts-noto-extra fonts-noto-cjk`` and
``pip install fonttools``. It

* copies the static (non-variable) TTF faces listed in ``FACES`` from the
  Debian packages (Regular and Bold of each script the counter prints),
  without their hinting (TrueType instructions, CFF hints): every glyph,
  every character and every OpenType layout feature is kept, but the
  instructions, which only matter for rasterising small text on screens,
  were 40% of every subset the PDFs embed (a checklist shrank by ~17 KB);
* extracts the single Simplified Chinese face (Noto Sans CJK SC Regular) from
  the 19 MB ``NotoSansCJK-Regular.ttc`` collection with fontTools, so the app
  ships and parses one face instead of ten;
* writes ``OFL.txt`` (the SIL Open Font License text, taken from the Debian
  copyright file, with the Noto copyright lines) and ``SOURCES.md`` (package
  versions, file sizes and SHA-256 of every shipped file).

What it must NOT do
-------------------
* It is not run by the app, the build or CI: the app reads the committed
  files in ``assets/fonts/`` and never touches system font paths.
* It must not ship more than the print engine needs: the CJK Bold face would
  add another 16 MB, so bold Chinese text is drawn with the Regular face.
"""

from __future__ import annotations

import hashlib
import pathlib
import subprocess
import sys

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "assets" / "fonts"
NOTO = pathlib.Path("/usr/share/fonts/truetype/noto")
CJK_TTC = pathlib.Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_FACE_NAME = "Noto Sans CJK SC"
CJK_OUT = "NotoSansCJKsc-Regular.otf"

# (file in the Debian package, package) — the Regular and Bold face of every script the counter prints
# (see assets/reference/languages.toml). Noto Sans covers Latin, Greek and Cyrillic (it, en, fr, sq, es,
# ro, uk, ru) and is the fallback for Latin words inside other scripts' lines.
FACES = [
    ("NotoSans-Regular.ttf", "fonts-noto-core"),
    ("NotoSans-Bold.ttf", "fonts-noto-core"),
    ("NotoNaskhArabic-Regular.ttf", "fonts-noto-core"),
    ("NotoNaskhArabic-Bold.ttf", "fonts-noto-core"),
    ("NotoNastaliqUrdu-Regular.ttf", "fonts-noto-core"),
    ("NotoNastaliqUrdu-Bold.ttf", "fonts-noto-core"),
    ("NotoSansSinhala-Regular.ttf", "fonts-noto-core"),
    ("NotoSansSinhala-Bold.ttf", "fonts-noto-core"),
    ("NotoSansTamil-Regular.ttf", "fonts-noto-core"),
    ("NotoSansTamil-Bold.ttf", "fonts-noto-core"),
    ("NotoSansBengali-Regular.ttf", "fonts-noto-core"),
    ("NotoSansBengali-Bold.ttf", "fonts-noto-core"),
    ("NotoSansGurmukhi-Regular.ttf", "fonts-noto-core"),
    ("NotoSansGurmukhi-Bold.ttf", "fonts-noto-core"),
    ("NotoSansDevanagari-Regular.ttf", "fonts-noto-core"),
    ("NotoSansDevanagari-Bold.ttf", "fonts-noto-core"),
]


def unhinted(font: TTFont) -> TTFont:
    """The same face without hinting; every glyph, code point, feature and name record kept."""
    options = subset.Options()
    options.hinting = False
    options.layout_features = ["*"]
    options.layout_scripts = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.name_legacy = True
    options.notdef_outline = True
    options.glyph_names = False
    options.legacy_kern = True
    options.recalc_bounds = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(glyphs=font.getGlyphOrder())
    subsetter.subset(font)
    return font


def package_of(path: pathlib.Path) -> str:
    out = subprocess.run(["dpkg", "-S", str(path)], check=True, capture_output=True, text=True).stdout
    return out.split(":", 1)[0]


def version_of(package: str) -> str:
    return subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", package], check=True, capture_output=True, text=True
    ).stdout


def font_version(path: pathlib.Path) -> str:
    font = TTFont(path, lazy=True)
    return str(font["name"].getDebugName(5) or "?").split(";")[0]


def ofl_text() -> str:
    """The OFL-1.1 stanza of the Debian copyright file, de-indented (" ." lines are blank lines)."""
    lines = pathlib.Path("/usr/share/doc/fonts-noto-core/copyright").read_text().splitlines()
    start = next(i for i, l in enumerate(lines) if l == "License: OFL-1.1" and i + 1 < len(lines) and lines[i + 1].startswith(" "))
    body = []
    for line in lines[start + 1 :]:
        if not line.startswith(" "):
            break
        body.append("" if line.strip() == "." else line[1:])
    return "\n".join(body).strip() + "\n"


def sha256(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, package in FACES:
        src = NOTO / name
        if not src.exists():
            print(f"missing {src}: apt-get install {package}", file=sys.stderr)
            return 1
        dst = OUT / name
        unhinted(TTFont(str(src))).save(str(dst))
        rows.append((name, package_of(src), font_version(dst)))

    collection = TTCollection(str(CJK_TTC))
    faces = [f for f in collection.fonts if f["name"].getDebugName(1) == CJK_FACE_NAME]
    if len(faces) != 1:
        print(f"{CJK_FACE_NAME} not found exactly once in {CJK_TTC}", file=sys.stderr)
        return 1
    unhinted(faces[0]).save(str(OUT / CJK_OUT))
    rows.append((CJK_OUT, package_of(CJK_TTC), font_version(OUT / CJK_OUT)))

    (OUT / "OFL.txt").write_text(
        "Noto fonts: Copyright 2010-2020 Google Inc. / Google LLC (noto-fonts, noto-cjk).\n"
        "Source: https://github.com/notofonts , https://github.com/googlefonts/noto-cjk\n\n"
        "SIL OPEN FONT LICENSE Version 1.1 - 26 February 2007\n\n" + ofl_text()
    )

    md = [
        "# Fonts shipped with the print engine",
        "",
        "Generated by `assets/scripts/extract_fonts.py` from the Debian packages below; do not edit by hand.",
        "Licence: SIL Open Font License 1.1 (`OFL.txt`). The print engine embeds subsets of these faces in",
        "the PDFs it writes, which the OFL allows; the app never reads system fonts.",
        "",
        "| file | Debian package (version) | font version | bytes | SHA-256 |",
        "|---|---|---|---|---|",
    ]
    for name, package, fv in rows:
        path = OUT / name
        md.append(
            f"| `{name}` | {package} ({version_of(package)}) | {fv} | {path.stat().st_size} | `{sha256(path)[:16]}…` |"
        )
    md += [
        "",
        "Every face is the packaged one without its hinting (TrueType instructions and CFF hints removed",
        "with fontTools; glyphs, characters, layout features and names unchanged), which keeps the subsets",
        "embedded in PDFs small. Noto declares no Reserved Font Name, so the faces keep their names.",
        f"`{CJK_OUT}` is face \"{CJK_FACE_NAME}\" extracted with fontTools from `{CJK_TTC.name}`;",
        "there is no CJK Bold (another 16 MB): bold Chinese is drawn with the Regular face.",
        "",
    ]
    (OUT / "SOURCES.md").write_text("\n".join(md))
    total = sum((OUT / n).stat().st_size for n, _, _ in rows)
    print(f"{len(rows)} font files, {total / 1e6:.1f} MB in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
