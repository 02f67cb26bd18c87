"""What is near a location: distances in metres, and honesty about imprecise sites.

Distances are computed in UTM zone 48S (EPSG:32748), never in degrees. Only
sites with an exact point get a distance; a site known only to a desa,
kecamatan or region is listed apart, with its precision, when the location lies
in that area.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from geo.config import METRIC_CRS
from geo.supply import usable
from layers.model import Precision

EXACT, DESA, KECAMATAN, REGION = (p.value for p in Precision)


@dataclass(frozen=True)
class Nearby:
    """Sites near a location.

    ``within`` holds exact sites within the radius, nearest first, with
    ``distance_m``; ``in_area`` the desa- and kecamatan-level sites of the
    location's kecamatan, with ``scope`` ("desa" where it is the location's own
    desa, else "kecamatan"); ``in_region`` the region-level sites of its region.
    """

    within: gpd.GeoDataFrame
    in_area: pd.DataFrame
    in_region: pd.DataFrame


def distances_m(sites: gpd.GeoDataFrame, lat: float, lon: float) -> pd.Series:
    """Metres from (lat, lon) to each site's geometry, in UTM 48S."""
    origin = gpd.GeoSeries([Point(lon, lat)], crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]
    return sites.geometry.to_crs(METRIC_CRS).distance(origin)


def nearby_sites(
    sites: gpd.GeoDataFrame, lat: float, lon: float, radius_m: float, place: pd.Series,
    found: list[tuple[str, float]] | None = None,
) -> Nearby:  # fmt: skip
    """Split ``sites`` (a :func:`layers.sites.site_frame` table) around a location.

    ``place`` is the location's desa row (``kode_desa``, ``kode_kec``,
    ``kode_kab``) from :func:`geo.locate.locate`. ``found`` is what the
    register's spatial index found within the radius
    (:meth:`register.store.SiteStore.sites_within`: id and metres, measured as
    :func:`distances_m` does); without it every exact site is measured here.
    """
    # Masks and distances over the whole table, then one copy of the rows within (an inventory holds 100,000 sites).
    exact = ((sites["precision"] == EXACT) & sites.geometry.notna()).to_numpy()
    if found is not None:
        # A lookup by id (sites not found get no distance, so are not within), not Series.isin: on a string column
        # that builds a value per found id, seconds for an inventory's thousands.
        metres = sites["id"].map(pd.Series(dict(found), dtype=float)).to_numpy(dtype=float, na_value=np.nan)
    else:
        metres = np.full(len(sites), np.nan)
        metres[exact] = distances_m(sites[exact], lat, lon).to_numpy() if exact.any() else []
    near = exact & (metres <= radius_m)
    within = sites[near].assign(distance_m=metres[near]).sort_values("distance_m")
    area = sites[sites["precision"].isin([DESA, KECAMATAN]) & (sites["kode_kec"] == place["kode_kec"])]
    area = area.assign(scope=[DESA if d == place["kode_desa"] else KECAMATAN for d in area["kode_desa"]])
    region = sites[(sites["precision"] == REGION) & (sites["kode_kab"] == place["kode_kab"])]
    return Nearby(within, pd.DataFrame(area.drop(columns="geometry")), pd.DataFrame(region.drop(columns="geometry")))


# The existing facilities a resident asks about (schools up to SMP, health centres, markets, stations).
NEAR_SUPPLY = ("sd", "smp_negeri", "smp_swasta", "puskesmas", "pasar", "krl")


def nearby_supply(supply: gpd.GeoDataFrame, lat: float, lon: float, radius_m: float, kinds: tuple[str, ...] = NEAR_SUPPLY) -> gpd.GeoDataFrame:
    """Existing facilities of ``kinds`` within ``radius_m`` of (lat, lon), nearest first, with ``distance_m``.

    ``supply`` is :func:`geo.supply.load_supply`; flagged positions are never
    given a distance (:func:`geo.supply.usable`).
    """
    points = usable(supply, kinds)
    points = points.assign(distance_m=distances_m(points, lat, lon) if len(points) else [])
    return points[points["distance_m"] <= radius_m].sort_values(["distance_m", "name"])
