"""Seeding an old register: a seed site the documents now place on another layer is corrected, unless a planner changed it."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from register import auth
from register.postgis import PostGISSiteStore
from register.seed import CORRECTION_NOTE, ensure_seeded, seed_differences
from register.store import SQLiteSiteStore
from layers.seed import seed_sites

CORRIDORS = "kab-14-01-3603"  # the six road corridors: on layer simpang until the catalog put them on jalan


@pytest.fixture(params=["sqlite", "postgis"])
def register_at(request, tmp_path):
    """Opens one register (a file, or a database schema) on each backend, checked against a given domain."""
    opened = []
    if request.param == "sqlite":
        where = tmp_path / "sites.sqlite"
        kind = SQLiteSiteStore
    else:
        where, kind = request.getfixturevalue("postgis_url"), PostGISSiteStore

    def open_with(domain):
        opened.append(kind(where, auth.require_planner, domain))
        return opened[-1]

    yield open_with
    for store in opened:
        store.close()


def seeded_before(register_at, domain, catalog, kecamatan):
    """The register as the previous catalog seeded it: the corridors on layer simpang (that catalog's domain allowed it)."""
    program = dataclasses.replace(domain.programs["kab-14-01"], layer="simpang")
    old = register_at(dataclasses.replace(domain, programs={**domain.programs, "kab-14-01": program}))
    sites = [dataclasses.replace(s, layer="simpang") if s.id == CORRIDORS else s for s in seed_sites(catalog, kecamatan)]
    old.seed(sites)
    return old


def test_an_old_register_gets_the_corrected_seed_layer(register_at, domain, catalog, kecamatan):
    seeded_before(register_at, domain, catalog, kecamatan)
    store = register_at(domain)
    before = {s.id: s for s in store.sites(include_retired=True)}
    assert before[CORRIDORS].layer == "simpang"

    assert ensure_seeded(store, catalog, kecamatan) == 0  # nothing added: only corrected
    after = {s.id: s for s in store.sites(include_retired=True)}
    assert after[CORRIDORS].layer == "jalan" and after[CORRIDORS].version == 2
    assert {i: s for i, s in after.items() if i != CORRIDORS} == {i: s for i, s in before.items() if i != CORRIDORS}
    added, moved = store.history(CORRIDORS)
    assert (added["kind"], added["field"], added["new"]) == ("seed", "site", "added")
    assert (moved["kind"], moved["who"], moved["field"], moved["old"], moved["new"], moved["evidence"]) == (
        "seed", "seed", "layer", "simpang", "jalan", CORRECTION_NOTE)  # fmt: skip
    assert store.batches(1)[0]["note"] == CORRECTION_NOTE and store.batches(1)[0]["sites"] == 1
    assert seed_differences(seed_sites(catalog, kecamatan), after.values()) == []

    revision = store.revision()
    assert ensure_seeded(store, catalog, kecamatan) == 0 and store.revision() == revision  # no empty batch on every start


def test_a_seed_site_a_planner_changed_keeps_its_layer_and_is_reported(register_at, domain, catalog, kecamatan, planner, caplog):
    old = seeded_before(register_at, domain, catalog, kecamatan)
    old.update(CORRIDORS, {"status": "dalam_pembangunan"}, 1, "https://example.org/berita-simpang", planner)
    store = register_at(domain)
    revision = store.revision()

    with caplog.at_level(logging.WARNING, logger="register.seed"):
        assert ensure_seeded(store, catalog, kecamatan) == 0
    site = store.get(CORRIDORS)
    assert (site.layer, site.status.value, site.version) == ("simpang", "dalam_pembangunan", 2)
    assert store.revision() == revision and [h["kind"] for h in store.history(CORRIDORS)] == ["seed", "edit"]
    assert [r.getMessage() for r in caplog.records] == [
        f"seed site {CORRIDORS} differs from the documents but a planner has changed it: left as it is"
    ]
    assert seed_differences(seed_sites(catalog, kecamatan), store.sites()) == [(CORRIDORS, "layer", "simpang", "jalan")]
