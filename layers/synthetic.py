"""Synthetic exact-point sites for scale tests and benchmarks, labelled synthetic in name and source.

They are never written to the real register: the benchmark and the tests put them in a temporary one.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from layers.model import Precision, Site

SOURCE = "sintetis (uji skala) / synthetic (scale test)"
PROGRAM, LAYER = "tsl-4-2-10", "pju"  # Tangsel Terang: the 10.000 street lights of the Tangsel program


def synthetic_points(desa: gpd.GeoDataFrame, region: str, n: int, seed: int = 12) -> np.ndarray:
    """``n`` random (lon, lat) points inside the desa polygons of ``region`` (a BPS kabupaten/kota code)."""
    area = shapely.union_all(desa.loc[desa["kode_kab"] == region].geometry.to_numpy())
    shapely.prepare(area)
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = area.bounds
    found: list[np.ndarray] = []
    count = 0
    while count < n:
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(2 * n, 2))
        inside = xy[shapely.contains_xy(area, xy[:, 0], xy[:, 1])]
        found.append(inside)
        count += len(inside)
    return np.concatenate(found)[:n]


def synthetic_sites(desa: gpd.GeoDataFrame, n: int, seed: int = 12, first: int = 0) -> list[Site]:
    """``n`` planned street lights at random exact points in Tangsel, ids ``sintetis-<i>`` from ``first``."""
    xy = synthetic_points(desa, "3674", n, seed)
    return [
        Site(id=f"sintetis-{i}", program=PROGRAM, layer=LAYER, name=f"PJU sintetis {i}", precision=Precision.EXACT,
             geometry=shapely.Point(x, y), source=SOURCE, updated="2026-12-01")
        for i, (x, y) in enumerate(xy.round(6), start=first)
    ]
