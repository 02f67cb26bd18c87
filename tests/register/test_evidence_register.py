"""Evidence items in the register, on both backends: seeding, add, edit, retire, undo, conflicts, backup.

Every test taking ``store`` runs on embedded SQLite and on PostGIS (see
``tests/register/test_store.py`` for the PostGIS server the second run needs).
"""

from __future__ import annotations

import csv
import dataclasses

import pandas as pd
import pytest

from conftest import store_state
from geo.errors import DataError
from evidence.items import EvidenceItem, load_evidence
from register.backup import write_backup
from register.seed import ensure_evidence_seeded
from register.store import EVIDENCE_COLUMNS, ConflictError

CONFLICT = r"^Bukti {id} sudah diubah oleh {who} pada \d{{4}}-\d\d-\d\d \d\d:\d\d WIB \(versi {version}\); muat ulang lalu ulangi\.$"


@pytest.fixture
def store(any_store):
    return any_store


def item(evidence_id: str = "ev-901", **fields) -> EvidenceItem:
    """A well-formed evidence item about tsl-1-1-01 (fictitious: tests only)."""
    values = dict(
        program_id="tsl-1-1-01", event_date="2025-08", status="dalam_proses", claim_id="Uji: pembangunan SMP dimulai.",
        claim_en="Test: SMP construction began.", place="Kel. Serua, Ciputat", precision="desa", quantity="1 SMP",
        url="https://example.org/berita", publisher="Contoh", note="",
    )  # fmt: skip
    return EvidenceItem(evidence_id, **(values | fields))


def frame(store, include_retired: bool = False) -> pd.DataFrame:
    return pd.DataFrame(store.evidence(include_retired), columns=list(EVIDENCE_COLUMNS))


def test_seeding_adds_the_installed_evidence_once_and_never_overwrites_a_planner(store, planner, catalog, data_root):
    installed = load_evidence(data_root, catalog)
    assert ensure_evidence_seeded(store, catalog, data_root) == len(installed) == 172
    table = frame(store)
    assert list(table.columns) == [*installed.columns, "version", "retired", "recorded_by", "recorded_at"]
    pd.testing.assert_frame_equal(table[list(installed.columns)], installed.sort_values("evidence_id", ignore_index=True))
    assert set(table["recorded_by"]) == {"seed"} and set(table["version"]) == {1}
    store.update_evidence("ev-001", {"note": "diperiksa ulang"}, 1, "cek halaman", catalog, planner)
    store.retire_evidence("ev-002", 1, "ganda", planner)
    assert ensure_evidence_seeded(store, catalog, data_root) == 0  # present, retired ones too
    assert store.get_evidence("ev-001")["note"] == "diperiksa ulang" and store.get_evidence("ev-002")["retired"]
    assert [b["kind"] for b in store.batches()] == ["evidence_retire", "evidence_edit", "seed"]
    store.undo_last(planner)
    store.undo_last(planner)
    restored = store.get_evidence("ev-001")
    assert (restored["note"], restored["version"]) == (installed.set_index("evidence_id").at["ev-001", "note"], 3)
    assert not store.get_evidence("ev-002")["retired"]
    with pytest.raises(DataError) as caught:  # a seed is not undoable
        store.undo_last(planner)
    assert caught.value.text("en").startswith("Nothing to undo")


def test_add_edit_retire_and_history(store, planner, catalog):
    batch = store.add_evidence([item("ev-901"), item("ev-902", event_date="", note="tanggal tidak disebut")], catalog, planner,
                               note="bukti.csv")  # fmt: skip
    assert [r["evidence_id"] for r in store.evidence()] == ["ev-901", "ev-902"]
    record = store.get_evidence("ev-901")
    assert (record["version"], record["retired"], record["recorded_by"]) == (1, False, "rina")
    edited = store.update_evidence("ev-901", {"status": "terpenuhi", "quantity": " 2 SMP "}, 1, "https://example.org/lanjutan",
                                   catalog, planner)  # fmt: skip
    assert (edited["status"], edited["quantity"], edited["version"]) == ("terpenuhi", "2 SMP", 2)
    assert store.get_evidence("ev-901") == edited
    retired = store.retire_evidence("ev-902", 1, "halaman sudah hilang", planner)
    assert retired["retired"] and [r["evidence_id"] for r in store.evidence()] == ["ev-901"]
    assert [r["evidence_id"] for r in store.evidence(include_retired=True)] == ["ev-901", "ev-902"]
    history = [(h["batch"], h["kind"], h["field"], h["old"], h["new"], h["reason"], h["who"]) for h in store.evidence_history("ev-901")]
    edit = str(int(batch) + 1)
    assert history == [
        (batch, "evidence_import", "evidence", None, "added", "https://example.org/berita", "rina"),
        (edit, "evidence_edit", "status", "dalam_proses", "terpenuhi", "https://example.org/lanjutan", "rina"),
        (edit, "evidence_edit", "quantity", "1 SMP", "2 SMP", "https://example.org/lanjutan", "rina"),
    ]
    assert [(b["kind"], b["note"], b["sites"]) for b in store.batches()] == [
        ("evidence_retire", "halaman sudah hilang", 0), ("evidence_edit", "https://example.org/lanjutan", 0), ("evidence_import", "bukti.csv", 0),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"url": "javascript:alert(1)"}, "bukan tautan http"),
        ({"program_id": "tsl-9-9-99"}, "tidak ada di katalog"),
        ({"event_date": "2025-13"}, "bukan YYYY"),
        ({"evidence_id": "ev-999"}, "tidak dapat diubah: evidence_id"),
        ({"status": 3}, "nilai teks"),
        ({"status": "dalam_proses"}, "nilainya sama|nilai barunya sama"),
    ],
)
def test_bad_edits_store_nothing(store, planner, catalog, changes, message):
    store.add_evidence([item()], catalog, planner)
    before = store_state(store), store.evidence(include_retired=True)
    with pytest.raises(DataError, match=message):
        store.update_evidence("ev-901", changes, 1, "alasan", catalog, planner)
    assert (store_state(store), store.evidence(include_retired=True)) == before


def test_a_change_needs_a_reason_a_version_a_planner_and_an_active_item(store, planner, catalog):
    store.add_evidence([item()], catalog, planner)
    with pytest.raises(DataError, match="perlu alasan"):
        store.update_evidence("ev-901", {"note": "x"}, 1, "  ", catalog, planner)
    with pytest.raises(DataError, match="nomor versi"):
        store.retire_evidence("ev-901", "1", "x", planner)
    with pytest.raises(DataError, match="Tidak ada bukti dengan id 'ev-404'"):
        store.update_evidence("ev-404", {"note": "x"}, 1, "x", catalog, planner)
    with pytest.raises(PermissionError):
        store.retire_evidence("ev-901", 1, "x", None)
    store.retire_evidence("ev-901", 1, "ganda", planner)
    with pytest.raises(DataError, match="sudah ditarik"):
        store.update_evidence("ev-901", {"note": "x"}, 2, "x", catalog, planner)


def test_an_edit_based_on_a_stale_version_is_refused_with_who_and_when(store, planner, other_planner, catalog):
    store.add_evidence([item()], catalog, planner)
    store.update_evidence("ev-901", {"note": "oleh budi"}, 1, "cek", catalog, other_planner)
    before = store_state(store), store.evidence(include_retired=True)
    with pytest.raises(ConflictError, match=CONFLICT.format(id="ev-901", who="budi", version=2)) as caught:
        store.update_evidence("ev-901", {"note": "oleh rina"}, 1, "cek", catalog, planner)
    assert caught.value.text("en").startswith("Evidence ev-901 was changed by budi at ")
    with pytest.raises(ConflictError):
        store.retire_evidence("ev-901", 1, "ganda", planner)
    assert (store_state(store), store.evidence(include_retired=True)) == before


def test_a_batch_with_one_bad_or_existing_item_stores_nothing_and_names_it(store, planner, catalog):
    store.add_evidence([item("ev-901")], catalog, planner)
    before = store_state(store), store.evidence(include_retired=True)
    bad = [item("ev-902"), item("ev-903", url="javascript:alert(1)", status="selesai")]
    with pytest.raises(DataError, match=r"ev-903: url 'javascript:alert\(1\)' bukan tautan http\(s\)") as caught:
        store.add_evidence(bad, catalog, planner)
    assert "ev-903: status 'selesai' tidak dikenal" in str(caught.value) and "ev-902" not in str(caught.value)
    with pytest.raises(DataError, match="sudah ada di register: ev-901"):
        store.add_evidence([item("ev-904"), item("ev-901")], catalog, planner)
    with pytest.raises(DataError, match="ev-905: id muncul dua kali"):
        store.add_evidence([item("ev-905"), item("ev-905")], catalog, planner)
    with pytest.raises(DataError, match="tidak berisi bukti"):
        store.add_evidence([], catalog, planner)
    assert (store_state(store), store.evidence(include_retired=True)) == before


def test_undo_reverts_evidence_imports_edits_and_retirements_newest_first(store, planner, catalog):
    first = store.add_evidence([item("ev-901")], catalog, planner)
    store.add_evidence([item("ev-902"), item("ev-903")], catalog, planner)
    store.update_evidence("ev-901", {"status": "gagal", "note": "dibatalkan"}, 1, "https://example.org/batal", catalog, planner)
    store.retire_evidence("ev-901", 2, "salah program", planner)
    store.undo_last(planner)  # the retirement
    restored = store.get_evidence("ev-901")
    assert (restored["retired"], restored["version"], restored["status"], restored["recorded_by"]) == (False, 4, "gagal", "rina")
    store.undo_last(planner)  # the edit
    restored = store.get_evidence("ev-901")
    assert (restored["status"], restored["note"], restored["version"]) == ("dalam_proses", "", 5)
    store.undo_last(planner)  # the second import: its items leave, their ids are free again
    assert [r["evidence_id"] for r in store.evidence(include_retired=True)] == ["ev-901"]
    assert store.evidence_history("ev-902")[-1] | {"at": None} == {
        "batch": str(int(first) + 6), "kind": "undo", "evidence_id": "ev-902", "field": "evidence", "old": "added",
        "new": "removed", "reason": f"undo of batch {int(first) + 1}", "who": "rina", "at": None,
    }  # fmt: skip
    store.add_evidence([item("ev-902")], catalog, planner)
    assert [b["undone_by"] is not None for b in store.batches(8)][-4:] == [True, True, True, False]


def test_the_backup_holds_the_evidence_and_its_history(store, planner, catalog, tmp_path):
    store.add_evidence([item("ev-901"), item("ev-902")], catalog, planner)
    store.retire_evidence("ev-902", 1, "ganda", planner)
    snapshot = store.snapshot()
    assert [(r["evidence_id"], r["retired"]) for r in snapshot.evidence] == [("ev-901", False), ("ev-902", True)]
    assert [(h["evidence_id"], h["field"], h["new"]) for h in snapshot.evidence_history] == [
        ("ev-901", "evidence", "added"), ("ev-902", "evidence", "added"), ("ev-902", "retired", "true"),
    ]  # fmt: skip
    counts = write_backup(store, tmp_path)
    assert (counts["evidence"], counts["evidence_history"]) == (2, 3)
    with (tmp_path / "evidence.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(EVIDENCE_COLUMNS)
    assert [(r["evidence_id"], r["retired"], r["version"]) for r in rows] == [("ev-901", "False", "1"), ("ev-902", "True", "2")]
    assert dataclasses.asdict(item("ev-901")).items() <= rows[0].items()
