"""Where people live: population spread over a regular grid of demand cells.

Coverage and location models need demand inside each desa, not only at its
centroid, so that a large desa half inside a service radius counts as half
covered. Each desa gets a population estimate (:func:`desa_estimates`), and
that population is spread over the squares of a regular grid clipped to the
desa, in proportion to clipped area (:func:`demand_cells`). Density is
therefore uniform inside a desa: the data say nothing finer.

Population per desa
-------------------
``population_kecamatan.csv`` holds the latest total per kecamatan (Tangsel
2025, Kabupaten Tangerang 2015); ``population_desa.csv`` holds older desa
figures (Kabupaten Tangerang 2015, Tangsel of unknown year, about 2018-19).
Each kecamatan total is split between its desa in proportion to the desa
figures, so the totals stay current while the desa file only supplies
shares. A desa without a figure gets the kecamatan's known density times its
area; where no desa of a kecamatan has a figure, shares follow area.
Every estimate carries the year, source and confidence of both parts
(:class:`PopulationSource` per region) so a page can say how old they are.

All geometry here is in :data:`geo.config.METRIC_CRS` (UTM 48S, metres).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import boundaries, config
from geo.errors import DataError

# Chosen with scripts/benchmark_coverage.py (2 cores): the 14-posko MCLP over
# both regions takes ~8-10 s at 1 km (1,331 demand squares x 1,189 candidates),
# 29 s at 500 m with 1 km candidates and 170 s at 500 m throughout; spopt's
# model builder, which loops over every square-candidate pair in Python, is
# most of it. Covered population does not depend on the cell size (density is
# uniform per desa and areas are intersected exactly); the distance map and
# the models' demand points do.
DEFAULT_CELL_M = 1000.0

DEMAND_COLUMNS = ("kode_desa", "desa", "kode_kec", "kecamatan", "kode_kab", "population")

# population_desa.csv has no confidence column: these are PROVENANCE.md's
# ratings of its two parts.
DESA_SHARE_CONFIDENCE = {config.KAB_TANGERANG: "medium", config.TANGSEL: "low-medium"}

SHARE_BY_FIGURE = "desa figure"
SHARE_BY_AREA = "area"


@dataclass(frozen=True)
class PopulationSource:
    """Where one region's population estimate comes from.

    Attributes
    ----------
    kode_kab : str
        BPS code of the kabupaten/kota.
    region : str
        Its name.
    population : float
        Total population used for the region.
    years : tuple of int
        Years of the kecamatan totals (Kabupaten Tangerang: 2015 only).
    sources : tuple of str
        Sources of the kecamatan totals.
    confidence : tuple of str
        Confidence ratings of the kecamatan totals.
    share_years : tuple of int or None
        Years of the desa figures that split the totals; ``None`` where the
        year is unknown.
    share_confidence : tuple of str
        Confidence ratings of those desa figures.
    desa_by_area : int
        Desa without a figure, whose share follows their area instead.
    """

    kode_kab: str
    region: str
    population: float
    years: tuple[int, ...]
    sources: tuple[str, ...]
    confidence: tuple[str, ...]
    share_years: tuple[int | None, ...]
    share_confidence: tuple[str, ...]
    desa_by_area: int


@dataclass(frozen=True)
class Demand:
    """Demand cells with the population estimate behind them.

    Attributes
    ----------
    cells : geopandas.GeoDataFrame
        One row per grid square clipped to one desa (see :func:`demand_cells`),
        in :data:`geo.config.METRIC_CRS`.
    desa : pandas.DataFrame
        One row per desa (see :func:`desa_estimates`).
    sources : tuple of PopulationSource
        One per region, in the order of ``regions``.
    cell_m : float
        Side of the grid squares, in metres.
    """

    cells: gpd.GeoDataFrame
    desa: pd.DataFrame
    sources: tuple[PopulationSource, ...]
    cell_m: float


def grid_indices(bounds: tuple[float, float, float, float], size: float) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the grid squares that cover a bounding box.

    The grid is anchored at the CRS origin (square ``(ix, iy)`` spans
    ``ix * size .. (ix + 1) * size``), so squares, ids and candidate points
    are the same whatever area is gridded.

    Parameters
    ----------
    bounds : tuple of float
        ``(minx, miny, maxx, maxy)`` in metres.
    size : float
        Side of a square in metres.

    Returns
    -------
    ix, iy : numpy.ndarray of int
        Column and row index of every square, flattened row by row.
    """
    minx, miny, maxx, maxy = bounds
    cols = np.arange(np.floor(minx / size), np.ceil(maxx / size), dtype=np.int64)
    rows = np.arange(np.floor(miny / size), np.ceil(maxy / size), dtype=np.int64)
    ix, iy = np.meshgrid(cols, rows)
    return ix.ravel(), iy.ravel()


def desa_estimates(desa: gpd.GeoDataFrame, kecamatan_population: pd.DataFrame, desa_population: pd.DataFrame) -> pd.DataFrame:
    """Population per desa: kecamatan totals split by desa shares.

    Parameters
    ----------
    desa : geopandas.GeoDataFrame
        Desa polygons with ``kode_desa, desa, kode_kec, kecamatan, kode_kab``
        (as from :func:`geo.boundaries.load_desa`), any CRS.
    kecamatan_population : pandas.DataFrame
        ``kode_kec, population, year, source, confidence``, one row per
        kecamatan (as from :func:`geo.boundaries.kecamatan_population`).
    desa_population : pandas.DataFrame
        ``kode_desa, population, year, source`` (as from
        :func:`geo.boundaries.desa_population`); desa may be missing.

    Returns
    -------
    pandas.DataFrame
        One row per desa: ``kode_desa, desa, kode_kec, kecamatan, kode_kab,
        area_km2, population`` (the estimate), ``year, source, confidence``
        (of the kecamatan total), ``share_basis`` (``"desa figure"`` or
        ``"area"``), ``share_year`` (missing where unknown), ``share_source``
        and ``share_confidence``.

    Raises
    ------
    DataError
        If a kecamatan of ``desa`` has no total, or a desa figure is not a
        positive number.
    """
    totals = kecamatan_population.drop_duplicates("kode_kec").set_index("kode_kec")
    missing = sorted(set(desa["kode_kec"]) - set(totals.index))
    if missing:
        names = desa.drop_duplicates("kode_kec").set_index("kode_kec")["kecamatan"]
        listed = ", ".join(f"{names[c]} ({c})" for c in missing)
        raise DataError(f"No population total for kecamatan {listed} in population_kecamatan.csv")
    figures = desa_population.drop_duplicates("kode_desa").set_index("kode_desa")
    values = pd.to_numeric(figures["population"], errors="coerce")
    bad = figures.index[figures["population"].notna() & ~(values > 0)]
    if len(bad):
        code = bad[0]
        raise DataError(
            f"population_desa.csv, kode_desa {code}: population {figures.at[code, 'population']} is not a positive number"
        )

    out = pd.DataFrame(desa[["kode_desa", "desa", "kode_kec", "kecamatan", "kode_kab"]]).reset_index(drop=True)
    out["area_km2"] = desa.to_crs(config.METRIC_CRS).area.to_numpy() / 1e6
    figure = out["kode_desa"].map(values)
    known = figure.notna()
    by_kec = out.assign(known_pop=figure.where(known, 0.0), known_area=out["area_km2"].where(known, 0.0)).groupby("kode_kec")
    density = by_kec["known_pop"].transform("sum") / by_kec["known_area"].transform("sum")
    # A desa without a figure is as dense as the known desa of its kecamatan;
    # with none known, density cancels out and shares follow area.
    weight = figure.where(known, out["area_km2"] * density.fillna(1.0))
    share = weight / weight.groupby(out["kode_kec"]).transform("sum")
    total = totals.reindex(out["kode_kec"])
    out["population"] = share.to_numpy() * total["population"].to_numpy()
    out["year"] = total["year"].to_numpy()
    out["source"] = total["source"].to_numpy()
    out["confidence"] = total["confidence"].to_numpy()
    out["share_basis"] = np.where(known, SHARE_BY_FIGURE, SHARE_BY_AREA)
    out["share_year"] = out["kode_desa"].map(figures["year"]).where(known).astype("Int64")
    out["share_source"] = out["kode_desa"].map(figures["source"]).where(known, "area of the desa polygon")
    out["share_confidence"] = np.where(known, out["kode_kab"].map(DESA_SHARE_CONFIDENCE).fillna("unknown"), "low")
    return out


def population_sources(estimates: pd.DataFrame) -> tuple[PopulationSource, ...]:
    """Summarise the basis of :func:`desa_estimates` per region.

    Parameters
    ----------
    estimates : pandas.DataFrame
        Output of :func:`desa_estimates`.

    Returns
    -------
    tuple of PopulationSource
        One per ``kode_kab``, in order of first appearance.
    """

    def distinct(values: pd.Series) -> tuple:
        return tuple(None if pd.isna(v) else v for v in pd.unique(values))

    sources = []
    for kab, rows in estimates.groupby("kode_kab", sort=False):
        by_figure = rows[rows["share_basis"] == SHARE_BY_FIGURE]
        sources.append(
            PopulationSource(
                kode_kab=kab,
                region=boundaries.REGION_NAMES.get(kab, kab),
                population=float(rows["population"].sum()),
                years=tuple(int(y) for y in pd.unique(rows["year"])),
                sources=distinct(rows["source"]),
                confidence=distinct(rows["confidence"]),
                share_years=tuple(None if y is None else int(y) for y in distinct(by_figure["share_year"])),
                share_confidence=distinct(by_figure["share_confidence"]),
                desa_by_area=int((rows["share_basis"] == SHARE_BY_AREA).sum()),
            )
        )
    return tuple(sources)


def demand_cells(desa: gpd.GeoDataFrame, cell_m: float = DEFAULT_CELL_M) -> gpd.GeoDataFrame:
    """Spread each desa's population over grid squares clipped to the desa.

    Parameters
    ----------
    desa : geopandas.GeoDataFrame
        Desa polygons with ``kode_desa, desa, kode_kec, kecamatan, kode_kab,
        population``, any CRS.
    cell_m : float, default DEFAULT_CELL_M
        Side of the grid squares in metres; the grid is anchored at the
        origin of :data:`geo.config.METRIC_CRS` (see :func:`grid_indices`).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per square-desa intersection of positive area, in
        :data:`geo.config.METRIC_CRS`, with ``cell_id`` (unique:
        ``"<kode_desa>_<grid_id>"``), ``grid_id`` (``"<ix>_<iy>"``, shared by
        the parts of a square cut by desa boundaries), ``kode_desa, desa,
        kode_kec, kecamatan, kode_kab``, ``population`` (the desa's
        population times the part's share of the desa's area), ``area_m2``
        and ``geometry``. Each desa's cell populations sum to its population.

    Raises
    ------
    DataError
        If ``cell_m`` is not positive, a column is missing, or a desa has no
        area or a population that is missing or negative.
    """
    if not cell_m > 0:
        raise DataError(f"Demand cell size must be a positive number of metres, got {cell_m!r}")
    missing = [c for c in DEMAND_COLUMNS if c not in desa.columns]
    if missing:
        raise DataError(f"Desa for demand cells lack column(s): {', '.join(missing)}")
    population = pd.to_numeric(desa["population"], errors="coerce")
    bad = desa.loc[~(population >= 0), "kode_desa"]
    if len(bad):
        raise DataError(f"Desa {bad.iloc[0]}: population {desa.loc[bad.index[0], 'population']} is missing or negative")
    metric = desa.to_crs(config.METRIC_CRS)
    empty = metric.loc[metric.geometry.isna() | metric.geometry.is_empty | ~(metric.area > 0), "kode_desa"]
    if len(empty):
        raise DataError(f"Desa {empty.iloc[0]}: geometry has no area, so its population cannot be placed")

    ix, iy = grid_indices(tuple(metric.total_bounds), cell_m)
    squares = shapely.box(ix * cell_m, iy * cell_m, (ix + 1) * cell_m, (iy + 1) * cell_m)
    polygons = metric.geometry.to_numpy()
    desa_pos, square_pos = shapely.STRtree(squares).query(polygons, predicate="intersects")
    parts = shapely.intersection(squares[square_pos], polygons[desa_pos])
    area = shapely.area(parts)
    keep = area > 0  # squares touching a desa only along an edge or corner
    desa_pos, square_pos, parts, area = desa_pos[keep], square_pos[keep], parts[keep], area[keep]

    rows = metric.iloc[desa_pos]
    # Divide by the parts' own sum so each desa's population is kept exactly.
    desa_area = np.bincount(desa_pos, weights=area, minlength=len(metric))[desa_pos]
    grid_id = [f"{x}_{y}" for x, y in zip(ix[square_pos], iy[square_pos])]
    cells = pd.DataFrame(
        {
            "cell_id": [f"{code}_{g}" for code, g in zip(rows["kode_desa"], grid_id)],
            "grid_id": grid_id,
            **{c: rows[c].to_numpy() for c in DEMAND_COLUMNS[:-1]},
            "population": population.to_numpy()[desa_pos] * area / desa_area,
            "area_m2": area,
        }
    )
    return gpd.GeoDataFrame(cells, geometry=parts, crs=config.METRIC_CRS).sort_values("cell_id", ignore_index=True)


def build_demand(
    regions: tuple[str, ...] = config.PROGRAM_REGIONS, cell_m: float = DEFAULT_CELL_M, root: Path | str | None = None
) -> Demand:
    """Load the installed data and build demand cells for some regions.

    Parameters
    ----------
    regions : tuple of str, default geo.config.PROGRAM_REGIONS
        BPS ``kode_kab`` of the regions to cover.
    cell_m : float, default DEFAULT_CELL_M
        Side of the grid squares in metres.
    root : path-like, optional
        Data directory (default :func:`geo.config.data_dir`).

    Returns
    -------
    Demand
        Cells, per-desa estimates and per-region sources.

    Raises
    ------
    DataError
        If the data are missing or invalid, a region has no desa, or a
        kecamatan has no population total (Kota Tangerang has none).
    """
    kecamatan = boundaries.load_kecamatan(root)
    desa = boundaries.load_desa(root, kecamatan)
    unknown = sorted(set(regions) - set(desa["kode_kab"]))
    if unknown:
        raise DataError(f"No desa for region code(s) {', '.join(unknown)}")
    desa = desa[desa["kode_kab"].isin(regions)]
    estimates = desa_estimates(desa, boundaries.kecamatan_population(root), boundaries.desa_population(root))
    with_population = desa.merge(estimates[["kode_desa", "population"]], on="kode_desa")
    sources = {s.kode_kab: s for s in population_sources(estimates)}
    return Demand(
        cells=demand_cells(with_population, cell_m),
        desa=estimates,
        sources=tuple(sources[r] for r in regions),
        cell_m=float(cell_m),
    )
