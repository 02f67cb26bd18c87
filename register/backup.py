"""A backup of the whole site register in one command, from whichever backend is configured.

``python -m register.backup OUT_DIR`` writes, read in one transaction:

``sites.geojson``
    Every site, retired ones included, with its version; admin-level sites
    have no geometry (their BPS code is in ``admin_code``).
``history.csv``
    Every change: batch, kind, site, field, old and new value, evidence, who, when.
``program_status.csv``
    Every program status record, with its batch and the batch that undid it if any.
``evidence.csv``
    Every evidence item, retired ones included: the evidence file's columns, then
    version, retired, recorded_by and recorded_at.
``evidence_history.csv``
    Every change to evidence: batch, kind, item, field, old and new value, reason, who, when.

and prints the counts. The register is the one :mod:`register.open` picks
(``PETA_STORE_URL``, else ``PETA_STORE``). Exits 1 with the message of a
:class:`geo.errors.DataError` if the register cannot be read.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import sys
from enum import Enum
from pathlib import Path

from shapely.geometry import mapping

from geo.errors import DataError
from layers.model import Site
from register.store import EVIDENCE_COLUMNS, SiteStore
from register.open import open_store

HISTORY_COLUMNS = ["batch", "kind", "site_id", "field", "old", "new", "evidence", "who", "at"]
PROGRAM_STATUS_COLUMNS = ["program_id", "status", "evidence_url", "note", "date", "recorded_by", "batch", "undone_by"]
EVIDENCE_HISTORY_COLUMNS = ["batch", "kind", "evidence_id", "field", "old", "new", "reason", "who", "at"]


def site_feature(site: Site) -> dict:
    """A site as a GeoJSON feature: every field a property, enums by value."""
    properties = {}
    for field in dataclasses.fields(site):
        if field.name != "geometry":
            value = getattr(site, field.name)
            properties[field.name] = value.value if isinstance(value, Enum) else value
    geometry = None if site.geometry is None else mapping(site.geometry)
    return {"type": "Feature", "id": site.id, "geometry": geometry, "properties": properties}


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def write_backup(store: SiteStore, out_dir: Path) -> dict[str, int]:
    """Write the backup files into ``out_dir`` (created if needed); return the counts written."""
    snapshot = store.snapshot()
    out_dir.mkdir(parents=True, exist_ok=True)
    collection = {"type": "FeatureCollection", "features": [site_feature(s) for s in snapshot.sites]}
    (out_dir / "sites.geojson").write_text(json.dumps(collection, ensure_ascii=False, indent=1), encoding="utf-8")
    _write_csv(out_dir / "history.csv", HISTORY_COLUMNS, snapshot.history)
    _write_csv(out_dir / "program_status.csv", PROGRAM_STATUS_COLUMNS, snapshot.program_status)
    _write_csv(out_dir / "evidence.csv", list(EVIDENCE_COLUMNS), snapshot.evidence)
    _write_csv(out_dir / "evidence_history.csv", EVIDENCE_HISTORY_COLUMNS, snapshot.evidence_history)
    return {
        "sites": len(snapshot.sites),
        "retired": sum(s.retired for s in snapshot.sites),
        "history": len(snapshot.history),
        "program_status": len(snapshot.program_status),
        "evidence": len(snapshot.evidence),
        "evidence_history": len(snapshot.evidence_history),
    }


def main(argv: list[str] | None = None) -> int:
    """The command line: back up the configured register into OUT_DIR."""
    parser = argparse.ArgumentParser(prog="python -m register.backup", description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="folder for the backup files (sites.geojson and the CSV files)")
    args = parser.parse_args(argv)
    try:
        store = open_store()
        counts = write_backup(store, args.out_dir)
    except DataError as exc:
        print(f"Backup not written: {exc}", file=sys.stderr)
        return 1
    print(
        f"Backup of {store.name} written to {args.out_dir}: {counts['sites']} sites ({counts['retired']} retired), "
        f"{counts['history']} history rows, {counts['program_status']} program status records, "
        f"{counts['evidence']} evidence items, {counts['evidence_history']} evidence history rows"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
