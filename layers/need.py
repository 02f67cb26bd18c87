"""Promise vs need ("janji vs kebutuhan"): how many people new facilities would bring within reach.

The existing supply (e.g. every SMP negeri, :func:`geo.supply.counterpart_sites`)
and any exact promised site are fixed. Against them, three answers to "where
should the new ones go?" are measured by the people they newly bring within
the radius (exact areas, :mod:`geo.coverage`):

* the areas the promise names (e.g. four kecamatan) and the areas planned
  sites are known to (e.g. two kelurahan from the evidence): the position in
  the area is unknown, so each is evaluated at every candidate position
  inside its area and reported as a range, from every site at the position
  of its area that adds the fewest people to every site at the one that
  adds the most;
* the model's best ``n`` sites anywhere in the region (spopt MCLP,
  :func:`layers.proposals.propose_sites`).

Demand is total population (no age breakdown is available), from
:mod:`geo.demand`, with its years.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import config
from geo.coverage import QUAD_SEGS, check_radius, covered_share
from geo.errors import DataError
from layers.model import Program
from layers.proposals import candidate_sites, propose_sites
from layers.targets import coverage_sites

# Candidate positions inside an area: fine enough that a kelurahan of 2-3 km² has several.
SPACING_M = 500.0


@dataclass(frozen=True)
class Option:
    """One answer: ``sites`` new facilities adding ``low`` to ``high`` people within the radius.

    ``areas`` has one row per named area (``code, name, low, high``: people
    one site adds at the worst and best position in it, alone); it is empty
    for the model, whose sites are in ``sites_at`` (EPSG:4326, best first).
    """

    key: str
    sites: int
    low: float
    high: float
    areas: pd.DataFrame
    sites_at: gpd.GeoDataFrame | None = None


@dataclass(frozen=True)
class _Base:
    """Demand cells, their tree, and how much of each the fixed facilities already cover."""

    cells: np.ndarray
    tree: shapely.STRtree
    population: np.ndarray
    fixed: np.ndarray
    share: np.ndarray
    radius: float

    @classmethod
    def of(cls, cells: gpd.GeoDataFrame, fixed: gpd.GeoDataFrame, radius: float) -> "_Base":
        geoms = cells.geometry.to_numpy()
        points = fixed.to_crs(config.METRIC_CRS).geometry.to_numpy() if len(fixed) else np.empty(0, dtype=object)
        return cls(geoms, shapely.STRtree(geoms), cells["population"].to_numpy(), points, covered_share(geoms, points, radius), radius)

    def gain(self, new: np.ndarray) -> float:
        """People newly within the radius when ``new`` points join the fixed ones (exact areas, near cells only)."""
        near = np.unique(self.tree.query(shapely.buffer(new, self.radius, quad_segs=QUAD_SEGS), predicate="intersects")[1])
        if not len(near):
            return 0.0
        after = covered_share(self.cells[near], np.concatenate([self.fixed, new]), self.radius)
        return float(self.population[near] @ (after - self.share[near]))


def area_option(key: str, cells: gpd.GeoDataFrame, fixed: gpd.GeoDataFrame, radius_m: float, areas: dict[str, str]) -> Option:
    """One new site in each area (7-digit kecamatan or 10-digit desa code → name), at unknown positions.

    Every candidate position of an area (:data:`SPACING_M` lattice) is tried
    alone against ``fixed``; ``low`` and ``high`` are the people all sites add
    together when each stands at its area's worst or best position.

    Raises
    ------
    DataError
        If an area code is neither a kecamatan nor a desa code, or has no
        candidate position.
    """
    metric = cells.to_crs(config.METRIC_CRS)
    base = _Base.of(metric, fixed, check_radius(radius_m))
    candidates = candidate_sites(metric, SPACING_M)
    rows, worst, best = [], [], []
    for code, name in areas.items():
        column = {7: "kode_kec", 10: "kode_desa"}.get(len(code))
        if column is None:
            raise DataError(f"Area {code!r} is neither a 7-digit kecamatan nor a 10-digit desa code")
        inside = candidates.loc[candidates[column] == code].geometry.to_numpy()
        if not len(inside):
            raise DataError(f"No candidate position in {name} ({code}) at {SPACING_M:g} m spacing")
        gains = np.array([base.gain(np.array([p])) for p in inside])
        rows.append((code, name, float(gains.min()), float(gains.max())))
        worst.append(inside[gains.argmin()])
        best.append(inside[gains.argmax()])
    low, high = base.gain(np.array(worst)), base.gain(np.array(best))
    return Option(key, len(areas), low, high, pd.DataFrame(rows, columns=["code", "name", "low", "high"]))


def model_option(key: str, cells: gpd.GeoDataFrame, fixed: gpd.GeoDataFrame, radius_m: float, n: int) -> Option:
    """The model's best ``n`` new sites anywhere on ``cells`` (MCLP, ``fixed`` kept), measured exactly."""
    metric = cells.to_crs(config.METRIC_CRS)
    no_sites = gpd.GeoDataFrame({"id": [], "precision": []}, geometry=[], crs=config.METRIC_CRS)
    proposal = propose_sites(metric, no_sites, radius_m, n_new=n, candidates=candidate_sites(metric, SPACING_M), supply=fixed)
    gain = proposal.covered_after - proposal.covered_before
    empty = pd.DataFrame(columns=["code", "name", "low", "high"])
    return Option(key, n, gain, gain, empty, proposal.sites.to_crs("EPSG:4326"))


def promise_vs_need(
    cells: gpd.GeoDataFrame,
    fixed: gpd.GeoDataFrame,
    radius_m: float,
    promised: dict[str, str],
    planned: dict[str, str],
    model_counts: tuple[int, ...] = (4, 7),
) -> list[Option]:
    """The side-by-side comparison: promised areas, planned areas (when any), the model's best counts.

    Parameters
    ----------
    cells : geopandas.GeoDataFrame
        Demand cells of the program's region (:func:`geo.demand.demand_cells`).
    fixed : geopandas.GeoDataFrame
        Facilities already there (existing supply and exact promised sites),
        points with an ``id``.
    radius_m : float
        Service radius in metres.
    promised, planned : dict of str to str
        Area code → name: the areas the promise names, and those planned
        sites are known to (e.g. from :func:`planned_desa`).
    model_counts : tuple of int
        Numbers of sites the model places at best.

    Returns
    -------
    list of Option
        Keys ``"promised"`` and ``"planned"`` (each when it has areas), then
        ``"model_<n>"`` for each count.
    """
    options = [area_option("promised", cells, fixed, radius_m, promised)] if promised else []
    if planned:
        options.append(area_option("planned", cells, fixed, radius_m, planned))
    options += [model_option(f"model_{n}", cells, fixed, radius_m, n) for n in model_counts]
    return options


def stated_count(text: str, word: str) -> int | None:
    """The number a target text states for ``word``: ``"… RS swasta: 29, puskesmas 35"`` gives 35 for "puskesmas"; None without one."""
    found = re.search(rf"\b{re.escape(word)}\b\s*:?\s*(\d+)", text or "", flags=re.IGNORECASE)
    return int(found.group(1)) if found else None


def planned_desa(evidence: pd.DataFrame, placed: pd.DataFrame, program_id: str) -> tuple[dict[str, str], list[str]]:
    """Desa/kelurahan where planned or started sites of a program are reported, known to the desa only.

    Reads the evidence rows of ``program_id`` at ``desa`` precision with status
    ``rencana`` or ``dalam_proses`` and the desa their place names, as
    :func:`evidence.places.resolve_places` resolved them (``placed``).

    Returns
    -------
    found : dict of str to str
        BPS desa code → desa name.
    evidence_ids : list of str
        The ``evidence_id`` of the rows that placed at least one of them.
    """
    rows = evidence[(evidence["program_id"] == program_id) & (evidence["precision"] == "desa")
                    & evidence["status"].isin(["rencana", "dalam_proses"])]  # fmt: skip
    hits = placed[placed["evidence_id"].isin(rows["evidence_id"]) & (placed["level"] == "desa")]
    return dict(zip(hits["code"], hits["name"])), list(dict.fromkeys(hits["evidence_id"]))



def program_need(
    program: Program, layer_id: str, cells: gpd.GeoDataFrame, sites: pd.DataFrame, supply: gpd.GeoDataFrame,
    kecamatan: pd.DataFrame, evidence: pd.DataFrame, placed: pd.DataFrame, radius_m: float, model_counts: tuple[int, ...],
) -> tuple[list[Option], list[str]]:
    """Promise vs need for ``program`` on its layer, in its region: the options and the evidence ids of its planned sites.

    The fixed facilities are the layer's existing counterparts (``supply``, from
    :func:`geo.supply.counterpart_sites`) plus its promised sites that cover
    people (:func:`layers.targets.coverage_sites`); demand is the program
    region's cells; planned sites come from :func:`planned_desa`.
    """
    promised = coverage_sites(sites[sites["layer"] == layer_id])
    fixed = pd.concat([supply[["id", "geometry"]], promised[["id", "geometry"]]])
    names = kecamatan.set_index("kode_kec")["kecamatan"]
    planned, ids = planned_desa(evidence, placed, program.id)
    options = promise_vs_need(
        cells[cells["kode_kab"] == program.region], fixed, radius_m, {c: names[c] for c in program.kecamatan}, planned, model_counts
    )
    return options, ids
