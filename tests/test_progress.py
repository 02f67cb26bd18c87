"""The promise tracker: program statuses in the store, progress per program, tracker exports.

Runs on a temporary SQLite store seeded from the catalog and the installed
boundaries, plus one exact-point site per test where built counts matter.
"""

from __future__ import annotations

import io
import math

import openpyxl
import pandas as pd
import pytest

from geo import boundaries
from geo.errors import DataError
from reports import export
from layers.catalog import load_catalog
from layers.model import Precision, ProgramStatus, Site, SiteStatus
from layers.progress import misi_status_counts, program_progress, status_counts
from texts.numbers import format_number
from layers.registry import load_layers
from layers.seed import source_text
from register.seed import ensure_seeded
from layers.sites import site_frame
from layers.targets import target_table
from register.auth import require_planner
from register.store import SQLiteSiteStore

PAMULANG = "3674030"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def layers(catalog):
    return load_layers(catalog)


@pytest.fixture(scope="module")
def kecamatan():
    return boundaries.load_kecamatan()


@pytest.fixture(scope="module")
def desa(kecamatan):
    return boundaries.load_desa(kecamatan=kecamatan)


@pytest.fixture
def store(tmp_path, catalog, kecamatan, domain):
    s = SQLiteSiteStore(tmp_path / "s.sqlite", require_planner, domain)
    ensure_seeded(s, catalog, kecamatan)
    return s


@pytest.fixture
def tracker(store, catalog, layers, kecamatan, desa):
    """``tracker()`` reads the store as it is now and returns the progress table indexed by program id."""

    def read(lang: str = "id") -> pd.DataFrame:
        sites = site_frame(store.sites(), catalog, kecamatan, desa)
        return program_progress(catalog, layers, sites, store.program_statuses(), kecamatan, lang).set_index("id", drop=False)

    return read


def posko_site(kecamatan, site_id: str, status: SiteStatus) -> Site:
    """A disaster post (target 14 titik, none placed by the document) at a point inside Pamulang."""
    point = kecamatan.loc[kecamatan["kode_kec"] == PAMULANG].geometry.iloc[0].representative_point()
    return Site(site_id, "tsl-4-7-05", "posko_bencana", f"Posko uji {site_id}", Precision.EXACT, status,
                geometry=point, source="uji", updated="2025-05-01")  # fmt: skip


def test_every_program_once_in_catalog_order(tracker, catalog):
    progress = tracker()
    assert list(progress["id"]) == [p.id for p in catalog.programs]
    assert len(progress) == 198


def test_without_records_every_program_is_unproven_with_its_document_as_evidence(tracker, catalog):
    progress = tracker()
    assert set(progress["status"]) == {ProgramStatus.NO_EVIDENCE.value}
    assert (progress["updated"] == "").all()
    program = catalog.program("tsl-4-2-11")
    assert progress.at["tsl-4-2-11", "evidence"] == source_text(program, catalog)


def test_sites_known_only_to_their_kecamatan_are_not_located(tracker):
    smp = tracker().loc["tsl-1-1-01"]  # "4 unit sekolah baru SMP", one per named kecamatan, seeded at kecamatan level
    assert (smp.progress_kind, smp.target_sites, smp.active, smp.located, smp.known_area, smp.built, smp.not_located) == (
        "sites", 4, 4, 0, 4, 0, 4)  # fmt: skip
    assert smp.progress_text == "0 dari 4 berlokasi (4 hanya diketahui kecamatannya), 0 selesai"
    assert smp.progress_share == 0


def test_every_kecamatan_target_is_the_region_kecamatan_count(tracker):
    progress = tracker()
    assert progress.loc["tsl-4-7-13", ["target_sites", "located", "known_area"]].tolist() == [7, 0, 7]  # SPKU, Tangsel
    assert progress.loc["kab-05-03", ["target_sites", "located", "known_area"]].tolist() == [29, 0, 29]  # stadion mini
    assert progress.at["kab-05-03", "progress_text"] == "0 dari 29 berlokasi (29 hanya diketahui kecamatannya), 0 selesai"


def test_program_with_no_place_yet(tracker):
    pju = tracker().loc["tsl-4-2-10"]  # Tangsel Terang: 10.000 titik, none placed
    assert (pju.progress_kind, pju.target_sites, pju.located, pju.built, pju.not_located) == ("sites", 10_000, 0, 0, 10_000)
    assert pju.progress_text == "0 dari 10.000 berlokasi, 0 selesai"


def test_built_and_cancelled_sites(store, tracker, kecamatan, planner):
    store.add([posko_site(kecamatan, "posko-1", SiteStatus.BUILT), posko_site(kecamatan, "posko-2", SiteStatus.CANCELLED)], planner)
    posko = tracker().loc["tsl-4-7-05"]
    # A cancelled site does not count towards the target.
    assert (posko.located, posko.built, posko.cancelled, posko.not_located) == (1, 1, 1, 13)
    assert posko.progress_text == "1 dari 14 berlokasi, 1 selesai, 1 dibatalkan"
    assert posko.progress_share == pytest.approx(1 / 14)


def test_stated_quantities_are_quoted_not_counted(tracker):
    progress = tracker()
    paud = progress.loc["tsl-1-1-01c"]
    assert (paud.progress_kind, paud.located, paud.not_located) == ("quantity", 0, 0)
    assert paud.progress_text == "target 50.000 anak dalam 5 tahun; belum ada laporan capaian"
    assert math.isnan(paud.progress_share)
    assert progress.at["tsl-4-2-11", "progress_text"] == "target 166,2 km; belum ada laporan capaian"
    assert progress.at["tsl-1-1-01g", "progress_text"].startswith("target \u201c200 kepala sekolah swasta dan 4.500 guru")


def test_programs_without_target(tracker):
    progress = tracker()
    assert progress.at["tsl-3-1-03", "progress_kind"] == "none"
    assert progress.at["tsl-3-1-03", "progress_text"] == "dokumen tidak menyebut target"
    # A named place with no count (TPU Sarimulya) has its one site but no target to measure it against.
    tpu = progress.loc["tsl-4-2-09"]  # known only to the region: registered and active, never located
    assert (tpu.progress_kind, tpu.active, tpu.located, tpu.known_area, tpu.not_located) == ("none", 1, 0, 1, 0)
    assert tpu.progress_text == "1 lokasi terdaftar, 0 selesai; dokumen tidak menyebut target"


def test_english_wording_and_numbers(tracker):
    progress = tracker("en")
    assert progress.at["tsl-4-2-10", "progress_text"] == "0 of 10,000 located, 0 built"
    assert progress.at["tsl-4-2-11", "progress_text"] == "target 166.2 km; no progress reported yet"


def test_format_number():
    assert format_number(50_000) == "50.000"
    assert format_number(166.2) == "166,2"
    assert format_number(1_234_567.5, "en") == "1,234,567.5"
    assert format_number(4) == "4"


def test_agrees_with_the_target_table(store, tracker, catalog, layers, kecamatan, desa, planner):
    store.add([posko_site(kecamatan, "posko-1", SiteStatus.BUILT), posko_site(kecamatan, "posko-2", SiteStatus.CANCELLED)], planner)
    sites = site_frame(store.sites(), catalog, kecamatan, desa)
    listed = target_table(catalog, layers, sites, kecamatan).set_index("program")
    progress = tracker().loc[listed.index]
    for column in ("target_sites", "active", "located", "known_area", "built", "cancelled"):
        assert (progress[column] == listed[column]).all(), column
    assert (progress["not_located"] == listed["remaining"]).all()
    assert (progress["progress_share"] == listed["progress_share"]).all()


def test_recorded_status_replaces_the_default(store, tracker, planner):
    store.record_program_status("tsl-1-1-01", ProgramStatus.IN_PROGRESS, "https://example.org/smp", "", "2025-03-01", planner)
    store.record_program_status("tsl-4-2-11", "terpenuhi", "https://example.org/jalan", "166,2 km selesai", "2025-04-01", planner)
    progress = tracker()
    smp = progress.loc["tsl-1-1-01"]
    assert (smp.status, smp.evidence, smp.updated) == ("dalam_proses", "https://example.org/smp", "2025-03-01")
    assert progress.at["tsl-4-2-11", "progress_text"] == "target 166,2 km; catatan 2025-04-01: 166,2 km selesai"


def test_latest_record_by_date_wins(store, planner, other_planner):
    store.record_program_status("tsl-1-1-01", ProgramStatus.IN_PROGRESS, "https://example.org/a", "", "2025-03-01", planner)
    store.record_program_status("tsl-1-1-01", ProgramStatus.FULFILLED, "https://example.org/b", "", "2025-06-01", other_planner)
    store.record_program_status("tsl-1-1-01", ProgramStatus.FAILED, "https://example.org/c", "", "2025-01-01", planner)  # back-filled
    latest = store.program_statuses()["tsl-1-1-01"]
    assert (latest["status"], latest["evidence_url"], latest["recorded_by"]) == (ProgramStatus.FULFILLED, "https://example.org/b", "budi")


@pytest.mark.parametrize(
    ("status", "evidence", "day", "message"),
    [
        ("selesai", "https://example.org", "2025-01-01", "not one of"),
        (ProgramStatus.FULFILLED, "", "2025-01-01", "needs an evidence link"),
        (ProgramStatus.IN_PROGRESS, "https://example.org", "01-03-2025", "not an ISO date"),
    ],
)
def test_bad_status_records_are_refused_and_nothing_is_stored(store, status, evidence, day, message, planner):
    with pytest.raises(DataError) as refused:
        store.record_program_status("tsl-1-1-01", status, evidence, "", day, planner)
    assert message in refused.value.text("en")
    assert store.program_statuses() == {}


def test_status_for_unknown_program_is_a_data_error(store, catalog, layers, kecamatan, desa, planner):
    with pytest.raises(DataError, match="tsl-9-9-99"):  # the register refuses it ...
        store.record_program_status("tsl-9-9-99", ProgramStatus.NO_EVIDENCE, "", "", "2025-01-01", planner)
    sites = site_frame(store.sites(), catalog, kecamatan, desa)
    forged = {"tsl-9-9-99": {"status": ProgramStatus.NO_EVIDENCE, "evidence_url": "", "note": "", "date": "2025-01-01"}}
    with pytest.raises(DataError, match="tsl-9-9-99"):  # ... and the tracker would not trust one either
        program_progress(catalog, layers, sites, forged, kecamatan)


def test_status_counts(store, tracker, catalog, planner):
    store.record_program_status("tsl-1-1-01", ProgramStatus.FULFILLED, "https://example.org", "", "2025-01-01", planner)
    progress = tracker()
    counts = status_counts(progress).set_index("document")
    assert counts.at["tsl2024", "terpenuhi"] == 1
    assert counts.at["tsl2024", "belum_ada_bukti"] == 115
    assert counts.at["kab2023", "total"] == 82
    by_misi = misi_status_counts(progress, catalog)
    assert by_misi["total"].sum() == 198
    assert list(by_misi["misi"].astype("string").fillna("-")) == ["1", "2", "3", "4", "-"]
    assert by_misi.iloc[-1]["misi_name"] == catalog.document("kab2023").title


def test_tracker_csv_and_xlsx_open_with_the_numbers(tracker, catalog):
    progress = tracker()
    frame = pd.read_csv(io.BytesIO(export.tracker_to_csv(progress)), encoding="utf-8-sig", dtype={"region": str})
    assert len(frame) == 198
    row = frame.set_index("id").loc["tsl-4-2-10"]
    assert (row["target_sites"], row["not_located"], row["progress_text"]) == (10_000, 10_000, "0 dari 10.000 berlokasi, 0 selesai")
    book = openpyxl.load_workbook(io.BytesIO(export.tracker_to_xlsx(progress, catalog)))
    assert book.sheetnames == ["Pelacak janji", "Status per dokumen", "Status per misi"]
    rows = list(book["Pelacak janji"].iter_rows(values_only=True))
    header, body = rows[0], {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert len(body) == 198 and "progress_text" in header
    assert body["tsl-1-1-01"]["name"] == catalog.program("tsl-1-1-01").name
    assert (body["tsl-1-1-01"]["located"], body["tsl-1-1-01"]["known_area"], body["tsl-1-1-01"]["target_sites"]) == (0, 4, 4)
    assert body["tsl-4-2-11"]["target_qty"] == 166.2


def test_progress_filter_narrows_by_region_misi_sasaran_status(store, tracker, catalog, kecamatan, desa, planner):
    from layers.progress import ProgressFilter

    store.record_program_status("tsl-1-1-01", ProgramStatus.IN_PROGRESS, "https://example.org/smp", "", "2025-03-01", planner)
    progress = tracker()
    sites = site_frame(store.sites(), catalog, kecamatan, desa)
    assert len(ProgressFilter().apply(progress, catalog, sites)) == 198
    assert len(ProgressFilter(regions=("3603",)).apply(progress, catalog, sites)) == 82
    misi_1 = ProgressFilter(misi=("tsl2024:1",)).apply(progress, catalog, sites)
    assert set(misi_1["misi"]) == {1} and set(misi_1["document"]) == {"tsl2024"}
    # Kabupaten flagships have no misi: a misi filter leaves them out rather than failing on the missing value.
    sasaran = ProgressFilter(sasaran=("tsl2024:1:2",)).apply(progress, catalog, sites)
    assert set(zip(sasaran["misi"], sasaran["sasaran"])) == {(1, 2)}
    assert list(ProgressFilter(statuses=("dalam_proses",)).apply(progress, catalog, sites)["id"]) == ["tsl-1-1-01"]


def test_progress_filter_by_kecamatan_and_text(store, tracker, catalog, kecamatan, desa):
    from layers.progress import ProgressFilter, program_places

    progress = tracker()
    sites = site_frame(store.sites(), catalog, kecamatan, desa)
    places = program_places(catalog, sites)
    assert places["tsl-1-1-01"] == {"3674010", "3674030", "3674070", "3674060"}  # Setu, Pamulang, Serpong Utara, Pondok Aren
    assert places["tsl-3-1-03"] == frozenset()
    in_pamulang = set(ProgressFilter(kecamatan=(PAMULANG,)).apply(progress, catalog, sites)["id"])
    # The SMP (named), the SPKU (every kecamatan) and RSU Pamulang (named place); no Kabupaten program.
    assert {"tsl-1-1-01", "tsl-4-7-13", "tsl-1-2-05"} <= in_pamulang
    assert not any(pid.startswith("kab-") for pid in in_pamulang)
    found = ProgressFilter(text="  smp  BARU ").apply(progress, catalog, sites)
    assert "tsl-1-1-01" in set(found["id"]) and len(found) < 10
    assert ProgressFilter(text="tidak-ada-program-ini").apply(progress, catalog, sites).empty
    # The document title is in every citation, so it must not match every program.
    assert len(ProgressFilter(text="Benyamin").apply(progress, catalog, sites)) < 198
    # Programs with no place at all apply to every kecamatan, yet a kecamatan filter cannot select them: counted.
    unplaced = {pid for pid, where in places.items() if not where}
    assert "tsl-4-2-13" in unplaced and ProgressFilter().hidden_region_wide(progress, catalog, sites) == 0
    assert ProgressFilter(kecamatan=(PAMULANG,)).hidden_region_wide(progress, catalog, sites) == len(unplaced)
    tangsel = ProgressFilter(regions=("3674",), kecamatan=(PAMULANG,))
    assert tangsel.hidden_region_wide(progress, catalog, sites) == sum(pid.startswith("tsl-") for pid in unplaced)


def test_sort_progress_and_evidence_link(store, tracker, planner):
    from layers.progress import SORTS, evidence_link, sort_progress

    store.record_program_status("tsl-4-2-11", ProgramStatus.FULFILLED, "https://example.org/jalan", "", "2025-04-01", planner)
    store.record_program_status("tsl-1-1-01", ProgramStatus.IN_PROGRESS, "https://example.org/smp", "", "2025-03-01", planner)
    progress = tracker()
    assert list(sort_progress(progress, "catalog")["id"]) == list(progress["id"])
    by_status = sort_progress(progress, "status")
    assert list(by_status["status"].iloc[-2:]) == ["dalam_proses", "terpenuhi"]
    assert list(sort_progress(progress, "updated")["id"].iloc[:2]) == ["tsl-4-2-11", "tsl-1-1-01"]
    by_progress = sort_progress(progress, "progress")
    assert by_progress["progress_share"].iloc[-1] != by_progress["progress_share"].iloc[-1]  # NaN last
    names = list(sort_progress(progress, "name")["name"])
    assert names == sorted(names, key=str.casefold)
    assert set(SORTS) == {"catalog", "status", "progress", "updated", "name"}
    with pytest.raises(ValueError):
        sort_progress(progress, "random")
    assert evidence_link("https://example.org/smp") == "https://example.org/smp"
    assert evidence_link("Visi Misi ..., baris 41: \u201c...\u201d") is None
    assert evidence_link("javascript:alert(1)") is None and evidence_link("") is None
