"""The briefing's existing facilities per kecamatan, the same table on the page, in the PDF and in the XLSX."""

from __future__ import annotations

import io

import openpyxl
import pytest

from geo import supply as existing_supply
from reports.briefing import kecamatan_briefing
from reports.briefing_pdf import briefing_pdf
from reports.briefing_xlsx import briefing_xlsx
from tests.reports.test_briefing import PAMULANG, TODAY, inputs, pdf_text, store  # noqa: F401 (fixtures)

SMP_NEGERI = "SMP negeri"


@pytest.fixture(scope="module")
def facilities(data_root, desa):
    return existing_supply.load_supply(data_root, desa)


def test_kecamatan_table_counts_usable_positions(inputs, facilities):  # noqa: F811
    briefing = kecamatan_briefing(PAMULANG, inputs, today=TODAY, supply=facilities)
    [row] = briefing.supply.to_dict("records")
    usable = existing_supply.usable(facilities)
    assert row["kode_kec"] == PAMULANG and row["Kecamatan"] == "Pamulang"
    assert row[SMP_NEGERI] == ((usable["kind"] == "smp_negeri") & (usable["kode_kec"] == PAMULANG)).sum() > 0
    assert "Pasar" in row and "Stasiun KRL" in row
    assert kecamatan_briefing(PAMULANG, inputs, today=TODAY).supply is None


def test_region_table_has_every_kecamatan(inputs, facilities):  # noqa: F811
    briefing = kecamatan_briefing("3674", inputs, today=TODAY, supply=facilities)
    assert len(briefing.supply) == 7
    tangsel = existing_supply.usable(facilities)
    assert briefing.supply[SMP_NEGERI].sum() == ((tangsel["kind"] == "smp_negeri") & (tangsel["kode_kab"] == "3674")).sum()


def test_pdf_and_xlsx_carry_the_table(inputs, facilities):  # noqa: F811
    briefing = kecamatan_briefing(PAMULANG, inputs, today=TODAY, supply=facilities)
    text = pdf_text(briefing_pdf(briefing))
    assert "Fasilitas yang sudah ada" in text and "SMP negeri: Kemendikbud (Dapodik), 2019" in text
    assert "Pasar: OpenStreetMap (ODbL), 2026 (tidak lengkap)" in text
    sheet = openpyxl.load_workbook(io.BytesIO(briefing_xlsx(briefing)))["Fasilitas yang sudah ada"]
    header, values = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    assert values[header.index("SMP negeri (Kemendikbud (Dapodik), 2019)")] == int(briefing.supply[SMP_NEGERI].iloc[0])
