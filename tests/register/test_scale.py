"""The register at inventory scale: bulk writes linear in the number of sites, large imports, several app servers.

Synthetic sites (:mod:`register.synthetic`, labelled synthetic) live only in
the temporary registers of ``any_store``. Times are compared with each other
in the same run, never with a wall clock.
"""

from __future__ import annotations

import time

import pytest

from geo.errors import DataError
from register import importer
from register.synthetic import SOURCE, synthetic_csv, synthetic_sites


def test_bulk_store_grows_linearly_not_quadratically(any_store, planner, domain):
    small = synthetic_sites(domain, 10_000, "tsl-4-2-10")
    large = synthetic_sites(domain, 40_000, "tsl-4-2-13", seed=1)
    started = time.perf_counter()
    any_store.add(small, planner)
    small_s = time.perf_counter() - started
    started = time.perf_counter()
    any_store.add(large, planner)
    large_s = time.perf_counter() - started
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
