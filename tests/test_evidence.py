"""Evidence rows: the one row check, the file check at install, and the status rule over real and made-up cases."""

from __future__ import annotations

import dataclasses

import pytest

from geo.errors import DataError
from layers.evidence import COLUMNS, EvidenceItem, check_evidence, date_precision, read_evidence

GOOD = EvidenceItem(
    evidence_id="ev-900", program_id="tsl-1-1-01", event_date="2025-06-01", status="dalam_proses",
    claim_id="Pembangunan dimulai.", claim_en="Construction started.", place="Kel. Serua, Ciputat", precision="desa",
    url="https://example.org/berita", publisher="Contoh",
)  # fmt: skip


def keys(item, catalog):
    return [p.key for p in check_evidence(item, catalog)]


def test_a_good_item_passes(catalog):
    assert check_evidence(GOOD, catalog) == []


@pytest.mark.parametrize(
    "change, key",
    [
        ({"program_id": "tsl-9-9-99"}, "evidence.unknown_program"),
        ({"status": "selesai"}, "evidence.unknown_status"),
        ({"event_date": "2025-02-30"}, "evidence.bad_date"),
        ({"event_date": "20/02/2025"}, "evidence.bad_date"),
        ({"event_date": ""}, "evidence.date_without_note"),
        ({"url": "javascript:alert(1)"}, "evidence.bad_url"),
        ({"url": "ftp://example.org/x"}, "evidence.bad_url"),
        ({"precision": "rt"}, "evidence.unknown_precision"),
        ({"claim_en": " "}, "evidence.missing_claim"),
        ({"evidence_id": ""}, "evidence.missing_id"),
        ({"place": "Serua\u202e"}, "evidence.control_character"),
    ],
)
def test_each_problem_is_named(catalog, change, key):
    assert keys(dataclasses.replace(GOOD, **change), catalog) == [key]


def test_problems_read_in_both_languages(catalog):
    [problem] = check_evidence(dataclasses.replace(GOOD, url="javascript:alert(1)"), catalog)
    assert "javascript:alert(1)" in problem.text("id") and "http(s)" in problem.text("en")
    assert problem.text("id") != problem.text("en")


def test_an_empty_date_with_a_note_and_partial_dates_pass(catalog):
    assert check_evidence(dataclasses.replace(GOOD, event_date="", note="Tanggal tidak diketahui; terbit 2021."), catalog) == []
    assert [date_precision(d) for d in ("2021", "2021-04", "2021-04-16", "2021-13")] == ["year", "month", "day", None]


def _write(path, rows):
    import csv

    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


def test_the_file_names_each_bad_row_by_its_id(catalog, tmp_path):
    good = list(dataclasses.astuple(GOOD))
    bad_program = list(dataclasses.astuple(dataclasses.replace(GOOD, evidence_id="ev-901", program_id="tsl-0")))
    bad_url = list(dataclasses.astuple(dataclasses.replace(GOOD, evidence_id="ev-902", url="javascript:x")))
    path = _write(tmp_path / "evidence.csv", [good, bad_program, bad_url, good])
    with pytest.raises(DataError) as caught:
        read_evidence(path, catalog)
    text = str(caught.value)
    assert "ev-901: program 'tsl-0' is not in the catalog" in text
    assert "ev-902: url 'javascript:x' is not an http(s) link" in text
    assert "evidence_id repeated: ev-900" in text


def test_a_missing_column_is_named(catalog, tmp_path):
    path = tmp_path / "evidence.csv"
    path.write_text("evidence_id,program_id\nev-1,tsl-1-1-01\n", encoding="utf-8")
    with pytest.raises(DataError, match="missing column.*event_date"):
        read_evidence(path, catalog)
