"""The register at inventory scale: bulk writes linear in the number of sites, large imports, several app servers.

Synthetic sites (:mod:`register.synthetic`, labelled synthetic) live only in
the temporary registers of ``any_store``. Times are compared with each other
in the same run, never with a wall clock.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import geopandas as gpd
import pytest
from sqlalchemy import event, text
from streamlit.testing.v1 import AppTest

from geo.config import PROJECT_ROOT
from geo.errors import DataError
from layers.nearby import distances_m
from register import auth, importer
from register.open import open_store
from register.postgis import PostGISSiteStore
from register.store import ConflictError
from register.synthetic import SOURCE, synthetic_csv, synthetic_sites


def test_bulk_store_grows_linearly_not_quadratically(any_store, planner, domain):
    small = synthetic_sites(domain, 10_000, "tsl-4-2-10")
    large = synthetic_sites(domain, 40_000, "tsl-4-2-13", seed=1)
    # CPU time of this process: where a quadratic step would run, and unlike wall time not stretched by other
    # processes on a shared machine (the database server's COPY is linear and runs apart).
    started = time.process_time()
    any_store.add(small, planner)
    small_s = time.process_time() - started
    started = time.process_time()
    any_store.add(large, planner)
    large_s = time.process_time() - started
    # Four times the sites: about 4x the time when linear, 16x when quadratic (as ids.count once made it).
    assert large_s / small_s < 8, f"10k sites {small_s:.2f} s, 40k sites {large_s:.2f} s"
    assert any_store.revision() == 2 and len(any_store.sites()) == 50_000


def test_a_20k_row_import_is_checked_in_chunks_with_progress_and_stored_whole(any_store, planner, domain):
    preview = importer.read_upload(synthetic_csv(domain, 20_000))
    reported: list[tuple[int, int]] = []
    checked = importer.check_rows(preview, domain, any_store.sites(include_retired=True), progress=lambda *p: reported.append(p))
    assert reported == [(n, 20_001) for n in range(10_000, 20_001, 10_000)] + [(20_001, 20_001)]
    assert not any(checked.rows["problems"].map(len))
    batch = importer.commit(checked, any_store, planner, "2026-12-01", note="synthetic inventory")
    stored = any_store.sites()
    assert len(stored) == 20_000 and {s.source for s in stored} == {SOURCE}
    assert any_store.batches(1)[0] | {"at": None} == {"batch": batch, "kind": "import", "who": "rina", "at": None,
                                                     "note": "synthetic inventory", "sites": 20_000, "undone_by": None}  # fmt: skip


def test_a_large_import_with_one_bad_row_stores_nothing(any_store, planner, domain):
    data = synthetic_csv(domain, 20_000).replace(b"Titik sintetis 12345,", b"Titik sintetis <script>,")
    checked = importer.check_rows(importer.read_upload(data), domain, [])
    assert [(r, [p.text("en") for p in ps]) for r, ps in zip(checked.rows["row"], checked.rows["problems"]) if ps] == [
        (12345, ["row 12,345, column name: holds HTML/script markup; remove it"])
    ]
    with pytest.raises(DataError):
        importer.commit(checked, any_store, planner, "2026-12-01")
    assert any_store.revision() == 0 and any_store.sites() == []


# -- near me: the register's spatial query ---------------------------------------------------------

HERE = (106.7, -6.3)  # lon, lat in Tangerang Selatan


def test_sites_within_measures_as_the_app_does_and_skips_retired_and_area_sites(any_store, planner, domain):
    sites = synthetic_sites(domain, 3000)
    any_store.add(sites, planner)
    any_store.retire(sites[0].id, 1, "uji", planner)
    frame = gpd.GeoDataFrame({"id": [s.id for s in sites[1:]]}, geometry=[s.geometry for s in sites[1:]], crs="EPSG:4326")
    metres = distances_m(frame, HERE[1], HERE[0])
    expected = sorted(zip(frame["id"][metres <= 2000], metres[metres <= 2000]), key=lambda r: (r[1], r[0]))
    found = any_store.sites_within(*HERE, 2000)
    assert [i for i, _ in found] == [i for i, _ in expected] and len(found) > 50
    assert max(abs(a - b) for (_, a), (_, b) in zip(found, expected)) < 1e-6
    assert sites[0].id not in dict(any_store.sites_within(sites[0].geometry.x, sites[0].geometry.y, 100))


def test_near_me_on_postgis_uses_the_spatial_index(postgis_url, planner, domain):
    store = PostGISSiteStore(postgis_url, auth.require_planner, domain)
    store.add(synthetic_sites(domain, 20_000), planner)
    statements = []
    event.listen(store.engine, "before_cursor_execute", lambda conn, cursor, sql, params, *_: statements.append((sql, params)))
    assert store.sites_within(*HERE, 500)
    [(query, params)] = [(sql, params) for sql, params in statements if sql.startswith("SELECT")]
    with store.engine.connect() as conn:
        conn.execute(text("ANALYZE sites"))
        # A planner may read a small table whole; forbidding that shows whether the predicate can use the index at all.
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(conn.exec_driver_sql("EXPLAIN " + query, params).scalars())
    store.close()
    assert "sites_geometry_gist" in plan, plan


# -- several app servers on one register ---------------------------------------------------------------

WRITER = """
import sys
from shapely.geometry import Point
from layers.model import Precision, Site
from register.auth import Planner
from register.open import open_store

store = open_store()
planner = Planner(sys.argv[1], float(sys.argv[2]), sys.argv[3])
if sys.argv[4] == "add":
    store.add([Site(id="synthetic-other-server", program="tsl-4-2-10", layer="pju", name="Titik sintetis dari server lain",
                    precision=Precision.EXACT, geometry=Point(106.7001, -6.3001), source="synthetic", updated="2026-12-01")], planner)
elif sys.argv[4] == "edit":
    store.update("synthetic-other-server", {"name": "Diubah di server lain"}, 1, "uji", planner)
else:
    store.undo_last(planner)
"""


def other_server(url: str, planner, action: str) -> None:
    """Run a write as another app server would: a separate process with its own connection pool."""
    env = {**os.environ, "PETA_STORE_URL": url}
    args = [sys.executable, "-c", WRITER, planner.username, repr(planner.expires), planner.signature, action]
    subprocess.run(args, cwd=PROJECT_ROOT, env=env, check=True, capture_output=True, timeout=120)


def test_two_app_servers_on_one_postgis_register_see_each_others_changes(postgis_url, planner, other_planner, monkeypatch):
    monkeypatch.setenv("PETA_STORE_URL", postgis_url)
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.query_params.update({"hal": "dekat", "bahasa": "en", "lat": "-6.3", "lon": "106.7", "r": "0.5"})
    at.run()
    assert not at.exception, at.exception
    within = [m.value for m in at.markdown if m.value.startswith("#### Sites with an exact point within the radius")]
    assert within == ["#### Sites with an exact point within the radius (0)"]
    other_server(postgis_url, planner, "add")
    at.run()  # this server's next rerun: its caches are keyed on the register's revision, read from the database
    assert [m.value for m in at.markdown if m.value.startswith("#### Sites with an exact point")] == [
        "#### Sites with an exact point within the radius (1)"
    ]
    assert any("Titik sintetis dari server lain" in e.label for e in at.expander)
    # Versions and undo are the database's, so they hold across servers too.
    store = open_store(postgis_url)
    other_server(postgis_url, planner, "edit")
    with pytest.raises(ConflictError):
        store.update("synthetic-other-server", {"name": "Diubah di sini"}, 1, "uji", other_planner)
    at.run()
    assert [e.label for e in at.expander if "server lain" in e.label][0].split(" \u00b7 ")[1] == "Diubah di server lain"
    other_server(postgis_url, planner, "undo")
    assert store.get("synthetic-other-server").name == "Titik sintetis dari server lain"
    store.close()
    at.run()
    assert [e.label for e in at.expander if "server lain" in e.label][0].split(" \u00b7 ")[1] == "Titik sintetis dari server lain"
