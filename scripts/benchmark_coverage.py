"""Time the coverage of every program layer and a 14-posko MCLP proposal.

Usage (from the project root)::

    .venv/bin/python scripts/benchmark_coverage.py [--cell-m 1000 500] [--spacing-m 1000]

For each demand cell size it times (a) building the demand cells for both
regions, (b) coverage for every program layer with a service radius, using the
sites in the store plus SYNTHETIC exact points (random but seeded; benchmark
inputs only, never written to the store), and (c) proposing 14 posko_bencana
over both regions with MCLP. The store is only read.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import boundaries, config  # noqa: E402
from geo.coverage import coverage  # noqa: E402
from geo.demand import DEFAULT_CELL_M, build_demand  # noqa: E402
from layers.catalog import load_catalog  # noqa: E402
from layers.proposals import candidate_sites, propose_sites  # noqa: E402
from layers.registry import load_layers, program_layers  # noqa: E402
from layers.seed import seed_sites  # noqa: E402
from layers.sites import site_frame  # noqa: E402
from register.store import SQLiteSiteStore  # noqa: E402

SYNTHETIC_PER_LAYER = 25
POSKO_TARGET = 14


def registered_sites(catalog, kecamatan, desa) -> gpd.GeoDataFrame:
    """The store's sites if it exists (read only), else the seed sites the app would store."""
    path = config.store_path()
    sites = SQLiteSiteStore(path).sites() if path.is_file() else seed_sites(catalog, kecamatan)
    return site_frame(sites, catalog, kecamatan, desa)


def synthetic_points(cells: gpd.GeoDataFrame, layer: str, n: int) -> gpd.GeoDataFrame:
    """``n`` SYNTHETIC exact sites inside the demand cells, seeded by the layer id."""
    rng = np.random.default_rng(sum(map(ord, layer)))
    region = shapely.union_all(cells.geometry.to_numpy())
    minx, miny, maxx, maxy = cells.total_bounds
    points = []
    while len(points) < n:
        p = shapely.Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if region.contains(p):
            points.append(p)
    return gpd.GeoDataFrame(
        {
            "id": [f"SYNTHETIC-BENCHMARK-{layer}-{i:02d}" for i in range(n)],
            "name": "synthetic benchmark input",
            "layer": layer,
            "precision": "titik",
        },
        geometry=points,
        crs=config.METRIC_CRS,
    ).to_crs("EPSG:4326")


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def run(cell_m: float, spacing_m: float | None) -> list[dict]:
    catalog = load_catalog()
    kecamatan = boundaries.load_kecamatan()
    desa = boundaries.load_desa(kecamatan=kecamatan)
    sites = registered_sites(catalog, kecamatan, desa)
    rows = []

    demand, seconds = timed(build_demand, config.PROGRAM_REGIONS, cell_m)
    cells = demand.cells
    rows.append({"task": "demand cells", "cells": len(cells), "seconds": seconds})

    layer_rows = []
    for layer_id, layer in program_layers(load_layers(catalog)).items():
        if layer.radius_m <= 0:
            continue
        layer_sites = pd.concat([sites[sites["layer"] == layer_id], synthetic_points(cells, layer_id, SYNTHETIC_PER_LAYER)])
        result, seconds = timed(coverage, cells, layer_sites, layer.radius_m)
        layer_rows.append(
            {
                "task": f"coverage {layer_id} ({layer.radius_m} m)",
                "cells": len(cells),
                "sites": f"{result.sites_counted} counted, {int(result.left_out['sites'].sum())} left out",
                "seconds": seconds,
            }
        )
    rows += layer_rows
    rows.append({"task": f"coverage, all {len(layer_rows)} layers", "cells": len(cells), "seconds": sum(r["seconds"] for r in layer_rows)})

    spacing = spacing_m or cell_m
    candidates = candidate_sites(cells, spacing)
    posko = sites[sites["layer"] == "posko_bencana"]
    radius = load_layers(catalog)["posko_bencana"].radius_m
    proposal, seconds = timed(propose_sites, cells, posko, radius, POSKO_TARGET, "mclp", candidates)
    rows.append(
        {
            "task": f"MCLP {POSKO_TARGET} posko ({radius} m)",
            "cells": len(cells),
            "clients": proposal.clients,
            "candidates": proposal.candidates,
            "sites": f"{len(proposal.kept)} kept, {len(proposal.sites)} new",
            "seconds": seconds,
            "note": f"covered {proposal.covered_before:,.0f} -> {proposal.covered_after:,.0f} of {proposal.population:,.0f}"
            + ("" if proposal.optimal else " (time limit, not proven optimal)"),
        }
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell-m", type=float, nargs="+", default=[DEFAULT_CELL_M], help="demand cell sizes to time (metres)")
    parser.add_argument("--spacing-m", type=float, default=None, help="candidate spacing (default: the cell size)")
    args = parser.parse_args()
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 80)
    for cell_m in args.cell_m:
        table = pd.DataFrame(run(cell_m, args.spacing_m))
        table["seconds"] = table["seconds"].map("{:.2f}".format)
        table = table.convert_dtypes().astype("string").fillna("")
        spacing = args.spacing_m or cell_m
        print(f"\nDemand cells {cell_m:g} m, candidate spacing {spacing:g} m (sites marked SYNTHETIC are benchmark inputs only)")
        print(table.to_string(index=False))


if __name__ == "__main__":
    main()
