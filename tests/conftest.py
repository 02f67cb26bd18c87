"""Shared fixtures: the installed data (scripts/setup.sh puts it there), copies to break, planner logins, and for the
browser tests one chromium and one app server on a read-only register for the whole run."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from shapely.geometry import Point
from sqlalchemy import create_engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool
from sqlalchemy.schema import CreateSchema, DropSchema

from geo import boundaries, config
from geo.config import PROJECT_ROOT
from geo.sources import FILES
from register import auth
from layers.catalog import load_catalog
from layers.registry import load_layers
from register.rules import load_domain
from register.store import SQLiteSiteStore
from register.postgis import PostGISSiteStore
from layers.model import Precision, Site

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


# --- browser tests ----------------------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
XSS = "<img src=x onerror=alert(1)>"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


BROWSER_MODULES = "test_browser"  # how the file of every browser test's name starts: xdist sees only test ids


def pytest_collection_modifyitems(items):
    """Browser tests first: together they take longest, so with two workers they should start at once."""
    misplaced = [i.nodeid for i in items if i.get_closest_marker("browser") and not i.path.name.startswith(BROWSER_MODULES)]
    if misplaced:
        raise pytest.UsageError(f"browser tests belong in tests/{BROWSER_MODULES}*.py (see pytest_xdist_make_scheduler): {misplaced}")
    items.sort(key=lambda item: item.get_closest_marker("browser") is None)  # stable: each module keeps its order


def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup`` (scripts/test.sh): the browser tests as one unit, so they share one worker, its chromium
    and its app server, while the other worker runs the remaining modules, each whole.

    A scheduler of our own, because xdist 3.8 marks its groups in a test id that pytest 9 no longer reads.
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class BrowserTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return BROWSER_MODULES if Path(module).name.startswith(BROWSER_MODULES) else module

    return BrowserTogether(config, log)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(script: Path, env: dict[str, str], log_path: Path, timeout: float = 180):
    """``streamlit run script`` on a free port with ``env`` added; yields its URL once it answers within ``timeout`` s."""
    port = free_port()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port), "--server.headless", "true"],
            cwd=PROJECT_ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            proc.kill()
            pytest.fail(f"streamlit did not start within {timeout:.0f} s")
        try:
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def start_server(store_path, tmp_path_factory, timeout: float = 180):
    """``streamlit run app.py`` with the register at ``store_path``; yields its URL (for fixtures)."""
    with streamlit_server(PROJECT_ROOT / "app.py", {"PETA_STORE": str(store_path)}, tmp_path_factory.mktemp("log") / "streamlit.log", timeout) as url:
        yield url


def browser_register(tmp_path_factory, planner, domain) -> Path:
    """A new register holding two exact-point posko in Pondok Aren, one of them named with an XSS payload."""
    store_path = tmp_path_factory.mktemp("store") / "sites.sqlite"
    SQLiteSiteStore(store_path, auth.require_planner, domain).add(
        [
            Site(id="xss", program="tsl-4-7-05", layer="posko_bencana", name=XSS, precision=Precision.EXACT,
                 geometry=Point(106.7180, -6.2745), source="uji peramban", updated="2026-11-23"),
            Site(id="near", program="tsl-4-7-05", layer="posko_bencana", name="Posko Uji Jurangmangu",
                 precision=Precision.EXACT, geometry=Point(106.7180, -6.2945), source="uji peramban", updated="2026-11-23"),
        ],
        planner,
    )
    return store_path


def run_finished(page, timeout: float = 90_000) -> None:
    """Wait until the app's script run has finished: Streamlit shows a Stop button while one runs.

    Call it after waiting for something the run shows, so that the run has begun.
    """
    page.get_by_role("button", name="Stop").wait_for(state="detached", timeout=timeout)


@pytest.fixture(scope="session")
def server(tmp_path_factory, planner, domain):
    """The app on :func:`browser_register`, shared by every browser test that only reads.

    A module whose tests write overrides this with a module-scoped ``server`` of its own on a new register.
    """
    yield from start_server(browser_register(tmp_path_factory, planner, domain), tmp_path_factory)


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, driven by Playwright; each test opens its own pages (a fresh context, so a fresh session)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: scripts/test.sh installs it"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
