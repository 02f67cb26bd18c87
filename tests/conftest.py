"""Shared fixtures: the installed data (scripts/setup.sh puts it there) and copies to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geo import boundaries, config
from geo.sources import FILES
from layers.catalog import load_catalog
from layers.registry import load_layers


@pytest.fixture(scope="session")
def data_root() -> Path:
    root = config.data_dir()
    assert (root / "boundaries" / "kecamatan.geojson").is_file(), "data not installed: run scripts/setup.sh"
    return root


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture(scope="session")
def layers(catalog):
    return load_layers(catalog)


@pytest.fixture(scope="session")
def kecamatan(data_root):
    return boundaries.load_kecamatan(data_root)


@pytest.fixture(scope="session")
def desa(data_root, kecamatan):
    return boundaries.load_desa(data_root, kecamatan)


@pytest.fixture
def source_copy(tmp_path, data_root) -> Path:
    """A writable copy of the data source, to corrupt in a test."""
    source = tmp_path / "source"
    for folder, names in FILES.items():
        (source / folder).mkdir(parents=True)
        for name in names:
            shutil.copy(data_root / folder / name, source / folder / name)
    return source
