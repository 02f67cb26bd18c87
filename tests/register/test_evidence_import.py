"""Importing evidence from a CSV in the evidence file's format, on both backends: preview, checks, all or nothing, undo."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

import pytest

from conftest import store_state
from geo.errors import DataError
from evidence.items import COLUMNS, EvidenceItem
from register import evidence_import, importer
from register.seed import ensure_evidence_seeded
from test_evidence_register import item, store  # noqa: F401 (store is a fixture: an empty register on each backend)

CORPUS = Path(__file__).resolve().parents[1] / "data" / "import"


def evidence_csv(items: list[EvidenceItem], header: tuple[str, ...] = COLUMNS) -> bytes:
    """Items written as the shared evidence file is: comma-separated UTF-8, quoted where needed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([dataclasses.astuple(i)[: len(header)] for i in items])
    return out.getvalue().encode("utf-8")


def problems(preview) -> list[str]:
    return [p for row in preview.rows["problems"] for p in row]


def check(store, catalog, data: bytes, lang: str = "id"):
    preview = evidence_import.read_evidence_upload(data, lang)
    return evidence_import.check_evidence_rows(preview, catalog, store.evidence(include_retired=True), lang)


def test_a_file_with_one_bad_row_is_refused_whole_naming_it_then_stored_without_it_and_undone(store, planner, catalog):
    bad = item("ev-903", url="javascript:alert(1)", event_date="2025-02-30")
    data = evidence_csv([item("ev-901", claim_id="Uji: dua, dengan koma"), item("ev-902"), bad, item("ev-904")])
    preview = check(store, catalog, data)
    assert list(preview.rows["row"]) == [1, 2, 3, 4]  # data rows from 1, as the preview shows them
    assert preview.rows["claim_id"].iloc[0] == "Uji: dua, dengan koma"
    assert problems(preview) == [
        "baris 3 (ev-903): tanggal '2025-02-30' bukan YYYY, YYYY-MM atau YYYY-MM-DD yang sah",
        "baris 3 (ev-903): url 'javascript:alert(1)' bukan tautan http(s)",
    ]
    before = store_state(store), store.evidence(include_retired=True)
    with pytest.raises(DataError, match=r"nothing stored|tidak ada yang disimpan") as caught:
        evidence_import.commit_evidence(preview, store, catalog, planner, note="bukti.csv")
    assert "baris 3 (ev-903)" in str(caught.value) and "1 baris" in str(caught.value)
    assert (store_state(store), store.evidence(include_retired=True)) == before
    dropped = evidence_import.check_evidence_rows(importer.drop_rows(preview, [3]), catalog, store.evidence(include_retired=True))
    batch = evidence_import.commit_evidence(dropped, store, catalog, planner, note="bukti.csv")
    assert [r["evidence_id"] for r in store.evidence()] == ["ev-901", "ev-902", "ev-904"]
    assert store.get_evidence("ev-901")["claim_id"] == "Uji: dua, dengan koma"
    assert store.batches(1)[0] | {"at": None} == {
        "batch": batch, "kind": "evidence_import", "who": "rina", "at": None, "note": "bukti.csv", "sites": 0, "undone_by": None,
    }  # fmt: skip
    assert store.undo_last(planner) == batch
    assert store.evidence() == []


def test_problems_in_english_and_ids_taken_or_repeated(store, planner, catalog):
    store.add_evidence([item("ev-901")], catalog, planner)
    preview = check(store, catalog, evidence_csv([item("ev-901"), item("ev-902", status="selesai"), item("ev-902")]), lang="en")
    assert problems(preview) == [
        "row 1 (ev-901): this id is already in the register",
        "row 2 (ev-902): status 'selesai' is unknown (allowed: rencana, dalam_proses, terpenuhi, gagal)",
        "row 3 (ev-902): this id is used by an earlier row",
    ]
    unchecked = importer.drop_rows(preview, [1])  # changed after the check
    with pytest.raises(DataError, match="belum diperiksa"):
        evidence_import.to_evidence(unchecked)


def test_the_installed_file_imports_into_an_empty_register_and_is_all_taken_in_a_seeded_one(store, planner, catalog, data_root):
    data = (data_root / "evidence" / "evidence.csv").read_bytes()
    preview = check(store, catalog, data)
    assert len(preview.rows) == 172 and problems(preview) == []
    evidence_import.commit_evidence(preview, store, catalog, planner, note="evidence.csv")
    imported = store.evidence()
    store.undo_last(planner)
    ensure_evidence_seeded(store, catalog, data_root)
    seeded = store.evidence()
    assert [{c: r[c] for c in COLUMNS} for r in imported] == [{c: r[c] for c in COLUMNS} for r in seeded]
    again = check(store, catalog, data)
    assert sum(bool(p) for p in again.rows["problems"]) == 172


def test_a_missing_column_blocks_the_file(store, catalog):
    preview = check(store, catalog, evidence_csv([item("ev-901")], header=COLUMNS[:-1]))
    assert preview.file_problems == ["kolom note tidak ditemukan"]
    with pytest.raises(DataError, match="kolom note tidak ditemukan"):
        evidence_import.to_evidence(preview)


def test_each_importer_recognises_its_own_file_by_the_header():
    data = evidence_csv([item("ev-901")])
    with pytest.raises(DataError) as caught:
        importer.read_upload(data)
    assert caught.value.text("en").startswith("This is an evidence CSV") and "tab Bukti" in str(caught.value)
    with pytest.raises(DataError, match="bukan CSV bukti"):
        evidence_import.read_evidence_upload((CORPUS / "sites.csv").read_bytes())
    with pytest.raises(DataError, match="bukan CSV bukti"):
        evidence_import.read_evidence_upload((CORPUS / "sites.geojson").read_bytes())
    with pytest.raises(DataError, match="melebihi batas"):
        evidence_import.read_evidence_upload(data + b"#" * importer.MAX_BYTES)
