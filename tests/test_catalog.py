"""The program catalog (data/catalog/programs.toml) against its seed documents.

The catalog is hand-curated; these tests check it against an independent
reading of the seed text (../shared/seeds, or $PETA_SEEDS_DIR), prove with
mutations of every entry that the checks notice a wrong one, and check the
layer registry (data/catalog/layers.toml) against the catalog.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from layers.catalog import Catalog, load_catalog
from layers.model import Placement, Program

ROOT = Path(__file__).resolve().parents[1]
LAYERS_TOML = ROOT / "data" / "catalog" / "layers.toml"
SEEDS_DIR = Path(os.environ.get("PETA_SEEDS_DIR") or Path(__file__).resolve().parents[2] / "shared" / "seeds")

TSL, KAB = "tsl2024", "kab2023"

# Items per (misi, sasaran) of the Tangsel document, nested items included.
EXPECTED_TSL = {
    (1, 1): 12, (1, 2): 9, (1, 3): 6,
    (2, 1): 5, (2, 2): 11,
    (3, 1): 6, (3, 2): 3,
    (4, 1): 3, (4, 2): 14, (4, 3): 16, (4, 4): 3, (4, 5): 2, (4, 6): 9, (4, 7): 13, (4, 8): 4,
}  # fmt: skip

# Activities ("kegiatan") the catalog records under each Kabupaten flagship.
EXPECTED_KEGIATAN = {
    "kab-01": 1, "kab-02": 1, "kab-03": 6, "kab-04": 6, "kab-05": 3,
    "kab-06": 5, "kab-07": 6, "kab-08": 2, "kab-09": 6, "kab-10": 7,
    "kab-11": 5, "kab-12": 6, "kab-13": 4, "kab-14": 3, "kab-15": 6,
}  # fmt: skip

TANGSEL_KECAMATAN = {
    "3674010": "Setu", "3674020": "Serpong", "3674030": "Pamulang", "3674040": "Ciputat",
    "3674050": "Ciputat Timur", "3674060": "Pondok Aren", "3674070": "Serpong Utara",
}  # fmt: skip

# Units of target figures, a closed list: each entry's unit must be the longest of these the text
# gives right after its figure.
TARGET_UNITS = {
    "unit", "anak dalam 5 tahun", "siswa SMP dalam 5 tahun", "siswa", "guru dan tenaga kependidikan", "persen",
    "persen rumah tangga", "penyandang disabilitas", "kali per tahun", "orang", "produk usaha mikro", "kawasan",
    "kawasan per tahun", "titik", "km", "ruas jalan", "perlintasan", "tandon dan long storage", "pohon per rumah",
}  # fmt: skip

# Where one agency's name ends in a 'ditangani oleh' sentence: a comma, 'dan', 'serta' or 'bekerjasama dengan'
# followed by the first word of an agency ('Dinas Perumahan, Permukiman dan Pemakaman' is one agency).
OPD_SEPARATOR = (
    r"(?:,\s*(?:(?:dan|serta)\s+)?|\s+(?:dan|serta|bekerjasama dengan)\s+)"
    r"(?=(?:Dinas|Sekretaris|Bappeda|RSUD|Kecamatan|BUMD|Kementrian|Badan)\b)"
)

# Layers added for programs that name a kind of place (issue 10, item 9), at the end of layers.toml.
PLACE_KIND_LAYERS = [
    "griya_sehat", "tempat_komunitas", "kawasan_wisata", "parkir", "transportasi_massal", "rawan_longsor",
    "bebas_kendaraan", "cagar_budaya", "kawasan_pertanian", "it_center", "bank_sampah",
]  # fmt: skip
PROGRAM_LAYERS = {
    "smp_baru", "tps3r", "posko_bencana", "spku", "tandon", "rs", "puskesmas", "stadion_mini",
    "sarana_olahraga", "tod", "simpang", "atcs", "wifi", "pju", "taman", "tpu", "pasar", "sungai_situ",
    "jalan", "sanitasi", "perumahan", "gudang_pangan", "tpa_psel", "terminal", "sekolah", *PLACE_KIND_LAYERS,
}  # fmt: skip

# Programs that name a kind of place: their layer, and the words of their quote (verbatim on their
# seed line) that name the place.
PLACE_LAYERS = {
    "tsl-1-2-06": ("puskesmas", "puskesmas 35"),
    "tsl-1-2-08": ("griya_sehat", "Griya Sehat"),
    "tsl-1-3-02": ("tempat_komunitas", "tempat berkumpul bagi komunitas lansia"),
    "tsl-2-2-09": ("kawasan_wisata", "kawasan tematik"),
    "tsl-4-2-04": ("perumahan", "RUTLH/Bedah Rumah"),
    "tsl-4-3-14": ("parkir", "Parkir Pintar"),
    "tsl-4-3-15": ("transportasi_massal", "Transportasi massal"),
    "tsl-4-7-06": ("rawan_longsor", "daerah rawan longsor"),
    "tsl-4-7-11": ("bebas_kendaraan", "Car Free Day"),
    "tsl-4-7-12": ("bebas_kendaraan", "car free zone"),
    "tsl-4-8-04": ("cagar_budaya", "Cagar Budaya"),
    "kab-07-03": ("kawasan_pertanian", "Kawasan agropolitan"),
    "kab-07-05": ("kawasan_pertanian", "Lahan Pertanian Pangan Berkelanjutan (LP2B)"),
    "kab-10-06": ("it_center", "IT Center"),
    "kab-12-02": ("bank_sampah", "Bank Sampah"),
    "kab-14-01": ("jalan", "memelihara kondisi jalan"),
}
REFERENCE_LAYERS = {
    "ref_rs": "facilities_hospital_osm.geojson",
    "ref_sma": "facilities_sma_smk_pt_osm.geojson",
    "ref_kantor": "facilities_kantor_pemerintahan_osm.geojson",
    "ref_sungai": "rivers_osm_tangsel.geojson",
}
FONTAWESOME_CSS = ROOT / "static" / "vendor" / "fontawesome" / "css" / "fontawesome.css"
LAYER_FIELDS = {"id", "label_id", "label_en", "geometry", "color", "icon", "radius_m", "programs", "kind"}
REFERENCE_FIELDS = LAYER_FIELDS | {"source", "incomplete"}

NUMBER_WORDS = {"satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def programs(catalog):
    return {p.id: p for p in catalog.programs}


@pytest.fixture(scope="module")
def seed_lines(catalog):
    if not SEEDS_DIR.is_dir():
        pytest.skip(f"seed documents not available at {SEEDS_DIR}")
    return {d.id: (SEEDS_DIR / d.file).read_text(encoding="utf-8").split("\n") for d in catalog.documents}


@pytest.fixture(scope="module")
def layers_raw():
    with LAYERS_TOML.open("rb") as fh:
        return tomllib.load(fh)["layer"]


def indonesian_number(value: float) -> str:
    """Format a number as the documents write it: 10000 -> '10.000', 166.2 -> '166,2'."""
    whole, _, frac = f"{value:f}".rstrip("0").rstrip(".").partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{grouped},{frac}" if frac else grouped


def parse_tangsel(lines: list[str]) -> dict:
    """Count the items of each sasaran straight from the Tangsel text.

    Misi sections open with 'Dalam misi <n>, ... menaruh <k> sasaran'; each
    'Sasaran N:' heading opens a block of numbered items ('^N. ', numbered
    consecutively; a number out of sequence is the article's next section
    heading and closes the block). Lines starting with '•' or '-' are nested
    items; an indented line right after a bullet line is a nested item that
    lost its bullet. Unnumbered lines after a numbered item continue it.
    """
    top: Counter = Counter()
    nested: Counter = Counter()
    stated: dict[int, int] = {}
    sasaran_seen: dict[int, list[int]] = {}
    continuations = []
    misi = sasaran = None
    next_no = 1
    after_bullet = False
    for number, line in enumerate(lines, start=1):
        if misi is not None and line.startswith("Baca Juga"):
            break
        m = re.match(r"Dalam misi (\w+), .* menaruh (\w+) sasaran", line)
        if m:
            misi, sasaran = NUMBER_WORDS[m[1]], None
            stated[misi] = NUMBER_WORDS[m[2]]
            sasaran_seen[misi] = []
            continue
        m = re.match(r"Sasaran (\d+)\s*:", line)
        if m and misi is not None:
            sasaran, next_no, after_bullet = int(m[1]), 1, False
            sasaran_seen[misi].append(sasaran)
            top[(misi, sasaran)] += 0
            continue
        if sasaran is None:
            continue
        stripped = line.strip()
        m = re.match(r"(\d+)\.\s", line)
        if m:
            if int(m[1]) != next_no:
                sasaran = None  # a section heading of the article
                continue
            top[(misi, sasaran)] += 1
            next_no += 1
            after_bullet = False
        elif stripped.startswith(("•", "-")):
            nested[(misi, sasaran)] += 1
            after_bullet = True
        elif after_bullet and stripped and line[0].isspace():
            nested[(misi, sasaran)] += 1
            continuations.append(number)
        else:
            after_bullet = False
    return {"top": top, "nested": nested, "stated": stated, "sasaran": sasaran_seen, "continuations": continuations}


# ---------------------------------------------------------------- catalog shape


def test_documents(catalog):
    assert {d.id: (d.region, d.year) for d in catalog.documents} == {TSL: ("3674", 2024), KAB: ("3603", 2023)}
    assert catalog.document(TSL).file == "000_398c8c5e3ce93ba5.txt"
    assert catalog.document(KAB).file == "001_bdbae9003f4990ae.txt"
    assert all(p.region == catalog.document(p.document).region for p in catalog.programs)


def test_tangsel_counts_per_sasaran(catalog):
    counts = Counter((p.misi, p.sasaran) for p in catalog.programs if p.document == TSL)
    assert dict(counts) == EXPECTED_TSL
    assert sum(counts.values()) == 116
    assert {(s.misi, s.no) for s in catalog.sasaran if s.document == TSL} == set(EXPECTED_TSL)
    assert [m.no for m in catalog.misi if m.document == TSL] == [1, 2, 3, 4]


def test_kabupaten_flagships_and_kegiatan(catalog):
    kab = [p for p in catalog.programs if p.document == KAB]
    flagships = [p for p in kab if not p.parent]
    assert [p.id for p in flagships] == [f"kab-{n:02d}" for n in range(1, 16)]
    assert [p.no for p in flagships] == [str(n) for n in range(1, 16)]
    assert all(p.kind == "program" and p.misi is None and p.sasaran is None for p in flagships)
    children = Counter(p.parent for p in kab if p.parent)
    assert dict(children) == EXPECTED_KEGIATAN
    assert all(p.kind == "kegiatan" for p in kab if p.parent)
    assert len(kab) == 15 + sum(EXPECTED_KEGIATAN.values())


def test_ids_and_nesting(catalog, programs):
    for p in catalog.programs:
        if p.document == TSL:
            assert re.fullmatch(rf"tsl-{p.misi}-{p.sasaran}-\d\d[a-z]?", p.id), p.id
            top_no = p.id.split("-")[3][:2]
            assert p.no.split(".")[0] == str(int(top_no)), p.id
        else:
            assert re.fullmatch(r"kab-\d\d(-\d\d)?", p.id), p.id
        if p.parent:
            parent = programs[p.parent]
            assert p.id.startswith(parent.id[: len(parent.id) - (1 if parent.id[-1].isalpha() else 0)]), p.id
            assert (parent.document, parent.misi, parent.sasaran) == (p.document, p.misi, p.sasaran)
    assert programs["tsl-1-1-01a"].kind == "kelompok"
    assert programs["tsl-1-1-01a"].parent == "tsl-1-1-01"
    assert [p.id for p in catalog.children("tsl-1-1-01a")] == [f"tsl-1-1-01{c}" for c in "bcdefg"]
    assert "bullet" in programs["tsl-1-1-01g"].note
    assert [p.id for p in catalog.children("tsl-4-6-01")] == [f"tsl-4-6-01{c}" for c in "abcde"]
    assert [p.kind for p in catalog.programs].count("kelompok") == 1


# ---------------------------------------------------------------- against the seed text
#
# The checks are functions returning problems, so the mutation tests below can
# prove that each one notices a wrong entry. Everything they compare with is
# read from the seed text (and the BPS kecamatan names), never from the catalog.


@dataclass(frozen=True)
class Seed:
    """The seed documents as lines, and each region's kecamatan names by BPS code."""

    lines: dict[str, list[str]]
    kecamatan: dict[str, dict[str, str]]


def item_text(p: Program, seed: Seed) -> str:
    """The text an entry stands for: its line, or a Kabupaten flagship's heading and paragraph."""
    lines = seed.lines[p.document]
    text = lines[p.line - 1] if 1 <= p.line <= len(lines) else ""
    if p.document == KAB and not p.parent and p.line < len(lines):
        text += "\n" + lines[p.line]
    return text


def handled_by(sentence: str) -> tuple[str, ...]:
    """The agencies a Kabupaten 'Program ini ditangani oleh ...' sentence names, in order."""
    m = re.search(r"(?:ditangani oleh|leading sektornya adalah) (.+)", sentence)
    if not m:
        return ()
    return tuple(re.split(OPD_SEPARATOR, m[1].strip().rstrip(".")))


def opd_sentence(p: Program, seed: Seed) -> str:
    """The line after a Kabupaten program's paragraph (its 'handled by' sentence, where there is one)."""
    lines = seed.lines[p.document]
    index = p.line + 1 if not p.parent else p.line  # flagship: heading, paragraph, sentence
    return lines[index] if index < len(lines) else ""


def named_kecamatan(text: str, names: dict[str, str]) -> set[str]:
    """Codes of the kecamatan a text names; the longest name wins ('Serpong Utara' is not 'Serpong')."""
    found = set()
    for code, name in sorted(names.items(), key=lambda item: -len(item[1])):
        pattern = rf"\b{re.escape(name)}\b"
        if re.search(pattern, text):
            found.add(code)
            text = re.sub(pattern, " ", text)
    return found


def stated_target(target_text: str) -> tuple[str, str] | None:
    """The target's figure (as written) and unit: the first figure followed by a unit of TARGET_UNITS.

    The longest fitting unit wins; a unit 'X per Y' fits when X follows the figure and Y
    is in the target text ('4 kali dalam 1 tahun').
    """
    for m in re.finditer(r"(?<![\d.,])\d{1,3}(?:\.\d{3})*(?:,\d+)?(?![\d]|[.,]\d)", target_text):
        rest = target_text[m.end():].lstrip().lower()
        fits = [
            unit
            for unit in TARGET_UNITS
            if re.match(rf"{re.escape(unit.lower().partition(' per ')[0])}\b", rest)
            and (" per " not in unit or re.search(rf"\b{unit.partition(' per ')[2]}\b", target_text, re.IGNORECASE))
        ]
        if fits:
            return m[0], max(fits, key=len)
    return None


def program_problems(p: Program, seed: Seed) -> list[str]:
    """Where one catalog entry disagrees with its document."""
    problems: list[str] = []
    lines = seed.lines[p.document]
    if not 1 <= p.line <= len(lines):
        return [f"{p.id}: line {p.line} is outside its document"]
    line, text = lines[p.line - 1], item_text(p, seed)
    if len(p.quote) < 15 or p.quote not in line:
        problems.append(f"{p.id}: quote not on line {p.line}")
    if p.document == KAB and not p.parent and line != f"{p.no}. {p.name}":
        problems.append(f"{p.id}: line {p.line} is not the heading '{p.no}. {p.name}'")
    if p.kind == "kegiatan" and not re.match(r"\d+\. \S", lines[p.line - 2]):
        problems.append(f"{p.id}: a kegiatan quotes its flagship's paragraph, the line after the heading")
    for field in ("target_text", "place_text"):
        if getattr(p, field) and getattr(p, field) not in text:
            problems.append(f"{p.id}: {field} not in its text")
    problems += [f"{p.id}: place {place!r} not in its text" for place in p.places if place not in text]

    # the figure, and the unit the text gives right after it
    if (p.target_qty is None) != (not p.target_unit):
        problems.append(f"{p.id}: a target figure needs its unit and a unit its figure")
    elif p.target_qty is not None:
        stated = stated_target(p.target_text)
        if stated is None:
            problems.append(f"{p.id}: target text {p.target_text!r} states no figure with a known unit")
        elif indonesian_number(p.target_qty) != stated[0]:
            problems.append(f"{p.id}: figure {indonesian_number(p.target_qty)}, the text says {stated[0]}")
        elif p.target_unit != stated[1]:
            problems.append(f"{p.id}: unit {p.target_unit!r}, the text says {stated[1]!r}")
    if p.cost_idr is not None:
        m = re.search(rf"Rp\.?\s?{re.escape(indonesian_number(p.cost_idr))}(?![\d]|[.,]\d)((?:/\w+)*)", text)
        if not m:
            problems.append(f"{p.id}: cost Rp{indonesian_number(p.cost_idr)} not in its text")
        elif not p.cost_unit.startswith("per ") or not m[1].endswith("/" + p.cost_unit.split()[-1]):
            problems.append(f"{p.id}: cost unit {p.cost_unit!r} does not match {m[0]!r}")

    # the agencies: a Kabupaten entry has exactly those of its flagship's sentence; Tangsel names none
    expected_opd = handled_by(opd_sentence(p, seed)) if p.document == KAB else ()
    if p.opd != expected_opd:
        problems.append(f"{p.id}: OPD {p.opd} differ from the document's {expected_opd}")

    # kecamatan: only ones the text names; all of them where the placement is 'the named kecamatan'
    names = seed.kecamatan[p.region]
    unknown = [code for code in p.kecamatan if code not in names]
    named = named_kecamatan(text, names)
    if unknown:
        problems.append(f"{p.id}: {unknown} are not kecamatan of region {p.region}")
    elif not set(p.kecamatan) <= named:
        problems.append(f"{p.id}: kecamatan {sorted(set(p.kecamatan) - named)} not named in its text")
    if len(set(p.kecamatan)) != len(p.kecamatan):
        problems.append(f"{p.id}: a kecamatan is listed twice")
    if p.placement is Placement.NAMED_KECAMATAN and (not p.kecamatan or set(p.kecamatan) != named):
        problems.append(f"{p.id}: the text names kecamatan {sorted(named)}, the entry {sorted(p.kecamatan)}")
    if p.placement is not None and not p.layer:
        problems.append(f"{p.id}: placement without a layer")
    if p.placement is Placement.REGION and not p.place_text:
        problems.append(f"{p.id}: a region-level placement needs its place_text")
    return problems


def catalog_problems(catalog: Catalog, seed: Seed) -> list[str]:
    """Every disagreement between the catalog and the documents: item counts, then each entry."""
    problems = []
    parsed = parse_tangsel(seed.lines[TSL])
    tsl = [p for p in catalog.programs if p.document == TSL]
    for key, found in (("top", Counter((p.misi, p.sasaran) for p in tsl if not p.parent)),
                       ("nested", Counter((p.misi, p.sasaran) for p in tsl if p.parent))):  # fmt: skip
        if +parsed[key] != +found:
            problems.append(f"Tangsel {key} items per sasaran: document {dict(+parsed[key])}, catalog {dict(+found)}")
    headings = [number for number, line in enumerate(seed.lines[KAB], start=1) if re.match(r"\d+\. \S", line)]
    flagships = [p.line for p in catalog.programs if p.document == KAB and not p.parent]
    if flagships != headings:
        problems.append(f"Kabupaten flagship lines {flagships} differ from the document's headings {headings}")
    lines = {p.id: p.line for p in catalog.programs}
    problems += [
        f"{p.id}: not on the paragraph of its flagship {p.parent}"
        for p in catalog.programs
        if p.kind == "kegiatan" and p.line != lines.get(p.parent, 0) + 1
    ]
    return problems + [problem for p in catalog.programs for problem in program_problems(p, seed)]


@pytest.fixture(scope="module")
def seed(catalog, seed_lines, kecamatan):
    names = {
        region: dict(zip(rows["kode_kec"], rows["kecamatan"]))
        for region, rows in kecamatan[kecamatan["kode_kab"].isin({d.region for d in catalog.documents})].groupby("kode_kab")
    }
    return Seed(seed_lines, names)


def test_tangsel_parsing_reads_the_document(seed_lines):
    parsed = parse_tangsel(seed_lines[TSL])
    # the document states how many sasaran each misi has; the headings agree
    assert parsed["stated"] == {1: 3, 2: 2, 3: 2, 4: 8}
    assert {m: len(s) for m, s in parsed["sasaran"].items()} == parsed["stated"]
    assert all(s == list(range(1, len(s) + 1)) for s in parsed["sasaran"].values())
    # exactly one nested item lost its bullet: the insentif line
    assert len(parsed["continuations"]) == 1
    assert seed_lines[TSL][parsed["continuations"][0] - 1].strip().startswith("insentif bagi 200 kepala sekolah")
    assert dict(parsed["top"] + parsed["nested"]) == EXPECTED_TSL


def test_seed_readers(seed_lines, seed):
    assert [handled_by(seed_lines[KAB][n]) for n in (13, 25, 49)] == [
        ("Sekretaris Daerah", "Dinas Pendidikan"),
        ("Dinas Kesehatan", "RSUD Tangerang", "RSUD Balaraja", "RSUD Pantura", "Dinas Tata Ruang dan Bangunan",
         "Dinas Perumahan, Permukiman dan Pertanahan"),
        ("Dinas Komunikasi dan Informatika",),
    ]  # fmt: skip
    assert seed.kecamatan["3674"] == TANGSEL_KECAMATAN
    assert len(seed.kecamatan["3603"]) == 29
    assert named_kecamatan(seed_lines[TSL][40], seed.kecamatan["3674"]) == {"3674010", "3674030", "3674070", "3674060"}
    assert named_kecamatan("Serpong Utara dan Ciputat Timur", seed.kecamatan["3674"]) == {"3674070", "3674050"}
    assert stated_target("10.000 anak/tahun atau 50.000 anak dalam 5 tahun") == ("50.000", "anak dalam 5 tahun")
    assert stated_target("setiap tahun dapat dituntaskan 20 kawasan permukiman penduduk") == ("20", "kawasan per tahun")
    assert stated_target("5 kawasan tematik") == ("5", "kawasan")
    assert stated_target("166,2 km") == ("166,2", "km")
    assert stated_target("200 kepala sekolah swasta dan 4.500 guru swasta") is None


def test_catalog_agrees_with_the_documents(catalog, seed):
    assert catalog_problems(catalog, seed) == []


# ---------------------------------------------------------------- mutation tests: the checks notice wrong entries


def mutations(p: Program, seed: Seed):
    """(kind, detail, wrong entry): each OPD dropped, every other unit, changed figures, invented kecamatan."""
    for i, opd in enumerate(p.opd):
        yield "opd", f"drop {opd!r}", replace(p, opd=p.opd[:i] + p.opd[i + 1:])
    if p.target_unit:
        for unit in sorted(TARGET_UNITS - {p.target_unit}) + ["buah"]:
            yield "unit", repr(unit), replace(p, target_unit=unit)
    if p.target_qty is not None:
        for qty in sorted({p.target_qty + 1, p.target_qty * 10, p.target_qty / 10}):
            yield "figure", f"target {qty:g}", replace(p, target_qty=qty)
    if p.cost_idr is not None:
        for cost in (p.cost_idr + 1, p.cost_idr * 10):
            yield "figure", f"cost {cost}", replace(p, cost_idr=cost)
    # any kecamatan of the region its text does not name, and one of the other region
    named = named_kecamatan(item_text(p, seed), seed.kecamatan[p.region])
    other_region = next(r for r in seed.kecamatan if r != p.region)
    for code in sorted(set(seed.kecamatan[p.region]) - named - set(p.kecamatan)) + [min(seed.kecamatan[other_region])]:
        yield "kecamatan", code, replace(p, kecamatan=p.kecamatan + (code,))


def test_every_wrong_entry_is_reported(catalog, seed):
    ran, missed = Counter(), []
    for p in catalog.programs:
        assert program_problems(p, seed) == [], p.id
        for kind, detail, wrong in mutations(p, seed):
            ran[kind, p.id] += 1
            if not program_problems(wrong, seed):
                missed.append(f"{p.id}: {kind} {detail}")
    assert missed == []
    # each kind ran on every entry that has the field (every entry for kecamatan)
    for kind, has_field in [
        ("opd", lambda p: p.opd),
        ("unit", lambda p: p.target_unit),
        ("figure", lambda p: p.target_qty is not None or p.cost_idr is not None),
        ("kecamatan", lambda p: True),
    ]:
        entries = [p.id for p in catalog.programs if has_field(p)]
        assert entries and all(ran[kind, pid] for pid in entries), kind


def test_catalog_check_reports_one_wrong_entry(catalog, seed):
    """The catalog-wide check runs the entry check on every entry (one mutation of each kind, through it)."""
    wrong = {
        "kab-07-03": {"opd": ("Dinas Pertanian dan Ketahanan Pangan", "Dinas Perikanan", "BUMD")},
        "tsl-4-2-10": {"target_unit": "km"},
        "tsl-1-1-01": {"target_qty": 5},
        "tsl-1-2-05": {"kecamatan": ("3674030", "3674040")},
    }
    for pid, change in wrong.items():
        programs = tuple(replace(p, **change) if p.id == pid else p for p in catalog.programs)
        problems = catalog_problems(replace(catalog, programs=programs), seed)
        assert problems and all(problem.startswith(f"{pid}: ") for problem in problems), (pid, problems)


def test_item_counts_are_checked(catalog, seed):
    dropped = tuple(p for p in catalog.programs if p.id != "tsl-4-7-06")
    assert any(pr.startswith("Tangsel top items") for pr in catalog_problems(replace(catalog, programs=dropped), seed))


# ---------------------------------------------------------------- key programs


def test_key_targets(programs):
    smp = programs["tsl-1-1-01"]
    assert smp.target_qty == 4 and smp.layer == "smp_baru" and smp.placement is Placement.NAMED_KECAMATAN
    assert sorted(TANGSEL_KECAMATAN[k] for k in smp.kecamatan) == ["Pamulang", "Pondok Aren", "Serpong Utara", "Setu"]

    def check(pid, qty, layer, unit=None):
        p = programs[pid]
        assert (p.target_qty, p.layer) == (qty, layer), pid
        if unit:
            assert p.target_unit == unit, pid
        return p

    assert check("tsl-4-6-01a", 38, "tps3r").placement is None
    assert check("tsl-4-7-05", 14, "posko_bencana").placement is None
    assert check("tsl-4-7-01", 10, "tandon").placement is None
    assert check("tsl-4-2-13", 1000, "wifi", "titik").placement is None
    assert "Tangsel Terang" in check("tsl-4-2-10", 10000, "pju", "titik").quote
    assert check("tsl-4-2-11", 166.2, "jalan", "km").placement is None
    assert check("tsl-4-3-03", 1, "tod").placement is None
    assert check("tsl-1-2-01", 99, "", "persen").quote.endswith("99 persen")

    spku = programs["tsl-4-7-13"]
    assert spku.layer == "spku" and spku.placement is Placement.EVERY_KECAMATAN

    paud = programs["tsl-1-1-01c"]
    assert (paud.cost_idr, paud.cost_unit, paud.target_qty) == (1800000, "per anak per tahun", 50000)
    assert paud.parent == "tsl-1-1-01a"

    rsu = programs["tsl-1-2-05"]
    assert (rsu.layer, rsu.placement, rsu.kecamatan) == ("rs", Placement.NAMED_KECAMATAN, ("3674030",))
    assert rsu.note

    for pid, place in [("tsl-4-2-09", "Sarimulya"), ("tsl-4-7-07", "Kali Angke"), ("tsl-2-2-03", "Pasar Oleh-oleh Gintung")]:
        assert (programs[pid].placement, programs[pid].place_text) == (Placement.REGION, place), pid


def test_key_kabupaten_kegiatan(programs):
    assert (programs["kab-03-04"].layer, programs["kab-03-04"].placement) == ("smp_baru", None)
    rsud = programs["kab-04-02"]
    assert (rsud.layer, rsud.placement, rsud.place_text) == ("rs", Placement.REGION, "wilayah barat")
    stadion = programs["kab-05-03"]
    assert (stadion.layer, stadion.placement) == ("stadion_mini", Placement.EVERY_KECAMATAN)
    kumuh = programs["kab-11-01"]
    assert (kumuh.layer, kumuh.target_qty, kumuh.target_unit) == ("perumahan", 20, "kawasan per tahun")
    assert [programs[f"kab-12-0{i}"].layer for i in (1, 3)] == ["tps3r", "tpa_psel"]
    sungai = programs["kab-13-02"]
    assert sungai.layer == "sungai_situ" and sungai.placement is Placement.REGION
    for river in ("Cisadane", "Cirarab", "Cimanceri", "Cidurian"):
        assert f"Sungai {river}" in sungai.place_text
    assert programs["kab-13-04"].layer == "tandon"
    corridors = programs["kab-14-01"]
    assert corridors.layer == "jalan" and corridors.placement is Placement.REGION
    assert corridors.place_text.startswith("Jalan Raya Serang") and corridors.place_text.endswith("Jalan Raya Pasar Kemis")
    assert [programs[f"kab-14-0{i}"].layer for i in (2, 3)] == ["simpang", "terminal"]
    assert programs["kab-08-01"].place_text == "wilayah utara"
    assert programs["kab-07-04"].layer == "pasar"
    assert programs["kab-10"].opd == ("Dinas Komunikasi dan Informatika",)
    assert programs["kab-15"].opd == () and programs["kab-15"].note, "PROAKTIF names no OPD"


def test_every_program_with_a_place_has_a_layer(programs, layers_raw, seed_lines):
    """Issue 10 item 9: each program naming a kind of place is drawn on a layer of that kind."""
    by_id = {layer["id"]: layer for layer in layers_raw}
    for pid, (layer, words) in PLACE_LAYERS.items():
        p = programs[pid]
        assert p.layer == layer and pid in by_id[layer]["programs"], pid
        assert words in p.quote and p.quote in seed_lines[p.document][p.line - 1], pid
    # what stays unlocated: nothing in these lines names a place or a count to invent
    assert all(programs[pid].placement is None for pid in PLACE_LAYERS if pid != "kab-14-01")
    assert programs["tsl-1-2-06"].target_qty is None  # the network to strengthen, not a number to build
    assert by_id["jalan"]["geometry"] == "line" and by_id["transportasi_massal"]["geometry"] == "line"


def test_road_corridors_are_listed_from_the_seed_line(programs, seed_lines):
    p = programs["kab-14-01"]
    line = seed_lines[KAB][p.line - 1]
    listed = re.search(r"antara lain pada koridor (.+?)\. ", line)[1]
    corridors = tuple(re.split(r",\s*(?:dan\s+)?", listed))
    assert len(corridors) == 6 and corridors[0] == "Jalan Raya Serang" and corridors[-1] == "Jalan Raya Pasar Kemis"
    assert p.places == corridors
    assert p.place_text == listed


def test_placement_rules(catalog):
    """The rest is checked against the text by program_problems."""
    assert all(not p.layer for p in catalog.programs if p.kind == "kelompok")
    assert all(not p.layer for p in catalog.programs if p.document == TSL and p.misi == 3)
    assert all(not p.kecamatan for p in catalog.programs if p.placement is not Placement.NAMED_KECAMATAN)


# ---------------------------------------------------------------- layers.toml


def test_layers_registry_matches_catalog(catalog, layers_raw):
    ids = [layer["id"] for layer in layers_raw]
    assert len(ids) == len(set(ids))
    program_layers = {layer["id"]: layer for layer in layers_raw if layer["kind"] == "program"}
    reference = {layer["id"]: layer for layer in layers_raw if layer["kind"] == "reference"}
    assert set(program_layers) == PROGRAM_LAYERS
    assert {k: v["source"] for k, v in reference.items()} == REFERENCE_LAYERS
    assert len(ids) == len(PROGRAM_LAYERS) + len(REFERENCE_LAYERS)
    assert ids[-len(PLACE_KIND_LAYERS):] == PLACE_KIND_LAYERS

    used = {p.layer for p in catalog.programs if p.layer}
    assert used <= set(program_layers), used - set(program_layers)
    for lid, layer in program_layers.items():
        assert set(layer) - {"desa_locates"} == LAYER_FIELDS, lid
        fed = [p.id for p in catalog.programs if p.layer == lid]
        assert fed, f"{lid} is fed by no program"
        assert len(layer["programs"]) == len(set(layer["programs"])), lid
        assert set(layer["programs"]) == set(fed), lid
    # A desa counts as a location only for many small items delivered per neighbourhood (layers.targets).
    assert {lid for lid, layer in program_layers.items() if layer.get("desa_locates")} == {"pju", "wifi"}
    for lid, layer in reference.items():
        assert set(layer) == REFERENCE_FIELDS, lid
        assert layer["programs"] == []
        assert layer["incomplete"] is (lid != "ref_sungai"), lid
    assert "Tangsel" in reference["ref_sungai"]["label_id"]


def test_layer_styles(layers_raw):
    colors = [layer["color"].lower() for layer in layers_raw]
    assert len(colors) == len(set(colors)), "layer colours must differ"
    for layer in layers_raw:
        lid = layer["id"]
        assert layer["geometry"] in ("point", "line", "area"), lid
        assert re.fullmatch(r"#[0-9a-fA-F]{6}", layer["color"]), lid
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", layer["icon"]), lid
        assert isinstance(layer["radius_m"], int) and layer["radius_m"] >= 0, lid
        assert layer["label_id"] and layer["label_en"], lid
    by_id = {layer["id"]: layer for layer in layers_raw}
    assert {k for k, v in by_id.items() if v["geometry"] == "line"} == {
        "sungai_situ", "jalan", "ref_sungai", "transportasi_massal", "bebas_kendaraan",
    }  # fmt: skip
    assert {k for k, v in by_id.items() if v["geometry"] == "area"} == {
        "perumahan", "kawasan_wisata", "rawan_longsor", "kawasan_pertanian",
    }  # fmt: skip
    expected_radius = {
        "smp_baru": 3000, "tps3r": 1500, "posko_bencana": 3000, "spku": 3000, "tandon": 2000, "rs": 5000,
        "puskesmas": 2000, "stadion_mini": 3000, "sarana_olahraga": 5000, "tod": 800, "simpang": 0, "atcs": 0,
        "wifi": 100, "pju": 0, "taman": 1000, "tpu": 3000, "pasar": 2000, "sungai_situ": 0, "jalan": 0,
        "sanitasi": 1000, "perumahan": 0, "gudang_pangan": 5000, "tpa_psel": 0, "terminal": 2000, "sekolah": 2000,
        "griya_sehat": 3000, "tempat_komunitas": 2000, "kawasan_wisata": 0, "parkir": 0, "transportasi_massal": 0,
        "rawan_longsor": 0, "bebas_kendaraan": 0, "cagar_budaya": 0, "kawasan_pertanian": 0, "it_center": 0,
        "bank_sampah": 1000,
    }  # fmt: skip
    assert {k: by_id[k]["radius_m"] for k in expected_radius} == expected_radius


def test_layer_icons_are_free_solid_icons(layers_raw):
    if not FONTAWESOME_CSS.is_file():
        pytest.skip("map assets not installed (python -m layers.assets)")
    css = FONTAWESOME_CSS.read_text(encoding="utf-8")  # solid and regular names; brand icons live in brands.css
    missing = [layer["icon"] for layer in layers_raw if not re.search(rf"\.fa-{re.escape(layer['icon'])}\b", css)]
    assert missing == []


def test_pages_run_with_the_place_kind_layers(tmp_path, monkeypatch):
    """Map (ID and EN) and coverage pages with the added layers: the corridors' region-level site, the rest no site yet."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PETA_STORE", str(tmp_path / "sites.sqlite"))

    def page(**query) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params.update(query)
        at.run()
        assert not at.exception, at.exception
        return at

    chosen = [*PLACE_KIND_LAYERS, "jalan"]
    at = page(lap=",".join(chosen))
    assert at.multiselect(key="f_layer").value == chosen
    [table] = [frame.value for frame in at.dataframe]
    assert list(table["Lapisan"]) == ["Jalan, pedestrian, ducting & drainase"]
    assert table["Lokasi"].iloc[0].endswith("Jalan Raya Pasar Kemis")
    at.radio(key="lang").set_value("en").run()
    assert not at.exception, at.exception
    at = page(hal="cakupan")
    for layer in ("griya_sehat", "tempat_komunitas", "bank_sampah"):  # the added layers with a service radius
        at.selectbox(key="c_layer").set_value(layer).run()
        assert not at.exception, (layer, at.exception)
        assert at.query_params["lap"] == layer
