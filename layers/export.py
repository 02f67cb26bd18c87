"""Downloads of the site table: CSV for spreadsheets, GeoJSON for GIS."""

from __future__ import annotations

import geopandas as gpd

from layers.sites import COLUMNS


def to_csv(sites: gpd.GeoDataFrame) -> bytes:
    """UTF-8 CSV (with BOM, so spreadsheet programs detect the encoding) of the table columns."""
    return sites[COLUMNS].to_csv(index=False).encode("utf-8-sig")


def to_geojson(sites: gpd.GeoDataFrame) -> bytes:
    """GeoJSON: points for exact sites, admin polygons for desa/kecamatan sites, null geometry for region-level ones."""
    return sites[COLUMNS + ["geometry"]].to_json(na="null", drop_id=True, ensure_ascii=False).encode("utf-8")
