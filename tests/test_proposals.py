"""Proposed sites from spopt models (layers.proposals) against brute force.

A 6 x 4 km block of 1 km desa, one demand cell each with its own population,
is small enough to try every combination of candidate locations: the models'
optima must equal the brute-force ones, and existing point sites must stay in
the solution.
"""

from __future__ import annotations

import io
import json
from itertools import combinations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import config
from geo.coverage import LEFT_OUT_REASONS, coverage
from geo.demand import build_demand, demand_cells
from geo.errors import DataError
from layers import proposals
from layers.proposals import candidate_sites, imprecise_quotas, propose_sites, to_csv, to_geojson

HAS_DATA = (config.data_dir() / "boundaries" / "desa.geojson").is_file()

X0, Y0 = 650_000.0, 9_300_000.0
COLS, ROWS = 6, 4
RADIUS = 1500.0  # a candidate covers the 3 x 3 block of cell centres around it


@pytest.fixture(scope="module")
def cells() -> gpd.GeoDataFrame:
    """24 one-cell desa; the west half is kecamatan 3674010, the east half 3674020."""
    rng = np.random.default_rng(7)
    ix, iy = np.meshgrid(np.arange(COLS), np.arange(ROWS))
    ix, iy = ix.ravel(), iy.ravel()
    kec = np.where(ix < COLS // 2, "3674010", "3674020")
    desa = gpd.GeoDataFrame(
        {
            "kode_desa": [f"{k}{i:03d}" for i, k in enumerate(kec)],
            "desa": [f"Desa {i}" for i in range(len(ix))],
            "kode_kec": kec,
            "kecamatan": kec,
            "kode_kab": "3674",
            "population": rng.integers(100, 5000, len(ix)).astype(float),
        },
        geometry=shapely.box(X0 + ix * 1000, Y0 + iy * 1000, X0 + (ix + 1) * 1000, Y0 + (iy + 1) * 1000),
        crs=config.METRIC_CRS,
    )
    return demand_cells(desa, 1000)


@pytest.fixture(scope="module")
def candidates(cells) -> gpd.GeoDataFrame:
    return candidate_sites(cells, 1000)


def no_sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": [], "precision": []}, geometry=[], crs="EPSG:4326")


def exact_sites(*points: tuple[float, float], precision: str = "titik") -> gpd.GeoDataFrame:
    """Sites at (x, y) km from the block's corner."""
    return gpd.GeoDataFrame(
        {"id": [f"site-{i}" for i in range(len(points))], "precision": precision},
        geometry=[shapely.Point(X0 + x * 1000, Y0 + y * 1000) for x, y in points],
        crs=config.METRIC_CRS,
    )


def distances(cells, candidates, extra=()) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights of the cell centres and their distances to the candidates and to ``extra`` points."""
    centres = shapely.centroid(cells.geometry.to_numpy())
    to_candidates = shapely.distance(centres[:, None], candidates.geometry.to_numpy()[None, :])
    to_extra = shapely.distance(centres[:, None], np.asarray(extra, dtype=object)[None, :]) if len(extra) else None
    return cells["population"].to_numpy(), to_candidates, to_extra


def chosen_columns(proposal, candidates) -> list[int]:
    ids = list(candidates["candidate_id"])
    return [ids.index(c) for c in proposal.sites["candidate_id"]]


def covered_weight(weights, dist) -> float:
    return float(weights[(dist <= RADIUS).any(axis=1)].sum())


def test_mclp_equals_brute_force(cells, candidates):
    weights, dist, _ = distances(cells, candidates)
    best = max(covered_weight(weights, dist[:, list(combo)]) for combo in combinations(range(len(candidates)), 2))
    result = propose_sites(cells, no_sites(), RADIUS, 2, "mclp", candidates)
    assert result.optimal
    assert result.objective == pytest.approx(best)
    assert covered_weight(weights, dist[:, chosen_columns(result, candidates)]) == pytest.approx(best)
    assert list(result.sites["label"]) == ["Usulan model (MCLP)"] * 2


def test_pmedian_equals_brute_force(cells, candidates):
    weights, dist, _ = distances(cells, candidates)

    def total(columns):
        return float(weights @ dist[:, columns].min(axis=1))

    best = min(total(list(combo)) for combo in combinations(range(len(candidates)), 2))
    result = propose_sites(cells, no_sites(), RADIUS, 2, "pmedian", candidates)
    assert result.objective == pytest.approx(best)
    assert total(chosen_columns(result, candidates)) == pytest.approx(best)
    assert result.mean_distance_after == pytest.approx(best / weights.sum())
    assert list(result.sites["label"]) == ["Usulan model (p-median)"] * 2


def test_lscp_finds_the_fewest_sites(cells, candidates):
    _, dist, _ = distances(cells, candidates)
    covers = dist <= RADIUS
    fewest = next(
        k for k in range(1, len(candidates) + 1)
        if any(covers[:, list(combo)].any(axis=1).all() for combo in combinations(range(len(candidates)), k))
    )  # fmt: skip
    result = propose_sites(cells, no_sites(), RADIUS, model="lscp", candidates=candidates)
    assert len(result.sites) == fewest == result.objective
    assert covers[:, chosen_columns(result, candidates)].any(axis=1).all()
    assert result.unreachable == 0


def test_existing_point_sites_stay_fixed(cells, candidates):
    # A site in the south-west corner, where the unconstrained optimum would not put one.
    existing = exact_sites((0.1, 0.1))
    weights, dist, fixed = distances(cells, candidates, existing.geometry)
    best = max(
        covered_weight(weights, np.hstack([fixed, dist[:, list(combo)]]))
        for combo in combinations(range(len(candidates)), 2)
    )
    result = propose_sites(cells, existing, RADIUS, 2, "mclp", candidates)
    assert result.kept == ("site-0",)
    assert len(result.sites) == 2
    assert result.objective == pytest.approx(best)
    assert result.covered_before > 0
    for model in ("pmedian", "lscp"):
        assert propose_sites(cells, existing, RADIUS, 2, model, candidates).kept == ("site-0",)


def test_sites_not_at_a_point_are_not_fixed(cells, candidates):
    imprecise = exact_sites((0.1, 0.1), precision="kecamatan")
    result = propose_sites(cells, imprecise, RADIUS, 2, "mclp", candidates)
    assert result.kept == ()
    assert result.covered_before == 0
    assert result.left_out[["precision", "sites"]].values.tolist() == [["kecamatan", 1]]
    assert result.objective == pytest.approx(propose_sites(cells, no_sites(), RADIUS, 2, "mclp", candidates).objective)


def test_added_population_is_exact_and_ordered(cells, candidates):
    existing = exact_sites((0.1, 0.1))
    result = propose_sites(cells, existing, RADIUS, 3, "mclp", candidates)
    everything = pd.concat([existing, result.sites[["geometry"]].assign(id="new", precision="titik")])
    assert result.covered_after == pytest.approx(coverage(cells, everything, RADIUS).covered)
    assert result.covered_before == pytest.approx(coverage(cells, existing, RADIUS).covered)
    assert result.sites["added_population"].sum() == pytest.approx(result.covered_after - result.covered_before)
    assert result.sites["rank"].tolist() == [1, 2, 3]
    assert result.sites["added_population"].is_monotonic_decreasing


def test_quotas_put_sites_in_each_area(cells, candidates):
    weights, dist, _ = distances(cells, candidates)
    west = np.flatnonzero(candidates["kode_kec"] == "3674010")
    east = np.flatnonzero(candidates["kode_kec"] == "3674020")
    best = max(covered_weight(weights, dist[:, [w, e]]) for w in west for e in east)
    result = propose_sites(cells, no_sites(), RADIUS, 2, "mclp", candidates, quotas={"3674010": 1, "3674020": 1})
    assert sorted(result.sites["kode_kec"]) == ["3674010", "3674020"]
    assert result.objective == pytest.approx(best)


def test_candidates_can_be_restricted(cells):
    west = candidate_sites(cells, 1000, kecamatan=["3674010"])
    assert len(west) == 12 and set(west["kode_kec"]) == {"3674010"}
    assert len(candidate_sites(cells, 2000)) == 6
    result = propose_sites(cells, no_sites(), RADIUS, 1, "mclp", west)
    assert result.sites["kode_kec"].tolist() == ["3674010"]
    assert result.unreachable > 0  # the east edge is beyond 1.5 km of every western candidate
    with pytest.raises(DataError, match="No candidate location in kecamatan 3603010"):
        candidate_sites(cells, 1000, kecamatan=["3603010"])


def test_results_are_deterministic(cells, candidates):
    first = propose_sites(cells, no_sites(), RADIUS, 3, "mclp", candidates)
    second = propose_sites(cells, no_sites(), RADIUS, 3, "mclp", candidates)
    assert first.sites["candidate_id"].tolist() == second.sites["candidate_id"].tolist()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"radius_m": 0}, "radius"),
        ({"n_new": 0}, "at least 1"),
        ({"n_new": None}, "at least 1"),
        ({"model": "greedy"}, "Unknown location model"),
        ({"n_new": 30}, "only 24 candidate"),
        ({"quotas": {"3674010": 3}}, "more than the 2"),
        ({"quotas": {"36740": 1}}, "neither"),
        ({"quotas": {"3674030": 1}}, "has 0 candidate"),
    ],
)
def test_bad_requests_are_refused(cells, candidates, kwargs, message):
    args = {"radius_m": RADIUS, "n_new": 2, "model": "mclp", "candidates": candidates} | kwargs
    with pytest.raises(DataError, match=message):
        propose_sites(cells, no_sites(), **args)


def test_too_large_pmedian_is_refused(cells, candidates, monkeypatch):
    monkeypatch.setattr(proposals, "MAX_PMEDIAN_PAIRS", 100)
    with pytest.raises(DataError, match="too large"):
        propose_sites(cells, no_sites(), RADIUS, 2, "pmedian", candidates)


def test_exports(cells, candidates):
    result = propose_sites(cells, no_sites(), RADIUS, 2, "mclp", candidates)
    collection = json.loads(to_geojson(result))
    assert len(collection["features"]) == 2
    lon, lat = collection["features"][0]["geometry"]["coordinates"]
    assert 106 < lon < 107 and -7 < lat < -6
    assert collection["features"][0]["properties"]["label"] == "Usulan model (MCLP)"
    table = pd.read_csv(io.BytesIO(to_csv(result)), encoding="utf-8-sig", dtype={"kode_kec": str})
    assert list(table.columns) == proposals.EXPORT_COLUMNS
    assert table["added_population"].sum() == pytest.approx(result.covered_after - result.covered_before)


def test_program_proposal_places_the_remaining_target_with_active_point_sites_fixed(cells, catalog, layers):
    """The coverage page's rules: active points fixed, cancelled ones ignored, default count = remaining target."""
    posko = exact_sites((0.5, 0.5), (5.5, 3.5), (2.5, 1.5), (4.5, 2.5))
    frame = posko.assign(
        id=["built", "planned", "cancelled", "placeholder"],
        program="tsl-4-7-05", layer="posko_bencana", kode_kab="3674",
        status=["selesai", "direncanakan", "dibatalkan", "direncanakan"],
        precision=["titik", "titik", "titik", "kecamatan"],
        kode_kec=["3674010", "3674020", "3674010", "3674020"], kode_desa=None,
    )  # fmt: skip
    kecamatan = pd.DataFrame({"kode_kec": [f"367401{i}" for i in range(7)], "kode_kab": ["3674"] * 7})
    result = proposals.program_proposal(cells, frame, kecamatan, catalog, layers, "posko_bencana", "tsl-4-7-05", RADIUS, quotas=True)
    assert result.kept == ("built", "planned")  # the cancelled posko is not fixed and covers no one
    assert len(result.sites) == 14 - 2  # the target minus the two located posko
    assert (result.sites["kode_kec"] == "3674020").sum() == 1  # the quota: one in the placeholder's kecamatan
    assert result.left_out.to_dict("list") == {"precision": ["kecamatan"], "sites": [1], "reason": [LEFT_OUT_REASONS["kecamatan"]]}
    with pytest.raises(DataError) as refused:
        proposals.program_proposal(cells, frame, kecamatan, catalog, layers, "posko_bencana", "tsl-4-2-11", RADIUS)
    assert refused.value.key == "targets.no_site_target" and "tsl-4-2-11" in refused.value.text("en")


def test_imprecise_quotas():
    sites = pd.DataFrame(
        {
            "precision": ["kecamatan", "kecamatan", "desa", "titik", "wilayah"],
            "kode_kec": ["3674020", "3674010", "3674010", "3674010", None],
            "kode_desa": [None, None, "3674010001", "3674010002", None],
        }
    )
    assert imprecise_quotas(sites) == {"3674010": 1, "3674010001": 1, "3674020": 1}


@pytest.mark.skipif(not HAS_DATA, reason="boundary data not installed (scripts/setup.sh)")
def test_real_proposal_within_a_named_kecamatan():
    demand = build_demand((config.TANGSEL,))
    pamulang = candidate_sites(demand.cells, kecamatan=["3674030"])
    result = propose_sites(demand.cells, no_sites(), 3000, 2, "mclp", pamulang)
    assert set(result.sites["kecamatan"]) == {"Pamulang"}
    assert 0 < result.covered_after <= result.population
