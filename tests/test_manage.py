"""The planners' data page in AppTest: login, no controls for viewers, editing with versions, undo."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from geo.config import PROJECT_ROOT
from register.open import open_store
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
