"""A briefing's "Yang terjadi di sini": the area's dated evidence, in the data, the PDF and the XLSX."""

from __future__ import annotations

import io

import openpyxl
import pytest
from pypdf import PdfReader

from geo import boundaries, config
from layers.catalog import load_catalog
from register.auth import require_planner
from register.seed import ensure_evidence_seeded, ensure_seeded
from register.store import SQLiteSiteStore
from reports.briefing import kecamatan_briefing, load_briefing_inputs
from reports.briefing_pdf import briefing_pdf
from reports.briefing_xlsx import briefing_xlsx

CIPUTAT, SETU, TANGSEL = "3674040", "3674010", "3674"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, domain):
    store = SQLiteSiteStore(tmp_path_factory.mktemp("store") / "s.sqlite", require_planner, domain=domain)
    ensure_seeded(store, load_catalog(), boundaries.load_kecamatan())
    ensure_evidence_seeded(store, load_catalog(), config.data_dir())
    return {lang: load_briefing_inputs(store, lang) for lang in ("id", "en")}


def test_a_kecamatan_gets_the_events_that_name_its_places(inputs):
    ciputat = kecamatan_briefing(CIPUTAT, inputs["id"], today="2026-03-01").evidence
    new_smp = ciputat[ciputat["program"] == "tsl-1-1-01"].iloc[0]
    # the planned SMPN 25 and 26 are in Serua (BPS "Sarua") and Jombang, Ciputat
    assert "SMPN 25 dan SMPN 26" in new_smp["claim"] and new_smp["areas"] == "Sarua (Ciputat), Jombang (Ciputat)"
    assert new_smp["status"] == "Rencana" and new_smp["counts"] == "ya"
    dated = ciputat.loc[ciputat["event_date"] != "", "event_date"]
    assert list(dated) == sorted(dated, reverse=True)
    # SMPN 20 is in Bakti Jaya, Setu: Setu's briefing has that event, Ciputat's does not
    setu = kecamatan_briefing(SETU, inputs["id"], today="2026-03-01").evidence
    assert "Bakti Jaya (Setu)" in set(setu.loc[setu["program"] == "tsl-1-1-01", "areas"])
    assert not (ciputat["areas"].str.contains("Bakti Jaya")).any()


def test_a_region_gets_all_its_events_with_why_they_do_not_count(inputs):
    region = kecamatan_briefing(TANGSEL, inputs["en"], today="2026-03-01").evidence
    assert set(region["program"].str[:4]) == {"tsl-"}
    assert "before the term" in set(region["counts"]) and "yes" in set(region["counts"])


def test_pdf_and_xlsx_carry_the_section(inputs):
    briefing = kecamatan_briefing(CIPUTAT, inputs["id"], today="2026-03-01")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(briefing_pdf(briefing))).pages)
    assert "Yang terjadi di sini" in text and "SMPN 25 dan SMPN 26" in text and "TVRI Jakarta News (ev-095)" in text
    book = openpyxl.load_workbook(io.BytesIO(briefing_xlsx(briefing)))
    rows = list(book["Yang terjadi di sini"].iter_rows(values_only=True))
    assert rows[0][0] == "Tanggal" and len(rows) == len(briefing.evidence) + 1
    assert any(r[1] == "tsl-1-1-01" and r[9].startswith("https://") for r in rows[1:])
