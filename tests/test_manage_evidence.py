"""The planners' evidence tab in AppTest: add (checked first), edit with versions, a stale save refused, retire.

AppTest cannot drive a file uploader: the evidence import is tested at the library level
(``tests/register/test_evidence_import.py``).
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from evidence.items import EvidenceItem
from register.open import open_store
from test_manage import APP, button, log_in, page  # noqa: F401 (page is a fixture)


def shown(elements) -> list[str]:
    """Messages as read on the page (they are Markdown-escaped)."""
    return [e.value.replace("\\", "").replace("\u2060", "") for e in elements]


def text_field(at, label: str):
    """The text box with this label; text areas first (the status form has a "Catatan" input too)."""
    return next(w for w in [*at.text_area, *at.text_input] if w.label == label)


def add_evidence(at, url: str):
    at.radio(key="evidence_task").set_value("add").run()
    assert text_field(at, "ID bukti").value == "ev-p001"  # planners' ids never clash with the research file's
    text_field(at, "Tanggal kejadian").input("2025-10")
    text_field(at, "Klaim (Bahasa Indonesia)").input("Uji: perencana menambah bukti.")
    text_field(at, "Klaim (Inggris)").input("Test: a planner adds evidence.")
    text_field(at, "Tautan sumber (http/https)").input(url)
    at.button(key="evidence_add_save").click().run()
    assert not at.exception, at.exception
    return at


def test_a_planner_adds_evidence_only_when_it_passes_the_check(page):  # noqa: F811
    log_in(page)
    seeded = len(open_store().evidence())
    assert seeded == 172
    add_evidence(page, "javascript:alert(1)")
    assert shown(page.error) == ["ev-p001: url 'javascript:alert(1)' bukan tautan http(s)"]
    assert len(open_store().evidence()) == seeded
    add_evidence(page, "https://example.org/uji")
    assert any("Bukti ev-p001 tersimpan" in m for m in shown(page.success))
    stored = open_store().get_evidence("ev-p001")
    assert (stored["url"], stored["event_date"], stored["recorded_by"]) == ("https://example.org/uji", "2025-10", "rina")


def test_a_planner_edits_retires_and_undoes_evidence_and_a_stale_save_is_refused(page, other_planner, catalog):  # noqa: F811
    log_in(page)
    page.radio(key="evidence_task").set_value("edit").run()
    page.selectbox(key="evidence_edit_item").set_value("ev-010").run()
    text_field(page, "Catatan").input("diperiksa ulang")
    text_field(page, "Alasan perubahan (tautan atau catatan)").input("cek halaman sumber")
    page.button(key="evidence_edit_save").click().run()
    assert not page.exception, page.exception
    assert shown(page.success) == ["Bukti ev-010 tersimpan (versi 2)."]
    store = open_store()
    last = store.evidence_history("ev-010")[-1]
    assert (last["field"], last["new"], last["who"], last["reason"]) == ("note", "diperiksa ulang", "rina", "cek halaman sumber")
    store.update_evidence("ev-010", {"quantity": "oleh budi"}, 2, "laporan budi", catalog, other_planner)
    text_field(page, "Catatan").input("catatan rina")
    page.button(key="evidence_edit_save").click().run()
    assert any("sudah diubah oleh budi" in m for m in shown(page.error))
    assert store.get_evidence("ev-010")["note"] == "diperiksa ulang"  # budi's save stands, rina's is not stored
    page.button(key="evidence_reload").click().run()
    button(page, "Tarik bukti ini").click().run()
    assert shown(page.success) == ["Bukti ev-010 ditarik dari daftar; riwayatnya tetap."]
    assert store.get_evidence("ev-010")["retired"]
    history = next(tab for tab in page.tabs if tab.label == "Riwayat & batalkan")
    assert list(history.dataframe[0].value["Jenis"][:3]) == ["Penarikan bukti", "Perubahan bukti", "Perubahan bukti"]
    button(page, "Batalkan impor/perubahan terakhir").click().run()  # the retirement, from the shared history tab
    assert not page.exception, page.exception
    assert not store.get_evidence("ev-010")["retired"]


def test_the_promise_page_shows_the_registers_evidence_with_a_planners_changes(tmp_path, monkeypatch, planner, catalog):
    monkeypatch.setenv("PETA_STORE", str(tmp_path / "sites.sqlite"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["hal"], at.query_params["program"] = "janji", "tsl-1-2-08"
    at.run()  # seeds the register
    store = open_store()
    store.add_evidence([EvidenceItem("ev-p001", "tsl-1-2-08", "2026-01-15", "rencana", "Uji: Griya Sehat pertama direncanakan.",
                                     "Test: the first Griya Sehat is planned.", "Kec. Setu", "kecamatan", "", "https://example.org/gs",
                                     "Contoh", "")], catalog, planner)  # fmt: skip
    at.run()
    assert not at.exception, at.exception
    assert any("Griya Sehat pertama direncanakan" in m.value for m in at.markdown), [m.value for m in at.markdown]
