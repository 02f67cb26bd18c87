"""The planners' data page in AppTest: login, no controls for viewers, editing with versions, undo."""

from __future__ import annotations

import dataclasses
import time

import pytest
from streamlit.testing.v1 import AppTest

from geo.config import PROJECT_ROOT
from register import auth
from register.open import open_store
from register.store import SQLiteSiteStore
from layers.seed import seed_sites
from conftest import PLANNER_PASSWORD

APP = str(PROJECT_ROOT / "app.py")
SMP_SETU = "tsl-1-1-01-3674010"


@pytest.fixture
def page(tmp_path, monkeypatch, planner):
    """The data page on a fresh register (planner accounts come from the ``planner`` fixture)."""
    monkeypatch.setenv("PETA_STORE", str(tmp_path / "sites.sqlite"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["hal"] = "kelola"
    at.run()
    assert not at.exception, at.exception
    return at


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def log_in(at: AppTest, user: str = "rina", password: str = PLANNER_PASSWORD) -> AppTest:
    at.text_input(key="login_user").input(user)
    at.text_input(key="login_password").input(password)
    button(at, "Masuk").click().run()
    assert not at.exception, at.exception
    return at


def edit_status(at: AppTest, status: str, note: str) -> AppTest:
    at.selectbox(key="edit_site").set_value(SMP_SETU).run()
    next(s for s in at.selectbox if s.label == "Status").set_value(status)
    next(t for t in at.text_input if t.label == "Bukti/catatan perubahan").input(note)
    button(at, "Simpan").click().run()
    assert not at.exception, at.exception
    return at


def test_viewers_see_no_editing_controls(page):
    assert "Halaman ini untuk perencana" in page.info[0].value
    assert not page.tabs and not page.get("file_uploader")
    assert [b.label for b in page.button] == ["Masuk"]


def test_wrong_password_is_refused(page):
    log_in(page, password="bukan-kata-sandinya")
    assert "Nama pengguna atau kata sandi salah" in page.error[0].value
    assert not page.tabs


def test_planner_edits_a_site_and_history_records_it(page):
    log_in(page)
    assert [t.label for t in page.tabs] == ["Impor berkas", "Ubah lokasi", "Status janji", "Bukti", "Riwayat & batalkan"]
    edit_status(page, "dalam_pembangunan", "Berita acara 2026")
    assert "Tersimpan (versi 2)" in page.success[0].value
    last = open_store().history(SMP_SETU)[-1]
    assert (last["field"], last["new"], last["who"], last["evidence"]) == ("status", "dalam_pembangunan", "rina", "Berita acara 2026")


def test_a_stale_save_is_refused_with_the_conflict_message(page, other_planner):
    log_in(page)
    page.selectbox(key="edit_site").set_value(SMP_SETU).run()  # rina loads version 1
    store = open_store()
    store.update(SMP_SETU, {"status": "selesai"}, 1, "laporan budi", other_planner)  # budi saves first
    edit_status(page, "dibatalkan", "catatan rina")
    assert "sudah diubah oleh budi" in page.error[0].value
    assert store.get(SMP_SETU).status.value == "selesai"  # budi's save stands


def test_undo_restores_the_last_edit(page):
    log_in(page)
    edit_status(page, "selesai", "foto lokasi")
    button(page, "Batalkan impor/perubahan terakhir").click().run()
    assert not page.exception, page.exception
    assert page.success[0].value.startswith("Dibatalkan")
    assert open_store().get(SMP_SETU).status.value == "direncanakan"


TABS = ["Impor berkas", "Ubah lokasi", "Status janji", "Riwayat & batalkan"]


def messages(at: AppTest) -> dict[str, list[str]]:
    """Every confirmation and refusal on the page, by the tab it appears in."""
    return {tab.label: [m.value for m in [*tab.success, *tab.error]] for tab in at.tabs}


def only_in(at: AppTest, tab: str) -> str:
    """The one message shown, checked to be in ``tab`` and nowhere else."""
    shown = messages(at)
    assert [label for label, found in shown.items() if found] == [tab], shown
    assert len(shown[tab]) == 1, shown
    return shown[tab][0]


def edit_tab_version(at: AppTest) -> str:
    return next(c.value for c in at.tabs[1].caption if c.value.startswith("Versi"))


def test_save_refusal_and_undo_each_show_where_the_planner_acted(page, other_planner):
    log_in(page)
    edit_status(page, "dalam_pembangunan", "Berita acara 2026")
    assert only_in(page, "Ubah lokasi") == "Tersimpan (versi 2)."
    open_store().update(SMP_SETU, {"status": "selesai"}, 2, "laporan budi", other_planner)  # budi saves first
    edit_status(page, "dibatalkan", "catatan rina")
    assert "sudah diubah oleh budi" in only_in(page, "Ubah lokasi")
    # The latest step is budi's: undoing it needs an explicit choice, and the refusal says so in the history tab.
    button(page, "Batalkan impor/perubahan terakhir").click().run()
    assert "Langkah terakhir dibuat oleh budi" in only_in(page, "Riwayat & batalkan")
    assert open_store().get(SMP_SETU).status.value == "selesai"
    page.checkbox(key=f"undo_others_{open_store().batches(1)[0]['batch']}").check().run()
    button(page, "Batalkan impor/perubahan terakhir").click().run()
    undone = only_in(page, "Riwayat & batalkan")
    assert undone.startswith("Dibatalkan: Perubahan lokasi") and "oleh budi" in undone
    assert open_store().get(SMP_SETU).status.value == "dalam_pembangunan"
    edit_status(page, "selesai", "setelah dibatalkan")
    assert only_in(page, "Ubah lokasi") == "Tersimpan (versi 5)."  # rina's form reloaded version 4, the undo's


def test_the_edit_form_shows_the_version_an_undo_made(page):
    log_in(page)
    edit_status(page, "selesai", "foto lokasi")
    assert edit_tab_version(page).startswith("Versi 2,")
    button(page, "Batalkan impor/perubahan terakhir").click().run()
    assert not page.exception, page.exception
    assert "Dibatalkan: Perubahan lokasi \u201cfoto lokasi\u201d oleh rina" in only_in(page, "Riwayat & batalkan")
    assert edit_tab_version(page).startswith("Versi 3,")
    assert next(s for s in page.tabs[1].selectbox if s.label == "Status").value == "direncanakan"
    history = next(tab for tab in page.tabs if tab.label == "Riwayat & batalkan").dataframe[0].value
    assert list(history.columns) == ["Kelompok", "Jenis", "Oleh", "Waktu", "Catatan", "Jumlah lokasi", "Dibatalkan oleh kelompok"]
    assert list(history["Jenis"][:2]) == ["Pembatalan", "Perubahan lokasi"]
    assert history["Catatan"][0].startswith("pembatalan kelompok ")
    changes = page.tabs[1].dataframe[0].value
    assert list(changes["Isian"][-1:]) == ["Status"] and list(changes["Sesudahnya"][-2:]) == ["Selesai", "Direncanakan"]


def test_a_promise_status_confirms_with_its_message_not_a_batch_id(page):
    log_in(page)
    status_tab = page.tabs[2]
    next(t for t in status_tab.text_input if t.label == "Tautan bukti").input("https://example.org/berita")
    next(b for b in status_tab.button if b.label == "Simpan").click().run()
    assert not page.exception, page.exception
    assert only_in(page, "Status janji").startswith("Status janji ") and only_in(page, "Status janji").endswith(" tersimpan.")


def test_the_import_preview_shows_labels_and_confirms_in_its_tab(page):
    log_in(page)
    csv = "nama;program;lintang;bujur;status;presisi;sumber\nPosko Uji Serua;tsl-4-7-05;-6,3180;106,6930;direncanakan;titik;uji impor\n"
    page.file_uploader(key="import_file").set_value(("lokasi.csv", csv.encode(), "text/csv")).run()
    assert not page.exception, page.exception
    preview = page.tabs[0].dataframe[0].value
    assert list(preview["Lapisan"]) == ["Posko penanggulangan bencana"] and list(preview["Presisi lokasi"]) == ["Titik pasti"]
    assert list(preview["Program"]) == ["Pembangunan Posko Penanggulangan Bencana dan Penyelamatan"]
    button(page, "Simpan semua baris terpilih").click().run()
    assert only_in(page, "Impor berkas").startswith("1 lokasi tersimpan")


def test_a_planner_unlocks_a_colleague_slowed_by_failed_logins(page):
    # One instant for every try: on a busy machine the slow password checks could outlast the first wait (2 s).
    now = time.time()
    for _ in range(auth.FREE_FAILURES):
        with pytest.raises(auth.AuthError):
            auth.login("budi", "bukan-kata-sandinya", now=now)
    with pytest.raises(auth.AuthError, match="Coba lagi"):
        auth.login("budi", PLANNER_PASSWORD, now=now)
    log_in(page)
    page.text_input(key="unlock_user").input("budi")
    button(page, "Buka kunci").click().run()
    assert not page.exception, page.exception
    assert [s.value for s in page.sidebar.success] == ["budi bisa langsung masuk lagi."]
    assert auth.login("budi", PLANNER_PASSWORD).username == "budi"
    page.text_input(key="unlock_user").input("siapa")
    button(page, "Buka kunci").click().run()
    assert [e.value for e in page.sidebar.error] == ["Tidak ada akun perencana siapa\\."]


def test_an_old_register_is_corrected_on_opening_and_a_seed_a_planner_changed_is_shown(tmp_path, monkeypatch, planner, domain, catalog, kecamatan):
    """Seeded by an older catalog: the corridors on layer simpang (then edited by a planner), SMP Setu under an old name."""
    corridors = "kab-14-01-3603"
    program = dataclasses.replace(domain.programs["kab-14-01"], layer="simpang")
    old = SQLiteSiteStore(tmp_path / "sites.sqlite", auth.require_planner, dataclasses.replace(domain, programs={**domain.programs, "kab-14-01": program}))
    then = {corridors: {"layer": "simpang"}, SMP_SETU: {"name": "SMP Negeri lama"}}
    old.seed([dataclasses.replace(s, **then.get(s.id, {})) for s in seed_sites(catalog, kecamatan)])
    old.update(corridors, {"status": "dalam_pembangunan"}, 1, "https://example.org/berita-simpang", planner)
    monkeypatch.setenv("PETA_STORE", str(tmp_path / "sites.sqlite"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["hal"] = "kelola"
    log_in(at.run())

    [note] = [w.value.replace("\\", "") for w in at.tabs[1].warning]  # Markdown escapes keep the data literal
    assert note.startswith("Dokumen kini menggambarkan situs isi awal berikut secara lain")
    assert note.endswith(f"({corridors}): Lapisan \u201cSimpang, perlintasan, U-turn & fly over\u201d di register, "
                         "\u201cJalan, pedestrian, ducting & drainase\u201d menurut dokumen")
    at.selectbox(key="edit_site").set_value(SMP_SETU).run()
    changes = at.tabs[1].dataframe[0].value
    assert list(changes["Isian"]) == ["Ada di register", "Nama"] and list(changes["Sebelumnya"])[1] == "SMP Negeri lama"
    assert list(changes["Bukti/catatan"])[1] == "dikoreksi mengikuti dokumen (belum pernah diubah perencana)"
    assert list(changes["Oleh"]) == ["seed", "seed"]
