"""The kecamatan briefing: its content, its PDF and XLSX, and the one command for all 36 PDFs.

The exports are opened the way a reader would get at them: the PDF's text is
extracted with pypdf, the workbook read with openpyxl, and the kecamatan name,
program names and numbers looked for in them.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader

from geo import boundaries, config
from geo.errors import DataError
from geo.sources import BRIEFING_CREDITS, credits
from geo.supply import load_supply
from reports.briefing import LEVEL_KECAMATAN, LEVEL_REGION, kecamatan_briefing, load_briefing_inputs
from reports.briefing_pdf import briefing_map_png, briefing_pdf
from reports.briefing_xlsx import briefing_xlsx
from layers.catalog import load_catalog
from layers.model import Precision, ProgramStatus, Site, SiteStatus
from register.seed import ensure_evidence_seeded, ensure_seeded
from register.auth import require_planner
from register.store import SQLiteSiteStore

ROOT = Path(__file__).resolve().parents[2]
PAMULANG, CIPUTAT, TANGSEL, KAB = "3674030", "3674040", "3674", "3603"
CURUG, LEGOK, SEPATAN_TIMUR = "3603050", "3603060", "3603181"
TODAY = "2025-07-01"


@pytest.fixture(scope="module")
def store(tmp_path_factory, planner, domain):
    """A seeded store plus a built exact-point posko and a desa-level TPS-3R in Pamulang, and one recorded status."""
    catalog, kecamatan = load_catalog(), boundaries.load_kecamatan()
    s = SQLiteSiteStore(tmp_path_factory.mktemp("store") / "s.sqlite", require_planner, domain)
    ensure_seeded(s, catalog, kecamatan)
    ensure_evidence_seeded(s, catalog, config.data_dir())
    desa = boundaries.load_desa(kecamatan=kecamatan)
    pamulang_desa = desa.loc[desa["kode_kec"] == PAMULANG].iloc[0]
    point = kecamatan.loc[kecamatan["kode_kec"] == PAMULANG].geometry.iloc[0].representative_point()
    s.add(
        [
            Site("posko-uji", "tsl-4-7-05", "posko_bencana", "Posko Uji Pamulang", Precision.EXACT, SiteStatus.BUILT,
                 geometry=point, source="uji", updated="2025-05-01"),
            Site("tps3r-uji", "tsl-4-6-01a", "tps3r", f"TPS-3R Uji {pamulang_desa['desa']}", Precision.DESA,
                 SiteStatus.IN_PROGRESS, admin_code=pamulang_desa["kode_desa"], source="uji", updated="2025-05-02"),
        ],
        planner,
    )  # fmt: skip
    s.record_program_status("tsl-1-1-01", ProgramStatus.IN_PROGRESS, "https://example.org/smp-baru", "", "2025-06-15", planner)
    return s


@pytest.fixture(scope="module")
def inputs(store):
    return load_briefing_inputs(store)


@pytest.fixture(scope="module")
def pamulang(inputs):
    return kecamatan_briefing(PAMULANG, inputs, today=TODAY)


def flat(text: str) -> str:
    """Text with every run of whitespace (table cells wrap lines) as one space."""
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    return flat(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_kecamatan_facts(pamulang):
    population = boundaries.kecamatan_population().set_index("kode_kec").loc[PAMULANG]
    assert (pamulang.name, pamulang.level, pamulang.region, pamulang.region_name) == (
        "Pamulang", LEVEL_KECAMATAN, TANGSEL, "Kota Tangerang Selatan")  # fmt: skip
    assert (pamulang.population, pamulang.population_year) == (population["population"], population["year"])
    # The source by its publisher's name, not the technical trail of PROVENANCE.md; the confidence in Indonesian.
    assert pamulang.population_source == "Disdukcapil Kota Tangerang Selatan, DKB Semester I 2025"
    assert population["confidence"] == "medium-high" and pamulang.population_confidence == "sedang\u2013tinggi"
    assert pamulang.generated == TODAY


def test_programs_here_with_share_of_region_wide_targets(pamulang):
    programs = pamulang.programs.set_index("program")
    assert set(programs.index) == {"tsl-1-1-01", "tsl-1-2-05", "tsl-4-7-13", "tsl-4-7-05", "tsl-4-6-01a"}
    assert programs.at["tsl-1-1-01", "share_text"] == "1 dari 4"  # SMP baru
    assert programs.at["tsl-4-7-13", "share_text"] == "1 dari 7"  # SPKU
    assert programs.at["tsl-4-7-05", "share_text"] == "1 dari 14"  # posko
    assert (programs.at["tsl-4-7-05", "here"], programs.at["tsl-4-7-05", "built_here"]) == (1, 1)
    assert programs.at["tsl-4-7-05", "progress_text"] == "1 dari 14 berlokasi, 1 selesai"
    assert (programs.at["tsl-1-1-01", "status"], programs.at["tsl-1-1-01", "updated"]) == ("dalam_proses", "2025-06-15")


def test_sites_here_are_numbered_where_the_map_draws_them_apart(pamulang):
    sites = pamulang.sites.set_index("id")
    assert len(sites) == 5
    # In table order (by program id): the TPS-3R (tsl-4-6-01a) before the posko (tsl-4-7-05).
    assert (sites.at["tps3r-uji", "map_no"], sites.at["posko-uji", "map_no"]) == (1, 2)
    assert sites.loc[sites["precision"] == Precision.KECAMATAN.value, "map_no"].isna().all()


def test_region_wide_targets_and_region_level_sites(pamulang):
    open_targets = pamulang.not_located.set_index("program")
    assert open_targets.at["tsl-4-2-10", "not_located"] == 10_000
    assert open_targets.at["tsl-4-7-05", "not_located"] == 13
    # The TPS-3R known only to its desa is not located (a desa is no location for a TPS-3R).
    assert open_targets.loc["tsl-4-6-01a", ["located", "known_area", "not_located"]].tolist() == [0, 1, 38]
    assert "tsl-1-1-01" not in open_targets.index  # the SMP targets name their kecamatan: not region-wide
    assert set(pamulang.region_sites["program"]) == {"tsl-2-2-03", "tsl-4-2-09", "tsl-4-7-07"}


def test_attributions_name_the_document_and_the_data(pamulang, inputs):
    document = inputs.catalog.document("tsl2024")
    assert pamulang.attributions[0].startswith(document.title)
    assert set(credits(TANGSEL, "id", BRIEFING_CREDITS)) == set(pamulang.attributions[1:])


def test_a_kabupaten_briefing_credits_only_its_own_region(inputs):
    curug = kecamatan_briefing(CURUG, inputs)
    text = " ".join(curug.attributions)
    assert "Disdukcapil" not in text and "Tangerang Selatan" not in text
    assert curug.population_source.startswith("angka kecamatan Kabupaten Tangerang 2015")
    # The document's date in Indonesian, once (the catalog used to give "25 Oct 2023, 2023").
    assert curug.document.endswith("(Pemerintah Kabupaten Tangerang (situs resmi), 25 Oktober 2023)")


def test_road_corridors_are_listed_for_the_kecamatan_their_names_contain(inputs):
    for code in (CURUG, LEGOK):
        places = kecamatan_briefing(code, inputs).places.set_index("program")
        assert "Jalan Raya Curug \u2013 Legok" in places.at["kab-14-01", "places"].split("; ")
    legok = kecamatan_briefing(LEGOK, inputs).places.at[0, "places"]
    assert legok == "Jalan Raya Curug \u2013 Legok; Jalan Raya Karawaci \u2013 Legok"
    # "Jalan Raya Serang" names no kecamatan; Sepatan Timur is not "Sepatan"; a kecamatan no corridor names gets none.
    assert kecamatan_briefing(SEPATAN_TIMUR, inputs).places.empty and kecamatan_briefing(PAMULANG, inputs).places.empty


def test_region_wide_programs_apply_to_each_kecamatan(pamulang, inputs):
    listed = pamulang.region_programs.set_index("program")
    assert {"tsl-1-1-01c", "tsl-4-2-11"} <= set(listed.index)  # 50.000 anak, 166,2 km: targets in their own units
    assert "tsl-4-2-13" not in listed.index  # the 1.000 WiFi points are a site target, counted in the open targets
    curug = kecamatan_briefing(CURUG, inputs)
    assert list(curug.region_programs["program"]) == ["kab-03", "kab-11-01"]
    kab = [p for p in inputs.catalog.programs if p.region == KAB]
    assert curug.region_programs_rest == len(kab) - 2 - 4 - 1  # less the 2 listed, 4 named places, the stadion in every kecamatan


def test_kecamatan_with_only_the_every_kecamatan_program(inputs):
    ciputat = kecamatan_briefing(CIPUTAT, inputs)
    assert list(ciputat.programs["program"]) == ["tsl-4-7-13"]
    assert ciputat.programs.at[0, "share_text"] == "1 dari 7"


def test_whole_region(inputs):
    region = kecamatan_briefing(TANGSEL, inputs)
    population = boundaries.kecamatan_population()
    assert (region.level, region.name) == (LEVEL_REGION, "Kota Tangerang Selatan")
    assert region.population == population.loc[population["kode_kec"].str.startswith(TANGSEL), "population"].sum()
    assert region.map_units["selected"].sum() == 7
    assert region.programs.set_index("program").at["tsl-1-1-01", "share_text"] == "4 dari 4"


@pytest.mark.parametrize("code", ["3671010", "9999999", "36", ""])
def test_codes_outside_the_program_regions_are_refused(inputs, code):
    with pytest.raises(DataError):
        kecamatan_briefing(code, inputs)


def test_coverage_hook(inputs):
    coverage = pd.DataFrame({"kode_kec": [PAMULANG, CIPUTAT], "layer": ["smp_baru", "smp_baru"], "share_within_3km": [0.4, 0.1]})
    assert kecamatan_briefing(PAMULANG, inputs, coverage=coverage).coverage.to_dict("list") == {
        "kode_kec": [PAMULANG], "layer": ["smp_baru"], "share_within_3km": [0.4]}  # fmt: skip
    assert "share_within_3km" in pdf_text(briefing_pdf(kecamatan_briefing(PAMULANG, inputs, coverage=coverage)))
    with pytest.raises(DataError, match="kode_kec"):
        kecamatan_briefing(PAMULANG, inputs, coverage=coverage.rename(columns={"kode_kec": "code"}))


def test_map_is_a_png(pamulang):
    assert briefing_map_png(pamulang).startswith(b"\x89PNG")


def test_pdf_opens_with_name_programs_and_numbers(pamulang):
    data = briefing_pdf(pamulang)
    reader = PdfReader(io.BytesIO(data))
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4 portrait, in points
    text = pdf_text(data)
    assert "Kecamatan Pamulang" in text and "Kota Tangerang Selatan" in text
    for name in pamulang.programs["name"]:
        assert flat(name) in text
    for number in ("339.054", "1 dari 4", "1 dari 7", "1 dari 14", "1 dari 14 berlokasi, 1 selesai", "10.000", "1 Juli 2025", "15 Jun 2025"):
        assert number in text, number
    assert "\u201cBelum ada bukti\u201d" in text  # typographic quotes survive the embedded font
    assert "OpenStreetMap" in text and "BPS" in text


def test_english_pdf(store):
    english = kecamatan_briefing(PAMULANG, load_briefing_inputs(store, "en"))
    text = pdf_text(briefing_pdf(english))
    assert "Programme promise briefing: District (kecamatan) Pamulang" in text  # the page footer
    assert "339,054" in text and "1 of 14" in text


def test_xlsx_opens_with_name_programs_and_numbers(pamulang):
    book = openpyxl.load_workbook(io.BytesIO(briefing_xlsx(pamulang)))
    assert book.sheetnames == ["Ringkasan", "Program", "Lokasi", "Belum berlokasi", "Seluruh wilayah", "Yang terjadi di sini"]
    summary = dict(book["Ringkasan"].iter_rows(min_row=2, max_col=2, values_only=True))
    assert summary["Ringkasan janji program"] == "Kecamatan Pamulang"
    assert summary["Penduduk"] == pamulang.population and summary["Tahun data penduduk"] == 2025
    programs = {r[0]: r for r in book["Program"].iter_rows(min_row=2, values_only=True)}
    assert {r[1] for r in programs.values()} == set(pamulang.programs["name"])
    assert programs["tsl-4-7-05"][5:8] == (1, 14, "1 dari 14")
    sites = [r for r in book["Lokasi"].iter_rows(min_row=2, values_only=True)]
    assert len(sites) == 5 + 3  # the kecamatan's sites, then Tangsel's region-level ones
    open_targets = {r[0]: r for r in book["Belum berlokasi"].iter_rows(min_row=2, values_only=True)}
    assert open_targets["tsl-4-2-10"][2:] == (10_000, "titik", 0, 0, 10_000)
    region_wide = {r[0]: r for r in book["Seluruh wilayah"].iter_rows(min_row=2, values_only=True)}
    assert region_wide["tsl-1-1-01c"][1:3] == ("Bantuan biaya pendidikan PAUD", "Belum ada bukti")


def test_one_command_writes_all_36_pdfs(tmp_path, store):
    out = tmp_path / "pdf"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "briefings.py"), "--out", str(out), "--store", str(store.path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    files = sorted(out.glob("*.pdf"))
    assert len(files) == 36
    assert {f.name[:4] for f in files} == {TANGSEL, KAB}
    assert re.match(r"36 briefing PDFs written to .* in [0-9.]+ s", result.stdout)
    assert all(f.read_bytes().startswith(b"%PDF") for f in files)
    assert "Kecamatan Teluknaga" in pdf_text((out / "3603200-teluknaga.pdf").read_bytes())
    # Written by two worker processes, each file is the one a single briefing gives (apart from its creation time).
    inputs, facilities = load_briefing_inputs(store), load_supply()
    for code, name in ((PAMULANG, "pamulang"), ("3603200", "teluknaga")):
        single = briefing_pdf(kecamatan_briefing(code, inputs, supply=facilities))
        assert undated((out / f"{code}-{name}.pdf").read_bytes()) == undated(single), code


def undated(pdf: bytes) -> bytes:
    """A PDF without its creation time and the file identifier fpdf2 derives from it."""
    return re.sub(rb"/ID \[<[0-9A-F]+><[0-9A-F]+>\]", b"", re.sub(rb"/CreationDate \(D:[0-9Z+']+\)", b"", pdf))


def test_coverage_table_from_the_coverage_analysis(inputs):
    from geo.coverage import coverage
    from geo.demand import build_demand
    from reports.briefing import coverage_table

    cells = build_demand((TANGSEL,)).cells
    layers = inputs.layers
    posko = coverage(cells, inputs.sites[inputs.sites["layer"] == "posko_bencana"], 3000)  # the exact posko in Pamulang
    spku = coverage(cells, inputs.sites[inputs.sites["layer"] == "spku"], 3000)  # kecamatan-level only: no analysis
    table = coverage_table([(layers["posko_bencana"], posko), (layers["spku"], spku)])
    assert len(table) == 7 and set(table["Lapisan"]) == {layers["posko_bencana"].label("id")}
    row = table.set_index("kode_kec").loc[PAMULANG]
    assert row["Lokasi bertitik dihitung"] == 1 and row["Radius (km)"] == 3
    assert 0 < row["Penduduk terjangkau"] <= row["Penduduk"] and 0 < row["Terjangkau (%)"] <= 100
    assert coverage_table([(layers["spku"], spku)]) is None
    briefing = kecamatan_briefing(PAMULANG, inputs, coverage=table)
    assert list(briefing.coverage["kode_kec"]) == [PAMULANG]
    assert "Penduduk terjangkau" in pdf_text(briefing_pdf(briefing))
    english = coverage_table([(layers["posko_bencana"], posko)], "en")
    assert "Within reach (%)" in english.columns
    # An area the analysis does not reach (Kabupaten Tangerang here) has no coverage section.
    assert kecamatan_briefing("3603200", inputs, coverage=table).coverage is None


# English that an Indonesian briefing must not contain: the old sources block, provenance trails, English months.
ENGLISH = (
    "Sources", "Population", "Generated", "Administrative boundaries", "contributors", "incomplete", "Existing facilities",
    "values as", "hard-coded", "publisher", "confidence", "medium", "Oct", "Dec", "May", "Aug", "District", "Page",
)  # fmt: skip
# A repository path, a commit, a source file: technical provenance, which stays in README and PROVENANCE.md.
REPOSITORY = re.compile(r"github|gitlab|\.py\b|\.json\b|\.dbf\b|@[0-9a-f]{7}|\b[\w.-]+/[\w.-]+/[\w.-]+")
FOOTER_PT = 18 / 25.4 * 72  # the footer sits in the bottom margin (18 mm)


def last_page_content_mm(data: bytes) -> float:
    """How far down the last page its text (the footer left out) reaches from the top margin, in mm."""
    page = PdfReader(io.BytesIO(data)).pages[-1]
    top, heights = float(page.mediabox.top), []
    page.extract_text(visitor_text=lambda text, cm, tm, *_: heights.append(tm[5]) if text.strip() and tm[5] > FOOTER_PT else None)
    return (top - min(heights)) * 25.4 / 72 - 15


@pytest.mark.parametrize("code", [PAMULANG, CURUG])
def test_indonesian_pdf_is_indonesian_without_repository_paths_or_a_near_empty_page(store, code):
    briefing = kecamatan_briefing(code, load_briefing_inputs(store), today=TODAY, supply=load_supply())
    data = briefing_pdf(briefing)
    text = pdf_text(data)
    assert [w for w in ENGLISH if re.search(rf"\b{re.escape(w)}\b", text)] == []
    assert REPOSITORY.search(text) is None, REPOSITORY.search(text)
    assert "Sumber dan atribusi" in text and "1 Juli 2025" in text
    if code == CURUG:
        assert "Jalan Raya Curug \u2013 Legok" in text and "Berlaku untuk seluruh Kabupaten Tangerang" in text
    pages = len(PdfReader(io.BytesIO(data)).pages)
    assert pages > 1 and last_page_content_mm(data) > 40, "the last page holds only a few lines"


def test_a_section_heading_starts_a_new_page_unless_room_for_some_content_follows():
    # A heading and its note were left at the foot of a page with their table on the next (3603010's facilities):
    # the room asked for was the heading's or 30 mm, whichever was more, not the heading's plus 30 mm.
    from reports.briefing_pdf import KEEP_WITH_HEADING_MM, _heading_height, _Pdf, _section

    for room_below_heading, pages in ((KEEP_WITH_HEADING_MM - 10, 2), (KEEP_WITH_HEADING_MM + 5, 1)):
        pdf = _Pdf("uji", "id")
        pdf.add_page()
        heading = _heading_height(pdf.ruler, "Fasilitas yang sudah ada", "Catatan di bawah judul.")
        pdf.set_y(pdf.h - pdf.b_margin - heading - room_below_heading)
        _section(pdf, "Fasilitas yang sudah ada", "Catatan di bawah judul.")
        assert pdf.page == pages, room_below_heading
