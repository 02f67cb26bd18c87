"""Shared fixtures: the installed data (scripts/setup.sh puts it there), copies to break, planner logins."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool
from sqlalchemy.schema import CreateSchema, DropSchema

from geo import boundaries, config
from geo.sources import FILES
from register import auth
from layers.catalog import load_catalog
from layers.registry import load_layers
from register.rules import load_domain
from register.store import SQLiteSiteStore
from register.postgis import PostGISSiteStore

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


@pytest.fixture(scope="session")
def domain(data_root):
    """What the register may hold (:mod:`register.rules`), from the catalog and the installed boundaries."""
    return load_domain(data_root)


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


PG_URL = os.environ.get("PETA_TEST_PG_URL", "postgresql+psycopg://peta:peta@127.0.0.1:55432/peta_test")


@pytest.fixture(scope="session")
def postgis_server():
    """An engine on the PostGIS test database; the test fails (not skips) when it is not reachable."""
    engine = create_engine(PG_URL, poolclass=NullPool)
    try:
        engine.connect().close()
    except OperationalError as exc:
        reason = str(exc.orig)
    else:
        reason = ""
    if reason:  # failed outside the except block, so that the report shows this message only
        where = make_url(PG_URL).render_as_string(hide_password=True)
        pytest.fail(f"The PostGIS test server at {where} is not reachable ({reason}). Run scripts/postgis.sh "
                    "(scripts/test.sh does) or point PETA_TEST_PG_URL at a PostGIS database.", pytrace=False)  # fmt: skip
    yield engine
    engine.dispose()


@pytest.fixture
def postgis_url(postgis_server):
    """The test database's URL with a fresh, empty schema first in its search_path (dropped afterwards)."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with postgis_server.begin() as conn:
        conn.execute(CreateSchema(schema))
    yield make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema},public"}).render_as_string(hide_password=False)
    with postgis_server.begin() as conn:
        conn.execute(DropSchema(schema, cascade=True))


@pytest.fixture(params=["sqlite", "postgis"])
def any_store(request, tmp_path, domain):
    """An empty register on each backend, checking writes against the installed domain."""
    if request.param == "sqlite":
        register = SQLiteSiteStore(tmp_path / "sites.sqlite", auth.require_planner, domain)
    else:
        register = PostGISSiteStore(request.getfixturevalue("postgis_url"), auth.require_planner, domain)
    yield register
    register.close()


def store_state(store) -> tuple:
    """Everything a write could change: sites, revision and batches, and for SQLite the file's bytes."""
    data = (store.sites(include_retired=True), store.revision(), store.batches(100))
    return data + ((store.path.read_bytes(),) if isinstance(store, SQLiteSiteStore) else ())
