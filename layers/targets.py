"""The one definition of the numbers: which sites count, what is located, what remains.

Every page, report, coverage analysis and siting model reads its counts from
here, so that the map, the tracker, the briefing (page, PDF, XLSX) and the
coverage page always agree. All functions are pure and take the
:func:`layers.sites.site_frame` table (retired sites never reach it).

Definitions
-----------
active
    A site that is not cancelled (status ``dibatalkan``). Cancelled sites
    stay in the register and are listed, but count for nothing.
located
    An active site at an exact point, or known to its desa where the layer
    says a desa is an honest location for it (:attr:`layers.model.Layer.desa_locates`).
known area only
    An active site that is not located: known only to its desa, kecamatan
    or kabupaten/kota. It exists or is promised somewhere in that area, but
    is never counted as located.
coverage sites
    The sites that cover people in coverage and siting: active sites at an
    exact point (:func:`geo.coverage.counted_sites` on the active sites).
site target
    How many sites a program's document asks for (:func:`site_target`).
remaining
    Site target minus located sites, never below 0.
progress
    Built active sites over the site target, at most 1.

Targets are stated in their own units (titik, unit, kawasan, perlintasan);
they are reported per program and never summed across programs.
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd

from geo.coverage import counted_sites
from geo.errors import DataError
from layers.catalog import Catalog
from layers.model import Layer, Placement, Precision, Program, SiteStatus

# Precisions a site can be "known only" to, best first (columns known_<precision> of the count table).
KNOWN_AREA_PRECISIONS = (Precision.DESA, Precision.KECAMATAN, Precision.REGION)
KNOWN_COLUMNS = [f"known_{p.value}" for p in KNOWN_AREA_PRECISIONS]
COUNT_COLUMNS = ["registered", "active", "located", "known_area", *KNOWN_COLUMNS, "built", "cancelled"]
TARGET_COLUMNS = [
    "program", "program_name", "document", "region", "misi", "sasaran", "layer", "region_wide",
    "target_sites", "target_qty", "target_unit", *COUNT_COLUMNS, "remaining", "progress_share",
]  # fmt: skip


def active_mask(frame: pd.DataFrame) -> pd.Series:
    """True for the sites that count: every site that is not cancelled.

    Parameters
    ----------
    frame : pandas.DataFrame
        A :func:`layers.sites.site_frame` table (needs ``status``).

    Returns
    -------
    pandas.Series of bool
        Aligned with ``frame``.
    """
    return frame["status"] != SiteStatus.CANCELLED.value


def located_mask(frame: pd.DataFrame, layers: dict[str, Layer]) -> pd.Series:
    """True for active sites that are located: an exact point, or a desa where the layer allows it.

    Parameters
    ----------
    frame : pandas.DataFrame
        A :func:`layers.sites.site_frame` table (``status, precision, layer``).
    layers : dict of str to layers.model.Layer
        The layer registry; a layer missing from it never locates by desa.

    Returns
    -------
    pandas.Series of bool
        Aligned with ``frame``.
    """
    by_desa = {lid for lid, layer in layers.items() if layer.desa_locates}
    exact = frame["precision"] == Precision.EXACT.value
    desa = (frame["precision"] == Precision.DESA.value) & frame["layer"].isin(by_desa)
    return active_mask(frame) & (exact | desa)


def known_area_mask(frame: pd.DataFrame, layers: dict[str, Layer]) -> pd.Series:
    """True for active sites known only to an area (desa, kecamatan or region): never located.

    Takes and returns what :func:`located_mask` does.
    """
    return active_mask(frame) & ~located_mask(frame, layers)


def active_sites(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The active rows of ``frame`` (see :func:`active_mask`)."""
    return frame[active_mask(frame)]


def coverage_sites(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The sites that cover people in coverage and siting: active sites at an exact point.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        A :func:`layers.sites.site_frame` table, or any subset of it (e.g.
        one layer's rows).

    Returns
    -------
    geopandas.GeoDataFrame
        The rows of ``frame`` (same CRS and columns) that
        :func:`geo.coverage.counted_sites` counts among the active sites.
        Passing :func:`active_sites` to :func:`geo.coverage.coverage` counts
        exactly these and reports the other active sites as left out.
    """
    live = active_sites(frame)
    counted, _ = counted_sites(live)
    return live.loc[counted.index]


def kecamatan_per_region(kecamatan: pd.DataFrame) -> dict[str, int]:
    """How many kecamatan each region (``kode_kab``) has, for "in every kecamatan" targets."""
    return kecamatan["kode_kab"].value_counts().to_dict()


def site_target(program: Program, layers: dict[str, Layer], per_region: dict[str, int]) -> int | None:
    """How many sites the document asks for, or None where its target is not a count of sites.

    A stated quantity on a point layer counts sites; otherwise the placement
    does: one site per kecamatan the text names, or per kecamatan of the
    region for "di setiap kecamatan". A single named place (``wilayah``)
    states no count.

    Parameters
    ----------
    program : layers.model.Program
        The catalog program.
    layers : dict of str to layers.model.Layer
        The layer registry.
    per_region : dict of str to int
        Kecamatan per region, from :func:`kecamatan_per_region`.

    Returns
    -------
    int or None
        The number of sites, or None.
    """
    layer = layers.get(program.layer)
    if layer is None or layer.geometry != "point":
        return None
    if program.target_qty:
        return int(program.target_qty)
    if program.placement is Placement.NAMED_KECAMATAN:
        return len(program.kecamatan)
    if program.placement is Placement.EVERY_KECAMATAN:
        return per_region.get(program.region, 0) or None
    return None


def region_wide(program: Program) -> bool:
    """True where the document does not say in which kecamatan the target is met."""
    return program.placement not in (Placement.NAMED_KECAMATAN, Placement.EVERY_KECAMATAN)


def remaining(target: int | None, located: int) -> int:
    """Sites still to place: the site target minus the located sites, never below 0 (0 without a target)."""
    return max(0, int(target) - int(located)) if target is not None else 0


def progress_share(built: int, target: int | None) -> float:
    """Built sites over the site target, at most 1; NaN without a target."""
    return min(1.0, built / target) if target else math.nan


def program_counts(frame: pd.DataFrame, layers: dict[str, Layer]) -> pd.DataFrame:
    """Site counts per program, by the definitions of this module.

    Parameters
    ----------
    frame : pandas.DataFrame
        A :func:`layers.sites.site_frame` table.
    layers : dict of str to layers.model.Layer
        The layer registry.

    Returns
    -------
    pandas.DataFrame
        Indexed by program id (only programs with a site), integer columns
        :data:`COUNT_COLUMNS`: ``registered`` (every site), ``active``,
        ``located``, ``known_area`` and its split ``known_desa``,
        ``known_kecamatan``, ``known_wilayah``, ``built`` (active and
        ``selesai``) and ``cancelled``.
    """
    active = active_mask(frame)
    known = known_area_mask(frame, layers)
    flags = pd.DataFrame(
        {
            "program": frame["program"].to_numpy(),
            "registered": 1,
            "active": active.to_numpy(),
            "located": located_mask(frame, layers).to_numpy(),
            "known_area": known.to_numpy(),
            **{f"known_{p.value}": (known & (frame["precision"] == p.value)).to_numpy() for p in KNOWN_AREA_PRECISIONS},
            "built": (active & (frame["status"] == SiteStatus.BUILT.value)).to_numpy(),
            "cancelled": (~active).to_numpy(),
        }
    )
    return flags.groupby("program")[COUNT_COLUMNS].sum().astype(int)


def target_table(catalog: Catalog, layers: dict[str, Layer], frame: pd.DataFrame, kecamatan: pd.DataFrame) -> pd.DataFrame:
    """One row per program with a site target, in catalog order: its target, counts and what remains.

    This is the table the map's "not yet located" list, the tracker, the
    briefing and the coverage page's proposals read.

    Parameters
    ----------
    catalog : layers.catalog.Catalog
        The program catalog.
    layers : dict of str to layers.model.Layer
        The layer registry.
    frame : pandas.DataFrame
        A :func:`layers.sites.site_frame` table.
    kecamatan : pandas.DataFrame
        The kecamatan table (its ``kode_kab`` counts each region's kecamatan).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TARGET_COLUMNS`: program facts, ``layer``,
        ``region_wide`` (the document names no kecamatan for it),
        ``target_sites`` (:func:`site_target`), the stated ``target_qty`` and
        ``target_unit``, the :func:`program_counts`, ``remaining`` and
        ``progress_share``.
    """
    per_region = kecamatan_per_region(kecamatan)
    rows = []
    for p in catalog.programs:
        target = site_target(p, layers, per_region)
        if target is not None:
            rows.append(
                {
                    "program": p.id, "program_name": p.name, "document": p.document, "region": p.region,
                    "misi": p.misi, "sasaran": p.sasaran, "layer": p.layer, "region_wide": region_wide(p),
                    "target_sites": target, "target_qty": p.target_qty, "target_unit": p.target_unit,
                }
            )  # fmt: skip
    table = pd.DataFrame(rows, columns=TARGET_COLUMNS[: TARGET_COLUMNS.index("registered")])
    counts = program_counts(frame, layers).reindex(table["program"], fill_value=0).reset_index(drop=True)
    table = pd.concat([table, counts], axis=1)
    table["remaining"] = [remaining(t, n) for t, n in zip(table["target_sites"], table["located"])]
    table["progress_share"] = [progress_share(b, t) for b, t in zip(table["built"], table["target_sites"])]
    return table[TARGET_COLUMNS].astype({c: "int64" for c in ["target_sites", *COUNT_COLUMNS, "remaining"]} | {"region_wide": bool})


def program_target(catalog: Catalog, layers: dict[str, Layer], frame: pd.DataFrame, kecamatan: pd.DataFrame, program_id: str) -> pd.Series:
    """The :func:`target_table` row of one program.

    Raises
    ------
    DataError
        If the program states no number of sites (a length, a share, no target).
    """
    table = target_table(catalog, layers, frame[frame["program"] == program_id], kecamatan).set_index("program", drop=False)
    if program_id not in table.index:
        raise DataError(key="targets.no_site_target", program=program_id)
    return table.loc[program_id]


def layer_regions(catalog: Catalog, layers: dict[str, Layer], layer_id: str) -> tuple[str, ...]:
    """The regions (``kode_kab``) whose programs feed a layer: coverage is measured there only."""
    return tuple(sorted({catalog.program(pid).region for pid in layers[layer_id].programs}))


def coverage_inputs(
    cells: gpd.GeoDataFrame, frame: gpd.GeoDataFrame, catalog: Catalog, layers: dict[str, Layer], layer_id: str
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The demand cells and sites for a layer's coverage (:func:`geo.coverage.coverage`).

    Parameters
    ----------
    cells : geopandas.GeoDataFrame
        Demand cells (:mod:`geo.demand`) with ``kode_kab``.
    frame : geopandas.GeoDataFrame
        A :func:`layers.sites.site_frame` table.
    catalog, layers
        The catalog and layer registry.
    layer_id : str
        A program layer.

    Returns
    -------
    cells : geopandas.GeoDataFrame
        The cells of the regions whose programs feed the layer.
    sites : geopandas.GeoDataFrame
        The layer's active sites. Coverage counts those at an exact point
        (exactly :func:`coverage_sites`) and lists the others as left out;
        cancelled sites are neither.
    """
    regions = layer_regions(catalog, layers, layer_id)
    return cells[cells["kode_kab"].isin(regions)], active_sites(frame[frame["layer"] == layer_id])


def open_region_targets(table: pd.DataFrame, region: str) -> tuple[pd.DataFrame, int]:
    """A region's region-wide site targets that still have sites to place, and how many it has in all.

    Parameters
    ----------
    table : pandas.DataFrame
        A :func:`target_table`.
    region : str
        BPS ``kode_kab``.

    Returns
    -------
    open : pandas.DataFrame
        The rows of ``table`` for the region's region-wide targets with
        ``remaining > 0``, in catalog order.
    defined : int
        The number of region-wide site targets of the region (0: the
        document sets none, which is not the same as "all located").
    """
    wide = table[(table["region"] == region) & table["region_wide"].astype(bool)]
    return wide[wide["remaining"] > 0].reset_index(drop=True), int(len(wide))

