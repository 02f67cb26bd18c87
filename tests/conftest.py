"""Shared fixtures: the installed data (scripts/setup.sh puts it there), copies to break, planner logins."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geo import boundaries, config
from geo.sources import FILES
from layers import auth
from layers.catalog import load_catalog
from layers.registry import load_layers

PLANNER_PASSWORD = "rahasia-perencana-1"


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


@pytest.fixture(scope="session")
def planner(tmp_path_factory) -> auth.Planner:
    """A logged-in planner, ``rina``, for the store's write API.

    The accounts (``rina`` and ``budi``) live in a temporary secrets file and
    login database that PETA_SECRETS and PETA_AUTH_DB point to for the rest of
    the session, child processes included; the real secrets file is never read.
    """
    folder = tmp_path_factory.mktemp("auth")
    patch = pytest.MonkeyPatch()
    patch.setenv("PETA_SECRETS", str(folder / "secrets.toml"))
    patch.setenv("PETA_AUTH_DB", str(folder / "logins.sqlite"))
    for name in ("rina", "budi"):
        auth.add_planner(name, PLANNER_PASSWORD)
    yield auth.login("rina", PLANNER_PASSWORD)
    patch.undo()


@pytest.fixture(scope="session")
def other_planner(planner) -> auth.Planner:
    """A second logged-in planner, ``budi`` (same accounts as :func:`planner`)."""
    return auth.login("budi", PLANNER_PASSWORD)
