"""Existing supply (geo.supply), coverage and siting against it, and promise vs need (layers.need).

Synthetic cases reuse the hand-checkable grid of test_coverage: desa 001 is
2x2 km with 1,000 people per 1 km cell, desa 002 is 3x1 km (3,000), desa 003
lies 20 km away (1,000).
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest

from geo import boundaries, config, install, supply, validate
from geo.coverage import coverage
from geo.errors import DataError
from layers import need
from evidence.places import resolve_places
from layers.proposals import propose_sites
from tests.test_coverage import cells, point, sites_frame  # noqa: F401 (cells: the fixture)

QUARTER = math.pi * 500**2 / 4


def supply_frame(rows: list[tuple[str, str, str, object]]) -> gpd.GeoDataFrame:
    """Facilities as :func:`geo.supply.load_supply` gives them: (id, kind, qa_flags, geometry in metres or None)."""
    flags = pd.Series([r[2] for r in rows])
    return gpd.GeoDataFrame(
        {"kind": [r[1] for r in rows], "id": [r[0] for r in rows], "name": [r[0] for r in rows], "qa_flags": flags,
         "kecamatan": "Kec 010", "problem": supply.problem_of(flags)},
        geometry=[r[3] for r in rows], crs=config.METRIC_CRS,
    )  # fmt: skip


def test_problems_from_flags():
    flags = pd.Series(["", "point_shared_by_2", "point_shared_by_5", "no_coordinate;point_shared_by_18", "outside_regions",
                       "other_region_than_listed;point_shared_by_2", "coordinate_3_decimals", "possible_duplicate_of=node/1"])  # fmt: skip
    assert supply.problem_of(flags).tolist() == [
        "", "", "point_shared", "no_coordinate", "outside_regions", "other_region_than_listed", "", "duplicate",
    ]  # fmt: skip


def test_placeholder_school_is_excluded_from_distances(cells):
    # A school on a coordinate shared by 12 schools sits in desa 002; only the good one in desa 001 counts.
    schools = supply_frame([("good", "smp_negeri", "", point(1, 1)), ("placeholder", "smp_negeri", "point_shared_by_12", point(1.5, 5.5)),
                            ("nowhere", "smp_negeri", "no_coordinate;point_shared_by_18", None)])  # fmt: skip
    fixed = supply.counterpart_sites(schools, "smp_baru")
    assert fixed["id"].tolist() == ["good"]
    result = coverage(cells, sites_frame([]), 500, supply=fixed)
    assert result.covered == pytest.approx(4 * 1000 * QUARTER / 1e6, rel=5e-4)
    assert result.desa.set_index("kode_desa").at["3674010002", "covered"] == 0
    nearest = result.cells[result.cells["kode_desa"] == "3674010002"]["distance_m"]
    assert nearest.min() > 3000  # measured to the good school, 3.5 km or more away, never to the placeholder
    assert supply.flagged(schools)["id"].tolist() == ["nowhere", "placeholder"]


def test_coverage_counts_supply_and_exact_promised_sites(cells):
    # Supply at the corner of desa 001 covers a quarter circle of each of its 4 cells; a promised exact site
    # covers all of desa 003 (800 m reaches past its corners, 707 m); a kecamatan-level promise covers no one.
    schools = supply_frame([("school", "smp_negeri", "", point(1, 1))])
    promised = sites_frame([("new", "titik", point(20.5, 0.5)), ("somewhere", "kecamatan", None)])
    result = coverage(cells, promised, 500, supply=supply.counterpart_sites(schools, "smp_baru"))
    assert (result.sites_counted, result.supply_counted) == (1, 1)
    covered_1 = 4 * 1000 * QUARTER / 1e6  # 785.4
    kec = result.kecamatan.set_index("kode_kec")
    assert kec["facilities"].to_dict() == {"3674010": 1, "3674020": 1}
    assert kec.at["3674010", "per_facility"] == pytest.approx(7000)
    assert kec.at["3674010", "beyond"] == pytest.approx(1 - covered_1 / 7000, rel=5e-4)
    assert kec.at["3674020", "per_facility"] == pytest.approx(1000)
    assert kec.at["3674020", "beyond"] == pytest.approx(1 - math.pi * 500**2 / 1e6, rel=5e-4)  # a whole circle in 1 km²
    wide = coverage(cells, promised, 800, supply=supply.counterpart_sites(schools, "smp_baru"))
    assert wide.kecamatan.set_index("kode_kec").at["3674020", "beyond"] == pytest.approx(0)
    alone = coverage(cells, promised, 500)
    assert alone.kecamatan.set_index("kode_kec").at["3674010", "facilities"] == 0
    assert math.isnan(alone.kecamatan.set_index("kode_kec").at["3674010", "per_facility"])


def test_a_layer_without_counterpart_gets_no_supply():
    schools = supply_frame([("school", "smp_negeri", "", point(1, 1))])
    assert supply.counterpart_sites(schools, "posko_bencana").empty


def test_proposals_keep_the_supply_fixed(cells):
    # Supply covers desa 001 entirely at 1.6 km (its corners are 1.41 km away); the one new site must go where
    # most people are still out of reach: the centre of desa 002, whose corners are 1.58 km from it.
    schools = supply.counterpart_sites(supply_frame([("school", "smp_negeri", "", point(1, 1))]), "smp_baru")
    proposal = propose_sites(cells, sites_frame([]), 1600, n_new=1, supply=schools)
    assert "school" in proposal.kept
    assert proposal.covered_before == pytest.approx(4000)
    assert proposal.sites["kode_desa"].iloc[0] == "3674010002"
    assert proposal.covered_after == pytest.approx(7000, rel=1e-6)


def test_promise_range_within_an_area(cells):
    # Supply covers all of desa 001 at 2 km; one new site "somewhere in kecamatan 3674020" (desa 003 alone, 1x1 km)
    # brings its 1,000 people within 2 km wherever it stands on the 500 m lattice (the farthest corner is 1.06 km).
    schools = supply.counterpart_sites(supply_frame([("school", "smp_negeri", "", point(1, 1))]), "smp_baru")
    option = need.area_option("promised", cells, schools, 2000, {"3674020": "Kec 020"})
    assert option.low == pytest.approx(1000) and option.high == pytest.approx(1000)
    # A site in desa 001 adds nobody wherever it stands (3 km or more from desa 002); one in desa 002 adds all
    # 3,000 at its best lattice point (1.25 or 1.75 km along: the farthest corner is 1.9 km away), fewer at its worst.
    option = need.area_option("promised", cells, schools, 2000, {"3674010001": "Desa 001", "3674010002": "Desa 002"})
    rows = option.areas.set_index("code")
    assert rows.at["3674010001", "high"] == pytest.approx(0, abs=1e-6)
    assert rows.at["3674010002", "high"] == pytest.approx(3000, rel=1e-6)
    assert rows.at["3674010002", "low"] < 3000
    assert (option.low, option.high) == pytest.approx((rows.at["3674010002", "low"], 3000), rel=1e-6)
    with pytest.raises(DataError):
        need.area_option("promised", cells, schools, 2000, {"36740": "bad"})


def test_planned_desa_from_evidence_places(catalog, kecamatan, desa, data_root):
    evidence = pd.DataFrame(
        {"evidence_id": ["ev-1", "ev-2", "ev-3"], "program_id": ["tsl-1-1-01", "tsl-1-1-01", "tsl-1-1-01"], "precision": ["desa", "titik", "desa"],
         "status": ["rencana", "dalam_proses", "terpenuhi"],
         "place": ["Kel. Serua dan Kel. Jombang, Kec. Ciputat", "SMPN 18, Kel. Pondok Benda, Kec. Pamulang", "Kel. Setu"]}
    )  # fmt: skip
    placed, _ = resolve_places(evidence, catalog, desa, kecamatan, boundaries.load_crosswalk(data_root))
    found = need.planned_desa(evidence, placed, "tsl-1-1-01")
    # Serua is BPS "Sarua"; "Serua Indah" is another kelurahan and is not taken. Built or point-precision rows are not plans.
    assert found == ({"3674040001": "Sarua", "3674040002": "Jombang"}, ["ev-1"])


def test_stated_count_reads_the_number_after_the_word():
    assert need.stated_count("3 RSUD, RS swasta: 29, puskesmas 35", "puskesmas") == 35
    assert need.stated_count("3 RSUD, RS swasta: 29, puskesmas 35", "RS swasta") == 29
    assert need.stated_count("4 unit sekolah baru SMP", "puskesmas") is None


def test_installed_supply(data_root, desa):
    frame = supply.load_supply(data_root, desa)
    counts = supply.kind_counts(frame).set_index("kind")
    # PROVENANCE.md: SMP negeri by the spatial assignment, Tangsel 22 + Kab. Tangerang 73; one more has no coordinate.
    assert counts.at["smp_negeri", "drawn"] == 95 and counts.at["smp_negeri", "flagged"] == 1
    assert counts.at["krl", "drawn"] == 9 and counts.at["puskesmas", "drawn"] == 61
    drawn = supply.usable(frame)
    assert not drawn["qa_flags"].str.contains("no_coordinate|outside_regions|other_region|point_shared_by_(?:[5-9]|\\d\\d)").any()
    assert drawn["kode_kab"].isin(config.PROGRAM_REGIONS).all()
    assert set(supply.flagged(frame)["problem"]) <= set(supply.PROBLEMS)


def test_facility_table_validation_names_the_row():
    frame = pd.DataFrame({"npsn": ["1", "2", "3"], "nama": ["a", "b", "c"], "lon": [106.7, -6.3, None],
                          "lat": [-6.3, 106.7, None], "qa_flags": ["", "", ""]})  # fmt: skip
    with pytest.raises(DataError) as exc:
        validate.validate_facility_table(frame, "schools.csv", ("npsn", "nama"), "npsn")
    text = str(exc.value)
    assert "line 3 (npsn 2)" in text and "swapped" in text
    assert "line 4 (npsn 3): no position and no no_coordinate flag" in text


def test_install_refuses_a_broken_school_list(source_copy, tmp_path):
    path = source_copy / "reference" / supply.SCHOOLS
    frame = pd.read_csv(path, dtype=str)
    frame.loc[0, ["lon", "lat"]] = frame.loc[0, ["lat", "lon"]].to_numpy()  # swapped axes
    frame.to_csv(path, index=False)
    with pytest.raises(DataError) as exc:
        install.install(source_copy, tmp_path / "installed")
    assert supply.SCHOOLS in str(exc.value) and f"npsn {frame.loc[0, 'npsn']}" in str(exc.value)
    assert not (tmp_path / "installed" / "reference").exists()


def test_supply_layers_draw_usable_points_only_as_escaped_text():
    import folium

    from layers.nearby import nearby_supply
    from layers.render import supply_layers
    from texts.catalog import translator

    rows = supply_frame([("ok", "smp_negeri", "", point(1, 1)), ("tricky", "smp_negeri", "", point(1.2, 1)),
                         ("placeholder", "smp_negeri", "point_shared_by_12", point(1.5, 5.5))]).to_crs("EPSG:4326")  # fmt: skip
    rows.loc[1, "name"] = "{{ 7*7 }}</script><img src=x onerror=alert(1)>"
    rows.loc[2, "name"] = "SMP TITIK PENGGANTI"
    m = folium.Map()
    legend = supply_layers(m, rows, translator("id"))
    folium.LayerControl().add_to(m)
    html = m.get_root().render()
    assert "SMP TITIK PENGGANTI" not in html and "(2)" in html  # two drawn, the flagged one is not
    # Not evaluated as a template (folium runs scripts through Jinja), not markup: braces and tags arrive as text.
    # html_text turns braces into character references and script_json escapes their "&" inside the script.
    assert "\\u0026#123;\\u0026#123; 7*7 \\u0026#125;\\u0026#125;\\u0026lt;/script\\u0026gt;\\u0026lt;img src=x" in html
    assert "<img src=x" not in html and "{{ 7*7 }}" not in html
    assert legend == [l for l in legend if "SMP negeri (Kemendikbud (Dapodik), 2019)" in l]
    lat, lon = rows.geometry.iloc[0].y, rows.geometry.iloc[0].x
    near = nearby_supply(rows.assign(kecamatan="Kec 010"), lat, lon, 10_000)
    assert near["id"].tolist() == ["ok", "tricky"] and near["distance_m"].iloc[0] == pytest.approx(0, abs=0.01)
