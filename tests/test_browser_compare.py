"""The kecamatan comparison in Debian's chromium at 1366×900: the table renders and both downloads hold the 36 rows."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from texts.safe import cell_text
from conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def test_comparison_table_and_downloads(server, browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{server}/?hal=banding")
    page.get_by_text("36 dari 36 kecamatan ditampilkan.").wait_for(timeout=120_000)
    grid = page.locator('[data-testid="stDataFrame"]')
    grid.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "bandingkan-kecamatan.png"))
    with page.expect_download() as download:
        page.get_by_role("button", name="Unduh CSV").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert len(rows) == 37 and rows[0][1] == "Kecamatan"
    with page.expect_download() as download:
        page.get_by_role("button", name="Unduh XLSX").click()
    values = list(openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).worksheets[0].iter_rows(values_only=True))
    assert len(values) == 37 and {r[1] for r in values[1:]} >= {"Pamulang", "Curug"}
    cells = [v for row in rows + values for v in row]
    assert not [v for v in cells if isinstance(v, str) and cell_text(v) != v]
    context.close()
