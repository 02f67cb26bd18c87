"""Who is within a service radius of a site, and how far everyone else is.

The covered population of a demand cell (:mod:`geo.demand`) is its population
times the share of its area within ``radius_m`` of any site, from exact area
intersection, so a desa half inside the radius counts as half covered (WHO
AccessMod's coverage by catchment area, with a straight-line catchment).

Only sites located at a point (precision ``"titik"``) cover anyone: a site
known only to its desa, kecamatan or region could be anywhere in it, so it is
left out and counted, with the reason (:func:`counted_sites`).

Everything is computed in :data:`geo.config.METRIC_CRS`; sites in any CRS are
converted.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import config
from geo.errors import DataError

# Circles are polygons of 4 x 64 sides, whose edges stray at most r x 7.5e-5 inside
# the true circle (0.2 m at 3 km): far below what the data can resolve.
QUAD_SEGS = 64

# Keyed by the values of layers.model.Precision (geo does not import layers;
# a test keeps the two in step).
LEFT_OUT_REASONS = {
    "titik": "no coordinates recorded",
    "desa": "known only to its desa/kelurahan: where in it is unknown",
    "kecamatan": "known only to its kecamatan: where in it is unknown",
    "wilayah": "known only to its kabupaten/kota: where in it is unknown",
}

DESA_KEYS = ["kode_desa", "desa", "kode_kec", "kecamatan", "kode_kab"]
KECAMATAN_KEYS = ["kode_kec", "kecamatan", "kode_kab"]


@dataclass(frozen=True)
class Coverage:
    """Population within a radius of the sites, per cell, desa and kecamatan.

    Attributes
    ----------
    radius_m : float
        Service radius in metres.
    cells : geopandas.GeoDataFrame
        The demand cells with ``covered_share`` (share of the cell's area
        within the radius), ``covered`` and ``uncovered`` (people) and
        ``distance_m`` (from the cell's centroid to the nearest counted site;
        NaN when no site counts), in :data:`geo.config.METRIC_CRS`.
    desa : pandas.DataFrame
        Per desa: ``kode_desa, desa, kode_kec, kecamatan, kode_kab,
        population, covered, uncovered, share`` (covered / population). Join
        to desa polygons on ``kode_desa`` to map it.
    kecamatan : pandas.DataFrame
        The same per kecamatan (``kode_kec, kecamatan, kode_kab, ...``),
        plus ``facilities`` (counted sites and existing supply located in
        it), ``per_facility`` (population / facilities; NaN without one) and
        ``beyond`` (the share of the population outside the radius).
    area : geopandas.GeoSeries
        One geometry: the land within the radius of a counted site, clipped
        to the demand cells (empty when no site counts).
    sites_counted : int
        Sites that count (precision ``"titik"`` with a geometry).
    left_out : pandas.DataFrame
        ``precision, sites, reason`` for every kind of site that does not
        count (see :func:`counted_sites`).
    supply_counted : int
        Existing facilities counted with the sites (see :func:`coverage`).
    """

    radius_m: float
    cells: gpd.GeoDataFrame
    desa: pd.DataFrame
    kecamatan: pd.DataFrame
    area: gpd.GeoSeries
    sites_counted: int
    left_out: pd.DataFrame
    supply_counted: int = 0

    @property
    def population(self) -> float:
        """Population of all demand cells."""
        return float(self.cells["population"].sum())

    @property
    def covered(self) -> float:
        """Population within the radius of a counted site."""
        return float(self.cells["covered"].sum())

    @property
    def uncovered(self) -> float:
        """Population outside the radius of every counted site."""
        return self.population - self.covered

    @property
    def share(self) -> float:
        """Covered share of the population (NaN when there is none)."""
        return self.covered / self.population if self.population else float("nan")


def counted_sites(sites: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Split sites into those that can cover people and those left out.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        Sites with ``id``, ``precision`` (a :class:`layers.model.Precision`
        value) and a geometry, such as :func:`layers.sites.site_frame` rows.
        Admin-level sites may carry their desa or kecamatan polygon: it is
        never used as a location.

    Returns
    -------
    counted : geopandas.GeoDataFrame
        Sites with precision ``"titik"`` and a non-empty geometry, in
        :data:`geo.config.METRIC_CRS`.
    left_out : pandas.DataFrame
        ``precision, sites, reason``: how many of the other sites there are
        per precision and why they do not count, best precision first; no
        row for a precision with no left-out site.

    Raises
    ------
    DataError
        If ``id`` or ``precision`` is missing, the sites have no CRS, or a
        site has a precision that is not a known value.
    """
    missing = [c for c in ("id", "precision") if c not in sites.columns]
    if missing:
        raise DataError(f"Sites lack column(s): {', '.join(missing)}")
    unknown = sites.loc[~sites["precision"].isin(list(LEFT_OUT_REASONS)), ["id", "precision"]]
    if len(unknown):
        site_id, precision = unknown.iloc[0]
        raise DataError(f"Site {site_id}: precision {precision!r} is not one of {', '.join(LEFT_OUT_REASONS)}")
    if len(sites) and sites.crs is None:
        raise DataError("Sites have no CRS: set EPSG:4326 (lon/lat) or the CRS of their coordinates")
    counts = (sites["precision"] == "titik") & sites.geometry.notna() & ~sites.geometry.is_empty
    left = sites.loc[~counts, "precision"].value_counts()
    left_out = pd.DataFrame(
        [(p, int(left[p]), reason) for p, reason in LEFT_OUT_REASONS.items() if left.get(p, 0)],
        columns=["precision", "sites", "reason"],
    )
    counted = sites[counts]
    # Only an empty table can lack a CRS here (checked above).
    return (counted.to_crs(config.METRIC_CRS) if counted.crs else counted.set_crs(config.METRIC_CRS)), left_out


def check_radius(radius_m: float) -> float:
    """Return ``radius_m`` as a float, or raise DataError unless it is a positive number."""
    try:
        radius = float(radius_m)
    except (TypeError, ValueError):
        raise DataError(f"Service radius must be a number of metres, got {radius_m!r}") from None
    if not radius > 0 or not np.isfinite(radius):
        raise DataError(f"Service radius must be more than 0 m, got {radius_m!r}")
    return radius


def covered_parts(cells: np.ndarray, sites: np.ndarray, radius_m: float) -> tuple[np.ndarray, np.ndarray]:
    """The part of each cell within ``radius_m`` of any site.

    Parameters
    ----------
    cells : numpy.ndarray of shapely.Polygon
        Cell polygons, in metres.
    sites : numpy.ndarray of shapely.Geometry
        Site geometries, in the same CRS.
    radius_m : float
        Service radius in metres (positive).

    Returns
    -------
    index : numpy.ndarray of int
        Positions in ``cells`` of the cells that are at least partly covered.
    parts : numpy.ndarray of shapely.Geometry
        Their covered parts, aligned with ``index``.
    """
    if not len(cells) or not len(sites):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=object)
    circles = shapely.buffer(sites, radius_m, quad_segs=QUAD_SEGS)
    cell_pos, circle_pos = shapely.STRtree(circles).query(cells, predicate="intersects")
    order = np.argsort(cell_pos, kind="stable")  # group each cell's circles together
    cell_pos, circle_pos = cell_pos[order], circle_pos[order]
    whole = shapely.contains(circles[circle_pos], cells[cell_pos])
    index, starts = np.unique(cell_pos, return_index=True)
    parts = np.empty(len(index), dtype=object)
    # Per cell, only the circles that reach it are merged: small overlays.
    for k, (pos, hits, inside) in enumerate(zip(index, np.split(circle_pos, starts[1:]), np.split(whole, starts[1:]))):
        parts[k] = cells[pos] if inside.any() else shapely.intersection(cells[pos], shapely.union_all(circles[hits]))
    return index, parts


def covered_share(cells: np.ndarray, sites: np.ndarray, radius_m: float) -> np.ndarray:
    """Share of each cell's area within ``radius_m`` of any site (0 to 1).

    Parameters
    ----------
    cells : numpy.ndarray of shapely.Polygon
        Cell polygons with positive area, in metres.
    sites : numpy.ndarray of shapely.Geometry
        Site geometries, in the same CRS.
    radius_m : float
        Service radius in metres (positive).

    Returns
    -------
    numpy.ndarray of float
        One share per cell.
    """
    return _share(cells, *covered_parts(cells, sites, radius_m))


def _share(cells: np.ndarray, index: np.ndarray, parts: np.ndarray) -> np.ndarray:
    share = np.zeros(len(cells))
    share[index] = shapely.area(parts) / shapely.area(cells[index])
    return np.minimum(share, 1.0)  # rounding in the overlay can exceed 1 by a hair


def nearest_distance(points: np.ndarray, sites: np.ndarray) -> np.ndarray:
    """Straight-line distance from each point to the nearest site.

    Parameters
    ----------
    points : numpy.ndarray of shapely.Point
        In metres.
    sites : numpy.ndarray of shapely.Geometry
        In the same CRS.

    Returns
    -------
    numpy.ndarray of float
        Metres; NaN everywhere when there are no sites.
    """
    if not len(sites):
        return np.full(len(points), np.nan)
    (point_pos, _), distance = shapely.STRtree(sites).query_nearest(points, return_distance=True, all_matches=False)
    out = np.full(len(points), np.nan)
    out[point_pos] = distance
    return out


def _totals(cells: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = cells.groupby(keys, as_index=False, sort=True, dropna=False)[["population", "covered", "uncovered"]].sum()
    out["share"] = (out["covered"] / out["population"]).where(out["population"] > 0)
    return out


def _facilities(cells: gpd.GeoDataFrame, points: np.ndarray) -> pd.Series:
    """Facilities per kecamatan: each point counts in the kecamatan of the demand cell it lies in."""
    if not len(points):
        return pd.Series(dtype=int)
    point_pos, cell_pos = shapely.STRtree(cells.geometry.to_numpy()).query(points, predicate="intersects")
    _, first = np.unique(point_pos, return_index=True)  # a point on a cell edge counts once
    return pd.Series(cells["kode_kec"].to_numpy()[cell_pos[first]]).value_counts()


def coverage(cells: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, radius_m: float, supply: gpd.GeoDataFrame | None = None) -> Coverage:
    """Population covered and not covered by sites within a radius.

    Parameters
    ----------
    cells : geopandas.GeoDataFrame
        Demand cells from :func:`geo.demand.demand_cells`.
    sites : geopandas.GeoDataFrame
        Sites of one layer (see :func:`counted_sites`); those not located at
        a point are left out and counted.
    radius_m : float
        Service radius in metres, e.g. :attr:`layers.model.Layer.radius_m`.
    supply : geopandas.GeoDataFrame, optional
        Existing facilities of the same kind, already there whatever the
        programs do (e.g. :func:`geo.supply.counterpart_sites`): usable
        points only, all counted with the sites.

    Returns
    -------
    Coverage
        Per cell, desa and kecamatan, with the covered area and the
        left-out sites.

    Raises
    ------
    DataError
        If the radius is not a positive number or the sites are invalid
        (see :func:`counted_sites`).

    Examples
    --------
    >>> demand = build_demand()  # doctest: +SKIP
    >>> result = coverage(demand.cells, sites[sites["layer"] == "posko_bencana"], 3000)  # doctest: +SKIP
    >>> result.share, result.left_out  # doctest: +SKIP
    """
    radius = check_radius(radius_m)
    counted, left_out = counted_sites(sites)
    out = cells.to_crs(config.METRIC_CRS)
    cell_geoms = out.geometry.to_numpy()
    existing = np.empty(0, dtype=object) if supply is None or not len(supply) else supply.to_crs(config.METRIC_CRS).geometry.to_numpy()
    site_geoms = np.concatenate([counted.geometry.to_numpy(), existing])
    index, parts = covered_parts(cell_geoms, site_geoms, radius)
    share = _share(cell_geoms, index, parts)
    out["covered_share"] = share
    out["covered"] = out["population"] * share
    out["uncovered"] = out["population"] - out["covered"]
    out["distance_m"] = nearest_distance(shapely.centroid(cell_geoms), site_geoms)
    area = shapely.union_all(parts) if len(parts) else shapely.Polygon()
    kecamatan = _totals(out, KECAMATAN_KEYS)
    kecamatan["facilities"] = kecamatan["kode_kec"].map(_facilities(out, site_geoms)).fillna(0).astype(int)
    kecamatan["per_facility"] = (kecamatan["population"] / kecamatan["facilities"]).where(kecamatan["facilities"] > 0)
    kecamatan["beyond"] = (kecamatan["uncovered"] / kecamatan["population"]).where(kecamatan["population"] > 0)
    return Coverage(
        radius_m=radius,
        cells=out,
        desa=_totals(out, DESA_KEYS),
        kecamatan=kecamatan,
        area=gpd.GeoSeries([area], crs=config.METRIC_CRS),
        sites_counted=len(counted),
        left_out=left_out,
        supply_counted=len(existing),
    )
