#!/usr/bin/env python3
"""Extract the Italian reference data of Sportello Mixitè from registry packages.

What it does
------------
Run once by a maintainer (``python3 assets/scripts/extract_reference.py``) to
(re)generate, under ``assets/reference/``:

* ``countries.json``  foreign states with their Belfiore "Z" code (codice AT),
  ISO 3166-1 alpha-3 / alpha-2, Italian and English names, validity dates,
  plus a row for Italy (ITA/IT, no Z code) and the ceased states (USSR, ...);
* ``comuni.json``     Italian comuni (current and ceased) with Belfiore code,
  name, province sigla and validity dates (compact array-of-arrays);
* ``provinces.json``  province siglas seen in the comuni, with their name;
* ``LICENSE-*.txt``   the licence text of every package the data comes from.

Sources (pinned versions, checked by SHA-256, fetched with the ordinary
registry clients into a temporary directory):

* PyPI ``python-codicefiscale`` (MIT): primary source of Z codes, comuni,
  dates;
* npm ``@marketto/belfiore-connector-embedded`` (MIT code, data from ISTAT /
  ANPR / Agenzia delle Entrate under CC-BY): gives, for each Z code, the ISO
  3166-1 alpha-2 code and the ISTAT Italian name.  The join with
  python-codicefiscale is done on the Z code, never on names;
* PyPI ``pycountry`` (LGPL-2.1, data of Debian iso-codes): alpha-2 -> alpha-3,
  English names, ISO 3166-3 codes of ceased states, ISO 3166-2:IT province
  names.

Every join gap is reported on stdout and resolved only through the explicit,
commented override tables below; an entry that is still unmatched makes the
script fail.  The facts of the project brief (Z codes) are checked: where the
package disagrees the package value is KEPT and the row is flagged with
``"verify": true`` and a ``note``.

What it must NOT do
-------------------
* It is not run by the app, the build or CI, and the app never downloads
  anything: the generated files are committed and shipped as they are.
* It must not silently change a value of the source packages (only the
  commented overrides below may add or correct a code, and each one is
  printed when applied).
* It must not depend on anything but the Python 3.11 standard library plus
  the ``pip`` and ``npm`` command-line clients; it must not scrape web sites.
* It must stay deterministic: same pinned packages -> byte-identical output
  (the extraction date is the constant EXTRACTED_ON, bumped by hand when the
  pinned versions are changed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import zipfile
from pathlib import Path

# --------------------------------------------------------------------------
# Pinned sources.  Change versions + sha256 + EXTRACTED_ON together.
# --------------------------------------------------------------------------
EXTRACTED_ON = "2026-11-26"

PCF = {
    "name": "python-codicefiscale",
    "version": "0.12.1",
    "licence": "MIT",
    "url": "https://pypi.org/project/python-codicefiscale/0.12.1/",
    "file": "python_codicefiscale-0.12.1-py3-none-any.whl",
    "sha256": "403f029ce8a184650d969ef0eb604b3457128dff4b057de1ee40a56f0674733d",
    "licenceFile": "LICENSE-python-codicefiscale.txt",
}
PYCOUNTRY = {
    "name": "pycountry",
    "version": "26.2.16",
    "licence": "LGPL-2.1-only (data from Debian iso-codes)",
    "url": "https://pypi.org/project/pycountry/26.2.16/",
    "file": "pycountry-26.2.16-py3-none-any.whl",
    "sha256": "115c4baf7cceaa30f59a4694d79483c9167dbce7a9de4d3d571c5f3ea77c305a",
    "licenceFile": "LICENSE-pycountry.txt",
}
MARKETTO = {
    "name": "@marketto/belfiore-connector-embedded",
    "version": "1.2.1",
    "licence": "MIT (code); embedded data CC-BY 3.0 IT (ISTAT), CC-BY 4.0 (ANPR, Agenzia delle Entrate)",
    "url": "https://www.npmjs.com/package/@marketto/belfiore-connector-embedded/v/1.2.1",
    "file": "marketto-belfiore-connector-embedded-1.2.1.tgz",
    "sha256": "3eb281b5a9354ba5c8ab328994c8652554cd3a39ccdc722ffee4fbf1d807920c",
    "licenceFile": "LICENSE-belfiore-connector-embedded.txt",
}

# --------------------------------------------------------------------------
# Override table for the country join (Z code -> ISO codes).
# Used ONLY where the Z -> alpha-2 join through the ISTAT list of
# @marketto/belfiore-connector-embedded gives nothing or a non-ISO code.
# zCode: (iso2, iso3, nameEn or None = take pycountry's, reason)
# --------------------------------------------------------------------------
ISO_OVERRIDES: dict[str, tuple[str | None, str | None, str | None, str]] = {
    # ISTAT writes "UK" (only "exceptionally reserved" in ISO 3166-1); the ISO
    # code, and the one in British passports' MRZ, is GB / GBR.
    "Z114": ("GB", "GBR", None, "ISTAT alpha-2 'UK' replaced by ISO GB"),
    # Ceased states: ISTAT leaves the ISO column empty or uses the withdrawn
    # alpha-2; alpha-3 from ISO 3166-3 (checked against pycountry below).
    "Z105": ("CS", "CSK", "Czechoslovakia", "ISO 3166-3 CSK (CSHH), withdrawn 1993"),
    "Z111": ("DD", "DDR", "German Democratic Republic", "ISO 3166-3 DDR (DDDE), withdrawn 1990"),
    "Z118": ("YU", "YUG", "Yugoslavia", "ISO 3166-3 YUG (YUCS), withdrawn 2003"),
    "Z135": ("SU", "SUN", "Soviet Union (USSR)", "ISO 3166-3 SUN (SUHH), withdrawn 1992"),
    "Z157": ("CS", "SCG", "Serbia and Montenegro", "ISO 3166-3 SCG (CSXX), withdrawn 2006"),
    "Z250": ("YD", "YMD", "South Yemen", "ISO 3166-3 YMD (YDYE), withdrawn 1990"),
    # Earlier Z code of Georgia, ceased in the package on 1994-01-01 (current
    # Georgia is Z254).  Same ISO codes as Z254 (the state is the same).
    "Z136": ("GE", "GEO", None, "earlier Z code of Georgia (current: Z254)"),
    # Kosovo has no ISO 3166-1 code.  XK / XKX are the user-assigned codes
    # used by the EU and in i18n libraries.  Passports of the Republic of
    # Kosovo carry "RKS" in the MRZ (UNMIK travel documents: "UNK").
    "Z160": ("XK", "XKX", "Kosovo", "no ISO 3166-1 code: XK/XKX user-assigned"),
    # Territories missing from the ISTAT list shipped by @marketto.
    "Z221": ("HK", "HKG", None, "not in the @marketto ISTAT list"),
    "Z360": ("YT", "MYT", None, "not in the @marketto ISTAT list"),
    "Z513": ("MQ", "MTQ", None, "not in the @marketto ISTAT list"),
    "Z518": ("PR", "PRI", None, "not in the @marketto ISTAT list"),
    "Z520": ("VI", "VIR", None, "not in the @marketto ISTAT list"),
    # Ceased entities that never had an ISO 3166 code.
    "Z201": (None, None, "Federation of South Arabia", "ceased, no ISO code"),
    "Z202": (None, None, "Protectorate of South Arabia", "ceased, no ISO code"),
    "Z350": (None, None, "Tanganyika", "ceased 1964, no ISO code"),
}

# Codes that are not in pycountry's ISO 3166-1 nor 3166-3 but are accepted
# on purpose (see the overrides above).
USER_ASSIGNED = {"XKX": "XK"}

# Rows that must be flagged for a human check, whatever the data says.
# zCode: note
VERIFY_NOTES = {
    "Z160": "No ISO 3166-1 code: iso3 XKX is user-assigned. Kosovo passports carry "
    "RKS in the MRZ (UNMIK documents: UNK): map them to this row.",
    "Z221": "python-codicefiscale marks Hong Kong inactive (active=false) without an "
    "end date; kept with validTo null.",
}

# Informative notes (no check needed).  zCode: note
NOTES = {
    "Z136": "Earlier Z code of Georgia, ceased in the package on 1994-01-01; "
    "current Georgia is Z254 (same ISO codes).",
}

# Italy itself (birth country / citizenship of Italians): no Z code.
ITALY = {"iso3": "ITA", "iso2": "IT", "zCode": None, "nameIt": "Italia"}

# Facts from the project brief: iso3 -> Z code expected.
BRIEF_Z = {
    "ALB": "Z100", "ROU": "Z129", "UKR": "Z138", "MDA": "Z140", "RUS": "Z154",
    "XKX": "Z160", "MKD": "Z148", "BIH": "Z153", "LKA": "Z209", "CHN": "Z210",
    "PHL": "Z216", "IND": "Z222", "PAK": "Z236", "BGD": "Z249", "AFG": "Z200",
    "TUR": "Z243", "GEO": "Z254", "MAR": "Z330", "TUN": "Z352", "EGY": "Z336",
    "DZA": "Z301", "SEN": "Z343", "NGA": "Z335", "GHA": "Z318", "CIV": "Z313",
    "GMB": "Z317", "MLI": "Z329", "GIN": "Z319", "BRA": "Z602", "PER": "Z611",
    "ECU": "Z605", "USA": "Z404", "GBR": "Z114", "FRA": "Z110", "SUN": "Z135",
}

# python-codicefiscale uses 1900-01-01 as "valid since ever" for countries.
PCF_NO_START = "1900-01-01"

# --------------------------------------------------------------------------
# Province names: ISO 3166-2:IT (pycountry) gives the current ones; the
# siglas below are not there (Aosta has no ISO province entry; the others
# are ceased provinces that still appear in comuni history).
# sigla: (name, reason)
# --------------------------------------------------------------------------
PROVINCE_OVERRIDES: dict[str, tuple[str | None, str]] = {
    "AO": ("Aosta", "Valle d'Aosta has no province in ISO 3166-2:IT"),
    "CI": ("Carbonia-Iglesias", "ceased 2016"),
    "OG": ("Ogliastra", "ceased 2016"),
    "OT": ("Olbia-Tempio", "ceased 2016"),
    "VS": ("Medio Campidano", "ceased 2016"),
    "FO": ("Forlì", "sigla until 1992, then FC"),
    "PS": ("Pesaro e Urbino", "sigla until 1998, then PU"),
    "FU": ("Fiume", "ceased 1947"),
    "PL": ("Pola", "ceased 1947"),
    "ZA": ("Zara", "ceased 1947"),
}

REF_DIR = Path(__file__).resolve().parent.parent / "reference"


# --------------------------------------------------------------------------
def log(msg: str) -> None:
    print(msg, flush=True)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch(pkg: dict, dest: Path, cache: Path | None) -> Path:
    """Get the pinned artefact (from cache dir if present) and check its hash."""
    target = dest / pkg["file"]
    if cache and (cache / pkg["file"]).is_file():
        shutil.copy(cache / pkg["file"], target)
    elif pkg["file"].endswith(".whl"):
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
             "--quiet", f"{pkg['name']}=={pkg['version']}", "-d", str(dest)],
            check=True,
        )
    else:
        subprocess.run(
            ["npm", "pack", "--silent", f"{pkg['name']}@{pkg['version']}",
             "--pack-destination", str(dest)],
            check=True, stdout=subprocess.DEVNULL,
        )
    got = sha256(target)
    if got != pkg["sha256"]:
        sys.exit(f"FATAL: {pkg['file']} sha256 {got} != pinned {pkg['sha256']}")
    if cache:
        cache.mkdir(parents=True, exist_ok=True)
        if not (cache / pkg["file"]).is_file():
            shutil.copy(target, cache / pkg["file"])
    return target


def read_zip_json(z: zipfile.ZipFile, name: str):
    return json.loads(z.read(name).decode("utf-8"))


def pcf_date(raw: str, what: str) -> str | None:
    """'YYYY-MM-DDT00:00:00' (or '') -> 'YYYY-MM-DD' / None, validated."""
    if not raw:
        return None
    d = raw[:10]
    dt.date.fromisoformat(d)  # raises on garbage
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T00:00:00", raw):
        log(f"  note: odd date {raw!r} in {what}, read as {d}")
    return d


def fix_mojibake(s: str) -> str:
    """The @marketto dataset has a few UTF-8-read-as-Latin-1 names."""
    if "Ã" in s or "Â" in s:
        try:
            return s.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return s
    return s


def sort_key(name: str) -> tuple[str, str]:
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    return (folded, name)


def decode_marketto(ts_source: str) -> dict[str, dict]:
    """Z code -> {name, iso2, current} from the packed ISTAT dataset."""
    body = ts_source[ts_source.index("{"): ts_source.rindex("}") + 1]
    db = json.loads(body)
    out: dict[str, dict] = {}
    for group in db["data"]:
        current = "expirationDate" not in group  # the ceased group has end dates
        names = group["name"].split("|")
        codes = group["belfioreCode"]
        n = len(codes) // 3
        if len(names) != n or len(group["provinceOrCountry"]) != 2 * n:
            sys.exit("FATAL: unexpected @marketto dataset layout")
        for i in range(n):
            v = int(codes[3 * i: 3 * i + 3], 32)
            code = f"{chr(v // 1000 + 65)}{v % 1000:03d}"
            if code[0] != "Z":
                continue
            iso2 = group["provinceOrCountry"][2 * i: 2 * i + 2].strip() or None
            prev = out.get(code)
            if prev and prev["current"] and not current:
                continue
            out[code] = {"name": fix_mojibake(names[i]), "iso2": iso2, "current": current}
    return out


def dump_rows(head: dict, key: str, rows: list, path: Path) -> None:
    """JSON with one row per line (diff-friendly), UTF-8, trailing newline."""
    lines = ["{"]
    for k, v in head.items():
        lines.append(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},")
    lines.append(f'  "{key}": [')
    enc = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in rows]
    lines.append(",\n".join("    " + e for e in enc))
    lines.append("  ]")
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    json.loads(path.read_text(encoding="utf-8"))  # sanity


def pkg_info(pkg: dict, used_for: str) -> dict:
    return {"name": pkg["name"], "version": pkg["version"], "licence": pkg["licence"],
            "url": pkg["url"], "sha256": pkg["sha256"], "licence_file": pkg["licenceFile"],
            "used_for": used_for}


# --------------------------------------------------------------------------
def build_countries(pcf_countries, pc1, pc3, mk) -> tuple[list, list]:
    by_a2 = {c["alpha_2"]: c for c in pc1}
    by_a3 = {c["alpha_3"]: c for c in pc1}
    hist_a3 = {c["alpha_3"]: c for c in pc3}
    problems: list[str] = []
    rows = []

    def iso_for(z: str, pcf_row: dict | None):
        m = mk.get(z)
        if z in ISO_OVERRIDES:
            iso2, iso3, name_en, why = ISO_OVERRIDES[z]
            log(f"  override {z}: iso2={iso2} iso3={iso3} ({why}); "
                f"@marketto had {m['iso2'] if m else 'no row'}")
            if iso3 and iso3 not in by_a3 and iso3 not in hist_a3 and iso3 not in USER_ASSIGNED:
                problems.append(f"{z}: override iso3 {iso3} unknown to pycountry")
            if iso3 in by_a3 and by_a3[iso3]["alpha_2"] != iso2:
                problems.append(f"{z}: override {iso2}/{iso3} inconsistent with pycountry")
            if iso3 in hist_a3 and hist_a3[iso3]["alpha_2"] != iso2:
                problems.append(f"{z}: override {iso2}/{iso3} inconsistent with ISO 3166-3")
            if name_en is None and iso3 in by_a3:
                c = by_a3[iso3]
                name_en = c.get("common_name", c["name"])
            return iso2, iso3, name_en
        if not m or not m["iso2"]:
            problems.append(f"{z} {pcf_row['name'] if pcf_row else ''}: UNMATCHED "
                            "(no alpha-2 in @marketto) -> add to ISO_OVERRIDES")
            return None, None, None
        c = by_a2.get(m["iso2"])
        if not c:
            problems.append(f"{z}: alpha-2 {m['iso2']!r} not in ISO 3166-1 -> add to ISO_OVERRIDES")
            return None, None, None
        return c["alpha_2"], c["alpha_3"], c.get("common_name", c["name"])

    for r in pcf_countries:
        z = r["code"]
        iso2, iso3, name_en = iso_for(z, r)
        m = mk.get(z)
        name_it = m["name"] if m else r["name"]
        start = pcf_date(r["date_created"], z)
        row = {
            "iso3": iso3, "iso2": iso2, "zCode": z, "nameIt": name_it,
            "nameEn": name_en if name_en else (r["name_alt_en"] or None),
            "validFrom": None if start == PCF_NO_START else start,
            "validTo": pcf_date(r["date_deleted"], z),
        }
        if z in VERIFY_NOTES:
            row["verify"] = True
            row["note"] = VERIFY_NOTES[z]
        elif z in NOTES:
            row["note"] = NOTES[z]
        rows.append(row)

    # ISTAT territories of the @marketto list that python-codicefiscale lacks.
    pcf_codes = {r["code"] for r in pcf_countries}
    for z in sorted(set(mk) - pcf_codes):
        m = mk[z]
        iso2, iso3, name_en = iso_for(z, None)
        log(f"  extra {z} {m['name']} ({iso3}) only in @marketto: added, verify")
        rows.append({
            "iso3": iso3, "iso2": iso2, "zCode": z, "nameIt": m["name"], "nameEn": name_en,
            "validFrom": None, "validTo": None, "verify": True,
            "note": f"Not in {PCF['name']} {PCF['version']}; Z code and ISO code from the "
                    f"ISTAT list shipped by {MARKETTO['name']} {MARKETTO['version']}.",
        })

    it = by_a2["IT"]
    rows.append({**ITALY, "nameEn": it.get("common_name", it["name"]),
                 "validFrom": None, "validTo": None})
    rows.sort(key=lambda r: (*sort_key(r["nameIt"]), r["zCode"] or ""))

    # Brief checks (keep the package value, flag the row).
    for iso3, z in BRIEF_Z.items():
        cands = [r for r in rows if r["iso3"] == iso3 and (r["validTo"] is None or iso3 == "SUN")]
        cands = [r for r in cands if r["zCode"] != "Z136"]
        if len(cands) != 1:
            problems.append(f"brief check {iso3}: {len(cands)} rows")
            continue
        r = cands[0]
        if r["zCode"] != z:
            log(f"  BRIEF MISMATCH {iso3}: brief says {z}, package says {r['zCode']} (kept, flagged)")
            r["verify"] = True
            r["note"] = (r.get("note", "") + f" Project brief says {z}; package value kept.").strip()
        else:
            log(f"  brief ok {iso3} {z} {r['nameIt']}")

    # iso3 must be unique among the rows valid today (Z136 shares GEO with Z254).
    live = {}
    for r in rows:
        if r["validTo"] is None and r["iso3"]:
            if r["iso3"] in live:
                problems.append(f"iso3 {r['iso3']} twice among current rows: "
                                f"{live[r['iso3']]} and {r['zCode']}")
            live[r["iso3"]] = r["zCode"]
    zs = [r["zCode"] for r in rows if r["zCode"]]
    if len(zs) != len(set(zs)):
        problems.append("duplicate Z codes")
    return rows, problems


def build_comuni(pcf_munis) -> tuple[list, list]:
    rows, dropped = [], []
    for r in pcf_munis:
        if not re.fullmatch(r"[A-Z]\d{3}", r["code"]):
            dropped.append(r)
            continue
        rows.append([
            r["code"], r["name"], r["name_alt"] or None, r["province"],
            pcf_date(r["date_created"], r["code"]), pcf_date(r["date_deleted"], r["code"]),
        ])
    rows.sort(key=lambda x: (x[0], x[4] or "", x[5] or "9999", x[1], x[3]))
    return rows, dropped


def build_provinces(comuni_rows, pc2) -> tuple[list, list]:
    iso = {s["code"][3:]: s["name"] for s in pc2
           if s["code"].startswith("IT-") and s["code"][3:].isalpha()}
    current = {r[3] for r in comuni_rows if r[5] is None}
    problems, rows = [], []
    for sigla in sorted({r[3] for r in comuni_rows}):
        if sigla in PROVINCE_OVERRIDES:
            name, why = PROVINCE_OVERRIDES[sigla]
            log(f"  province override {sigla}: {name} ({why})")
        elif sigla in iso:
            name = iso[sigla]
        else:
            problems.append(f"province {sigla}: no name -> add to PROVINCE_OVERRIDES")
            name = None
        rows.append({"sigla": sigla, "name": name, "current": sigla in current})
    return rows, problems


# --------------------------------------------------------------------------
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, default=None,
                    help="directory keeping the downloaded artefacts (optional)")
    ap.add_argument("--out", type=Path, default=REF_DIR, help="output dir (default: %(default)s)")
    args = ap.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        log("fetching pinned packages ...")
        pcf_whl = fetch(PCF, tmpd, args.cache)
        pyc_whl = fetch(PYCOUNTRY, tmpd, args.cache)
        mk_tgz = fetch(MARKETTO, tmpd, args.cache)

        with zipfile.ZipFile(pcf_whl) as z:
            countries = read_zip_json(z, "codicefiscale/data/countries.json")
            deleted = read_zip_json(z, "codicefiscale/data/deleted-countries.json")
            munis = read_zip_json(z, "codicefiscale/data/municipalities.json")
            lic_pcf = z.read("python_codicefiscale-0.12.1.dist-info/licenses/LICENSE.txt")
        with zipfile.ZipFile(pyc_whl) as z:
            pc1 = read_zip_json(z, "pycountry/databases/iso3166-1.json")["3166-1"]
            pc2 = read_zip_json(z, "pycountry/databases/iso3166-2.json")["3166-2"]
            pc3 = read_zip_json(z, "pycountry/databases/iso3166-3.json")["3166-3"]
            lic_pyc = z.read("pycountry-26.2.16.dist-info/licenses/LICENSE.txt")
        with tarfile.open(mk_tgz) as t:
            ts = t.extractfile("package/asset/cities-countries.ts").read().decode("utf-8")
            lic_mk = t.extractfile("package/LICENSE").read()

    mk = decode_marketto(ts)
    log(f"python-codicefiscale: {len(countries)} countries + {len(deleted)} deleted, "
        f"{len(munis)} municipalities; @marketto: {len(mk)} Z codes")

    log("countries:")
    # same order as the package's own loader: deleted first, then current
    pcf_countries = sorted(deleted + countries, key=lambda r: r["code"])
    c_rows, c_problems = build_countries(pcf_countries, pc1, pc3, mk)
    log("comuni:")
    m_rows, dropped = build_comuni(munis)
    for r in dropped:
        log(f"  dropped (no Belfiore code {r['code']!r}): {r['name']} ({r['province']}) "
            f"{r['date_created'][:10]}..{r['date_deleted'][:10]}")
    log("provinces:")
    p_rows, p_problems = build_provinces(m_rows, pc2)

    problems = c_problems + p_problems
    if problems:
        for p in problems:
            log(f"PROBLEM: {p}")
        log("FAILED: fix the override tables in this script; nothing written.")
        return 1

    source = {
        "name": PCF["name"], "version": PCF["version"], "licence": PCF["licence"],
        "url": PCF["url"], "extracted_on": EXTRACTED_ON,
        "generator": "assets/scripts/extract_reference.py",
    }
    dump_rows({"source": {**source, "joined_with": [
        pkg_info(MARKETTO, "Z code -> ISO 3166-1 alpha-2 and ISTAT Italian name (join on Z code)"),
        pkg_info(PYCOUNTRY, "alpha-2 -> alpha-3, English name; ISO 3166-3 codes"),
    ]}}, "countries", c_rows, out / "countries.json")
    dump_rows({"source": source,
               "header": ["code", "name", "nameAlt", "province", "validFrom", "validTo"]},
              "rows", m_rows, out / "comuni.json")
    dump_rows({"source": {**source, "joined_with": [
        pkg_info(PYCOUNTRY, "province names from ISO 3166-2:IT")]}},
              "provinces", p_rows, out / "provinces.json")
    (out / PCF["licenceFile"]).write_bytes(lic_pcf)
    (out / PYCOUNTRY["licenceFile"]).write_bytes(lic_pyc)
    (out / MARKETTO["licenceFile"]).write_bytes(lic_mk)

    ceased = sum(1 for r in c_rows if r["validTo"])
    flagged = [r["zCode"] for r in c_rows if r.get("verify")]
    log(f"wrote countries.json: {len(c_rows)} rows ({len(c_rows) - ceased} current, "
        f"{ceased} ceased), flagged verify: {', '.join(flagged)}")
    log(f"wrote comuni.json: {len(m_rows)} rows ({sum(1 for r in m_rows if r[5] is None)} current), "
        f"{len(dropped)} dropped")
    log(f"wrote provinces.json: {len(p_rows)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
