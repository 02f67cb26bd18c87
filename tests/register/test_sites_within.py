"""Near me in the register: the sites within a radius, found through the spatial index on both backends.

The embedded register indexes its exact points (:data:`register.store._SPATIAL_INDEXES`); what it finds must be
exactly what measuring every site finds, at the edges of the radius and of the square the index answers.
"""

from __future__ import annotations

import math
import sqlite3
from contextlib import closing

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point, box

from geo.config import METRIC_CRS
from layers.model import Precision, Site
from layers.nearby import distances_m
from register import auth
from register.store import _EXACT_NEAR, SQLiteSiteStore, search_degrees
from register.synthetic import synthetic_sites

LON, LAT = 106.7, -6.3  # in Tangerang Selatan
RADIUS_M = 2000.0
TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
TO_DEGREES = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)


def _site(site_id: str, geometry, layer: str = "pju", program: str = "tsl-4-2-10", **extra) -> Site:
    return Site(id=site_id, program=program, layer=layer, name="Titik sintetis uji", precision=Precision.EXACT,
                geometry=geometry, source="synthetic: test", updated="2026-12-01", **extra)  # fmt: skip


def _metric_to_degrees(geometry):
    return shapely.transform(geometry, lambda xy: np.column_stack(TO_DEGREES.transform(xy[:, 0], xy[:, 1])))


def edge_sites() -> list[Site]:
    """Points half a metre inside and outside the radius all around, points near the corners of the square the point
    index answers (inside and outside it), a road whose ends lie outside the square but which passes inside the
    radius, and an area just outside it."""
    ox, oy = TO_METRIC.transform(LON, LAT)
    sites = []
    for bearing in range(0, 360, 15):
        for name, metres in (("in", RADIUS_M - 0.5), ("out", RADIUS_M + 0.5)):
            a = math.radians(bearing)
            point = _metric_to_degrees(Point(ox + metres * math.sin(a), oy + metres * math.cos(a)))
            sites.append(_site(f"ring-{name}-{bearing:03d}", point))
    d = search_degrees(LAT, RADIUS_M)
    for i, (sx, sy) in enumerate(((1, 1), (1, -1), (-1, 1), (-1, -1))):
        sites.append(_site(f"corner-in-box-{i}", Point(LON + sx * d * 0.999, LAT + sy * d * 0.999)))
        sites.append(_site(f"corner-out-box-{i}", Point(LON + sx * d * 1.001, LAT + sy * d * 1.001)))
    road = LineString([(ox - 4000, oy - RADIUS_M + 1), (ox + 4000, oy - RADIUS_M + 1)])
    sites.append(_site("road-through", _metric_to_degrees(road), layer="jalan", program="tsl-4-2-11"))
    area = box(ox + RADIUS_M + 0.5, oy - 100, ox + RADIUS_M + 300, oy + 100)
    sites.append(_site("estate-outside", _metric_to_degrees(area), layer="perumahan", program="tsl-4-2-04"))
    return sites


def brute_force(store) -> list[tuple[str, float]]:
    """Every active exact site measured (:func:`layers.nearby.distances_m`), those within the radius nearest first."""
    exact = [s for s in store.sites() if s.precision is Precision.EXACT]
    frame = gpd.GeoDataFrame({"id": [s.id for s in exact]}, geometry=[s.geometry for s in exact], crs="EPSG:4326")
    metres = distances_m(frame, LAT, LON)
    return sorted(zip(frame["id"][metres <= RADIUS_M], metres[metres <= RADIUS_M]), key=lambda r: (r[1], r[0]))


def test_sites_within_finds_what_measuring_every_site_finds_at_the_edges(any_store, planner, domain):
    edges = edge_sites()
    any_store.add(edges + synthetic_sites(domain, 3000), planner)
    any_store.retire("ring-in-000", 1, "uji", planner)
    found, expected = any_store.sites_within(LON, LAT, RADIUS_M), brute_force(any_store)
    assert [i for i, _ in found] == [i for i, _ in expected]
    assert max(abs(a - b) for (_, a), (_, b) in zip(found, expected)) < 1e-6
    near = {i for i, _ in found if not i.startswith("synthetic-")}
    assert near == {s.id for s in edges if s.id.startswith("ring-in-") and s.id != "ring-in-000"} | {"road-through"}


def test_the_embedded_register_answers_near_me_from_its_point_index(tmp_path, planner, domain):
    store = SQLiteSiteStore(tmp_path / "sites.sqlite", auth.require_planner, domain)
    store.add(synthetic_sites(domain, 2000), planner)
    d = search_degrees(LAT, RADIUS_M)
    with closing(sqlite3.connect(store.path)) as con:
        plan = " / ".join(row[-1] for row in con.execute("EXPLAIN QUERY PLAN " + _EXACT_NEAR, (LON - d, LON + d, LAT - d, LAT + d)))
    assert "SEARCH sites USING INDEX sites_point_xy_idx" in plan and "SCAN sites USING INDEX sites_exact_shape_idx" in plan, plan


def test_a_register_written_before_the_spatial_index_gets_it_on_opening(tmp_path, planner, domain):
    path = tmp_path / "sites.sqlite"
    store = SQLiteSiteStore(path, auth.require_planner, domain)
    store.add(edge_sites() + synthetic_sites(domain, 1000), planner)
    expected = store.sites_within(LON, LAT, RADIUS_M)
    with closing(sqlite3.connect(path)) as con:  # the file as the previous version wrote it: the same tables, no index
        con.executescript("DROP INDEX sites_point_xy_idx; DROP INDEX sites_exact_shape_idx;")
    reopened = SQLiteSiteStore(path, auth.require_planner, domain)
    with closing(sqlite3.connect(path)) as con:
        indexes = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"sites_point_xy_idx", "sites_exact_shape_idx"} <= indexes
    assert reopened.sites_within(LON, LAT, RADIUS_M) == expected and len(expected) > 25
    assert [i for i, _ in expected] == [i for i, _ in brute_force(reopened)]
    reopened.retire("ring-in-090", 1, "uji", planner)  # writes keep the index as they keep the table
    assert "ring-in-090" not in dict(reopened.sites_within(LON, LAT, RADIUS_M))
