"""Demand cells and coverage (geo.demand, geo.coverage).

Synthetic cases have answers worked out by hand (quarter circles, a circular
segment); the real-data case checks one desa against a direct shapely area
intersection of its polygon. Real-data tests skip when the boundaries are not
installed.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import boundaries, config
from geo.coverage import LEFT_OUT_REASONS, counted_sites, coverage
from geo.demand import build_demand, demand_cells, desa_estimates
from geo.errors import DataError
from layers.model import Precision

HAS_DATA = (config.data_dir() / "boundaries" / "desa.geojson").is_file()
needs_data = pytest.mark.skipif(not HAS_DATA, reason="boundary data not installed (scripts/setup.sh)")

# A synthetic area in UTM 48S, inside the Tangerang area, on the 1 km grid.
X0, Y0 = 650_000.0, 9_300_000.0


def desa_frame(rows: list[tuple[str, str, tuple[float, float, float, float], float]]) -> gpd.GeoDataFrame:
    """Rectangular desa: (kode_desa, kode_kec, (x0, y0, x1, y1) in km from the origin, population)."""
    return gpd.GeoDataFrame(
        {
            "kode_desa": [r[0] for r in rows],
            "desa": [f"Desa {r[0][-3:]}" for r in rows],
            "kode_kec": [r[1] for r in rows],
            "kecamatan": [f"Kec {r[1][-3:]}" for r in rows],
            "kode_kab": "3674",
            "population": [r[3] for r in rows],
        },
        geometry=[shapely.box(X0 + a * 1000, Y0 + b * 1000, X0 + c * 1000, Y0 + d * 1000) for _, _, (a, b, c, d), _ in rows],
        crs=config.METRIC_CRS,
    )


def sites_frame(rows: list[tuple[str, str, object]]) -> gpd.GeoDataFrame:
    """Sites: (id, precision, geometry in metres or None)."""
    return gpd.GeoDataFrame(
        {"id": [r[0] for r in rows], "precision": [r[1] for r in rows]},
        geometry=[r[2] for r in rows],
        crs=config.METRIC_CRS,
    )


def point(x_km: float, y_km: float) -> shapely.Point:
    return shapely.Point(X0 + x_km * 1000, Y0 + y_km * 1000)


@pytest.fixture(scope="module")
def cells() -> gpd.GeoDataFrame:
    """Desa 001: 2x2 km, 4,000 people (1,000 per cell); desa 002: 3x1 km, 3,000; desa 003 far off, 1,000."""
    desa = desa_frame(
        [
            ("3674010001", "3674010", (0, 0, 2, 2), 4000),
            ("3674010002", "3674010", (0, 5, 3, 6), 3000),
            ("3674020001", "3674020", (20, 0, 21, 1), 1000),
        ]
    )
    return demand_cells(desa, 1000)


def test_cells_split_desa_population_by_area(cells):
    assert len(cells) == 4 + 3 + 1
    assert cells["cell_id"].is_unique
    assert cells.groupby("kode_desa")["population"].sum().to_dict() == pytest.approx(
        {"3674010001": 4000, "3674010002": 3000, "3674020001": 1000}
    )
    assert cells["population"].to_numpy() == pytest.approx(np.full(8, 1000.0))
    assert cells.crs == config.METRIC_CRS


def test_cells_clip_to_the_desa():
    desa = desa_frame([("3674010001", "3674010", (0.25, 0, 1.75, 1), 300)])  # 1.5 km wide over two 1 km squares
    cells = demand_cells(desa, 1000)
    assert sorted(cells["area_m2"].round(3)) == [750_000.0, 750_000.0]
    assert cells["population"].tolist() == pytest.approx([150, 150])


def test_quarter_circles_at_a_shared_corner(cells):
    # A 500 m circle centred where the four cells of desa 001 meet covers a quarter circle of each.
    result = coverage(cells, sites_frame([("s1", "titik", point(1, 1))]), 500)
    quarter = math.pi * 500**2 / 4
    desa = result.desa.set_index("kode_desa")
    assert desa.at["3674010001", "covered"] == pytest.approx(4 * 1000 * quarter / 1e6, rel=5e-4)  # 785.4 people
    assert desa.at["3674010001", "share"] == pytest.approx(math.pi / 16, rel=5e-4)
    assert desa.loc[["3674010002", "3674020001"], "covered"].tolist() == [0, 0]
    assert result.covered == pytest.approx(1000 * math.pi / 4, rel=5e-4)
    assert result.uncovered == pytest.approx(8000 - 1000 * math.pi / 4, rel=5e-4)
    assert result.area.iloc[0].area == pytest.approx(math.pi * 500**2, rel=5e-4)
    # Cell centroids of desa 001 are (±500, ±500) m from the site.
    first = result.cells[result.cells["kode_desa"] == "3674010001"]
    assert first["distance_m"].to_numpy() == pytest.approx(np.full(4, math.hypot(500, 500)))


def test_part_of_a_desa_whose_centroid_is_out_of_reach(cells):
    # Desa 002 spans x 0..3 km; a 500 m circle centred 200 m west of it cuts a circular
    # segment of area r² acos(d/r) - d √(r² - d²) (d = 200 m) from its first cell. Its
    # centroid is 1.7 km away, so a centroid-based count would give it nobody.
    r, d = 500.0, 200.0
    segment = r**2 * math.acos(d / r) - d * math.sqrt(r**2 - d**2)  # 198,168 m²
    result = coverage(cells, sites_frame([("s1", "titik", point(-0.2, 5.5))]), r)
    row = result.desa.set_index("kode_desa").loc["3674010002"]
    assert row["covered"] == pytest.approx(3000 * segment / 3e6, rel=5e-4)
    assert row["uncovered"] == pytest.approx(3000 - 3000 * segment / 3e6, rel=5e-4)


def test_kecamatan_totals_add_up(cells):
    result = coverage(cells, sites_frame([("s1", "titik", point(1, 1)), ("s2", "titik", point(20.5, 0.5))]), 800)
    kec = result.kecamatan.set_index("kode_kec")
    desa = result.desa
    assert kec.at["3674010", "covered"] == pytest.approx(desa.loc[desa["kode_kec"] == "3674010", "covered"].sum())
    assert kec.at["3674020", "share"] == pytest.approx(1)  # the circle reaches past every corner (707 m)
    assert kec["population"].sum() == pytest.approx(8000)
    assert (kec["covered"] + kec["uncovered"]).to_numpy() == pytest.approx(kec["population"].to_numpy())


def test_overlapping_circles_count_once(cells):
    one = coverage(cells, sites_frame([("s1", "titik", point(1, 1))]), 500)
    twice = coverage(cells, sites_frame([("s1", "titik", point(1, 1)), ("s2", "titik", point(1, 1))]), 500)
    assert twice.covered == pytest.approx(one.covered)


def test_sites_not_at_a_point_cover_nobody(cells):
    desa_polygon = cells.loc[cells["kode_desa"] == "3674010001"].union_all()
    sites = sites_frame(
        [
            ("d1", "desa", desa_polygon),
            ("k1", "kecamatan", desa_polygon),
            ("k2", "kecamatan", desa_polygon),
            ("w1", "wilayah", None),
            ("t1", "titik", None),
        ]
    )
    result = coverage(cells, sites, 3000)
    assert result.covered == 0
    assert result.sites_counted == 0
    assert result.area.iloc[0].is_empty
    assert result.cells["distance_m"].isna().all()
    left = result.left_out.set_index("precision")
    assert left["sites"].to_dict() == {"titik": 1, "desa": 1, "kecamatan": 2, "wilayah": 1}
    assert all(left["reason"].str.len() > 0)


def test_only_exact_sites_are_counted():
    sites = sites_frame([("t1", "titik", point(0, 0)), ("k1", "kecamatan", None)]).to_crs("EPSG:4326")
    counted, left_out = counted_sites(sites)
    assert counted["id"].tolist() == ["t1"]
    assert counted.crs == config.METRIC_CRS
    assert counted.geometry.iloc[0].equals_exact(point(0, 0), tolerance=1e-3)
    assert left_out[["precision", "sites"]].values.tolist() == [["kecamatan", 1]]


def test_left_out_reasons_cover_every_precision():
    assert set(LEFT_OUT_REASONS) == {p.value for p in Precision}


@pytest.mark.parametrize("radius", [0, -5, float("nan"), "far", None])
def test_bad_radius_is_refused(cells, radius):
    with pytest.raises(DataError, match="radius"):
        coverage(cells, sites_frame([("s1", "titik", point(1, 1))]), radius)


def test_bad_sites_are_refused(cells):
    with pytest.raises(DataError, match="Site x1: precision 'exact'"):
        coverage(cells, sites_frame([("x1", "exact", point(1, 1))]), 500)
    with pytest.raises(DataError, match="precision"):
        coverage(cells, gpd.GeoDataFrame({"id": ["a"]}, geometry=[point(1, 1)], crs=config.METRIC_CRS), 500)


def test_bad_demand_input_is_refused():
    desa = desa_frame([("3674010001", "3674010", (0, 0, 1, 1), -1)])
    with pytest.raises(DataError, match="Desa 3674010001: population -1"):
        demand_cells(desa, 1000)
    with pytest.raises(DataError, match="cell size"):
        demand_cells(desa_frame([("3674010001", "3674010", (0, 0, 1, 1), 10)]), 0)
    with pytest.raises(DataError, match="population"):
        demand_cells(desa.drop(columns="population"), 1000)


def test_kecamatan_totals_are_split_by_desa_figures_then_area():
    # Kecamatan total 1,000. Desa 1 and 2 (1 km² each) have figures 100 and 300; desa 3
    # (2 km²) has none, so it gets the known density (200 per km²) times its area: 400.
    desa = desa_frame(
        [
            ("3674010001", "3674010", (0, 0, 1, 1), 0),
            ("3674010002", "3674010", (1, 0, 2, 1), 0),
            ("3674010003", "3674010", (0, 1, 2, 2), 0),
        ]
    )
    totals = pd.DataFrame({"kode_kec": ["3674010"], "population": [1000], "year": [2025], "source": ["s"], "confidence": ["high"]})
    figures = pd.DataFrame(
        {"kode_desa": ["3674010001", "3674010002"], "population": [100, 300], "year": pd.array([None, None], dtype="Int64"), "source": ["d", "d"]}
    )
    out = desa_estimates(desa, totals, figures).set_index("kode_desa")
    assert out["population"].to_dict() == pytest.approx({"3674010001": 125, "3674010002": 375, "3674010003": 500})
    assert out["share_basis"].tolist() == ["desa figure", "desa figure", "area"]
    assert out["year"].tolist() == [2025] * 3
    assert out["share_year"].isna().all()

    with pytest.raises(DataError, match=r"Kec 010 \(3674010\)"):
        desa_estimates(desa, totals.iloc[0:0], figures)
    with pytest.raises(DataError, match="kode_desa 3674010001: population -5"):
        desa_estimates(desa, totals, figures.assign(population=[-5, 300]))


@pytest.fixture(scope="module")
def tangsel():
    if not HAS_DATA:
        pytest.skip("boundary data not installed (scripts/setup.sh)")
    return build_demand((config.TANGSEL,))


@needs_data
def test_tangsel_population_is_the_2025_total_split_by_undated_shares(tangsel):
    assert tangsel.cells["population"].sum() == pytest.approx(1_474_311)
    (source,) = tangsel.sources
    assert source.years == (2025,)
    assert source.share_years == (None,)
    assert source.share_confidence == ("low-medium",)
    assert source.desa_by_area == 0
    per_desa = tangsel.cells.groupby("kode_desa")["population"].sum()
    assert per_desa.to_dict() == pytest.approx(tangsel.desa.set_index("kode_desa")["population"].to_dict())


@needs_data
def test_kabupaten_figures_are_from_2015():
    kecamatan = boundaries.load_kecamatan()
    desa = boundaries.load_desa(kecamatan=kecamatan)
    estimates = desa_estimates(
        desa[desa["kode_kab"] == config.KAB_TANGERANG], boundaries.kecamatan_population(), boundaries.desa_population()
    )
    assert set(estimates["year"]) == {2015}
    assert set(estimates["share_year"]) == {2015}
    assert estimates["population"].sum() == pytest.approx(3_363_054)


@needs_data
def test_real_desa_against_direct_area_intersection(tangsel):
    # The largest Tangsel kelurahan, with a site 800 m east of a point inside it:
    # covered = population x area(desa ∩ circle) / area(desa), straight from the polygon.
    desa = boundaries.load_desa().to_crs(config.METRIC_CRS)
    desa = desa[desa["kode_kab"] == config.TANGSEL]
    target = desa.loc[desa.area.idxmax()]
    inside = target.geometry.representative_point()
    site = shapely.Point(inside.x + 800, inside.y)
    radius = 1500.0
    population = tangsel.desa.set_index("kode_desa").at[target["kode_desa"], "population"]
    circle = site.buffer(radius, quad_segs=256)  # finer than the library's circles
    expected = population * target.geometry.intersection(circle).area / target.geometry.area

    result = coverage(tangsel.cells, sites_frame([("s1", "titik", site)]), radius)
    row = result.desa.set_index("kode_desa").loc[target["kode_desa"]]
    assert 0 < expected < population
    assert row["covered"] == pytest.approx(expected, rel=1e-3)
    assert row["population"] == pytest.approx(population)
