"""The site table: sites joined to their program, layer and admin units.

:func:`site_frame` is what the map, the table and the downloads read. Its
geometry is how a site can honestly be drawn: the point for an exact site, the
desa or kecamatan polygon for admin-level sites, nothing for region-level ones.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.errors import DataError
from geo.joins import admin_of_codes, admin_of_points
from layers.catalog import Catalog
from layers.model import Layer, Precision, Program, Site

COLUMNS = [
    "id", "name", "program", "program_name", "document", "region", "misi", "sasaran",
    "layer", "status", "precision", "target_qty", "target_unit",
    "kode_kab", "kode_kec", "kecamatan", "kode_desa", "desa",
    "source", "evidence_url", "updated",
]


def site_frame(sites: list[Site], catalog: Catalog, kecamatan: gpd.GeoDataFrame, desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Sites with program facts, admin units and a display geometry (EPSG:4326)."""
    if not sites:
        return gpd.GeoDataFrame(columns=COLUMNS + ["geometry"], geometry="geometry", crs="EPSG:4326")
    base = pd.DataFrame(
        {
            "id": [s.id for s in sites],
            "name": [s.name for s in sites],
            "program": [s.program for s in sites],
            "layer": [s.layer for s in sites],
            "status": [s.status.value for s in sites],
            "precision": [s.precision.value for s in sites],
            "admin_code": [s.admin_code for s in sites],
            "source": [s.source for s in sites],
            "evidence_url": [s.evidence_url for s in sites],
            "updated": [s.updated for s in sites],
        }
    )
    points = gpd.GeoSeries([s.geometry for s in sites], crs="EPSG:4326")
    exact = base["precision"] == Precision.EXACT.value
    admin = admin_of_codes(base["admin_code"], kecamatan, desa)
    if exact.any():
        admin.loc[exact] = admin_of_points(points[exact], desa)
    programs = {p.id: p for p in catalog.programs}
    unknown = sorted(set(base["program"]) - programs.keys())
    if unknown:
        raise DataError(f"Sites refer to programs that are not in the catalog: {', '.join(unknown)}")
    facts = pd.DataFrame([program_facts(programs[i]) for i in base["program"].unique()])
    frame = pd.concat([base, admin], axis=1).merge(facts, on="program", how="left")
    frame["geometry"] = display_geometry(frame, points, kecamatan, desa)
    return gpd.GeoDataFrame(frame[COLUMNS + ["geometry"]], geometry="geometry", crs="EPSG:4326")


def program_facts(p: Program) -> dict:
    """The program columns the site and target tables carry."""
    return {
        "program": p.id, "program_name": p.name, "document": p.document, "region": p.region,
        "misi": p.misi, "sasaran": p.sasaran, "target_qty": p.target_qty, "target_unit": p.target_unit,
    }


def display_geometry(frame: pd.DataFrame, points: gpd.GeoSeries, kecamatan: gpd.GeoDataFrame, desa: gpd.GeoDataFrame) -> list:
    """Point, desa polygon, kecamatan polygon or None, by precision."""
    desa_geom = dict(zip(desa["kode_desa"], desa.geometry))
    kec_geom = dict(zip(kecamatan["kode_kec"], kecamatan.geometry))
    out = []
    for precision, code, point in zip(frame["precision"], frame["admin_code"], points):
        if precision == Precision.EXACT.value:
            out.append(point)
        elif precision == Precision.DESA.value:
            out.append(desa_geom.get(code))
        elif precision == Precision.KECAMATAN.value:
            out.append(kec_geom.get(code))
        else:
            out.append(None)
    return out


def not_yet_located(catalog: Catalog, layers: dict[str, Layer], sites: pd.DataFrame) -> pd.DataFrame:
    """Point-layer targets minus the sites registered for them, per program.

    Only programs whose target counts discrete sites (a point layer and a stated
    quantity) are listed; lengths such as 166,2 km of road are not sites.
    """
    counts = sites["program"].value_counts() if len(sites) else pd.Series(dtype=int)
    rows = []
    for p in catalog.programs:
        layer = layers.get(p.layer)
        if layer is None or layer.geometry != "point" or not p.target_qty:
            continue
        located = int(counts.get(p.id, 0))
        rows.append(program_facts(p) | {"layer": p.layer, "located": located, "not_located": max(0, int(p.target_qty) - located)})
    columns = ["program", "program_name", "document", "region", "misi", "sasaran", "layer", "target_qty", "target_unit", "located", "not_located"]
    return pd.DataFrame(rows, columns=columns)
