"""Lighter geometries for drawing: simplified in metres, coordinates rounded.

Only for display: joins, areas and coverage use the full-resolution polygons.
"""

from __future__ import annotations

import geopandas as gpd
import shapely

from geo.config import METRIC_CRS

# 1e-4 degrees is about 11 m here: finer than the 40 m the simplified outline keeps.
GRID_DEGREES = 1e-4


def simplify_for_display(frame: gpd.GeoDataFrame, tolerance_m: float = 40.0) -> gpd.GeoDataFrame:
    """A copy with geometries simplified by ``tolerance_m`` metres (topology kept) and rounded."""
    simplified = frame.to_crs(METRIC_CRS).simplify(tolerance_m, preserve_topology=True).to_crs(frame.crs)
    out = frame.copy()
    out["geometry"] = shapely.make_valid(shapely.set_precision(simplified.values, GRID_DEGREES))
    return out
