"""The site table: sites joined to their program, layer and admin units.

:func:`site_frame` is what the map, the table and the downloads read. Its
geometry is how a site can honestly be drawn: the point for an exact site, the
desa or kecamatan polygon for admin-level sites, nothing for region-level ones.
What counts (active, located, remaining) is defined in :mod:`layers.targets`.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import pandas as pd

from geo.joins import admin_of_codes, admin_of_points
from layers.catalog import Catalog
from layers.model import Precision, Program, Site

log = logging.getLogger(__name__)

# frame.attrs key: ids of stored sites left out because their program is not in the catalog.
SKIPPED = "skipped_sites"

COLUMNS = [
    "id", "name", "program", "program_name", "document", "region", "misi", "sasaran",
    "layer", "status", "precision", "target_qty", "target_unit",
    "kode_kab", "kode_kec", "kecamatan", "kode_desa", "desa",
    "source", "evidence_url", "updated",
]


def site_frame(sites: list[Site], catalog: Catalog, kecamatan: gpd.GeoDataFrame, desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Sites with program facts, admin units and a display geometry (EPSG:4326).

    A stored site whose program is not in the catalog cannot be described or
    counted; it is left out (and logged) so that one bad row does not break
    every page. :func:`skipped_sites` gives the ids left out.
    """
    programs = {p.id: p for p in catalog.programs}
    skipped = tuple(s.id for s in sites if s.program not in programs)
    if skipped:
        log.warning("%d stored site(s) refer to programs not in the catalog and are left out: %s", len(skipped), ", ".join(skipped))
        sites = [s for s in sites if s.program in programs]
    frame = _frame(sites, programs, kecamatan, desa)
    frame.attrs[SKIPPED] = skipped
    return frame


def skipped_sites(frame: pd.DataFrame) -> tuple[str, ...]:
    """Ids of the stored sites :func:`site_frame` left out (their program is not in the catalog)."""
    return tuple(frame.attrs.get(SKIPPED, ()))


def _frame(sites: list[Site], programs: dict[str, Program], kecamatan: gpd.GeoDataFrame, desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
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

