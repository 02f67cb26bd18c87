"""The comparison of all 36 kecamatan and its downloads, checked against figures computed another way.

The store is the seeded register plus, in Pamulang, an exact-point posko, a
desa-level TPS-3R and a cancelled exact-point posko (which counts for nothing).
Site, facility and population figures for Pamulang and Curug are recomputed
from the stored sites and the installed CSV files with shapely and plain
pandas, not through the functions the table uses.
"""

from __future__ import annotations

import csv
import dataclasses
import io

import openpyxl
import pytest
from shapely.geometry import Point

from geo import config
from layers.catalog import load_catalog
from layers.model import Precision, Site, SiteStatus
from register.auth import require_planner
from register.seed import ensure_evidence_seeded, ensure_seeded
from register.store import SQLiteSiteStore
from layers.progress import program_places
from reports.briefing import load_briefing_inputs
from reports.compare import COLUMNS, comparison_csv, comparison_xlsx, headers, kecamatan_comparison
from texts.safe import cell_text
from tests.reports.test_briefing_supply import facilities  # noqa: F401 (fixture)

PAMULANG, CURUG = "3674030", "3603050"


@pytest.fixture(scope="module")
def store(tmp_path_factory, planner, domain, kecamatan, desa):
    s = SQLiteSiteStore(tmp_path_factory.mktemp("store") / "s.sqlite", require_planner, domain)
    ensure_seeded(s, load_catalog(), kecamatan)
    ensure_evidence_seeded(s, load_catalog(), config.data_dir())
    area = kecamatan.loc[kecamatan["kode_kec"] == PAMULANG].geometry.iloc[0]
    x, y = area.representative_point().coords[0]
    one_desa = desa.loc[desa["kode_kec"] == PAMULANG, "kode_desa"].iloc[0]
    s.add(
        [
            Site("posko-built", "tsl-4-7-05", "posko_bencana", "Posko Uji", Precision.EXACT, SiteStatus.BUILT,
                 geometry=Point(x, y), source="uji", updated="2025-05-01"),
            Site("posko-cancelled", "tsl-4-7-05", "posko_bencana", "Posko Batal", Precision.EXACT, SiteStatus.CANCELLED,
                 geometry=Point(x + 0.001, y), source="uji", updated="2025-05-01"),
            Site("tps3r-desa", "tsl-4-6-01a", "tps3r", "TPS-3R Uji", Precision.DESA, admin_code=one_desa,
                 source="uji", updated="2025-05-02"),
        ],
        planner,
    )  # fmt: skip
    return s


@pytest.fixture(scope="module")
def inputs(store):
    return load_briefing_inputs(store)


@pytest.fixture(scope="module")
def table(inputs, facilities):
    i = inputs
    return kecamatan_comparison(i.kecamatan, i.population, i.sites, i.catalog, i.evidence_places, facilities)


def expected_sites(store, kecamatan, code: str) -> dict[str, int]:
    """Active stored sites by precision: points inside the kecamatan polygon, admin sites by their code's prefix."""
    area = kecamatan.loc[kecamatan["kode_kec"] == code].geometry.iloc[0]
    live = [s for s in store.sites() if s.status is not SiteStatus.CANCELLED]
    return {
        "sites_titik": sum(s.precision is Precision.EXACT and area.contains(s.geometry) for s in live),
        "sites_desa": sum(s.precision is Precision.DESA and s.admin_code.startswith(code) for s in live),
        "sites_kecamatan": sum(s.precision is Precision.KECAMATAN and s.admin_code == code for s in live),
    }


def raw_smp_negeri(code: str) -> int:
    """SMP negeri of the Dapodik CSV in the kecamatan with a coordinate and no QA flag at all."""
    rows = list(csv.DictReader(open(config.data_dir() / "reference" / "schools_kemendikbud_2019.csv", encoding="utf-8")))
    return sum(r["jenjang"] == "SMP" and r["status"] == "negeri" and r["kode_kec"] == code and r["lat"] and not r["qa_flags"] for r in rows)


def raw_puskesmas(code: str, kecamatan) -> int:
    """Puskesmas of the Kemenkes CSV whose point lies in the kecamatan, flagged at most for 3-decimal coordinates."""
    area = kecamatan.loc[kecamatan["kode_kec"] == code].geometry.iloc[0]
    rows = list(csv.DictReader(open(config.data_dir() / "reference" / "health_facilities_kemenkes_2019.csv", encoding="utf-8")))
    return sum(
        r["jenis"] == "PUSKESMAS" and r["qa_flags"] in ("", "coordinate_3_decimals") and area.contains(Point(float(r["lon"]), float(r["lat"])))
        for r in rows
    )


def raw_population(code: str) -> tuple[int, int]:
    """The latest (year, population) of the kecamatan in the population CSV."""
    rows = [r for r in csv.DictReader(open(config.data_dir() / "reference" / "population_kecamatan.csv", encoding="utf-8")) if r["kode_kec"] == code]
    year, people = max((int(r["year"]), int(r["population"])) for r in rows)
    return year, people


def test_one_row_per_kecamatan_of_both_regions(table):
    assert len(table) == 36 and list(table.columns) == COLUMNS
    assert table["kode_kec"].is_unique
    assert table.groupby("kode_kab").size().to_dict() == {config.TANGSEL: 7, config.KAB_TANGERANG: 29}
    assert list(table["kode_kab"].iloc[:7]) == [config.TANGSEL] * 7  # Tangsel first, then by name
    assert list(table["kecamatan"].iloc[7:]) == sorted(table["kecamatan"].iloc[7:])
    assert set(table["population_year"]) == {2025, 2015}


@pytest.mark.parametrize("code", [PAMULANG, CURUG])
def test_figures_match_an_independent_count(table, store, kecamatan, code):
    row = table.set_index("kode_kec").loc[code]
    assert {c: row[c] for c in ("sites_titik", "sites_desa", "sites_kecamatan")} == expected_sites(store, kecamatan, code)
    assert row["smp_negeri"] == raw_smp_negeri(code) > 0
    assert row["puskesmas"] == raw_puskesmas(code, kecamatan) > 0
    year, people = raw_population(code)
    assert (row["population_year"], row["population"]) == (year, people)
    assert row["per_smp_negeri"] == pytest.approx(people / raw_smp_negeri(code))
    assert row["per_puskesmas"] == pytest.approx(people / raw_puskesmas(code, kecamatan))


def test_pamulang_and_curug_in_figures(table):
    rows = table.set_index("kode_kec")
    pamulang, curug = rows.loc[PAMULANG], rows.loc[CURUG]
    # One built exact posko (the cancelled one counts for nothing), one desa TPS-3R, the three document sites.
    assert (pamulang["sites_titik"], pamulang["sites_desa"], pamulang["sites_kecamatan"]) == (1, 1, 3)
    assert (pamulang["population"], pamulang["population_year"], pamulang["smp_negeri"]) == (339054, 2025, 5)
    assert pamulang["per_smp_negeri"] == pytest.approx(67810.8)
    # SMP, RSU Pamulang, SPKU from the document, plus the posko and the TPS-3R placed there.
    assert pamulang["programs"] == 5
    assert (curug["sites_kecamatan"], curug["population_year"], curug["smp_negeri"]) == (1, 2015, 1)


def test_programs_and_evidence_follow_their_definitions(table, inputs):
    places = program_places(inputs.catalog, inputs.sites)
    placed = inputs.evidence_places
    for code in (PAMULANG, CURUG):
        row = table.set_index("kode_kec").loc[code]
        assert row["programs"] == sum(code in codes for codes in places.values())
        assert row["evidence_events"] == placed.loc[placed["kode_kec"] == code, "evidence_id"].nunique() > 0


def test_no_facility_means_no_ratio(table):
    without = table[table["puskesmas"] == 0]
    assert len(without) > 0 and without["per_puskesmas"].isna().all()
    assert table.loc[table["puskesmas"] > 0, "per_puskesmas"].notna().all()


def test_budget_lists_unit_costs_per_unit_without_adding_them(table, inputs, facilities):
    # No program of the catalog that states a cost names a kecamatan: the column is empty for all 36.
    i = inputs
    assert not any(p.cost_idr and p.kecamatan for p in i.catalog.programs)
    assert (table["budget"] == "").all()
    # Two programs naming Pamulang, with different units: both listed, each per its own unit, nothing summed.
    costed = {"tsl-1-1-01c": (1800000, "per anak per tahun"), "tsl-1-1-01d": (2400000, "per siswa per tahun")}
    programs = tuple(
        dataclasses.replace(p, kecamatan=(PAMULANG,)) if p.id in costed else p for p in i.catalog.programs
    )
    catalog = dataclasses.replace(i.catalog, programs=programs)
    costs = kecamatan_comparison(i.kecamatan, i.population, i.sites, catalog, i.evidence_places, facilities).set_index("kode_kec")["budget"]
    assert costs[PAMULANG] == "Rp1.800.000 per anak per tahun (tsl-1-1-01c); Rp2.400.000 per siswa per tahun (tsl-1-1-01d)"
    assert "4.200.000" not in costs[PAMULANG] and costs[CURUG] == ""


def formula_cells(values) -> list:
    return [v for v in values if isinstance(v, str) and cell_text(v) != v]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_csv_and_xlsx_hold_the_36_rows_and_no_formula(table, lang):
    hostile = table.assign(budget=["=HYPERLINK(\"http://x\")"] + [""] * 35)  # as if a cost unit were typed as a formula
    rows = list(csv.reader(io.StringIO(comparison_csv(hostile, lang).decode("utf-8-sig"))))
    assert rows[0] == headers(lang) and len(rows) == 37
    assert formula_cells(v for row in rows for v in row) == []
    assert rows[1][COLUMNS.index("budget")] == "'=HYPERLINK(\"http://x\")"
    sheet = openpyxl.load_workbook(io.BytesIO(comparison_xlsx(hostile, lang))).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == headers(lang) and len(values) == 37
    assert formula_cells(v for row in values for v in row) == []
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    pamulang = dict(zip(COLUMNS, next(r for r in values if r[0] == PAMULANG)))
    assert pamulang["population"] == 339054 and pamulang["smp_negeri"] == 5 and pamulang["per_smp_negeri"] == pytest.approx(67810.8)
    no_puskesmas = next(r for r in values[1:] if r[COLUMNS.index("puskesmas")] == 0)
    assert no_puskesmas[COLUMNS.index("per_puskesmas")] is None  # an empty cell, not a division by zero


def test_headers_name_source_and_year_of_each_facility():
    assert "SMP negeri (Kemendikbud (Dapodik), 2019)" in headers("id")
    assert any(h.startswith("Markets (OpenStreetMap (ODbL), 2026)") for h in headers("en"))
