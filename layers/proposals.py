"""Where the sites a program still lacks could go: spopt location models.

Three models from PySAL spopt, solved with PuLP's bundled CBC:

``"mclp"``
    Maximal covering: place ``n_new`` sites to cover the most people within
    the radius.
``"lscp"``
    Location set covering: the fewest new sites that put everyone the
    candidates can reach within the radius.
``"pmedian"``
    Place ``n_new`` sites to minimise the population-weighted mean distance
    to the nearest site.

Existing sites located at a point are facilities fixed in the solution
(spopt's ``predefined_facilities_arr``); sites known only to a desa,
kecamatan or region are not (see :func:`geo.coverage.counted_sites`), but
:func:`imprecise_quotas` can require one new site inside each of their areas.
Cancelled sites are neither. :func:`program_proposal` applies these rules for
one program's remaining target (:mod:`layers.targets`).

Demand points are the grid squares of the demand cells (population-weighted
centre of their parts), and a square counts as covered in the model when its
centre is within the radius of a site. What each proposal adds is then
measured exactly, by area, with :mod:`geo.coverage`. Results are model
proposals, labelled as such, not plans. Functions are pure and deterministic
(CBC runs single-threaded), so a caller can cache them on their inputs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import pulp
import shapely
from spopt.locate import LSCP, MCLP, PMedian

from geo import config
from geo.coverage import QUAD_SEGS, check_radius, counted_sites, covered_share, nearest_distance
from geo.demand import DEFAULT_CELL_M, grid_indices
from geo.errors import DataError
from layers import targets
from layers.catalog import Catalog
from layers.model import Layer, Precision
from texts.safe import csv_bytes

MODEL_NAMES = {"mclp": "MCLP", "lscp": "LSCP", "pmedian": "p-median"}
LABEL = "Usulan model ({name})"

# p-median has one assignment variable per demand point and facility; beyond
# this CBC no longer solves within minutes (400 x 300 took ~13 s on 2 cores).
MAX_PMEDIAN_PAIRS = 150_000
TIME_LIMIT_S = 120

ADMIN_COLUMNS = ["kode_kab", "kode_kec", "kecamatan", "kode_desa", "desa"]
EXPORT_COLUMNS = [
    "proposal_id", "rank", "label", "model", "radius_m", "added_population",
    "kode_kab", "kode_kec", "kecamatan", "kode_desa", "desa", "lon", "lat",
]  # fmt: skip


@dataclass(frozen=True)
class Proposal:
    """Proposed sites and what they change.

    Attributes
    ----------
    model : str
        ``"mclp"``, ``"lscp"`` or ``"pmedian"``.
    label : str
        How to present the proposals, e.g. ``"Usulan model (MCLP)"``.
    radius_m : float
        Service radius in metres.
    sites : geopandas.GeoDataFrame
        The proposed sites, best first, in :data:`geo.config.METRIC_CRS`:
        ``proposal_id, rank, label, model, candidate_id, added_population``
        (people newly within the radius, counting the existing sites and the
        proposals ranked before it, so the column sums to ``covered_after -
        covered_before``) and the admin columns of the candidate.
    kept : tuple of str
        Ids of the existing point sites and supply facilities, all fixed in
        the solution.
    left_out : pandas.DataFrame
        Existing sites not fixed because not located at a point
        (``precision, sites, reason``).
    population : float
        Population of the demand cells.
    covered_before, covered_after : float
        People within the radius of a site without and with the proposals
        (exact area, as in :func:`geo.coverage.coverage`).
    mean_distance_before, mean_distance_after : float
        Population-weighted mean distance from cell centroids to the nearest
        site, in metres (``before`` is NaN when no site is kept).
    unreachable : float
        People in grid squares whose centre no candidate or kept site reaches
        within the radius; the LSCP serves everyone else.
    objective : float
        The model's objective at its optimum: population of covered squares
        (MCLP), number of sites kept and new (LSCP) or population-weighted
        total distance in metres (p-median).
    optimal : bool
        False when CBC stopped at the time limit with a feasible solution.
    clients, candidates : int
        Demand points and candidate locations the model was given.
    """

    model: str
    label: str
    radius_m: float
    sites: gpd.GeoDataFrame
    kept: tuple[str, ...]
    left_out: pd.DataFrame
    population: float
    covered_before: float
    covered_after: float
    mean_distance_before: float
    mean_distance_after: float
    unreachable: float
    objective: float
    optimal: bool
    clients: int
    candidates: int


def candidate_sites(
    cells: gpd.GeoDataFrame,
    spacing_m: float = DEFAULT_CELL_M,
    kecamatan: Iterable[str] | None = None,
    regions: Iterable[str] | None = None,
) -> gpd.GeoDataFrame:
    """Candidate locations: a regular lattice of points on the demand cells.

    Points sit at the centres of the squares of a grid of side ``spacing_m``
    anchored like the demand grid (:func:`geo.demand.grid_indices`); at the
    demand cell size they are the cell centres. Only points on land inside a
    demand cell are kept, so candidates never fall outside the region.

    Parameters
    ----------
    cells : geopandas.GeoDataFrame
        Demand cells from :func:`geo.demand.demand_cells`.
    spacing_m : float, default geo.demand.DEFAULT_CELL_M
        Distance between neighbouring candidates, in metres.
    kecamatan : iterable of str, optional
        Keep only candidates in these kecamatan (BPS codes), e.g. those a
        program names (:attr:`layers.model.Program.kecamatan`).
    regions : iterable of str, optional
        Keep only candidates in these regions (BPS ``kode_kab``).

    Returns
    -------
    geopandas.GeoDataFrame
        ``candidate_id`` (``"<ix>_<iy>"`` on the lattice), the admin columns
        of the cell it falls in and point geometry, in
        :data:`geo.config.METRIC_CRS`.

    Raises
    ------
    DataError
        If the spacing is not positive or a requested kecamatan or region
        has no candidate.
    """
    if not spacing_m > 0:
        raise DataError(f"Candidate spacing must be a positive number of metres, got {spacing_m!r}")
    metric = cells.to_crs(config.METRIC_CRS)
    ix, iy = grid_indices(tuple(metric.total_bounds), spacing_m)
    points = shapely.points((ix + 0.5) * spacing_m, (iy + 0.5) * spacing_m)
    point_pos, cell_pos = shapely.STRtree(metric.geometry.to_numpy()).query(points, predicate="intersects")
    # A point on a boundary between cells belongs to the first cell in table order.
    order = np.lexsort((cell_pos, point_pos))
    point_pos, first = np.unique(point_pos[order], return_index=True)
    cell_pos = cell_pos[order][first]
    out = gpd.GeoDataFrame(
        {
            "candidate_id": [f"{x}_{y}" for x, y in zip(ix[point_pos], iy[point_pos])],
            **{c: metric[c].to_numpy()[cell_pos] for c in ADMIN_COLUMNS},
        },
        geometry=points[point_pos],
        crs=config.METRIC_CRS,
    )
    for column, codes, what in (("kode_kec", kecamatan, "kecamatan"), ("kode_kab", regions, "region")):
        if codes is None:
            continue
        codes = set(codes)
        empty = sorted(codes - set(out[column]))
        if empty:
            raise DataError(
                f"No candidate location in {what} {', '.join(empty)} at {spacing_m:g} m spacing: "
                "check the code against the demand cells, or use a finer spacing"
            )
        out = out[out[column].isin(codes)]
    return out.reset_index(drop=True)


def imprecise_quotas(sites: pd.DataFrame) -> dict[str, int]:
    """New sites required inside the areas of sites known only to a desa or kecamatan.

    Such a site exists, or is promised, somewhere in its area but cannot be
    fixed at a point; passing these quotas to :func:`propose_sites` makes the
    model position one new site inside each area (e.g. an SPKU in every
    kecamatan).

    Parameters
    ----------
    sites : pandas.DataFrame
        Sites with ``precision``, ``kode_desa`` and ``kode_kec`` (as from
        :func:`layers.sites.site_frame`).

    Returns
    -------
    dict of str to int
        Number of sites per BPS desa code (10 digits) or kecamatan code (7
        digits), sorted by code.
    """
    desa = sites.loc[sites["precision"] == Precision.DESA.value, "kode_desa"]
    kec = sites.loc[sites["precision"] == Precision.KECAMATAN.value, "kode_kec"]
    return dict(sorted(Counter(pd.concat([desa, kec]).dropna()).items()))


def program_proposal(
    cells: gpd.GeoDataFrame,
    frame: gpd.GeoDataFrame,
    kecamatan: pd.DataFrame,
    catalog: Catalog,
    layers: dict[str, Layer],
    layer_id: str,
    program_id: str,
    radius_m: float,
    model: str = "mclp",
    n_new: int | None = None,
    in_named: bool = False,
    quotas: bool = False,
    time_limit_s: float = TIME_LIMIT_S,
    supply: gpd.GeoDataFrame | None = None,
) -> Proposal:
    """Propose sites for one program's remaining target, on its region's demand.

    The rules of the coverage page's proposals: demand and candidates are the
    program's region (only the kecamatan it names with ``in_named``); the
    layer's active sites in the region are the existing sites (those at a
    point fixed, :func:`layers.targets.coverage_sites`; cancelled ones
    ignored); with ``quotas`` one new site goes into the area of each of the
    program's sites known only to an area (:func:`imprecise_quotas`).

    Parameters
    ----------
    cells : geopandas.GeoDataFrame
        Demand cells of both regions (:mod:`geo.demand`).
    frame : geopandas.GeoDataFrame
        A :func:`layers.sites.site_frame` table.
    kecamatan : pandas.DataFrame
        The kecamatan table (for "in every kecamatan" targets).
    catalog, layers
        The catalog and the layer registry.
    layer_id, program_id : str
        The layer and one of its programs.
    radius_m, model, time_limit_s
        As in :func:`propose_sites`.
    n_new : int, optional
        Sites to place; default the program's remaining target
        (:func:`layers.targets.target_table`).
    in_named, quotas : bool
        Restrict candidates to the kecamatan the program names (no
        restriction where it names none); require a new site in the area of
        each of its sites known only to an area.
    supply : geopandas.GeoDataFrame, optional
        Existing facilities of the layer's kind, kept fixed (see
        :func:`propose_sites`).

    Returns
    -------
    Proposal
        See :func:`propose_sites`.

    Raises
    ------
    DataError
        As :func:`propose_sites`, and when ``n_new`` is not given and the
        program states no number of sites.
    """
    program = catalog.program(program_id)
    cells = cells[cells["kode_kab"] == program.region]
    existing = targets.active_sites(frame[(frame["layer"] == layer_id) & (frame["kode_kab"] == program.region)])
    if n_new is None and model != "lscp":
        n_new = int(targets.program_target(catalog, layers, frame, kecamatan, program_id)["remaining"])
    candidates = candidate_sites(cells, kecamatan=program.kecamatan if in_named and program.kecamatan else None)
    own = existing[(existing["program"] == program_id) & targets.known_area_mask(existing, layers)]
    return propose_sites(
        cells, existing, radius_m, n_new=n_new, model=model, candidates=candidates,
        quotas=imprecise_quotas(own) if quotas else None, time_limit_s=time_limit_s, supply=supply,
    )  # fmt: skip


def propose_sites(
    cells: gpd.GeoDataFrame,
    existing: gpd.GeoDataFrame,
    radius_m: float,
    n_new: int | None = None,
    model: str = "mclp",
    candidates: gpd.GeoDataFrame | None = None,
    quotas: Mapping[str, int] | None = None,
    time_limit_s: float = TIME_LIMIT_S,
    supply: gpd.GeoDataFrame | None = None,
) -> Proposal:
    """Propose locations for new sites with an spopt model, keeping existing point sites.

    Parameters
    ----------
    cells : geopandas.GeoDataFrame
        Demand cells from :func:`geo.demand.demand_cells`.
    existing : geopandas.GeoDataFrame
        Existing sites of the layer (see :func:`geo.coverage.counted_sites`);
        those at a point are fixed in the solution, the others are reported
        in ``left_out``.
    radius_m : float
        Service radius in metres.
    n_new : int, optional
        Sites to place; required for ``"mclp"`` and ``"pmedian"``, ignored
        by ``"lscp"`` (which finds how many are needed).
    model : {"mclp", "lscp", "pmedian"}, default "mclp"
        Location model (see the module docstring).
    candidates : geopandas.GeoDataFrame, optional
        Candidate locations, default :func:`candidate_sites` on ``cells``.
    quotas : mapping of str to int, optional
        New sites required inside given kecamatan (7-digit code) or desa
        (10-digit code), e.g. from :func:`imprecise_quotas`. MCLP and
        p-median place exactly that many there, LSCP at least that many.
    time_limit_s : float, default TIME_LIMIT_S
        CBC time limit in seconds.
    supply : geopandas.GeoDataFrame, optional
        Existing facilities of the layer's kind (usable points with ``id``,
        e.g. :func:`geo.supply.counterpart_sites`): fixed in the solution and
        counted as covering before and after, like the existing sites.

    Returns
    -------
    Proposal
        The proposed sites and the coverage before and after.

    Raises
    ------
    DataError
        On a bad radius, count, model, quota or site table, when no demand
        is within reach of a candidate, when p-median would be too large,
        or when the model has no solution.

    Examples
    --------
    >>> demand = build_demand()  # doctest: +SKIP
    >>> posko = sites[sites["layer"] == "posko_bencana"]  # doctest: +SKIP
    >>> result = propose_sites(demand.cells, posko, 3000, n_new=14)  # doctest: +SKIP
    >>> result.sites[["rank", "label", "added_population"]]  # doctest: +SKIP
    """
    radius = check_radius(radius_m)
    if model not in MODEL_NAMES:
        raise DataError(f"Unknown location model {model!r}: use one of {', '.join(MODEL_NAMES)}")
    n_new = None if model == "lscp" else n_new  # LSCP finds the count itself
    if model != "lscp" and not (isinstance(n_new, (int, np.integer)) and n_new >= 1):
        raise DataError(f"The {MODEL_NAMES[model]} model needs a number of new sites of at least 1, got {n_new!r}")
    fixed, left_out = counted_sites(existing)
    if supply is not None and len(supply):
        fixed = pd.concat([fixed, supply[["id", "geometry"]].to_crs(config.METRIC_CRS)], ignore_index=True)
    candidates = candidate_sites(cells) if candidates is None else candidates.to_crs(config.METRIC_CRS)
    if n_new is not None and n_new > len(candidates):
        raise DataError(f"{n_new} new sites asked for but there are only {len(candidates)} candidate locations")
    quota_members = _quota_members(candidates, quotas or {}, n_new)

    metric = cells.to_crs(config.METRIC_CRS)
    points, weights = _clients(metric)
    facilities = np.concatenate([fixed.geometry.to_numpy(), candidates.geometry.to_numpy()])
    cost = shapely.distance(points[:, None], facilities[None, :])
    reachable = (cost <= radius).any(axis=1)
    unreachable = float(weights[~reachable].sum())
    if model != "pmedian":
        # Squares out of every facility's reach cannot change a covering model.
        points, weights, cost = points[reachable], weights[reachable], cost[reachable]
        if not len(points):
            raise DataError(f"No one lives within {radius:g} m of any candidate location")
    elif cost.size > MAX_PMEDIAN_PAIRS:
        raise DataError(
            f"p-median over {len(points)} demand squares and {facilities.size} locations is too large to solve "
            f"here (limit {MAX_PMEDIAN_PAIRS:,} pairs): restrict candidates to fewer kecamatan or space them wider"
        )

    solved = _solve(model, cost, weights, radius, len(fixed), n_new, quota_members, time_limit_s)
    chosen = np.array([v.value() > 0.5 for v in solved.fac_vars])
    kept = tuple(fixed["id"].to_numpy()[chosen[: len(fixed)]])
    new = candidates[chosen[len(fixed) :]].reset_index(drop=True)

    cell_geoms = metric.geometry.to_numpy()
    population = metric["population"].to_numpy()
    base = fixed.geometry.to_numpy()
    order, gains = _rank(cell_geoms, population, base, new.geometry.to_numpy(), radius)
    covered_before = float(population @ covered_share(cell_geoms, base, radius))
    centroids = shapely.centroid(cell_geoms)
    label = LABEL.format(name=MODEL_NAMES[model])
    new = new.iloc[order].reset_index(drop=True)
    proposed = gpd.GeoDataFrame(
        {
            "proposal_id": [f"usulan-{model}-{i:02d}" for i in range(1, len(new) + 1)],
            "rank": np.arange(1, len(new) + 1),
            "label": label,
            "model": model,
            "candidate_id": new["candidate_id"],
            "added_population": gains,
            **{c: new[c] for c in ADMIN_COLUMNS},
        },
        geometry=new.geometry,
        crs=config.METRIC_CRS,
    )
    return Proposal(
        model=model,
        label=label,
        radius_m=radius,
        sites=proposed,
        kept=kept,
        left_out=left_out,
        population=float(population.sum()),
        covered_before=covered_before,
        covered_after=covered_before + float(np.sum(gains)),
        mean_distance_before=_mean_distance(centroids, population, base),
        mean_distance_after=_mean_distance(centroids, population, np.concatenate([base, new.geometry.to_numpy()])),
        unreachable=unreachable,
        objective=float(pulp.value(solved.problem.objective)),
        optimal=solved.problem.sol_status == pulp.LpSolutionOptimal,
        clients=len(points),
        candidates=len(candidates),
    )


def _clients(metric: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """One demand point per grid square: population-weighted centre of its parts, total population."""
    centroids = shapely.centroid(metric.geometry.to_numpy())
    frame = pd.DataFrame(
        {
            "grid_id": metric["grid_id"].to_numpy(),
            "w": metric["population"].to_numpy(),
            "wx": metric["population"].to_numpy() * shapely.get_x(centroids),
            "wy": metric["population"].to_numpy() * shapely.get_y(centroids),
        }
    )
    squares = frame.groupby("grid_id", sort=True).sum()
    squares = squares[squares["w"] > 0]  # nobody to serve
    return shapely.points(squares["wx"] / squares["w"], squares["wy"] / squares["w"]), squares["w"].to_numpy()


def _quota_members(
    candidates: gpd.GeoDataFrame, quotas: Mapping[str, int], n_new: int | None
) -> dict[str, tuple[np.ndarray, int]]:
    """Per quota area: the positions of the candidates inside it and the count, after checking them."""
    members = {}
    for code, count in quotas.items():
        column = {7: "kode_kec", 10: "kode_desa"}.get(len(str(code)))
        if column is None:
            raise DataError(f"Quota area {code!r} is neither a 7-digit kecamatan nor a 10-digit desa code")
        if not (isinstance(count, (int, np.integer)) and count >= 1):
            raise DataError(f"Quota for {code} must be a whole number of at least 1, got {count!r}")
        inside = np.flatnonzero(candidates[column].to_numpy() == str(code))
        if len(inside) < count:
            raise DataError(
                f"Quota area {code} needs {count} new site(s) but has {len(inside)} candidate location(s): "
                "use a finer candidate spacing"
            )
        members[str(code)] = (inside, int(count))
    if n_new is not None and sum(quotas.values()) > n_new:
        raise DataError(f"Quotas ask for {sum(quotas.values())} sites, more than the {n_new} to place")
    return members


def _solve(
    model: str,
    cost: np.ndarray,
    weights: np.ndarray,
    radius: float,
    n_fixed: int,
    n_new: int | None,
    quota_members: dict[str, tuple[np.ndarray, int]],
    time_limit_s: float,
) -> MCLP | LSCP | PMedian:
    """Build the spopt model, add quota constraints, solve it with CBC and check the status."""
    # Fixed sites are the first n_fixed columns; spopt fixes their variables at 1.
    predefined = np.arange(cost.shape[1]) < n_fixed if n_fixed else None
    if model == "mclp":
        solver = MCLP.from_cost_matrix(cost, weights, radius, n_fixed + n_new, predefined_facilities_arr=predefined)
    elif model == "lscp":
        solver = LSCP.from_cost_matrix(cost, radius, predefined_facilities_arr=predefined)
    else:
        solver = PMedian.from_cost_matrix(cost, weights, n_fixed + n_new, predefined_facilities_arr=predefined)
    for code, (inside, count) in quota_members.items():
        placed = pulp.lpSum(solver.fac_vars[n_fixed + j] for j in inside)
        solver.problem += (placed >= count if model == "lscp" else placed == count), f"quota_{code}"
    try:
        # results=False: spopt's result tables loop over every pair in Python; we read fac_vars instead.
        return solver.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s), results=False)
    except RuntimeError as exc:
        raise DataError(f"The {MODEL_NAMES[model]} model has no solution: {exc}") from exc


def _rank(cells: np.ndarray, population: np.ndarray, base: np.ndarray, new: np.ndarray, radius: float) -> tuple[list[int], list[float]]:
    """Order new sites by the population each adds (exact area) given the base sites and those before it."""
    tree = shapely.STRtree(cells)
    near = [tree.query(c, predicate="intersects") for c in shapely.buffer(new, radius, quad_segs=QUAD_SEGS)]
    placed, order, gains = list(base), [], []
    remaining = list(range(len(new)))
    while remaining:
        added = []
        for r in remaining:
            idx = near[r]
            before = covered_share(cells[idx], np.array(placed, dtype=object), radius)
            after = covered_share(cells[idx], np.array(placed + [new[r]], dtype=object), radius)
            added.append(float(population[idx] @ (after - before)))
        best = int(np.argmax(added))
        order.append(remaining.pop(best))
        gains.append(added[best])
        placed.append(new[order[-1]])
    return order, gains


def _mean_distance(points: np.ndarray, population: np.ndarray, sites: np.ndarray) -> float:
    if not len(sites) or not population.sum():
        return float("nan")
    return float(population @ nearest_distance(points, sites) / population.sum())


def _export_frame(proposal: Proposal) -> gpd.GeoDataFrame:
    out = proposal.sites.to_crs("EPSG:4326")
    out["radius_m"] = proposal.radius_m
    out["lon"] = out.geometry.x.round(6)
    out["lat"] = out.geometry.y.round(6)
    return out


def to_csv(proposal: Proposal) -> bytes:
    """UTF-8 CSV (with BOM, for spreadsheet programs) of the proposed sites, with lon/lat.

    Parameters
    ----------
    proposal : Proposal
        From :func:`propose_sites`.

    Returns
    -------
    bytes
        One row per proposed site, columns ``EXPORT_COLUMNS``.
    """
    return csv_bytes(_export_frame(proposal)[EXPORT_COLUMNS])


def to_geojson(proposal: Proposal) -> bytes:
    """GeoJSON (EPSG:4326) of the proposed sites.

    Parameters
    ----------
    proposal : Proposal
        From :func:`propose_sites`.

    Returns
    -------
    bytes
        A FeatureCollection of points with properties ``EXPORT_COLUMNS``.
    """
    frame = _export_frame(proposal)[EXPORT_COLUMNS + ["geometry"]]
    return frame.to_json(na="null", drop_id=True, ensure_ascii=False).encode("utf-8")
