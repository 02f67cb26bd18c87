"""A planner in chromium imports an evidence CSV: the preview names the bad row by its evidence_id, nothing runs from
the file, and the kept rows are stored as one batch.

Runs against its own `streamlit run` (the module-scoped ``server`` fixture of test_browser_manage: a fresh register,
seeded with the installed evidence on start).
"""

from __future__ import annotations

import csv
import io

import pytest

from evidence.items import COLUMNS
from conftest import ARTIFACTS
from test_browser_manage import planner_page, server  # noqa: F401  (server: a module-scoped app on a new register)

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
ROWS = [  # fictitious rows for this test only
    ["ev-p901", "tsl-1-2-08", "2025-09", "rencana", "Uji: Griya Sehat direncanakan.", "Test: a Griya Sehat is planned.",
     "Kec. Setu", "kecamatan", "", "https://example.org/uji-1", "Contoh", ""],
    ["ev-p902", "tsl-1-2-08", "2025-10-02", "dalam_proses", "Uji: pembangunan dimulai.", "Test: construction began.",
     "", "wilayah", "", "https://example.org/uji-2", "Contoh", ""],
    ["ev-p903", "tsl-1-2-08", "2025", "terpenuhi", XSS, "Test: markup in a claim.",
     "", "wilayah", "", "javascript:alert(1)", "Contoh", ""],
]  # fmt: skip


def test_planner_imports_an_evidence_csv(server, browser, tmp_path):  # noqa: F811
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([COLUMNS, *ROWS])
    upload = tmp_path / "bukti.csv"
    upload.write_text(out.getvalue(), encoding="utf-8")
    page, dialogs = planner_page(server, browser)
    page.get_by_role("tab", name="Bukti").click()
    page.get_by_text("Impor CSV bukti").click()
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text="Berkas CSV bukti")
    uploader.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    page.get_by_text("3 dari 3 baris akan disimpan; 1 baris yang dipilih masih bermasalah").wait_for(timeout=60_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "evidence-import-preview.png"), full_page=True)

    drop = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Baris yang tidak disimpan")
    drop.click()
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_text("2 dari 3 baris akan disimpan; 0 baris").wait_for(timeout=30_000)
    page.get_by_role("button", name="Simpan semua baris terpilih").click()
    page.get_by_text("2 bukti tersimpan").wait_for(timeout=30_000)
    page.get_by_role("button", name="Simpan semua baris terpilih").wait_for(state="detached", timeout=30_000)  # stored once
    page.screenshot(path=str(ARTIFACTS / "evidence-import-done.png"), full_page=True)
    page.get_by_text("Ubah atau tarik bukti").click()
    page.get_by_text("Versi 1, terakhir diubah oleh seed").wait_for(timeout=30_000)  # the first item, ev-001
    page.screenshot(path=str(ARTIFACTS / "evidence-edit.png"), full_page=True)
    assert dialogs == []
    assert page.locator("img[src='x']").count() == 0
