"""The program catalog (data/catalog/programs.toml) against its seed documents.

The catalog is hand-curated; these tests check it against an independent
reading of the seed text (../shared/seeds, or $PETA_SEEDS_DIR), and check the
layer registry (data/catalog/layers.toml) against the catalog.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from layers.catalog import load_catalog
from layers.model import Placement

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

PROGRAM_LAYERS = {
    "smp_baru", "tps3r", "posko_bencana", "spku", "tandon", "rs", "puskesmas", "stadion_mini",
    "sarana_olahraga", "tod", "simpang", "atcs", "wifi", "pju", "taman", "tpu", "pasar", "sungai_situ",
    "jalan", "sanitasi", "perumahan", "gudang_pangan", "tpa_psel", "terminal", "sekolah",
}  # fmt: skip
REFERENCE_LAYERS = {
    "ref_rs": "facilities_hospital_osm.geojson",
    "ref_sma": "facilities_sma_smk_pt_osm.geojson",
    "ref_kantor": "facilities_kantor_pemerintahan_osm.geojson",
    "ref_sungai": "rivers_osm_tangsel.geojson",
}
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


def test_tangsel_counts_match_document_parsing(catalog, seed_lines):
    parsed = parse_tangsel(seed_lines[TSL])
    # the document states how many sasaran each misi has; the headings agree
    assert parsed["stated"] == {1: 3, 2: 2, 3: 2, 4: 8}
    assert {m: len(s) for m, s in parsed["sasaran"].items()} == parsed["stated"]
    assert all(s == list(range(1, len(s) + 1)) for s in parsed["sasaran"].values())
    # exactly one nested item lost its bullet: the insentif line
    assert len(parsed["continuations"]) == 1
    assert seed_lines[TSL][parsed["continuations"][0] - 1].strip().startswith("insentif bagi 200 kepala sekolah")
    tsl = [p for p in catalog.programs if p.document == TSL]
    cat_top = Counter((p.misi, p.sasaran) for p in tsl if not p.parent)
    cat_nested = Counter((p.misi, p.sasaran) for p in tsl if p.parent)
    assert +parsed["top"] == +cat_top
    assert +parsed["nested"] == +cat_nested
    assert dict(parsed["top"] + parsed["nested"]) == EXPECTED_TSL


def test_kabupaten_flagships_match_document(catalog, seed_lines):
    headings = [(i + 1, line) for i, line in enumerate(seed_lines[KAB]) if re.match(r"\d+\. \S", line)]
    assert [int(line.split(".")[0]) for _, line in headings] == list(range(1, 16))
    for n, (number, line) in enumerate(headings, start=1):
        p = catalog.program(f"kab-{n:02d}")
        assert p.line == number
        assert line.startswith(p.quote)
        assert line.partition(" ")[2] == p.name


def test_quotes_verbatim_on_stated_line(catalog, seed_lines):
    for p in catalog.programs:
        lines = seed_lines[p.document]
        assert 1 <= p.line <= len(lines), p.id
        assert len(p.quote) >= 15, p.id
        assert p.quote in lines[p.line - 1], f"{p.id}: quote not on line {p.line}"


def test_kegiatan_quote_from_flagship_paragraph(catalog, programs):
    for p in catalog.programs:
        if p.kind == "kegiatan":
            assert p.line == programs[p.parent].line + 1, p.id


def test_text_fields_verbatim(catalog, seed_lines):
    """target_text, place_text and the numbers stand in the item's own text."""
    for p in catalog.programs:
        lines = seed_lines[p.document]
        text = lines[p.line - 1]
        if p.document == KAB and not p.parent:
            text += "\n" + lines[p.line]  # a flagship's heading and its paragraph
        if p.target_text:
            assert p.target_text in text, p.id
        if p.place_text:
            assert p.place_text in text, p.id
        if p.target_qty is not None:
            assert indonesian_number(p.target_qty) in text, p.id
            assert p.target_unit, p.id
        if p.cost_idr is not None:
            assert indonesian_number(p.cost_idr) in text and "Rp" in text, p.id
            assert p.cost_unit.startswith("per "), p.id


def test_opd_from_handled_by_sentence(catalog, programs, seed_lines):
    lines = seed_lines[KAB]
    for n in range(1, 16):
        p = programs[f"kab-{n:02d}"]
        if n == 15:
            assert p.opd == () and p.note, "PROAKTIF names no OPD"
            assert p.line + 2 > len(lines) or not lines[p.line + 1].strip()
            continue
        assert p.opd, p.id
        sentence = lines[p.line + 1]
        assert re.search(r"ditangani oleh|leading sektornya", sentence), p.id
        for opd in p.opd:
            assert opd in sentence, (p.id, opd)
        for child in [c for c in catalog.programs if c.parent == p.id]:
            assert child.opd == p.opd, child.id
    assert programs["kab-10"].opd == ("Dinas Komunikasi dan Informatika",)
    assert all(p.opd == () for p in catalog.programs if p.document == TSL)


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
    simpang = programs["kab-14-01"]
    assert simpang.layer == "simpang" and simpang.placement is Placement.REGION
    assert simpang.place_text.startswith("Jalan Raya Serang") and simpang.place_text.endswith("Jalan Raya Pasar Kemis")
    assert [programs[f"kab-14-0{i}"].layer for i in (2, 3)] == ["simpang", "terminal"]
    assert programs["kab-08-01"].place_text == "wilayah utara"
    assert programs["kab-07-04"].layer == "pasar"


def test_placement_rules(catalog):
    for p in catalog.programs:
        if p.placement is not None:
            assert p.layer, f"{p.id}: placement without a layer"
        if p.placement is Placement.NAMED_KECAMATAN:
            assert p.kecamatan, p.id
        if p.placement is Placement.REGION:
            assert p.place_text, p.id
        for code in p.kecamatan:
            assert code.startswith(p.region) and len(code) == 7, p.id
            if p.document == TSL:
                assert code in TANGSEL_KECAMATAN, p.id
    assert all(not p.layer for p in catalog.programs if p.kind == "kelompok")
    assert all(not p.layer for p in catalog.programs if p.document == TSL and p.misi == 3)


# ---------------------------------------------------------------- layers.toml


def test_layers_registry_matches_catalog(catalog, layers_raw):
    ids = [layer["id"] for layer in layers_raw]
    assert len(ids) == len(set(ids))
    program_layers = {layer["id"]: layer for layer in layers_raw if layer["kind"] == "program"}
    reference = {layer["id"]: layer for layer in layers_raw if layer["kind"] == "reference"}
    assert set(program_layers) == PROGRAM_LAYERS
    assert {k: v["source"] for k, v in reference.items()} == REFERENCE_LAYERS
    assert len(ids) == len(PROGRAM_LAYERS) + len(REFERENCE_LAYERS)

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
    assert {k for k, v in by_id.items() if v["geometry"] == "line"} == {"sungai_situ", "jalan", "ref_sungai"}
    assert by_id["perumahan"]["geometry"] == "area"
    expected_radius = {
        "smp_baru": 3000, "tps3r": 1500, "posko_bencana": 3000, "spku": 3000, "tandon": 2000, "rs": 5000,
        "puskesmas": 2000, "stadion_mini": 3000, "sarana_olahraga": 5000, "tod": 800, "simpang": 0, "atcs": 0,
        "wifi": 100, "pju": 0, "taman": 1000, "tpu": 3000, "pasar": 2000, "sungai_situ": 0, "jalan": 0,
        "sanitasi": 1000, "perumahan": 0, "gudang_pangan": 5000, "tpa_psel": 0, "terminal": 2000, "sekolah": 2000,
    }  # fmt: skip
    assert {k: by_id[k]["radius_m"] for k in expected_radius} == expected_radius
