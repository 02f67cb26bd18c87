"""Install the third-party data and the evidence dataset from the data source directory, checked first.

Run as ``python -m geo.install``. Boundaries and reference layers are checked
by :mod:`geo.validate`; every evidence row by :func:`evidence.items.check_evidence`. The source (``PETA_DATA_SOURCE``, default
``../shared/data``) is validated before anything is copied; files are copied
into a temporary folder and swapped in only when all of them are there, so a
failed install leaves an earlier installation untouched.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from geo import boundaries, config, supply
from geo.errors import DataError, run_command
from geo.sources import FILES
# The evidence is checked against the program catalog it refers to. layers.catalog and
# evidence.items import only geo.errors, geo.sources and geo.validate from geo, so this
# set-up command can use them without a cycle; no other geo module imports them.
from layers.catalog import load_catalog
from evidence.items import load_evidence, load_searched

MANIFEST = "INSTALLED.json"


def check_source(source: Path) -> None:
    """Raise DataError unless ``source`` holds every expected file, valid."""
    if not source.is_dir():
        raise DataError(
            f"Data source directory {source} does not exist. Put the data there or set "
            "PETA_DATA_SOURCE to the folder that holds boundaries/, reference/ and evidence/."
        )
    missing = [f"{folder}/{name}" for folder, names in FILES.items() for name in names if not (source / folder / name).is_file()]
    if missing:
        raise DataError(f"Data source {source} lacks: {', '.join(missing)}")
    check_installed(source)


def check_installed(root: Path | None = None) -> None:
    """Load and validate every dataset under ``root``; raise DataError on the first problem."""
    kecamatan = boundaries.load_kecamatan(root)
    desa = boundaries.load_desa(root, kecamatan)
    boundaries.load_crosswalk(root)
    boundaries.kecamatan_population(root)
    for name in FILES["reference"]:
        if name.endswith(".geojson"):
            boundaries.load_reference(name, root)
    catalog = load_catalog()
    load_evidence(root or config.data_dir(), catalog)
    load_searched(root or config.data_dir(), catalog)
    supply.load_supply(root, desa)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def install(source: Path | None = None, target: Path | None = None) -> dict:
    """Validate ``source`` and copy its files into ``target``; return the manifest."""
    source = Path(source or config.data_source())
    target = Path(target or config.data_dir())
    check_source(source)
    target.mkdir(parents=True, exist_ok=True)
    manifest = {"source": str(source), "installed": datetime.now(timezone.utc).isoformat(timespec="seconds"), "files": {}}
    with tempfile.TemporaryDirectory(dir=target, prefix=".install-") as tmp:
        staged = Path(tmp)
        for folder, names in FILES.items():
            (staged / folder).mkdir()
            for name in names:
                shutil.copy2(source / folder / name, staged / folder / name)
                manifest["files"][f"{folder}/{name}"] = _sha256(staged / folder / name)
        check_installed(staged)
        for folder in FILES:
            old = target / folder
            if old.is_symlink():  # a link to another checkout's data: replace the link, never its target
                old.unlink()
            elif old.exists():
                shutil.rmtree(old)
            (staged / folder).rename(old)
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def _install_message() -> str:
    manifest = install()
    return f"Installed {len(manifest['files'])} data files from {manifest['source']} into {config.data_dir()}"


def main() -> int:
    """Command-line entry: install, print one line, or one clear error without a traceback."""
    return run_command(_install_message, "Data installation failed")


if __name__ == "__main__":
    sys.exit(main())
