"""Synthetic exact points for scale tests and benchmarks: stored only in temporary registers, never in the real one.

Every synthetic site says what it is: its id starts with ``synthetic-``, its
name with "Titik sintetis" and its source is :data:`SOURCE`. The points are
drawn uniformly inside the desa of the program's region (so every register
check passes), from a seeded generator (so a run can be repeated).
"""

from __future__ import annotations

import csv
import datetime
import io
import math

import numpy as np
import shapely
from pyproj import Transformer

from geo.config import METRIC_CRS
from layers.model import Precision, Site
from register.importer import DUPLICATE_M
from register.rules import Domain

SOURCE = "synthetic: generated for a scale test, not a real site"
PROGRAM = "tsl-4-2-10"  # Tangsel Terang: street lights, the program that promises sites by the thousand


def synthetic_points(domain: Domain, region: str, n: int, seed: int = 0) -> np.ndarray:
    """``n`` (lon, lat) pairs inside the desa of ``region`` (a BPS kode_kab), more than 25 m apart.

    A random subset of a square grid laid over the region in metres: spaced
    apart so the importer's near-duplicate check (:data:`register.importer.DUPLICATE_M`)
    finds none, as in a real inventory. ValueError if the region cannot hold ``n``.
    """
    desa = domain.desa[domain.desa["kode_kab"] == region].to_crs(METRIC_CRS)
    spacing = max(DUPLICATE_M + 1.0, 0.9 * math.sqrt(desa.area.sum() / n))
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = desa.total_bounds + rng.uniform(0, spacing, 2).repeat(2)  # a random grid origin
    gx, gy = np.meshgrid(np.arange(x0, x1, spacing), np.arange(y0, y1, spacing))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    inside = np.unique(desa.sindex.query(shapely.points(grid), predicate="within")[0])
    if len(inside) < n:
        raise ValueError(f"region {region} holds only {len(inside)} points {spacing:.0f} m apart, not {n}")
    chosen = grid[np.sort(rng.choice(inside, n, replace=False))]
    lon, lat = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True).transform(chosen[:, 0], chosen[:, 1])
    return np.column_stack([lon, lat])


def synthetic_sites(domain: Domain, n: int, program_id: str = PROGRAM, seed: int = 0) -> list[Site]:
    """``n`` synthetic exact sites of ``program_id`` (a point layer), labelled synthetic, ready for ``SiteStore.add``."""
    program = domain.programs[program_id]
    today = datetime.date.today().isoformat()
    points = shapely.points(synthetic_points(domain, program.region, n, seed))
    return [
        Site(id=f"synthetic-{program_id}-{i:06d}", program=program_id, layer=program.layer, name=f"Titik sintetis {i}",
             precision=Precision.EXACT, geometry=point, source=SOURCE, updated=today)
        for i, point in enumerate(points, start=1)
    ]  # fmt: skip


def synthetic_csv(domain: Domain, n: int, program_id: str = PROGRAM, seed: int = 0) -> bytes:
    """An import file of ``n`` synthetic exact sites (the CSV a planner would upload: id, program, name, lat, lon, source)."""
    program = domain.programs[program_id]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "program", "nama", "lat", "lon", "sumber"])
    for i, (lon, lat) in enumerate(synthetic_points(domain, program.region, n, seed), start=1):
        writer.writerow([f"synthetic-{program_id}-{i:06d}", program_id, f"Titik sintetis {i}", f"{lat:.7f}", f"{lon:.7f}", SOURCE])
    return out.getvalue().encode()
