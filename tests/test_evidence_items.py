"""Evidence rows: the one row check, the file check at install, and the status rule over real and made-up cases."""

from __future__ import annotations

import dataclasses

import pytest

from geo.errors import DataError
from evidence.items import COLUMNS, EvidenceItem, check_evidence, date_precision, read_evidence

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
        ({"claim_id": "x" * 1_000_000}, "evidence.too_long"),
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
    bad_date = list(dataclasses.astuple(dataclasses.replace(GOOD, evidence_id="ev-903", event_date="2025-13-01")))
    bad_status = list(dataclasses.astuple(dataclasses.replace(GOOD, evidence_id="ev-904", status="done")))
    path = _write(tmp_path / "evidence.csv", [good, bad_program, bad_url, bad_date, bad_status, good])
    with pytest.raises(DataError) as caught:
        read_evidence(path, catalog)
    text = str(caught.value)
    assert "ev-901: program 'tsl-0' is not in the catalog" in text
    assert "ev-902: url 'javascript:x' is not an http(s) link" in text
    assert "ev-903: date '2025-13-01' is not a valid YYYY, YYYY-MM or YYYY-MM-DD" in text
    assert "ev-904: status 'done' is unknown" in text
    assert "evidence_id repeated: ev-900" in text


def test_a_missing_column_is_named(catalog, tmp_path):
    path = tmp_path / "evidence.csv"
    path.write_text("evidence_id,program_id\nev-1,tsl-1-1-01\n", encoding="utf-8")
    with pytest.raises(DataError, match="missing column.*event_date"):
        read_evidence(path, catalog)


# --- the status rule -------------------------------------------------------------------------------

import pandas as pd  # noqa: E402

from evidence.items import load_evidence, load_searched  # noqa: E402
from evidence.status import covers_target, event_roles, judge, reason_text  # noqa: E402

NO_SEARCH = pd.DataFrame({"program_id": [], "rows_found": [], "queries": []})


def frame(*items):
    return pd.DataFrame([dataclasses.asdict(i) for i in items], columns=list(COLUMNS))


def event(n, program="tsl-1-1-01", when="2025-06-01", status="dalam_proses", **more):
    return dataclasses.replace(GOOD, evidence_id=f"ev-{n}", program_id=program, event_date=when, status=status, **more)


def verdict(catalog, *items, records=None, program="tsl-1-1-01", searched=NO_SEARCH):
    row = judge(catalog, frame(*items), searched, records or {}).loc[program]
    return row["status"], row["reason"], reason_text(row.to_dict(), "en")


def test_events_before_the_term_never_count(catalog):
    status, reason, text = verdict(catalog, event(1, when="2025-02-19", status="terpenuhi", quantity="4 unit"))
    assert (status, reason) == ("belum_ada_bukti", "none_counts") and "before the term" in text
    # the first day of the term counts
    assert verdict(catalog, event(1, when="2025-02-20"))[0] == "dalam_proses"


def test_a_year_that_straddles_the_start_of_the_term_is_not_placed(catalog):
    assert verdict(catalog, event(1, when="2025"))[0] == "belum_ada_bukti"
    assert verdict(catalog, event(1, when="2025-03"))[0] == "dalam_proses"


def test_kabupaten_events_after_2023_are_follow_ups(catalog):
    items = [event(1, "kab-04-02", "2024-07-31", "terpenuhi"), event(2, "kab-04-02", "2018-05-01", "dalam_proses")]
    status, _, text = verdict(catalog, *items, program="kab-04-02")
    assert status == "belum_ada_bukti" and "follow-up after the term" in text and "before the term" in text
    assert verdict(catalog, event(1, "kab-04-02", "2023-12-31", "dalam_proses"), program="kab-04-02")[0] == "dalam_proses"


def test_a_campaign_pledge_never_counts(catalog):
    pledge = event(1, status="rencana", note="Campaign pledge during Pilkada 2024, not a government action.")
    status, _, text = verdict(catalog, pledge)
    assert status == "belum_ada_bukti" and "campaign pledge" in text


def test_a_partial_completion_is_in_progress(catalog):
    # tsl-1-1-01 promises 4 unit: two done is part of the target, four is all of it.
    status, reason, _ = verdict(catalog, event(1, status="terpenuhi", quantity="2 unit"))
    assert (status, reason) == ("dalam_proses", "partial")
    assert verdict(catalog, event(1, status="terpenuhi", quantity="2 dari 4 unit"))[0] == "dalam_proses"
    status, reason, text = verdict(catalog, event(1, status="terpenuhi", quantity="4 unit"))
    assert (status, reason) == ("terpenuhi", "fulfilled") and "4 unit sekolah baru SMP" in text


def test_done_without_a_measurable_target_waits_for_a_planner(catalog):
    # kab-04-02 ("beroperasinya RSUD di wilayah barat") states no quantity the evidence could be checked against
    status, reason, text = verdict(catalog, event(1, "kab-04-02", "2023-12-18", "terpenuhi"), program="kab-04-02")
    assert (status, reason) == ("dalam_proses", "done_unmeasured") and "18 December 2023" in text


def test_the_whole_target_needs_its_unit(catalog):
    program = catalog.program("tsl-4-2-10")  # 10.000 titik
    assert covers_target("10.000 titik", program) and covers_target("12.500 titik PJU", program)
    assert not covers_target("10.000 km", program) and not covers_target("9.999 titik", program)


def test_a_cancellation_fails_only_when_the_promise_itself_failed(catalog):
    dropped = event(1, status="gagal", claim_en="The city cancelled the new school programme.")
    status, reason, _ = verdict(catalog, event(0, when="2025-03-01"), dropped)
    assert (status, reason) == ("gagal", "failed")
    breakdown = event(1, status="gagal", claim_en="Collection broke down for a week.", note="not cancelled; service breakdown")
    status, _, text = verdict(catalog, event(0, when="2025-03-01"), breakdown)
    assert status == "dalam_proses" and "service breakdown" in text
    # progress after a cancellation reported earlier: the latest counted event decides
    assert verdict(catalog, dropped, event(2, when="2025-09-01"))[0] == "dalam_proses"


def test_a_stock_count_is_not_new_work(catalog):
    stock = event(1, status="terpenuhi", quantity="4 unit", note="Count of existing facilities (stock), not new ones.")
    assert verdict(catalog, stock)[0] == "belum_ada_bukti"


def test_a_planner_record_overrides_the_proposal_and_says_so(catalog):
    record = {"tsl-1-1-01": {"status": "terpenuhi", "evidence_url": "https://example.org/x", "date": "2026-01-05", "note": ""}}
    row = judge(catalog, frame(event(1)), NO_SEARCH, record).loc["tsl-1-1-01"]
    assert (row["status"], row["proposed"], row["decided_by"]) == ("terpenuhi", "dalam_proses", "planner")
    text = reason_text(row.to_dict(), "id")
    assert text.startswith("Terpenuhi: dicatat perencana") and "Dalam proses" in text


def test_searched_without_result_and_never_searched_differ(catalog):
    searched = pd.DataFrame({"program_id": ["tsl-1-2-08"], "rows_found": [0], "queries": [("Griya Sehat Tangsel",)]})
    j = judge(catalog, frame(event(1, when="2026-02-14")), searched, {})
    assert j.loc["tsl-1-2-08", "reason"] == "not_found" and j.loc["tsl-1-2-08", "queries"] == ("Griya Sehat Tangsel",)
    assert "as of February 2026" in reason_text(j.loc["tsl-1-2-08"].to_dict(), "en")
    assert j.loc["tsl-1-2-09", "reason"] == "not_searched"


def test_the_installed_evidence_judged(catalog, data_root):
    evidence, searched = load_evidence(data_root, catalog), load_searched(data_root, catalog)
    j = judge(catalog, evidence, searched, {})
    assert len(j) == len(catalog.programs) and j["events"].sum() == len(evidence)
    roles = event_roles(evidence, catalog)
    # the one campaign pledge of the file (Maesyal's, kab-01-01) and the Tangsel SMP rebuilds of December 2025
    assert roles[evidence["evidence_id"] == "ev-004"].item() == "pledge"
    assert j.loc["tsl-1-1-01", "status"] == "dalam_proses"
    assert j.loc["tsl-1-2-08", "reason"] == "not_found" and j.loc["tsl-1-2-08", "queries"]


# --- evidence places ----------------------------------------------------------------------------

from geo import boundaries  # noqa: E402
from evidence.places import resolve_places  # noqa: E402


@pytest.fixture(scope="module")
def crosswalk(data_root):
    return boundaries.load_crosswalk(data_root)


def places(catalog, desa, kecamatan, crosswalk, *items):
    return resolve_places(frame(*items), catalog, desa, kecamatan, crosswalk)


def test_serua_resolves_to_serua_in_ciputat(catalog, desa, kecamatan, crosswalk):
    for text in ("Serua", "Kel. Serua, Kec. Ciputat", "KELURAHAN  SERUA", "Sérua"):
        placed, unplaced = places(catalog, desa, kecamatan, crosswalk, event(1, place=text, precision="desa"))
        assert unplaced.empty, text
        [row] = placed.to_dict("records")
        # BPS spells it "Sarua"; Kemendagri "Serua"
        assert (row["level"], row["kecamatan"], row["code"]) == ("desa", "Ciputat", "3674040001"), text


def test_a_name_is_only_looked_up_in_the_programs_region(catalog, desa, kecamatan, crosswalk):
    placed, unplaced = places(catalog, desa, kecamatan, crosswalk, event(1, place="TPA Jatiwaringin, Kec. Mauk", precision="titik"))
    assert placed.empty and unplaced["problem"].tolist() == ["not_found"]


def test_an_ambiguous_name_is_not_placed_and_is_listed(catalog, desa, kecamatan, crosswalk):
    # Kabupaten Tangerang has a Desa Caringin in Cisoka and another in Legok.
    ambiguous = event(1, program="kab-07-04", place="Pasar Desa Caringin", precision="titik")
    placed, unplaced = places(catalog, desa, kecamatan, crosswalk, ambiguous)
    assert placed.empty
    [row] = unplaced.to_dict("records")
    assert row["problem"] == "ambiguous" and "Cisoka" in row["candidates"] and "Legok" in row["candidates"]
    # the kecamatan the text names settles it
    placed, unplaced = places(catalog, desa, kecamatan, crosswalk, dataclasses.replace(ambiguous, place="Desa Caringin, Kec. Legok"))
    assert unplaced.empty and placed[["level", "kecamatan"]].values.tolist() == [["desa", "Legok"]]


def test_kecamatan_precision_and_marker_words(catalog, desa, kecamatan, crosswalk):
    # "Setu" is a kecamatan and a kelurahan: unmarked it is the kecamatan; a desa inside it makes the kecamatan context only.
    placed, _ = places(catalog, desa, kecamatan, crosswalk, event(1, place="SMPN 20 Kel. Bakti Jaya, Setu", precision="titik"))
    assert placed[["level", "name"]].values.tolist() == [["desa", "Bakti Jaya"]]
    placed, _ = places(catalog, desa, kecamatan, crosswalk, event(1, place="Kel. Bakti Jaya, Setu", precision="kecamatan"))
    assert placed[["level", "name"]].values.tolist() == [["kecamatan", "Setu"]]
    placed, _ = places(catalog, desa, kecamatan, crosswalk, event(1, program="kab-01-01", place="Kampung Babakan Pantai, Kec. Solear", precision="desa"))
    assert placed[["level", "name"]].values.tolist() == [["kecamatan", "Solear"]]
    _, unplaced = places(catalog, desa, kecamatan, crosswalk, event(1, place="Tangerang Selatan", precision="wilayah"))
    assert unplaced["problem"].tolist() == ["region"]
