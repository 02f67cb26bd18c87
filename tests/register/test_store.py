"""The site register's behaviour, run against both backends: embedded SQLite and PostgreSQL + PostGIS.

Every test taking ``store`` runs twice. The PostGIS runs need the local server
that scripts/postgis.sh starts (scripts/test.sh runs it; PETA_TEST_PG_URL
points elsewhere) and get a fresh schema each; without a reachable server
they fail and say so. Writes need a planner session (``planner`` and
``other_planner`` from conftest.py).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing, contextmanager

import pytest
from shapely.geometry import Point, Polygon
from sqlalchemy import text

from conftest import PLANNER_PASSWORD, store_state
from geo.config import PROJECT_ROOT
from geo.errors import DataError
from register import auth
from layers.model import Precision, ProgramStatus, Site, SiteStatus
from layers.seed import seed_sites
from register.seed import ensure_seeded
from register.store import WIB, ConflictError, SQLiteSiteStore
from register.postgis import PostGISSiteStore
from register.open import open_store

SETU = "3674010"
CONFLICT = r"^Lokasi {site} sudah diubah oleh {who} pada \d{{4}}-\d\d-\d\d \d\d:\d\d WIB \(versi {version}\); muat ulang lalu ulangi\.$"


@pytest.fixture
def store(any_store):
    """An empty register on each backend."""
    return any_store


@contextmanager
def refused(match: str, error: type[DataError] = DataError):
    """Like ``pytest.raises(error, match=...)``, matched against the English text of the refusal."""
    with pytest.raises(error) as caught:
        yield caught
    assert re.search(match, caught.value.text("en")), caught.value.text("en")


def store_env(store) -> dict[str, str]:
    """The settings that make a child process open the same register (:mod:`register.open`)."""
    if isinstance(store, SQLiteSiteStore):
        return {"PETA_STORE": str(store.path), "PETA_STORE_URL": ""}
    return {"PETA_STORE_URL": store.url.render_as_string(hide_password=False)}


def exact_site(site_id: str, x: float = 106.7, name: str = "Posko uji") -> Site:
    return Site(id=site_id, program="tsl-4-7-05", layer="posko_bencana", name=name, precision=Precision.EXACT,
                geometry=Point(x, -6.3), source="uji", updated="2026-11-23")  # fmt: skip


def kecamatan_site(site_id: str) -> Site:
    return Site(id=site_id, program="tsl-1-1-01", layer="smp_baru", name="SMP baru Setu", precision=Precision.KECAMATAN,
                admin_code=SETU, source="dokumen program", updated="2026-11-23")  # fmt: skip


def without_time(rows: list[dict]) -> list[dict]:
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", r["at"]) for r in rows)
    return [{k: v for k, v in r.items() if k != "at"} for r in rows]


# -- who may write -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["nobody", "a bare name", "forged", "expired"])
def test_every_write_needs_a_valid_planner_session(store, planner, who):
    store.add([exact_site("a")], planner)
    actor = {
        "nobody": None,
        "a bare name": "rina",
        "forged": auth.Planner("admin", planner.expires, planner.signature),
        "expired": auth.login("rina", PLANNER_PASSWORD, now=time.time() - auth.SESSION_SECONDS - 60),
    }[who]
    before = store_state(store)
    writes = [
        lambda: store.add([exact_site("b")], actor),
        lambda: store.update("a", {"status": "selesai"}, 1, "foto", actor),
        lambda: store.retire("a", 1, "ganda", actor),
        lambda: store.undo_last(actor),
        lambda: store.record_program_status("tsl-1-1-01", ProgramStatus.IN_PROGRESS, "https://example.org", "", "2025-01-01", actor),
    ]
    for write in writes:
        with pytest.raises(PermissionError, match="memerlukan login perencana"):
            write()
    assert store_state(store) == before


# -- imports -------------------------------------------------------------------------------------


def test_sites_round_trip_with_version_and_history(store, planner):
    point = Point(106.7123456789123, -6.3123456789123)
    area = Polygon([(106.70, -6.30), (106.71, -6.30), (106.71, -6.31), (106.70, -6.30)])
    housing = dataclasses.replace(exact_site("rumah"), program="tsl-4-2-05", layer="perumahan", geometry=area)
    sites = [kecamatan_site("smp"), exact_site("posko", name="Posko <b>uji</b>"), housing]
    sites[1].geometry = point
    batch = store.add(sites, planner, note="impor uji")
    assert store.sites() == sorted(sites, key=lambda s: s.id)
    assert store.get("posko").geometry.equals_exact(point, 0) and store.get("smp").geometry is None
    assert without_time(store.history("posko")) == [
        {"batch": batch, "kind": "import", "site_id": "posko", "field": "site", "old": None, "new": "added", "evidence": "uji", "who": "rina"}
    ]
    assert without_time(store.batches()) == [
        {"batch": batch, "kind": "import", "who": "rina", "note": "impor uji", "sites": 3, "undone_by": None}
    ]
    with refused(match="no site with id 'nope'"):
        store.get("nope")


def test_an_import_with_one_bad_site_stores_nothing(store, planner):
    store.add([exact_site("kept")], planner)
    before = store_state(store)
    bad = Site(id="b", program="tsl-1-1-01", layer="smp_baru", name="SMP", precision=Precision.KECAMATAN, admin_code="36")
    with refused(match=r"site 'b': precision 'kecamatan' needs a 7-digit BPS code"):
        store.add([exact_site("new", 106.72), bad], planner)
    fake = Site(id="f", program="tsl-1-1-01", layer="smp_baru", name="SMP", precision=Precision.KECAMATAN,
                admin_code=SETU, geometry=Point(106.7, -6.3))  # fmt: skip
    with refused(match="must not carry a geometry"):
        store.add([fake], planner)
    with refused(match="site 'x': the id appears twice"):
        store.add([exact_site("x"), exact_site("x", 106.72)], planner)
    with refused(match="no sites"):
        store.add([], planner)
    assert store_state(store) == before


def test_existing_ids_are_refused_inside_the_transaction_and_nothing_is_stored(store, planner):
    store.add([exact_site("kept")], planner)
    before = store_state(store)
    with refused(match=r"these ids already exist \(1\): 'kept'"):
        store.add([exact_site("new", 106.72), exact_site("kept", 106.74)], planner)
    assert store_state(store) == before


def test_an_import_killed_half_way_leaves_the_register_as_it_was(store, planner):
    store.add([exact_site("before")], planner)
    store.update("before", {"status": "selesai"}, 1, "foto", planner)
    before = store_state(store)
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.import_child", planner.username, repr(planner.expires), planner.signature, "2000"],
        cwd=PROJECT_ROOT, env={**os.environ, **store_env(store)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        signal_line = child.stdout.readline()  # the child prints it with its 2000 rows inserted, uncommitted
        assert signal_line == "inserted\n", f"the import never reached its middle: {signal_line!r}\n{child.communicate()[1]}"
        if isinstance(store, SQLiteSiteStore):
            # The uncommitted pages are in the file already; only the journal beside it can undo them.
            assert store.path.read_bytes() != before[-1]
            assert store.path.with_name(store.path.name + "-journal").stat().st_size > 0
        else:
            # The server holds the rows in the child's open transaction (bulk writes are a COPY there).
            with store.engine.connect() as conn:
                waiting = text("SELECT query FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'")
                assert [q.split(" (")[0] for q in conn.execute(waiting).scalars()] == ['COPY "sites"']
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate()
    assert child.returncode == -signal.SIGKILL
    reopened = open_store(store_env(store).get("PETA_STORE_URL") or str(store.path))
    assert store_state(reopened) == before
    if isinstance(store, SQLiteSiteStore):
        assert not store.path.with_name(store.path.name + "-journal").exists()
        with closing(sqlite3.connect(store.path)) as con:
            assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # The dead writer's lock is gone: the register takes the next import.
    reopened.add([exact_site("after")], planner)
    assert [s.id for s in reopened.sites()] == ["after", "before"]
    reopened.close()


# -- the domain: every write path checks it ---------------------------------------------------------

PARIS = Point(2.3522, 48.8566)
RLO = "Posko \u202egpj.exe"  # a right-to-left override makes this read "Posko exe.jpg"


def problem_keys(error: DataError) -> list[str]:
    """The message ids of a refusal and of the problems nested in it (not of labels), outermost first."""
    keys = [error.key]
    for name in ("problem", "problems"):
        value = error.params.get(name, [])
        for nested in value if isinstance(value, list) else [value]:
            keys += problem_keys(nested)
    return keys


@pytest.mark.parametrize(
    "site, key, text",
    [
        (dataclasses.replace(exact_site("a"), program="tsl-9-9-99"), "register.unknown_program", "program 'tsl-9-9-99' is not in the program catalog"),
        (dataclasses.replace(exact_site("a"), geometry=PARIS), "register.outside", "48.85660, 2.35220 lies outside Kota Tangerang Selatan"),
        (dataclasses.replace(exact_site("a"), evidence_url="javascript:alert(1)"), "register.not_http", "evidence 'javascript:alert(1)' is not an http(s) link"),
        (exact_site("a", name="x" * 2**20), "register.too_long", "name is 1,048,576 characters long, over the limit of 300"),
        (exact_site("a", name=RLO), "register.control", "name holds a control or text-direction character"),
        (dataclasses.replace(exact_site("a"), layer="tps3r"), "register.layer_mismatch", "program tsl-4-7-05 uses layer 'posko_bencana'"),
        (dataclasses.replace(kecamatan_site("a"), admin_code="3603010"), "register.other_region", "lies in Kabupaten Tangerang, but program tsl-1-1-01 belongs to Kota Tangerang Selatan"),
        (dataclasses.replace(kecamatan_site("a"), admin_code="3674990"), "register.unknown_code", "3674990 is not an area of"),
    ],
    ids=["unknown-program", "paris", "javascript-url", "1MB-name", "rlo", "layer-of-another-program", "code-in-other-region", "unknown-code"],
)
def test_the_store_api_refuses_what_the_domain_forbids_and_stores_nothing(store, planner, site, key, text):
    store.add([exact_site("kept")], planner)
    before = store_state(store)
    for write in (lambda: store.add([site], planner), lambda: store.seed([site])):
        with refused(match=re.escape(text)) as caught:
            write()
        assert problem_keys(caught.value) == ["register.sites_refused", "register.site_problem", key]
        assert len(caught.value.text("en")) < 500  # a refusal quotes the id, never a 1 MB value
        assert caught.value.text("id") != caught.value.text("en")
    assert store_state(store) == before


@pytest.mark.parametrize(
    "changes, key, text",
    [
        ({"geometry": Point(0, 0)}, "register.outside", "0.00000, 0.00000 lies outside"),
        ({"geometry": PARIS.wkt}, "register.outside", "48.85660, 2.35220 lies outside"),
        ({"evidence_url": "javascript:alert(document.cookie)"}, "register.not_http", "is not an http(s) link"),
        ({"name": "y" * 2**20}, "register.too_long", "over the limit of 300"),
        ({"name": RLO}, "register.control", "name holds a control or text-direction character"),
        ({"name": "Posko\nbaru"}, "register.control", "name holds a control"),
        ({"precision": "desa", "geometry": None, "admin_code": SETU}, "register.code_digits", "needs a 10-digit BPS code, not '3674010'"),
    ],
    ids=["null-island", "paris", "javascript-url", "1MB-name", "rlo", "newline-in-name", "code-of-another-precision"],
)
def test_an_edit_that_breaks_the_domain_is_refused(store, planner, changes, key, text):
    store.add([exact_site("a")], planner)
    before = store_state(store)
    with refused(match=re.escape(text)) as caught:
        store.update("a", changes, 1, "foto", planner)
    assert problem_keys(caught.value) == ["register.site_not_changed", key]
    assert store_state(store) == before


def test_evidence_and_program_statuses_are_checked_too(store, planner):
    store.add([exact_site("a")], planner)
    before = store_state(store)
    with refused(match="evidence of the change is 1,048,576 characters long, over the limit of 1,000") as caught:
        store.retire("a", 1, "z" * 2**20, planner)
    assert problem_keys(caught.value) == ["register.site_not_changed", "register.too_long"]
    with refused(match="evidence of the change holds a control"):
        store.update("a", {"status": "selesai"}, 1, "foto \u202e", planner)
    for program, status, url, key in [
        ("tsl-9-9-99", ProgramStatus.IN_PROGRESS, "https://example.org", "register.unknown_program"),
        ("tsl-1-1-01", ProgramStatus.FULFILLED, "javascript:alert(1)", "register.not_http"),
        ("tsl-1-1-01", ProgramStatus.FULFILLED, "", "register.status_needs_evidence"),
    ]:
        with pytest.raises(DataError) as caught:
            store.record_program_status(program, status, url, "", "2025-06-01", planner)
        assert problem_keys(caught.value) == ["register.status_refused", key]
    assert store_state(store) == before


def test_a_store_opened_without_a_domain_refuses_every_write(tmp_path, planner):
    bare = SQLiteSiteStore(tmp_path / "bare.sqlite", auth.require_planner)
    for write in (lambda: bare.add([exact_site("a")], planner), lambda: bare.seed([exact_site("a")]),
                  lambda: bare.record_program_status("tsl-1-1-01", "dalam_proses", "https://example.org", "", "2025-06-01", planner)):  # fmt: skip
        with refused(match="opened without its domain rules") as caught:
            write()
        assert caught.value.key == "register.no_domain"
    assert bare.sites() == [] and bare.revision() == 0


# -- edits ---------------------------------------------------------------------------------------


def test_an_edit_bumps_the_version_and_records_who_what_and_why(store, planner):
    store.add([kecamatan_site("smp")], planner)
    point = Point(106.70, -6.35)
    changes = {"status": "dalam_pembangunan", "precision": "titik", "geometry": point.wkt, "admin_code": "",
               "evidence_url": "https://example.org/smp"}  # fmt: skip
    site = store.update("smp", changes, 1, "Foto lapangan 20 November", planner)
    assert site == store.get("smp") and site.version == 2 and site.geometry.equals(point)
    assert (site.status, site.precision, site.admin_code) == (SiteStatus.IN_PROGRESS, Precision.EXACT, "")
    assert site.updated == datetime.datetime.now(WIB).date().isoformat()
    edit = [r for r in without_time(store.history("smp")) if r["kind"] == "edit"]
    assert {r["field"]: (r["old"], r["new"]) for r in edit} == {
        "status": ("direncanakan", "dalam_pembangunan"),
        "evidence_url": ("", "https://example.org/smp"),
        "precision": ("kecamatan", "titik"),
        "admin_code": (SETU, ""),
        "geometry": (None, point.wkt),
    }
    assert {(r["batch"], r["who"], r["evidence"]) for r in edit} == {("2", "rina", "Foto lapangan 20 November")}


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"program": "tsl-1-1-02"}, "These fields cannot be edited: program"),
        ({"status": "roboh"}, "status: 'roboh' is not a valid value"),
        ({"geometry": "POINT (1"}, "geometry: 'POINT (1' is not a valid value"),
        ({"name": 7}, "name: 7 is not a valid value"),
        ({"precision": "titik"}, "precision 'titik' needs coordinates or a geometry"),
        ({"admin_code": "36"}, "precision 'kecamatan' needs a 7-digit BPS code, not '36'"),
        ({"name": "  "}, "name is empty"),
        ({"status": "direncanakan"}, "the new values are the stored ones"),
    ],
)
def test_bad_edits_store_nothing(store, planner, changes, message):
    store.add([kecamatan_site("smp")], planner)
    before = store_state(store)
    with refused(match=re.escape(message)):
        store.update("smp", changes, 1, "bukti", planner)
    assert store_state(store) == before


def test_an_edit_needs_evidence_a_version_and_an_existing_site(store, planner):
    store.add([kecamatan_site("smp")], planner)
    before = store_state(store)
    with refused(match="evidence of the change is empty"):
        store.update("smp", {"status": "selesai"}, 1, " ", planner)
    with refused(match="expected_version must be the version number"):
        store.update("smp", {"status": "selesai"}, "1", "foto", planner)
    with refused(match="no site with id 'nope'"):
        store.retire("nope", 1, "foto", planner)
    with refused(match="limit must be a positive whole number"):
        store.batches(0)
    assert store_state(store) == before


def test_a_save_based_on_an_old_version_is_refused_with_who_and_when(store, planner, other_planner):
    store.add([kecamatan_site("smp")], planner)
    store.update("smp", {"status": "selesai"}, 1, "berita acara", other_planner)
    before = store_state(store)
    with pytest.raises(ConflictError, match=CONFLICT.format(site="smp", who="budi", version=2)):
        store.update("smp", {"name": "SMP Negeri 5 Setu"}, 1, "koreksi nama", planner)
    with pytest.raises(ConflictError, match=CONFLICT.format(site="smp", who="budi", version=2)):
        store.retire("smp", 1, "ganda", planner)
    assert store_state(store) == before
    assert store.update("smp", {"name": "SMP Negeri 5 Setu"}, 2, "koreksi nama", planner).version == 3


def test_two_planners_saving_the_same_site_at_once_exactly_one_wins(store, planner, other_planner):
    store.add([kecamatan_site("smp")], planner)
    for attempt in range(3):
        version = store.get("smp").version
        start = threading.Barrier(2)
        outcome = {}

        def save(actor):
            start.wait()
            try:
                outcome[actor.username] = store.update("smp", {"name": f"SMP {actor.username} {attempt}"}, version, "uji", actor)
            except ConflictError as exc:
                outcome[actor.username] = exc

        threads = [threading.Thread(target=save, args=(actor,)) for actor in (planner, other_planner)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        saved = {who: r for who, r in outcome.items() if isinstance(r, Site)}
        refused = {who: r for who, r in outcome.items() if isinstance(r, ConflictError)}
        assert len(saved) == len(refused) == 1, outcome
        [(winner, site)] = saved.items()
        assert store.get("smp") == site and site.version == version + 1
        assert re.match(CONFLICT.format(site="smp", who=winner, version=version + 1), str(*refused.values()))


def test_a_retired_site_leaves_the_views_but_keeps_its_history(store, planner):
    store.add([kecamatan_site("smp"), exact_site("posko")], planner)
    retired = store.retire("posko", 1, "Lokasi ganda", planner)
    assert (retired.retired, retired.version) == (True, 2) and store.get("posko") == retired
    assert [s.id for s in store.sites()] == ["smp"]
    assert [s.id for s in store.sites(include_retired=True)] == ["posko", "smp"]
    assert without_time(store.history("posko"))[-1] == {
        "batch": "2", "kind": "retire", "site_id": "posko", "field": "retired", "old": "false", "new": "true",
        "evidence": "Lokasi ganda", "who": "rina",
    }  # fmt: skip
    for change in (lambda: store.update("posko", {"name": "x"}, 2, "foto", planner), lambda: store.retire("posko", 2, "foto", planner)):
        with refused(match="posko is retired: undo its retirement"):
            change()
    assert store.seed([exact_site("posko")]) == 0  # a retired site still holds its id


# -- undo ----------------------------------------------------------------------------------------


def test_undo_reverts_the_latest_import_then_the_one_before_but_never_the_seeds(store, planner, other_planner, catalog, kecamatan):
    ensure_seeded(store, catalog, kecamatan)
    seeded = store.sites()
    first = store.add([exact_site("a")], planner)
    second = store.add([exact_site("b", 106.72), exact_site("c", 106.74)], other_planner, note="impor kedua")
    assert store.undo_last(planner, others=True) == second
    assert [s.id for s in store.sites()] == sorted([s.id for s in seeded] + ["a"])
    assert without_time(store.history("b"))[-1] == {
        "batch": str(int(second) + 1), "kind": "undo", "site_id": "b", "field": "site", "old": "added", "new": "removed",
        "evidence": f"undo of batch {second}", "who": "rina",
    }  # fmt: skip
    undo, undone = store.batches(2)
    assert (undo["kind"], undo["note"], undo["sites"]) == ("undo", f"undo of batch {second}", 2)
    assert (undone["batch"], undone["undone_by"]) == (second, undo["batch"])
    assert store.undo_last(planner) == first
    assert store.sites() == seeded
    with pytest.raises(DataError, match="Tidak ada yang bisa dibatalkan"):
        store.undo_last(planner)
    assert store.sites() == seeded
    store.add([exact_site("b")], planner)  # the id of an undone import is free again


def test_undo_restores_an_edit_and_a_retirement_as_new_versions(store, planner, other_planner):
    store.add([kecamatan_site("smp")], planner)
    store.update("smp", {"status": "selesai", "evidence_url": "https://example.org/a"}, 1, "foto", planner)
    store.retire("smp", 2, "ganda", planner)
    store.undo_last(other_planner, others=True)
    back = store.get("smp")
    assert (back.retired, back.status, back.version) == (False, SiteStatus.BUILT, 4)
    store.undo_last(other_planner, others=True)
    back = store.get("smp")
    assert (back.status, back.evidence_url, back.version) == (SiteStatus.PLANNED, "", 5)
    undo = [(r["field"], r["old"], r["new"], r["who"]) for r in store.history("smp") if r["kind"] == "undo"]
    assert undo == [
        ("retired", "true", "false", "budi"),
        ("status", "selesai", "direncanakan", "budi"),
        ("evidence_url", "https://example.org/a", "", "budi"),
    ]
    # Whoever still holds version 3 has to reload: the undo made new versions.
    with pytest.raises(ConflictError, match=CONFLICT.format(site="smp", who="budi", version=5)):
        store.update("smp", {"name": "x"}, 3, "foto", planner)


def test_undo_of_a_program_status_and_of_a_batch_that_is_no_longer_the_latest(store, planner, other_planner):
    store.record_program_status("tsl-1-1-01", ProgramStatus.IN_PROGRESS, "https://example.org/a", "", "2025-03-01", planner)
    latest = store.record_program_status("tsl-1-1-01", "terpenuhi", "https://example.org/b", "", "2025-06-01", other_planner)
    assert store.program_statuses()["tsl-1-1-01"]["recorded_by"] == "budi"
    store.add([exact_site("a")], other_planner)
    before = store_state(store)
    with pytest.raises(ConflictError, match=r"^Sementara itu budi menyimpan langkah baru \(.* WIB\); tidak ada yang dibatalkan\."):
        store.undo_last(planner, expected_batch=latest)
    assert store_state(store) == before
    store.undo_last(planner, expected_batch="3", others=True)
    assert store.undo_last(planner, expected_batch=latest, others=True) == latest
    status = store.program_statuses()["tsl-1-1-01"]
    assert (status["status"], status["evidence_url"], status["recorded_by"]) == (ProgramStatus.IN_PROGRESS, "https://example.org/a", "rina")
    records = store.snapshot().program_status
    assert [(r["status"], r["undone_by"]) for r in records] == [("dalam_proses", None), ("terpenuhi", "5")]


def test_undo_refuses_a_colleagues_newer_batch_unless_chosen(store, planner, other_planner):
    store.add([exact_site("a")], planner)
    theirs = store.add([exact_site("b", 106.72)], other_planner)
    before = store_state(store)
    with pytest.raises(ConflictError, match=r"^Langkah terakhir dibuat oleh budi \(.* WIB\), bukan oleh Anda; tidak ada yang dibatalkan\."):
        store.undo_last(planner)
    with pytest.raises(ConflictError, match="budi"):
        store.undo_last(planner, expected_batch=theirs)  # knowing the batch is not choosing to undo a colleague's step
    assert store_state(store) == before
    assert store.undo_last(planner, expected_batch=theirs, others=True) == theirs
    assert [s.id for s in store.sites()] == ["a"]


# -- seeds, settings, backups ----------------------------------------------------------------------


def test_seeding_needs_no_planner_only_adds_absent_sites_and_is_idempotent(store, planner, catalog, kecamatan):
    seeds = seed_sites(catalog, kecamatan)
    store.add([seeds[0]], planner)
    assert ensure_seeded(store, catalog, kecamatan) == len(seeds) - 1
    store.update(seeds[1].id, {"status": "selesai"}, 1, "foto", planner)
    assert ensure_seeded(store, catalog, kecamatan) == 0
    assert store.get(seeds[1].id).status is SiteStatus.BUILT  # seeding never changes a site
    assert [b["kind"] for b in store.batches()] == ["edit", "seed", "import"]  # no empty batch on the second start
    assert {r["who"] for r in store.history(seeds[2].id)} == {"seed"}


def test_one_setting_picks_the_backend(tmp_path, monkeypatch, postgis_url):
    monkeypatch.setenv("PETA_STORE", str(tmp_path / "embedded.sqlite"))
    monkeypatch.delenv("PETA_STORE_URL", raising=False)
    embedded = open_store()
    assert isinstance(embedded, SQLiteSiteStore) and embedded.path == tmp_path / "embedded.sqlite"
    monkeypatch.setenv("PETA_STORE_URL", postgis_url)
    server = open_store()
    assert isinstance(server, PostGISSiteStore) and server.sites() == []
    server.close()


def test_postgis_geometries_are_typed_and_spatially_indexed(postgis_url, planner, domain):
    store = PostGISSiteStore(postgis_url, auth.require_planner, domain)
    store.add([exact_site("near", 106.700), exact_site("far", 106.760), kecamatan_site("smp")], planner)
    with store.engine.connect() as conn:
        indexes = conn.execute(text("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'sites'")).scalars()
        assert any("USING gist (geometry)" in i for i in indexes)
        near = conn.execute(
            text("SELECT id, ST_SRID(geometry) FROM sites WHERE ST_DWithin(geometry::geography, ST_SetSRID(ST_MakePoint(:x, :y), 4326)::geography, :m)"),
            {"x": 106.701, "y": -6.3, "m": 500},
        ).all()
    assert near == [("near", 4326)]
    store.close()


def test_an_unreachable_postgis_register_is_a_clear_error():
    with refused(match=r"Cannot reach the PostGIS site register at postgresql\+psycopg://peta:\*\*\*@127\.0\.0\.1:9/x") as error:
        PostGISSiteStore("postgresql://peta:geheim@127.0.0.1:9/x")
    assert "geheim" not in str(error.value)


OLD_SCHEMA = """
CREATE TABLE sites (id TEXT PRIMARY KEY, program TEXT NOT NULL, layer TEXT NOT NULL, name TEXT NOT NULL,
    precision TEXT NOT NULL, status TEXT NOT NULL, admin_code TEXT NOT NULL DEFAULT '', geometry_wkt TEXT,
    source TEXT NOT NULL DEFAULT '', evidence_url TEXT NOT NULL DEFAULT '', updated TEXT NOT NULL);
CREATE TABLE status_history (site_id TEXT NOT NULL REFERENCES sites(id), status TEXT NOT NULL,
    evidence TEXT NOT NULL, date TEXT NOT NULL, recorded_by TEXT NOT NULL);
CREATE TABLE program_status (program_id TEXT NOT NULL, status TEXT NOT NULL, evidence_url TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '', date TEXT NOT NULL, recorded_by TEXT NOT NULL);
INSERT INTO sites VALUES ('smp', 'tsl-1-1-01', 'smp_baru', 'SMP baru Setu', 'kecamatan', 'direncanakan', '3674010',
    NULL, 'dokumen program', '', '2025-01-02');
INSERT INTO status_history VALUES ('smp', 'direncanakan', 'dokumen program', '2025-01-02', 'seed');
INSERT INTO program_status VALUES ('tsl-1-1-01', 'dalam_proses', 'https://example.org', '', '2025-03-01', 'tester');
"""


def test_an_embedded_register_of_the_previous_version_keeps_working(tmp_path, planner, domain):
    path = tmp_path / "old.sqlite"
    with closing(sqlite3.connect(path)) as con:
        con.executescript(OLD_SCHEMA)
    store = SQLiteSiteStore(path, auth.require_planner, domain)
    assert store.sites() == [dataclasses.replace(kecamatan_site("smp"), updated="2025-01-02")]
    assert store.history("smp") == [
        {"batch": "2", "kind": "legacy", "site_id": "smp", "field": "site", "old": None, "new": "added",
         "evidence": "dokumen program", "who": "seed", "at": "2025-01-02"}
    ]  # fmt: skip
    assert store.program_statuses()["tsl-1-1-01"]["recorded_by"] == "tester"
    store.update("smp", {"status": "selesai"}, 1, "foto", planner)
    assert SQLiteSiteStore(path).get("smp").version == 2  # opening it again changes nothing
    store.undo_last(planner)
    with pytest.raises(DataError, match="Tidak ada yang bisa dibatalkan"):  # migrated records are not undoable
        store.undo_last(planner)


def test_one_command_backs_up_the_whole_register(store, planner, tmp_path):
    store.add([kecamatan_site("smp"), exact_site("posko")], planner)
    store.retire("posko", 1, "ganda", planner)
    store.record_program_status("tsl-1-1-01", ProgramStatus.IN_PROGRESS, "https://example.org", "catatan", "2025-03-01", planner)
    out = tmp_path / "backup"
    result = subprocess.run(
        [sys.executable, "-m", "register.backup", str(out)],
        cwd=PROJECT_ROOT, env={**os.environ, **store_env(store)}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "2 sites (1 retired), 3 history rows, 1 program status records" in result.stdout
    assert "peta:peta@" not in result.stdout  # no password in the output
    features = {f["id"]: f for f in json.loads((out / "sites.geojson").read_text(encoding="utf-8"))["features"]}
    assert features["posko"]["geometry"] == {"type": "Point", "coordinates": [106.7, -6.3]}
    assert (features["posko"]["properties"]["retired"], features["posko"]["properties"]["version"]) == (True, 2)
    assert features["smp"]["geometry"] is None and features["smp"]["properties"]["admin_code"] == SETU
    with (out / "history.csv").open(encoding="utf-8") as f:
        history = [(r["batch"], r["site_id"], r["field"], r["new"], r["who"]) for r in csv.DictReader(f)]
    assert history == [("1", "smp", "site", "added", "rina"), ("1", "posko", "site", "added", "rina"), ("2", "posko", "retired", "true", "rina")]
    with (out / "program_status.csv").open(encoding="utf-8") as f:
        [record] = csv.DictReader(f)
    assert (record["program_id"], record["status"], record["note"], record["recorded_by"], record["batch"]) == (
        "tsl-1-1-01", "dalam_proses", "catatan", "rina", "3"
    )  # fmt: skip
