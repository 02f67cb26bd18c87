"""One definition of the numbers (layers.targets), and every reader of it agreeing.

The acceptance case of issue 9: with three cancelled posko at exact points, the
target table, the tracker, the briefing (data, PDF, XLSX) and the coverage and
proposal inputs all say 14 posko remain, and no cancelled site covers anyone.
"""

from __future__ import annotations

import io

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader
from shapely.geometry import Point

from geo.coverage import coverage
from geo.demand import build_demand
from layers import targets
from layers.model import Layer, Placement, Precision, Program, Site, SiteStatus
from layers.progress import program_progress
from layers.proposals import program_proposal
from layers.sites import site_frame
from register.auth import require_planner
from register.seed import ensure_seeded
from register.store import SQLiteSiteStore
from reports.briefing import kecamatan_briefing, load_briefing_inputs, open_targets
from reports.briefing_pdf import briefing_pdf
from reports.briefing_xlsx import briefing_xlsx

PAMULANG, TELUKNAGA, TANGSEL = "3674030", "3603200", "3674"
POSKO = "tsl-4-7-05"


def layer(lid: str, desa_locates: bool = False, geometry: str = "point") -> Layer:
    return Layer(lid, lid, lid, geometry, "#000000", "circle", 1000, desa_locates=desa_locates)


LAYERS = {"posko_bencana": layer("posko_bencana"), "pju": layer("pju", desa_locates=True)}


def sites_table(rows: list[tuple]) -> gpd.GeoDataFrame:
    """A site_frame-shaped table from ``(id, program, layer, status, precision, geometry)`` rows."""
    frame = pd.DataFrame(rows, columns=["id", "program", "layer", "status", "precision", "geometry"])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")


POINT = Point(106.7, -6.33)
SMALL = sites_table(
    [
        ("a", "p", "posko_bencana", "direncanakan", "titik", POINT),
        ("b", "p", "posko_bencana", "selesai", "titik", POINT),
        ("c", "p", "posko_bencana", "dibatalkan", "titik", POINT),
        ("d", "p", "posko_bencana", "selesai", "desa", None),  # a desa is no location for a posko
        ("e", "p", "posko_bencana", "direncanakan", "kecamatan", None),
        ("f", "p", "posko_bencana", "dibatalkan", "kecamatan", None),
        ("g", "q", "pju", "direncanakan", "desa", None),  # but it is for a street light
        ("h", "q", "pju", "direncanakan", "wilayah", None),
    ]
)


def test_active_located_and_known_area_definitions():
    assert list(SMALL.loc[targets.active_mask(SMALL), "id"]) == ["a", "b", "d", "e", "g", "h"]
    assert list(SMALL.loc[targets.located_mask(SMALL, LAYERS), "id"]) == ["a", "b", "g"]
    assert list(SMALL.loc[targets.known_area_mask(SMALL, LAYERS), "id"]) == ["d", "e", "h"]
    # A layer missing from the registry never locates by desa.
    assert not targets.located_mask(SMALL, {})[SMALL["id"] == "g"].any()


def test_program_counts():
    counts = targets.program_counts(SMALL, LAYERS)
    assert counts.loc["p"].to_dict() == {
        "registered": 6, "active": 4, "located": 2, "known_area": 2, "known_desa": 1, "known_kecamatan": 1,
        "known_wilayah": 0, "built": 2, "cancelled": 2,
    }  # fmt: skip
    assert counts.loc["q", ["located", "known_area", "known_wilayah"]].tolist() == [1, 1, 1]


def test_only_active_exact_points_cover_people():
    assert list(targets.coverage_sites(SMALL)["id"]) == ["a", "b"]
    assert targets.coverage_sites(SMALL).crs == SMALL.crs


def test_remaining_and_progress_share():
    assert targets.remaining(14, 3) == 11 and targets.remaining(2, 5) == 0 and targets.remaining(None, 3) == 0
    assert targets.progress_share(2, 4) == 0.5 and targets.progress_share(9, 4) == 1.0
    assert pd.isna(targets.progress_share(1, None))


def test_site_target():
    per_region = {"3674": 7}
    program = Program("x", "doc", "3674", "1", "x", "", 1, layer="posko_bencana")
    assert targets.site_target(program, LAYERS, per_region) is None
    assert targets.site_target(Program(**{**vars(program), "target_qty": 14.0}), LAYERS, per_region) == 14
    every = Program(**{**vars(program), "placement": Placement.EVERY_KECAMATAN})
    assert targets.site_target(every, LAYERS, per_region) == 7 and not targets.region_wide(every)
    named = Program(**{**vars(program), "placement": Placement.NAMED_KECAMATAN, "kecamatan": ("1", "2")})
    assert targets.site_target(named, LAYERS, per_region) == 2
    road = Program(**{**vars(program), "target_qty": 166.2, "layer": "jalan"})
    assert targets.site_target(road, LAYERS | {"jalan": layer("jalan", geometry="line")}, per_region) is None


@pytest.fixture(scope="module")
def store(tmp_path_factory, planner, catalog, kecamatan, domain):
    """The seeded register plus three cancelled posko at exact points in Pamulang."""
    s = SQLiteSiteStore(tmp_path_factory.mktemp("targets") / "s.sqlite", require_planner, domain=domain)
    ensure_seeded(s, catalog, kecamatan)
    area = kecamatan.loc[kecamatan["kode_kec"] == PAMULANG].geometry.iloc[0]
    corner = area.representative_point()
    points = [corner, Point(corner.x + 0.005, corner.y), Point(corner.x, corner.y + 0.005)]
    assert all(area.contains(p) for p in points)
    s.add(
        [
            Site(f"posko-batal-{i}", POSKO, "posko_bencana", f"Posko batal {i}", Precision.EXACT, SiteStatus.CANCELLED,
                 geometry=p, source="uji", updated="2025-05-01")
            for i, p in enumerate(points, start=1)
        ],
        planner,
    )  # fmt: skip
    return s


@pytest.fixture(scope="module")
def frame(store, catalog, kecamatan, desa):
    return site_frame(store.sites(), catalog, kecamatan, desa)


@pytest.fixture(scope="module")
def inputs(store):
    return load_briefing_inputs(store)


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_three_cancelled_posko_leave_14_to_place_everywhere(store, frame, catalog, layers, kecamatan, inputs):
    table = targets.target_table(catalog, layers, frame, kecamatan).set_index("program")
    assert table.loc[POSKO, ["target_sites", "registered", "active", "located", "cancelled", "remaining"]].tolist() == [14, 3, 0, 0, 3, 14]

    tracker = program_progress(catalog, layers, frame, store.program_statuses(), kecamatan).set_index("id")
    assert tracker.at[POSKO, "not_located"] == 14
    assert tracker.at[POSKO, "progress_text"] == "0 dari 14 berlokasi, 0 selesai, 3 dibatalkan"

    briefing = kecamatan_briefing(PAMULANG, inputs)
    assert briefing.not_located.set_index("program").at[POSKO, "not_located"] == 14
    assert "Posko Penanggulangan Bencana dan Penyelamatan: 14 titik belum berlokasi" in open_targets(briefing)[1]
    book = openpyxl.load_workbook(io.BytesIO(briefing_xlsx(briefing)))
    rows = {r[0]: r for r in book["Belum berlokasi"].iter_rows(min_row=2, values_only=True)}
    assert rows[POSKO][2:] == (14, "titik", 0, 0, 14)
    assert f"({POSKO}) 14 titik 0 0 14" in pdf_text(briefing_pdf(briefing))

    # Coverage and siting: the cancelled posko are neither counted nor left out; they cover no one.
    cells = build_demand((TANGSEL,)).cells
    layer_cells, layer_sites = targets.coverage_inputs(cells, frame, catalog, layers, "posko_bencana")
    assert layer_sites.empty and targets.coverage_sites(frame[frame["layer"] == "posko_bencana"]).empty
    result = coverage(layer_cells, layer_sites, 3000)
    assert (result.sites_counted, result.covered, len(result.left_out)) == (0, 0, 0)
    proposal = program_proposal(cells, frame, kecamatan, catalog, layers, "posko_bencana", POSKO, 3000)
    assert len(proposal.sites) == 14 and proposal.kept == ()  # the one remaining count, nothing cancelled fixed


def test_smp_known_only_to_their_kecamatan_are_not_located(frame, catalog, layers, kecamatan):
    table = targets.target_table(catalog, layers, frame, kecamatan).set_index("program")
    smp = table.loc["tsl-1-1-01"]
    assert (smp["located"], smp["known_area"], smp["known_kecamatan"], smp["remaining"]) == (0, 4, 4, 4)
    tracker = program_progress(catalog, layers, frame, {}, kecamatan).set_index("id")
    assert tracker.at["tsl-1-1-01", "progress_text"] == "0 dari 4 berlokasi (4 hanya diketahui kecamatannya), 0 selesai"
    english = program_progress(catalog, layers, frame, {}, kecamatan, "en").set_index("id")
    assert english.at["tsl-1-1-01", "progress_text"] == "0 of 4 located (4 known only to their district), 0 built"


def test_region_wide_targets_are_never_summed_across_units(inputs):
    pamulang = kecamatan_briefing(PAMULANG, inputs)
    value, detail = open_targets(pamulang)
    assert value.startswith("10 program;")
    assert "12.078" not in value + detail  # street lights + SPAL + kawasan + crossings
    assert {"10.000 titik", "38 unit", "1 kawasan", "2 perlintasan"} <= {part.split(": ")[1].split(" belum")[0] for part in detail.split("; ")}
    text = pdf_text(briefing_pdf(pamulang))
    assert "12.078" not in text and "unit dari" not in text
    summary = dict(openpyxl.load_workbook(io.BytesIO(briefing_xlsx(pamulang)))["Ringkasan"].iter_rows(min_row=2, max_col=2, values_only=True))
    assert summary["Target wilayah belum berlokasi"].startswith("10 program;")


def test_a_region_without_region_wide_targets_says_so(inputs):
    teluknaga = kecamatan_briefing(TELUKNAGA, inputs)
    assert teluknaga.region_targets == 0 and teluknaga.not_located.empty
    value, detail = open_targets(teluknaga)
    assert value == "Tidak ada" and "tidak menetapkan target" in detail
    text = pdf_text(briefing_pdf(teluknaga))
    assert "0 unit dari 0 program" not in text and "sudah punya lokasi" not in text
    assert "tidak menetapkan target jumlah lokasi untuk seluruh wilayah" in text


def test_a_desa_locates_a_street_light_but_not_a_tps3r(catalog, layers, kecamatan, desa):
    code = desa.loc[desa["kode_kab"] == TANGSEL, "kode_desa"].iloc[0]
    sites = [
        Site("pju-1", "tsl-4-2-10", "pju", "PJU", Precision.DESA, admin_code=code),
        Site("tps-1", "tsl-4-6-01a", "tps3r", "TPS-3R", Precision.DESA, admin_code=code),
    ]
    table = targets.target_table(catalog, layers, site_frame(sites, catalog, kecamatan, desa), kecamatan).set_index("program")
    assert table.loc["tsl-4-2-10", ["located", "known_area", "remaining"]].tolist() == [1, 0, 9_999]
    assert table.loc["tsl-4-6-01a", ["located", "known_desa", "remaining"]].tolist() == [0, 1, 38]
