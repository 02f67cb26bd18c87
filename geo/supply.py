"""Existing supply: the schools, health centres, hospitals, markets and stations already there.

These are reference data, not program sites: they come from the installed
files under ``reference/`` (see their ``PROVENANCE.md``), each kind with its
source and year, and they never enter the site register.

A position is usable only when nothing flags it. Flagged positions (no
coordinate, outside the three regions, in another region than the source
lists, a point shared by :data:`SHARED_PLACEHOLDER` or more schools, i.e. a
placeholder such as a kecamatan office, or a hospital mapped twice) are not
drawn as exact points and never enter a distance or coverage analysis; they
are counted and listed (:func:`flagged`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import boundaries, config, validate
from geo.joins import admin_of_points
from geo.sources import REFERENCE

SCHOOLS = "schools_kemendikbud_2019.csv"
HEALTH = "health_facilities_kemenkes_2019.csv"
HOSPITALS = "facilities_hospital_osm.geojson"
MARKETS = "facilities_market_osm.geojson"
KRL = "krl_stations.csv"

# From this many schools on one coordinate, the point is a placeholder, not the school (PROVENANCE.md).
SHARED_PLACEHOLDER = 5

# Why a position is not used, in the order a row is labelled with (its first problem wins).
NO_COORDINATE, OUTSIDE, OTHER_REGION, SHARED, DUPLICATE = (
    "no_coordinate", "outside_regions", "other_region_than_listed", "point_shared", "duplicate",
)  # fmt: skip
PROBLEMS = (NO_COORDINATE, OUTSIDE, OTHER_REGION, SHARED, DUPLICATE)

ADMIN = ["kode_kab", "kode_kec", "kecamatan", "kode_desa", "desa"]
COLUMNS = ["kind", "id", "name", "status", *ADMIN, "qa_flags", "problem", "source", "year", "geometry"]


@dataclass(frozen=True)
class SupplyKind:
    """One kind of existing facility: where it comes from and how it is drawn (labels: ``supply_kind_<id>`` in texts)."""

    id: str
    source: str  # publisher, as credited in legends and lists
    year: int  # the data's year (not the date it was extracted)
    color: str
    icon: str  # Font Awesome 6 solid icon name
    incomplete: bool = False  # OSM extracts miss facilities


KINDS = {
    k.id: k
    for k in (
        SupplyKind("sd", "Kemendikbud (Dapodik)", 2019, "#8d6e63", "child"),
        SupplyKind("smp_negeri", "Kemendikbud (Dapodik)", 2019, "#0d47a1", "school"),
        SupplyKind("smp_swasta", "Kemendikbud (Dapodik)", 2019, "#64b5f6", "school"),
        SupplyKind("sma_smk", "Kemendikbud (Dapodik)", 2019, "#7986cb", "graduation-cap"),
        SupplyKind("puskesmas", "Kemenkes BPPSDMK", 2019, "#d81b60", "house-medical"),
        SupplyKind("rs", "OpenStreetMap (ODbL)", 2026, "#6a1b9a", "hospital", incomplete=True),
        SupplyKind("pasar", "OpenStreetMap (ODbL)", 2026, "#a0522d", "store", incomplete=True),
        SupplyKind("krl", "KRL GTFS (CC BY 4.0)", 2026, "#263238", "train"),
    )
}

# Program layers whose promised sites add to an existing kind of facility (coverage counts both).
COUNTERPARTS = {"smp_baru": ("smp_negeri",), "puskesmas": ("puskesmas",), "rs": ("rs",), "pasar": ("pasar",), "tod": ("krl",)}

SCHOOL_KINDS = {"SD": "sd", "SMA": "sma_smk", "SMK": "sma_smk"}  # SMP splits by status; SLB etc. are not supply here


def kind_label(kind_id: str, t: Callable[[str], str]) -> str:
    """A kind's name (``t`` translates ``supply_kind_<id>``) with its source and year, and "incomplete" for OSM extracts."""
    kind = KINDS[kind_id]
    text = f"{t('supply_kind_' + kind_id)} ({kind.source}, {kind.year})"
    return f"{text} \u2014 {t('incomplete')}" if kind.incomplete else text


def _frame(kind: pd.Series, ids, names, status, lon: pd.Series, lat: pd.Series, admin: pd.DataFrame, flags: pd.Series) -> gpd.GeoDataFrame:
    """Facilities in :data:`COLUMNS` (without ``problem``); no geometry where a coordinate is missing."""
    points = gpd.points_from_xy(lon, lat, crs="EPSG:4326")
    geometry = gpd.GeoSeries(np.where(lon.notna() & lat.notna(), points, None), index=lon.index, crs="EPSG:4326")
    out = gpd.GeoDataFrame(
        {"kind": kind, "id": ids, "name": names, "status": status, **{c: admin[c] for c in ADMIN}, "qa_flags": flags.fillna("")},
        geometry=geometry,
        crs="EPSG:4326",
    )
    out["source"] = out["kind"].map(lambda k: KINDS[k].source)
    out["year"] = out["kind"].map(lambda k: KINDS[k].year)
    return out


def problem_of(flags: pd.Series) -> pd.Series:
    """The first position problem named by each row's ``qa_flags`` (``""`` where the position is usable)."""
    flags = flags.fillna("").astype(str)
    shared = flags.str.extract(r"point_shared_by_(\d+)", expand=False).astype(float) >= SHARED_PLACEHOLDER
    tests = [flags.str.contains(NO_COORDINATE), flags.str.contains(OUTSIDE), flags.str.contains(OTHER_REGION), shared,
             flags.str.contains("possible_duplicate_of")]  # fmt: skip
    return pd.Series(np.select(tests, PROBLEMS, default=""), index=flags.index)


def _schools(root: Path | None) -> gpd.GeoDataFrame:
    path = boundaries._path(root, REFERENCE, SCHOOLS)
    codes = ("npsn", "kode_desa", "kode_kec", "kode_kab", "kode_kab_sumber")
    frame = boundaries.read_table(path, ("npsn", "nama", "jenjang", "status", "qa_flags") + codes[1:], codes=codes)
    validate.validate_facility_table(frame, path.name, ("npsn", "nama", "jenjang", "status"), "npsn")
    kind = frame["jenjang"].map(SCHOOL_KINDS).where(frame["jenjang"] != "SMP", "smp_" + frame["status"].astype(str))
    frame = frame[kind.isin(list(KINDS)) & frame["kode_kab_sumber"].isin(config.PROGRAM_REGIONS)]
    kind = kind[frame.index]
    return _frame(kind, "npsn-" + frame["npsn"], frame["nama"], frame["status"], frame["lon"], frame["lat"], frame, frame["qa_flags"])


def _puskesmas(root: Path | None) -> gpd.GeoDataFrame:
    path = boundaries._path(root, REFERENCE, HEALTH)
    codes = ("kode_faskes", "kode_desa", "kode_kec", "kode_kab")
    frame = boundaries.read_table(path, ("jenis", "nama", "qa_flags") + codes, codes=codes)
    validate.validate_facility_table(frame, path.name, ("kode_faskes", "jenis", "nama"), "kode_faskes")
    # Hospitals in this list are heavily undercounted (PROVENANCE.md): the OSM layer stands for them.
    frame = frame[frame["jenis"] == "PUSKESMAS"]
    kind = pd.Series("puskesmas", index=frame.index)
    return _frame(kind, "kemenkes-" + frame["kode_faskes"], frame["nama"], "", frame["lon"], frame["lat"], frame, frame["qa_flags"])


def _krl(root: Path | None) -> gpd.GeoDataFrame:
    path = boundaries._path(root, REFERENCE, KRL)
    codes = ("stop_id", "kode_desa", "kode_kec", "kode_kab")
    frame = boundaries.read_table(path, ("nama",) + codes, codes=codes)
    validate.validate_facility_table(frame, path.name, ("stop_id", "nama"), "stop_id")
    kind = pd.Series("krl", index=frame.index)
    return _frame(kind, frame["stop_id"], frame["nama"], "", frame["lon"], frame["lat"], frame, pd.Series("", index=frame.index))


def _osm(name: str, kind_id: str, root: Path | None, desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame = boundaries.load_reference(name, root).reset_index(drop=True)
    # Hospitals carry names, not codes: joined to the desa they lie in, like program sites.
    admin = frame if "kode_kec" in frame.columns else admin_of_points(frame.geometry, desa)
    duplicate = frame.get("possible_duplicate_of", pd.Series("", index=frame.index)).fillna("").astype(str)
    flags = ("possible_duplicate_of=" + duplicate).where(duplicate != "", "")
    kind = pd.Series(kind_id, index=frame.index)
    ids = "osm-" + frame["osm_type"].astype(str) + "/" + frame["osm_id"].astype(str)
    return _frame(kind, ids, frame["name"].fillna(""), "", frame.geometry.x, frame.geometry.y, admin, flags)


def load_supply(root: Path | str | None = None, desa: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Every existing facility of :data:`KINDS` in Tangsel and Kabupaten Tangerang, validated.

    Parameters
    ----------
    root : path-like, optional
        Data directory (default :func:`geo.config.data_dir`).
    desa : geopandas.GeoDataFrame, optional
        Desa polygons (default: loaded from ``root``), to place hospitals.

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`COLUMNS`, EPSG:4326: ``kind`` (a key of :data:`KINDS`), ``id``
        (``npsn-…``, ``kemenkes-…``, ``osm-…`` or the KRL stop id), ``name``,
        ``status`` (schools: negeri/swasta), the admin units the point lies in
        (missing where it lies outside), ``qa_flags`` as published,
        ``problem`` (one of :data:`PROBLEMS`, ``""`` when the position is
        usable), ``source`` and ``year``; geometry is missing without a
        coordinate.

    Raises
    ------
    DataError
        If a file is missing or does not validate.
    """
    root = Path(root) if root else None
    desa = desa if desa is not None else boundaries.load_desa(root)
    parts = [_schools(root), _puskesmas(root), _osm(HOSPITALS, "rs", root, desa), _osm(MARKETS, "pasar", root, desa), _krl(root)]
    out = pd.concat(parts, ignore_index=True)
    out["problem"] = problem_of(out["qa_flags"])
    out = out[out["kode_kab"].isin(config.PROGRAM_REGIONS) | (out["problem"] != "")]
    return gpd.GeoDataFrame(out[COLUMNS], geometry="geometry", crs="EPSG:4326").reset_index(drop=True)


def usable(supply: gpd.GeoDataFrame, kinds: tuple[str, ...] | None = None) -> gpd.GeoDataFrame:
    """Facilities whose position may be drawn as a point and used for distances (of ``kinds``, default all)."""
    keep = (supply["problem"] == "") & supply.geometry.notna()
    if kinds is not None:
        keep &= supply["kind"].isin(kinds)
    return supply[keep]


def flagged(supply: gpd.GeoDataFrame) -> pd.DataFrame:
    """Facilities whose position is not used: ``kind, id, name, kecamatan, qa_flags, problem``, by kind and name."""
    rows = supply[(supply["problem"] != "") | supply.geometry.isna()]
    return pd.DataFrame(rows[["kind", "id", "name", "kecamatan", "qa_flags", "problem"]]).sort_values(["kind", "name"], ignore_index=True)


def kind_counts(supply: gpd.GeoDataFrame) -> pd.DataFrame:
    """Per kind (in :data:`KINDS` order): ``kind, drawn`` (usable points), ``flagged``, ``source, year``."""
    drawn = usable(supply)["kind"].value_counts()
    total = supply["kind"].value_counts()
    out = pd.DataFrame({"kind": list(KINDS)})
    out["drawn"] = out["kind"].map(drawn).fillna(0).astype(int)
    out["flagged"] = out["kind"].map(total).fillna(0).astype(int) - out["drawn"]
    out["source"] = [KINDS[k].source for k in out["kind"]]
    out["year"] = [KINDS[k].year for k in out["kind"]]
    return out


def counterpart_sites(supply: gpd.GeoDataFrame, layer_id: str) -> gpd.GeoDataFrame:
    """The usable existing facilities that a program layer's sites add to, as exact sites.

    The result has ``id``, ``precision`` ``"titik"``, ``kind``, ``name`` and the
    admin columns, so :func:`geo.coverage.coverage` and the location models
    take it as fixed supply. Empty for a layer without a counterpart.
    """
    points = usable(supply, COUNTERPARTS.get(layer_id, ()))
    return points.assign(precision="titik")


def by_kecamatan(supply: gpd.GeoDataFrame, codes: list[str] | None = None) -> pd.DataFrame:
    """Usable facilities per kecamatan and kind: ``kode_kec`` then one count column per kind (all kecamatan of ``codes``)."""
    points = usable(supply)
    table = pd.crosstab(points["kode_kec"], points["kind"]).reindex(columns=list(KINDS), fill_value=0)
    if codes is not None:
        table = table.reindex(codes, fill_value=0)
    return table.rename_axis("kode_kec").reset_index().rename_axis(None, axis=1)
