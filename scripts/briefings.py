"""Write the briefing PDF of every kecamatan of Tangsel and Kabupaten Tangerang (36 files).

Usage: ``python scripts/briefings.py [--out DIR] [--lang id|en] [--store PATH_OR_URL] [--workers N]``

Reads the installed data and the site register (the one :mod:`register.open` configures by default),
adding the seed sites it lacks first, as the dashboard does on start. The
inputs are read once; ``--workers`` processes (default 2, this machine's
cores) then write the PDFs from them, each file exactly as a single briefing
would be. Prints how many files it wrote and how long it took; exits 1 with
the message of a :class:`geo.errors.DataError` when the data is not ready.
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a file, the project root is not on the path

from geo.boundaries import load_kecamatan  # noqa: E402
from geo.errors import run_command  # noqa: E402
from geo.supply import load_supply  # noqa: E402
from reports.briefing import briefing_areas, kecamatan_briefing, load_briefing_inputs  # noqa: E402
from reports.briefing_pdf import briefing_pdf  # noqa: E402
from layers.catalog import load_catalog  # noqa: E402
from geo.config import data_dir  # noqa: E402
from register.seed import ensure_evidence_seeded, ensure_seeded  # noqa: E402
from register.open import open_store  # noqa: E402


_batch: tuple = ()  # (inputs, facilities, folder), set before the workers fork so that each inherits them


def _write(area: tuple[str, str]) -> None:
    inputs, facilities, out = _batch
    code, name = area
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    (out / f"{code}-{slug}.pdf").write_bytes(briefing_pdf(kecamatan_briefing(code, inputs, supply=facilities)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "briefings", help="output folder (default: build/briefings)")
    parser.add_argument("--lang", choices=("id", "en"), default="id", help="report language (default: id)")
    parser.add_argument("--store", help="site register: a SQLite file or a PostGIS URL (default: PETA_STORE_URL, else PETA_STORE)")
    parser.add_argument("--workers", type=int, default=2, help="processes writing the PDFs (default: 2)")
    args = parser.parse_args(argv)
    start = time.perf_counter()

    def write_all() -> str:
        store = open_store(args.store)
        catalog = load_catalog()
        ensure_seeded(store, catalog, load_kecamatan())
        ensure_evidence_seeded(store, catalog, data_dir())
        inputs = load_briefing_inputs(store, args.lang)
        args.out.mkdir(parents=True, exist_ok=True)
        areas = briefing_areas(inputs.kecamatan)
        global _batch
        _batch = (inputs, load_supply(), args.out)
        if args.workers > 1:
            with multiprocessing.get_context("fork").Pool(args.workers) as pool:
                pool.map(_write, areas, chunksize=1)
        else:
            for area in areas:
                _write(area)
        return f"{len(areas)} briefing PDFs written to {args.out} in {time.perf_counter() - start:.1f} s"

    return run_command(write_all, "Briefings not written")

if __name__ == "__main__":
    sys.exit(main())
