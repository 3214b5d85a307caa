#!/usr/bin/env python3
"""Compare our Rust print engine with typst, reportlab and headless Chromium on the same checklist.

What it measures, all in one run on this machine:
  * ours: `cargo bench -p mixite-core --bench print` (criterion, release build), the median of
    `checklist/layout+pdf/it+<lang>`: the translated sheet laid out and written to PDF again in
    process, fonts loaded and the library's memo (layouts, subsets, deflated streams) warm: the
    figure typst's warm re-render compares with; of `checklist/next_applicant/it+<lang>`, the same
    procedure for another applicant (new name and case number each time, memo warm), which typst's
    "next applicant" compares with; and of `checklist/first_print/it+<lang>`, the same with the memo
    emptied first (the first checklist of its kind).
  * typst (PyPI `typst`): "warm" = one `typst.Compiler` re-compiling the unchanged source (typst
    memoizes, so this is an incremental re-render: the figure to beat); "next applicant" = the same
    compiler given, each time, the data with another name and case number (the same ones as the Rust
    bench's, through `sys_inputs`); "cold" = a new Python
    process that imports typst and compiles once (includes Python start-up; printed separately).
  * reportlab (platypus, HarfBuzz shaping via uharfbuzz): building the document in process, fonts
    registered once beforehand.
  * Chromium (Debian `chromium`): `--headless --print-to-pdf` of an HTML page, one new browser
    process per PDF with a new profile directory.
for the bilingual checklist of it+ar, it+ur, it+bn and it+zh. Every engine gets the same content: the
sheets the Rust bench writes to target/bench/checklist-<lang>.json, laid out as close as reasonable
to `checklist::pdf()` (A4, same margins, sizes, parallel columns, checkbox rows, header, n/N).

Run from anywhere:  python3 tests/bench/compare_print.py
Options: --reuse-ours (skip cargo, reuse the last criterion results; for working on this script),
--runs-warm/--runs-cold/--runs-chromium (sample counts).

It installs what it needs, idempotently: a virtualenv under target/bench/venv with the pinned
packages below, and (as root, only if missing) Debian's chromium and poppler-utils. It writes the
PDFs to target/bench/compare/<engine>-<lang>.pdf and the table to target/bench/compare.md.

What it must not do: use any font but the files in assets/fonts (it never downloads fonts; typst
gets no system or embedded fonts, Chromium gets @font-face file:// URLs, reportlab registers the
files; reportlab cannot read CFF outlines, so the CJK face is converted once, locally, to a TrueType
copy under target/bench/compare/fonts); change anything outside target/; rebuild the workspace
other than through the one `cargo bench` above.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = Path(__file__).resolve().parent / "compare_print"
FONTS = ROOT / "assets" / "fonts"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
BENCH = ROOT / "target" / "bench"  # where the Rust bench writes its sheets and PDFs
OUT = BENCH / "compare"
VENV = BENCH / "venv"
LANGS = ("ar", "ur", "bn", "zh")

# Pinned so that figures from different days compare; bump deliberately.
REQUIREMENTS = ("typst==0.15.2", "reportlab==5.1.0", "uharfbuzz==0.57.0", "fonttools==4.68.0")

CARGO_BENCH = [
    "cargo", "bench", "-p", "mixite-core", "--bench", "print", "--",
    "layout.pdf|first.print|next.applicant", "--warm-up-time", "1", "--measurement-time", "3",
]

# The applicants after the fixture's Hoxha Arben (case 2026/000001), as in benches/print.rs.
APPLICANTS = ("Kaur Harpreet", "Rahman Mohammed Abdul", "Popescu Ioana Maria", "Ndiaye Fatou",
              "Bondarenko Olena", "Perera Nuwan Jayasinghe", "Zhang Wei", "Qureshi Yusuf")

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--no-pdf-header-footer",
]

# The language's own face (regular, bold) as `print::fonts` picks it; there is no CJK Bold.
SCRIPT_FONTS = {
    "ar": ("Noto Naskh Arabic", "NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf"),
    "ur": ("Noto Nastaliq Urdu", "NotoNastaliqUrdu-Regular.ttf", "NotoNastaliqUrdu-Bold.ttf"),
    "bn": ("Noto Sans Bengali", "NotoSansBengali-Regular.ttf", "NotoSansBengali-Bold.ttf"),
    "zh": ("Noto Sans CJK SC", "NotoSansCJKsc-Regular.otf", "NotoSansCJKsc-Regular.otf"),
}
LATIN = ("Noto Sans", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf")

# What looking at the PDFs showed (pdftoppm pages, pdftotext), per engine and language, with the
# versions pinned below. The script cannot judge shaping by itself; these are printed with every
# table so that no figure reads as a claim of correct output. Re-check by eye after a bump. typst and
# Chromium printed all four scripts right.
KNOWN_PROBLEMS: dict[tuple[str, str], str] = {
    ("reportlab", "ar"): "right only through this script's workaround (`Reportlab.para`): platypus' "
    "Paragraph sets Arabic words left to right in logical order (its bidi needs rlbidi, not on PyPI) "
    "and shapes a word in the face of its first character, so '(' + Arabic (Noto Naskh has no "
    "brackets) prints missing glyphs.",
    ("reportlab", "ur"): "same workaround as it+ar; with it the Nastaliq matches typst's at 300 dpi. "
    "Copy/search: the Urdu lines extract as no text (pdftotext).",
    ("reportlab", "bn"): "right only through the same workaround (Paragraph prints 'Questura-র' "
    "with the Bengali letter missing). Copy/search: conjuncts are lost (pdftotext).",
    ("reportlab", "zh"): "the CJK face is a TrueType conversion made by this script (reportlab reads "
    "no CFF); Latin inside Chinese lines is set in the CJK face, not Noto Sans.",
    ("chromium", "zh"): "embeds the CJK (CFF) face as Type 3 fonts, hence the size.",
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fail(message: str) -> None:
    log(f"compare_print: {message}")
    sys.exit(1)


# ---------------------------------------------------------------------------------------------
# Prerequisites


def ensure_venv() -> None:
    """Creates target/bench/venv with REQUIREMENTS (once) and re-runs this script inside it."""
    python = VENV / "bin" / "python"
    stamp = VENV / ".compare_print-requirements"
    wanted = "\n".join(REQUIREMENTS)
    if not python.exists():
        log(f"creating {VENV.relative_to(ROOT)}")
        if subprocess.run([sys.executable, "-m", "venv", str(VENV)], capture_output=True).returncode:
            # Debian splits ensurepip into python3-venv.
            apt_install("python3-venv")
            shutil.rmtree(VENV, ignore_errors=True)
            run_quiet([sys.executable, "-m", "venv", str(VENV)], "python3 -m venv")
    if not stamp.exists() or stamp.read_text() != wanted:
        log("installing " + ", ".join(REQUIREMENTS))
        run_quiet(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *REQUIREMENTS],
            "pip install",
        )
        stamp.write_text(wanted)
    if Path(sys.prefix).resolve() != VENV.resolve():
        os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])


def apt_install(*packages: str) -> None:
    if os.geteuid() != 0:
        fail(f"{' '.join(packages)} missing and not root: run `apt-get install -y {' '.join(packages)}`")
    log(f"apt-get install {' '.join(packages)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run_quiet(["apt-get", "update", "-qq"], "apt-get update", env=env)
    run_quiet(["apt-get", "install", "-y", "-qq", *packages], "apt-get install", env=env)


def ensure_tools() -> None:
    missing = [pkg for tool, pkg in (("chromium", "chromium"), ("pdfinfo", "poppler-utils"))
               if shutil.which(tool) is None]
    if missing:
        apt_install(*missing)


def run_quiet(cmd: list[str], what: str, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if done.returncode:
        fail(f"{what} failed ({done.returncode}):\n{(done.stdout + done.stderr)[-3000:]}")
    return done


# ---------------------------------------------------------------------------------------------
# Our engine


def run_our_bench() -> float:
    """Runs the criterion bench (it also rewrites the sheets); returns when it started."""
    OUT.mkdir(parents=True, exist_ok=True)
    log_path = OUT / "cargo-bench.log"
    log(f"running {' '.join(CARGO_BENCH)} (builds the bench in release; log: {log_path.relative_to(ROOT)})")
    started = time.time()
    with open(log_path, "w") as out:
        code = subprocess.run(CARGO_BENCH, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT).returncode
    if code:
        fail(f"cargo bench failed ({code}); last lines of {log_path}:\n" + log_path.read_text()[-3000:])
    return started


def our_median_ms(lang: str, not_before: float | None, bench: str = "layout*pdf") -> float:
    """Criterion's median for `checklist/<bench>/it+<lang>` (it writes '/' in ids as '_')."""
    group = TARGET / "criterion" / "checklist"
    candidates = sorted(group.glob(f"{bench}*it+{lang}/new/estimates.json"))
    if not candidates:
        fail(f"no criterion estimates for {bench} it+{lang} under {group}")
    path = candidates[0]
    if not_before is not None and path.stat().st_mtime < not_before:
        fail(f"{path} was not rewritten by this run's cargo bench")
    return json.loads(path.read_text())["median"]["point_estimate"] / 1e6


# ---------------------------------------------------------------------------------------------
# The content, from the sheet the Rust bench wrote


@dataclass
class Checklist:
    lang: str
    dir: str  # "rtl" or "ltr"
    data: dict  # header, intro, title, sections, note: see load_checklist

    @property
    def rtl(self) -> bool:
        return self.dir == "rtl"


def verify_note(lang: str) -> str:
    """`checklist.layout.verify` of locales/checklist/<lang>.yml (the sheet JSON does not carry it)."""
    text = (ROOT / "locales" / "checklist" / f"{lang}.yml").read_text()
    block = re.search(r"^  layout:\n((?:    .*\n|\s*\n|\s*#.*\n)+)", text, re.M)
    found = block and re.search(r'^    verify: "((?:[^"\\]|\\.)*)"', block.group(1), re.M)
    if not found:
        fail(f"layout.verify not found in locales/checklist/{lang}.yml")
    return found.group(1).replace('\\"', '"').replace("\\\\", "\\")


def load_checklist(lang: str) -> Checklist:
    """The sheet reduced to what each engine prints, in the order `checklist::pdf()` prints it."""
    raw = json.loads((BENCH / f"checklist-{lang}.json").read_text())
    sheet = raw["sheet"]
    comune, number, applicant, date, *rest = sheet["header"]

    def pair(line: dict) -> dict:
        italian = line["italian"] + (" *" if line.get("verify") else "")
        return {"it": italian, "tr": line.get("other"), "check": bool(line.get("check"))}

    has_other = sheet["title"].get("other") is not None
    data = {
        "lang": lang,
        "dir": raw["dir"],
        "font": SCRIPT_FONTS[lang][0],
        "header": f"{comune['italian']} · {number['italian']} · {date['italian']}",
        "intro": [applicant["italian"]] + [line["italian"] for line in rest],
        "title": {"it": sheet["title"]["italian"], "tr": sheet["title"].get("other")},
        "sections": [
            {"heading": pair(s["heading"]), "lines": [pair(line) for line in s["lines"]]}
            for s in sheet["sections"]
        ],
        "note": (
            {"it": verify_note("it"), "tr": verify_note(lang) if has_other else None}
            if sheet.get("verify") else None
        ),
    }
    return Checklist(lang=lang, dir=raw["dir"], data=data)


# ---------------------------------------------------------------------------------------------
# Measuring


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1e3


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def pdf_info(path: Path) -> tuple[int, int]:
    """(bytes, pages) of a PDF, pages by poppler's pdfinfo; raises if it is not a readable PDF."""
    done = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True)
    pages = re.search(r"^Pages:\s+(\d+)", done.stdout, re.M)
    if done.returncode or not pages or int(pages.group(1)) < 1:
        raise RuntimeError(f"pdfinfo cannot read {path}: {done.stderr.strip()[:300]}")
    return path.stat().st_size, int(pages.group(1))


# ---------------------------------------------------------------------------------------------
# typst

TYPST_COLD = """
import sys, typst
source, fonts, data, out = sys.argv[1:]
typst.compile(source, output=out, sys_inputs={"data": open(data, encoding="utf-8").read()},
              font_paths=typst.Fonts(include_system_fonts=False, include_embedded_fonts=False,
                                     font_paths=[fonts]))
"""


def typst_fonts():
    import typst

    # Only assets/fonts: no system fonts, and not the fonts typst embeds (Libertinus, New CM, DejaVu).
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(FONTS)])


def bench_typst(doc: Checklist, runs_warm: int, runs_cold: int) -> dict:
    import typst

    source = TEMPLATES / "checklist.typ"
    data_path = OUT / f"typst-{doc.lang}.json"
    data_path.write_text(json.dumps(doc.data, ensure_ascii=False), encoding="utf-8")
    compiler = typst.Compiler(
        str(source), root=str(TEMPLATES), font_paths=typst_fonts(),
        sys_inputs={"data": data_path.read_text(encoding="utf-8")},
    )
    pdf = compiler.compile(format="pdf")  # first compile: fills typst's caches
    warm = [timed(lambda: compiler.compile(format="pdf")) for _ in range(runs_warm)]

    def next_applicant(n: int) -> dict:
        data = json.loads(json.dumps(doc.data))
        data["header"] = data["header"].replace("2026/000001", f"2026/{n + 2:06d}")
        data["intro"][0] = data["intro"][0].replace("Hoxha Arben", APPLICANTS[n % len(APPLICANTS)])
        return {"data": json.dumps(data, ensure_ascii=False)}

    inputs = [next_applicant(n) for n in range(1, runs_warm + 1)]
    following = [timed(lambda i=i: compiler.compile(format="pdf", sys_inputs=i)) for i in inputs]
    out = OUT / f"typst-{doc.lang}.pdf"
    out.write_bytes(pdf)

    cold_out = OUT / f"typst-{doc.lang}-cold.pdf"
    cmd = [sys.executable, "-c", TYPST_COLD, str(source), str(FONTS), str(data_path), str(cold_out)]
    cold = []
    for _ in range(runs_cold):
        cold_out.unlink(missing_ok=True)
        cold.append(timed(lambda: run_quiet(cmd, "typst (new process)")))
        pdf_info(cold_out)  # each cold run must have produced a PDF
    cold_out.unlink()
    return {"warm": median_ms(warm), "next": median_ms(following), "cold": median_ms(cold), "pdf": out}


def python_startup_ms(runs: int) -> float:
    """A new Python process that only imports typst: the share of 'typst cold' that is not typst."""
    cmd = [sys.executable, "-c", "import typst"]
    return median_ms([timed(lambda: run_quiet(cmd, "python -c 'import typst'")) for _ in range(runs)])


# ---------------------------------------------------------------------------------------------
# reportlab


def cjk_truetype() -> Path:
    """A TrueType copy of the CJK face (reportlab reads no CFF outlines), converted once with
    fontTools' cu2qu from assets/fonts, never downloaded. Takes ~40 s the first time."""
    source = FONTS / SCRIPT_FONTS["zh"][1]
    copy = OUT / "fonts" / (source.stem + ".ttf")
    if copy.exists() and copy.stat().st_mtime >= source.stat().st_mtime:
        return copy
    log(f"converting {source.name} to TrueType for reportlab (once)")
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(source)
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = font.getGlyphOrder()
    glyf.glyphs = {}
    for name in glyf.glyphOrder:
        pen = TTGlyphPen(None)
        # Cubic to quadratic within 1 font unit; CFF winds the other way round from TrueType.
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                  "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                  "maxComponentElements"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"
    copy.parent.mkdir(parents=True, exist_ok=True)
    font.save(copy.with_suffix(".tmp"))
    copy.with_suffix(".tmp").rename(copy)
    return copy


class Reportlab:
    """The checklist with platypus (Table, Paragraph, HRFlowable, a canvas for header and n/N).
    Fonts are registered once (as our engine keeps its font library); each `build` makes a whole
    document into memory."""

    def __init__(self) -> None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        self.faces: dict[str, TTFont] = {}
        self._styles: dict = {}
        self.ShapedLines = shaped_lines_class()

        def register(name: str, path: Path) -> None:
            font = TTFont(name, str(path))  # shapable by default when uharfbuzz imports
            pdfmetrics.registerFont(font)
            self.faces[name] = font

        register("latin", FONTS / LATIN[1])
        register("latin-bold", FONTS / LATIN[2])
        for lang, (_, regular, bold) in SCRIPT_FONTS.items():
            if lang == "zh":
                register("zh", cjk_truetype())  # no CJK Bold: bold Chinese uses Regular
            else:
                register(lang, FONTS / regular)
                register(f"{lang}-bold", FONTS / bold)
        # Which characters each face maps, for the per-character fallback below.
        self.cmaps = {name: set(face.face.charToGlyph) for name, face in self.faces.items()}

    # -- text ------------------------------------------------------------------------------

    def face(self, primary: str, bold: bool) -> str:
        """The registered name of `primary` ("latin" or a language) in that weight."""
        name = primary + "-bold" if bold else primary
        return name if name in self.faces else primary

    def runs(self, word: str, primary: str, bold: bool) -> list[tuple[str, str]]:
        """One word cut into (face, text) runs: Latin words in Noto Sans and the others in the
        language's face, as our engine chooses by script (Noto Naskh, Nastaliq and Bengali have no
        Latin letters); punctuation and digits go with the word's letters when that face has them,
        else each character falls back to the other face (Noto Naskh has no brackets)."""
        own, latin = self.face(primary, bold), self.face("latin", bold)
        if any(ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN") for ch in word):
            faces = (own, latin)
        else:
            faces = (latin, own)
        whole = next((f for f in faces if all(ord(ch) in self.cmaps[f] for ch in word)), None)
        if whole:
            return [(whole, word)]
        out: list[tuple[str, str]] = []
        for ch in word:
            face = next((f for f in faces if ord(ch) in self.cmaps[f]), faces[0])
            if out and out[-1][0] == face:
                out[-1] = (face, out[-1][1] + ch)
            else:
                out.append((face, ch))
        return out

    def markup(self, text: str, primary: str, bold: bool) -> str:
        """Paragraph markup with a <font> per run."""
        return " ".join(
            "".join(f'<font face="{face}">{escape(part, quote=False)}</font>'
                    for face, part in self.runs(word, primary, bold))
            for word in text.split()
        )

    @staticmethod
    def shape(text: str, face: str, size: float):
        """`text` shaped by HarfBuzz in one face, as reportlab shapes a word: (ShapedStr, width)."""
        from reportlab.lib.abag import ABag
        from reportlab.pdfbase.pdfmetrics import stringWidth
        from reportlab.pdfbase.ttfonts import shapeFragWord

        shaped = shapeFragWord([stringWidth(text, face, size), (ABag(fontName=face, fontSize=size), text)])
        return shaped[1][1], shaped[0]

    # -- paragraphs ------------------------------------------------------------------------

    def style(self, face: str, size: float, cjk: bool = False):
        from reportlab.lib.styles import ParagraphStyle

        key = (face, size, cjk)
        if key not in self._styles:
            # Lines 1.22 em apart, the least line our engine sets (`Face::extent`).
            self._styles[key] = ParagraphStyle(
                f"s{len(self._styles)}", fontName=face, fontSize=size, leading=1.22 * size,
                shaping=1, wordWrap="CJK" if cjk else None,
            )
        return self._styles[key]

    def para(self, text: str, lang: str, size: float, width: float, bold: bool = False) -> list:
        """Flowables for one paragraph of `text` in `lang` ("it" or the applicant's).

        Italian and Chinese go through platypus' Paragraph. Arabic, Urdu and Bengali cannot:
        Paragraph shapes a whole word with the face of its first character, so a word that needs
        two faces ("(" + Arabic: Noto Naskh has no brackets; "Questura-র") comes out with missing
        glyphs, and it orders right-to-left text only through `rlbidi`, which is not on PyPI. For
        those this script wraps the words itself, orders them (`bidi_words`) and draws each run
        shaped by reportlab's own HarfBuzz shaping (`ShapedLines`)."""
        from reportlab.platypus import Paragraph

        primary = "latin" if lang == "it" else lang
        face = self.face(primary, bold)
        if lang in ("it", "zh"):
            return [Paragraph(self.markup(text, primary, bold), self.style(face, size, cjk=lang == "zh"))]
        return [self.ShapedLines(self.lines(text, primary, bold, size, width, rtl=lang in ("ar", "ur")),
                            size, width, nastaliq=lang == "ur", rtl=lang in ("ar", "ur"))]

    def lines(self, text: str, primary: str, bold: bool, size: float, width: float, rtl: bool):
        """`text` wrapped greedily to `width`; each line a list of (face, text, shaped, width)
        runs in visual order, and its width."""
        space = self.shape(" ", self.face("latin", bold), size)
        words = []
        for word in text.split():
            runs = [(face, part, *self.shape(part, face, size))
                    for face, part in self.runs(word, primary, bold)]
            words.append((word, runs, sum(run[3] for run in runs)))
        lines: list[list] = [[]]
        used = 0.0
        for word in words:
            if lines[-1] and used + space[1] + word[2] > width:
                lines.append([])
                used = 0.0
            used += (space[1] if lines[-1] else 0.0) + word[2]
            lines[-1].append(word)
        out = []
        for line in lines:
            order = bidi_words([w for w, _, _ in line]) if rtl else [(i, 0) for i in range(len(line))]
            runs: list = []
            for n, (i, level) in enumerate(order):
                if n:
                    runs.append((self.face("latin", bold), " ", *space))
                word_runs = line[i][1]
                if level % 2 and len(word_runs) > 1:
                    # A right-to-left word in several faces: HarfBuzz puts each run in visual
                    # order, the runs are put here, and a bracket alone in its run is mirrored.
                    word_runs = [run if has_rtl(run[1]) else (run[0], run[1], *self.shape(
                                 mirror(run[1]), run[0], size)) for run in reversed(word_runs)]
                runs.extend(word_runs)
            out.append((runs, sum(run[3] for run in runs)))
        return out

    # -- the document ----------------------------------------------------------------------

    def build(self, doc: Checklist) -> bytes:
        from reportlab.lib import colors
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.units import mm
        from reportlab.pdfgen.canvas import Canvas
        from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, PageTemplate, Spacer,
                                        Table, TableStyle)
        from reportlab.platypus.flowables import HRFlowable

        d, lang = doc.data, doc.lang
        page_w, page_h = A4
        left, right, top, bottom = 13 * mm, 13 * mm, 14 * mm, 12 * mm
        content = page_w - left - right
        column = (content - 6 * mm) / 2
        body = 9.0
        faces = self

        class Box(Flowable):
            """The empty checkbox: 1 em, 0.6 pt outline."""

            def wrap(self, *_):
                return body, body

            def draw(self):
                # Bottom 0.05 em under the first baseline, as ours (a Paragraph's first baseline is
                # one font size under the cell's top).
                self.canv.setLineWidth(0.6)
                self.canv.rect(0, -0.05 * body, body, body)

        class NumberedCanvas(Canvas):
            """Header and `n/N` on every page: pages are kept until the total is known."""

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self._pages: list[dict] = []

            def showPage(self):
                self._pages.append(dict(self.__dict__))
                self._startPage()

            def save(self):
                total = len(self._pages)
                for n, state in enumerate(self._pages, 1):
                    self.__dict__.update(state)
                    self.setFont("latin", 8)
                    self.drawString(left, page_h - top + 4 * mm, d["header"])
                    self.setFont("latin", body)
                    self.drawCentredString(page_w / 2, bottom / 2, f"{n}/{total}")
                    super().showPage()
                super().save()

        plain = TableStyle([
            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ])

        def parallel(pair: dict, size: float, bold: bool = False) -> list:
            if pair["tr"] is None:
                return faces.para(pair["it"], "it", size, content, bold)
            cells = [faces.para(pair["it"], "it", size, column, bold), "",
                     faces.para(pair["tr"], lang, size, column, bold)]
            return [Table([cells], colWidths=[column, 6 * mm, column], style=plain)]

        def item(pair: dict) -> list:
            indent = 1.9 * body
            text = faces.para(pair["it"], "it", body, content - indent)
            if pair["tr"] is not None:
                text += [Spacer(0, 0.1 * body)] + faces.para(pair["tr"], lang, body, content - indent)
            return [Table([[Box(), text]], colWidths=[indent, content - indent], style=plain),
                    Spacer(0, 0.4 * body)]

        story: list = []
        for line in d["intro"]:
            story += faces.para(line, "it", body, content)
        story.append(Spacer(0, 1.5 * mm))
        story += faces.para(d["title"]["it"], "it", 13, content, bold=True)
        if d["title"]["tr"] is not None:
            story += faces.para(d["title"]["tr"], lang, 13, content, bold=True)
        for section in d["sections"]:
            story.append(Spacer(0, 2.5 * mm))
            story += parallel(section["heading"], 10.5, bold=True)
            story.append(HRFlowable(width="100%", thickness=0.5, color=colors.black,
                                    spaceBefore=2, spaceAfter=2))
            for line in section["lines"]:
                if line["check"]:
                    story += item(line)
                else:
                    story += parallel(line, body) + [Spacer(0, 1.2 * mm)]
        if d["note"]:
            story.append(Spacer(0, 2 * mm))
            story += faces.para("* " + d["note"]["it"], "it", 7.5, content)
            if d["note"]["tr"] is not None:
                story += faces.para("* " + d["note"]["tr"], lang, 7.5, content)

        out = io.BytesIO()
        template = BaseDocTemplate(
            out, pagesize=A4, leftMargin=left, rightMargin=right, topMargin=top, bottomMargin=bottom,
            title="Sportello Mixitè", author="", creator="",
        )
        # A frame without reportlab's default 6 pt padding: the text starts at the margins.
        frame = Frame(left, bottom, content, page_h - top - bottom,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        template.addPageTemplates([PageTemplate(frames=[frame])])
        template.build(story, canvasmaker=NumberedCanvas)
        return out.getvalue()


def bidi_words(words: list[str]) -> list[tuple[int, int]]:
    """The words of one line of a right-to-left paragraph in display order (left to right), as
    (index, level) pairs: the Unicode bidi algorithm at word granularity, which is what a line of
    these sheets needs. Arabic-script words at level 1; Latin words, and digits after Latin (W7),
    at level 2; other digits at level 2 as Arabic numbers; a neutral word takes the direction on
    both sides if it agrees (N1), else the paragraph's (N2). Runs at level 2 keep their order,
    then the whole line is reversed (L2)."""

    def kind(word: str) -> str:
        classes = {unicodedata.bidirectional(ch) for ch in word}
        if classes & {"R", "AL"}:
            return "R"
        if "L" in classes:
            return "L"
        if classes & {"EN", "AN"}:
            return "EN"
        return "N"

    kinds = [kind(w) for w in words]
    last = "R"
    for i, k in enumerate(kinds):
        if k in ("R", "L"):
            last = k
        elif k == "EN":
            kinds[i] = "L" if last == "L" else "AN"
    strong = {"L": "L", "R": "R", "AN": "R"}

    def neighbour(seq) -> str:
        return next((strong[k] for k in seq if k != "N"), "R")

    levels = []
    for i, k in enumerate(kinds):
        if k == "N":
            both = neighbour(reversed(kinds[:i])) == neighbour(kinds[i + 1:]) == "L"
            levels.append(2 if both else 1)
        else:
            levels.append(1 if k == "R" else 2)
    order = list(range(len(words)))
    i = 0
    while i < len(order):
        if levels[i] == 2:
            j = i
            while j < len(order) and levels[j] == 2:
                j += 1
            order[i:j] = reversed(order[i:j])
            i = j
        else:
            i += 1
    return [(k, levels[k]) for k in reversed(order)]


def has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


MIRRORED = str.maketrans("()[]{}<>«»", ")(][}{><»«")


def mirror(text: str) -> str:
    return text.translate(MIRRORED)


def shaped_lines_class():
    """`ShapedLines` needs reportlab's Flowable, imported only inside the virtualenv."""
    from reportlab.platypus import Flowable

    class ShapedLines(Flowable):
        """Pre-wrapped lines of shaped runs, right-aligned for RTL; kept on one page. Lines are
        1.22 em apart with the baseline 0.95 em under the line's top, as ours; Nastaliq lines 2 em
        apart, baseline 1.45 em down (ours grows such a line to its ink: about that here)."""

        def __init__(self, lines, size: float, width: float, nastaliq: bool, rtl: bool):
            super().__init__()
            self.lines, self.size, self.width, self.rtl = lines, size, width, rtl
            self.pitch, self.ascent = ((2.0, 1.45) if nastaliq else (1.22, 0.95))

        def wrap(self, available_width, available_height):
            return self.width, len(self.lines) * self.pitch * self.size

        def draw(self):
            canvas = self.canv
            _, height = self.wrap(0, 0)
            for n, (runs, line_width) in enumerate(self.lines):
                y = height - (n * self.pitch + self.ascent) * self.size
                x = self.width - line_width if self.rtl else 0.0
                for face, _, shaped, w in runs:
                    canvas.setFont(face, self.size)
                    canvas.drawString(x, y, shaped)
                    x += w

    return ShapedLines


def bench_reportlab(engine: Reportlab, doc: Checklist, runs: int) -> dict:
    pdf = engine.build(doc)  # first build: shaping caches, style objects
    samples = [timed(lambda: engine.build(doc)) for _ in range(runs)]
    out = OUT / f"reportlab-{doc.lang}.pdf"
    out.write_bytes(pdf)
    return {"warm": median_ms(samples), "pdf": out}


# ---------------------------------------------------------------------------------------------
# Chromium


def css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def checklist_html(doc: Checklist) -> str:
    d, lang = doc.data, doc.lang
    family, regular, bold = SCRIPT_FONTS[lang]
    faces = []
    for name, files in (("MX Sans", LATIN[1:]), ("MX Script", (regular, bold))):
        for weight, file in zip((400, 700), files):
            faces.append(f'@font-face {{ font-family: "{name}"; font-weight: {weight}; '
                         f'src: url("{(FONTS / file).as_uri()}"); }}')
    page = (
        "@page { size: A4; margin: 14mm 13mm 12mm 13mm;\n"
        f'  @top-left {{ content: {css_string(d["header"])}; font: 8pt "MX Sans"; '
        "vertical-align: bottom; padding-bottom: 2mm; }\n"
        '  @bottom-center { content: counter(page) "/" counter(pages); font: 9pt "MX Sans"; } }'
    )

    def tr(text: str | None, tag: str = "p", cls: str = "") -> str:
        if text is None:
            return ""
        klass = f' class="tr {cls}"' if cls else ' class="tr"'
        return f'<{tag}{klass} lang="{lang}" dir="{doc.dir}">{escape(text)}</{tag}>'

    def pair(p: dict, cls: str) -> str:
        if p["tr"] is None:
            return f'<p class="{cls}">{escape(p["it"])}</p>'
        return f'<div class="pair {cls}"><p>{escape(p["it"])}</p>{tr(p["tr"])}</div>'

    body = [f"<p>{escape(line)}</p>" for line in d["intro"]]
    body.append(f'<div class="title"><h1>{escape(d["title"]["it"])}</h1>{tr(d["title"]["tr"], "h1")}</div>')
    for section in d["sections"]:
        body.append("<section>" + pair(section["heading"], "head") + "<hr>")
        for line in section["lines"]:
            if line["check"]:
                body.append(f'<div class="item"><p>{escape(line["it"])}</p>{tr(line["tr"])}</div>')
            else:
                body.append(pair(line, "line"))
        body.append("</section>")
    if d["note"]:
        note = d["note"]
        body.append(f'<div class="notes"><p>* {escape(note["it"])}</p>'
                    + (tr("* " + note["tr"]) if note["tr"] else "") + "</div>")
    css = "\n".join(faces) + "\n" + page + "\n" + (TEMPLATES / "checklist.css").read_text()
    return (f'<!doctype html>\n<html lang="it"><head><meta charset="utf-8">'
            f"<title>Sportello Mixitè</title>\n<style>\n{css}\n</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def bench_chromium(doc: Checklist, runs: int) -> dict:
    page = OUT / f"chromium-{doc.lang}.html"
    page.write_text(checklist_html(doc), encoding="utf-8")
    out = OUT / f"chromium-{doc.lang}.pdf"
    samples = []
    for _ in range(runs):
        out.unlink(missing_ok=True)
        profile = tempfile.mkdtemp(prefix="compare-print-chromium-")
        cmd = ["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
               f"--print-to-pdf={out}", page.as_uri()]
        try:
            samples.append(timed(lambda: run_quiet(cmd, "chromium --print-to-pdf")))
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        pdf_info(out)  # each run must have produced a PDF
    return {"cold": median_ms(samples), "pdf": out}


# ---------------------------------------------------------------------------------------------
# Report


def versions() -> str:
    from importlib.metadata import version

    chromium = subprocess.run(["chromium", "--version"], capture_output=True, text=True).stdout
    chromium = re.sub(r"\s+built on.*", "", chromium.strip().splitlines()[0] if chromium else "?")
    return (f"typst (PyPI) {version('typst')}, reportlab {version('reportlab')}, "
            f"uharfbuzz {version('uharfbuzz')}, {chromium}; Python {sys.version.split()[0]}; "
            f"{os.cpu_count()} CPUs")


def table(results: dict, startup_ms: float | None, args, reused: bool) -> str:
    def ms(v: float | None) -> str:
        return "failed" if v is None else f"{v:.1f} ms"

    def ratio(v: float | None, ours: float | None) -> str:
        return "" if v is None or not ours else f" ({v / ours:.2f}×)"

    engines = (("typst cold process", "typst", "cold"),
               ("reportlab", "reportlab", "warm"), ("Chromium --print-to-pdf", "chromium", "cold"))
    lines = [
        "# Checklist PDF: our engine vs typst, reportlab, Chromium",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} by `python3 tests/bench/compare_print.py`"
        + (" (ours reused from an earlier cargo bench: --reuse-ours)" if reused else "") + ".",
        "Medians; ratio = engine / ours printed again, except typst's next applicant / ours next "
        f"applicant (below 1 is faster than ours). {versions()}.",
        f"Samples: ours criterion (`{' '.join(CARGO_BENCH[7:])}`), typst warm {args.runs_warm}, "
        f"typst cold {args.runs_cold}, reportlab {args.runs_warm}, Chromium {args.runs_chromium}.",
        "",
        "| lang | ours, printed again (memo warm) | typst warm re-render | ours, next applicant | "
        "typst, next applicant | ours, first print (memo empty) | "
        + " | ".join(e[0] for e in engines) + " |",
        "|---|---|---|---|---|---|" + "---|" * len(engines),
    ]
    for lang in LANGS:
        r = results[lang]
        ours = r["ours"].get("time")
        cells = [f"{ms(r[eng].get(key))}{ratio(r[eng].get(key), ours)}" for _, eng, key in engines]
        first, following = r["ours"].get("first"), r["ours"].get("next")
        typst_warm, typst_next = r["typst"].get("warm"), r["typst"].get("next")
        lines.append(f"| it+{lang} | {ms(ours)} | {ms(typst_warm)}{ratio(typst_warm, ours)} | "
                     f"{ms(following)} | {ms(typst_next)}{ratio(typst_next, following)} | "
                     f"{ms(first)}{ratio(first, ours)} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "PDF size and pages:",
        "",
        "| lang | ours | typst | reportlab | Chromium |",
        "|---|---|---|---|---|",
    ]
    for lang in LANGS:
        cells = []
        for eng in ("ours", "typst", "reportlab", "chromium"):
            info = results[lang][eng].get("info")
            cells.append("failed" if info is None else f"{info[0] / 1024:.1f} KiB, {info[1]} p.")
        lines.append(f"| it+{lang} | " + " | ".join(cells) + " |")
    lines += ["", "Notes:", ""]
    if startup_ms is not None:
        lines.append(f"- typst cold includes a new Python process importing typst: {startup_ms:.1f} ms "
                     "of it (median of `python -c 'import typst'`).")
    lines.append("- reportlab: HarfBuzz shaping (uharfbuzz) on; Italian and Chinese through platypus' "
                 "Paragraph, Arabic, Urdu and Bengali wrapped, ordered and drawn run by run by this "
                 "script with reportlab's shaping (see below); fonts registered before timing.")
    lines.append("- Chromium: one new headless process and profile per PDF ("
                 + " ".join(CHROMIUM_FLAGS) + ").")
    for (engine, lang), problem in sorted(KNOWN_PROBLEMS.items()):
        lines.append(f"- {engine} it+{lang}: {problem}")
    lines.append(f"- PDFs: {OUT.relative_to(ROOT)}/<engine>-<lang>.pdf")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reuse-ours", action="store_true",
                        help="do not run cargo bench; reuse the last criterion results and sheets")
    parser.add_argument("--runs-warm", type=int, default=30, help="typst warm and reportlab samples")
    parser.add_argument("--runs-cold", type=int, default=5, help="typst new-process samples")
    parser.add_argument("--runs-chromium", type=int, default=5, help="Chromium samples")
    args = parser.parse_args()

    ensure_venv()
    ensure_tools()
    OUT.mkdir(parents=True, exist_ok=True)
    started = None if args.reuse_ours else run_our_bench()

    results: dict[str, dict] = {}
    failures: list[str] = []
    reportlab = None
    for lang in LANGS:
        r = results[lang] = {"ours": {}, "typst": {}, "reportlab": {}, "chromium": {}}
        doc = load_checklist(lang)
        r["ours"]["time"] = our_median_ms(lang, started)
        r["ours"]["first"] = our_median_ms(lang, started, "first_print")
        r["ours"]["next"] = our_median_ms(lang, started, "next_applicant")
        ours_pdf = OUT / f"ours-{lang}.pdf"
        shutil.copyfile(BENCH / f"checklist-{lang}.pdf", ours_pdf)  # side by side with the others
        r["ours"]["pdf"] = ours_pdf
        for engine, run in (
            ("typst", lambda: bench_typst(doc, args.runs_warm, args.runs_cold)),
            ("reportlab", lambda: bench_reportlab(reportlab, doc, args.runs_warm)),
            ("chromium", lambda: bench_chromium(doc, args.runs_chromium)),
        ):
            log(f"it+{lang}: {engine}")
            try:
                if engine == "reportlab" and reportlab is None:
                    reportlab = Reportlab()
                r[engine] = run()
            except Exception as e:  # one engine failing must not hide the others' figures
                failures.append(f"{engine} it+{lang}: {type(e).__name__}: {str(e).strip()[:500]}")
                r[engine] = {}
        for engine in ("ours", "typst", "reportlab", "chromium"):
            pdf = r[engine].get("pdf")
            try:
                r[engine]["info"] = pdf_info(pdf) if pdf else None
            except RuntimeError as e:
                failures.append(f"{engine} it+{lang}: {e}")
                r[engine]["info"] = None
                r[engine].pop("warm", None)
                r[engine].pop("cold", None)
                r[engine].pop("next", None)

    startup = python_startup_ms(args.runs_cold)
    report = table(results, startup, args, reused=args.reuse_ours)
    (BENCH / "compare.md").write_text(report, encoding="utf-8")
    print(report)
    print(f"(written to {(BENCH / 'compare.md').relative_to(ROOT)})")
    if failures:
        fail("no PDF from:\n  " + "\n  ".join(failures))


if __name__ == "__main__":
    main()
