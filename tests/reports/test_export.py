"""Downloads stay data: no CSV or XLSX cell of the site table, the tracker or a briefing is a formula.

A site named ``=HYPERLINK("http://x","y")`` (and sources, evidence and notes starting with ``+``, ``-``, ``@``, tab or
carriage return) must reach a spreadsheet as the text it is (OWASP CSV injection).
"""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
from shapely.geometry import Point

from geo import boundaries
from layers.catalog import load_catalog
from layers.model import Precision, ProgramStatus, Site, SiteStatus
from layers.progress import program_progress
from layers.registry import load_layers
from layers.sites import site_frame
from register.auth import require_planner
from register.seed import ensure_seeded
from register.store import SQLiteSiteStore
from reports import export
from reports.briefing import kecamatan_briefing, load_briefing_inputs
from reports.briefing_xlsx import briefing_xlsx

PAMULANG = "3674030"
NAME = '=HYPERLINK("http://x","y")'
HOSTILE = {"+": "+SUM(1,2)", "-": "-2+3", "@": "@SUM(A1)", "\t": "\t=1+1", "\r": "\r=1+1"}
FORMULA_START = tuple("=+-@\t\r")


@pytest.fixture(scope="module")
def store(tmp_path_factory, planner, domain):
    """A seeded register plus an exact-point posko in Pamulang named like a formula, with formula-like source."""
    catalog, kecamatan = load_catalog(), boundaries.load_kecamatan()
    s = SQLiteSiteStore(tmp_path_factory.mktemp("store") / "s.sqlite", require_planner, domain)
    ensure_seeded(s, catalog, kecamatan)
    point = kecamatan.loc[kecamatan["kode_kec"] == PAMULANG].geometry.iloc[0].representative_point()
    s.add([Site("formula", "tsl-4-7-05", "posko_bencana", NAME, Precision.EXACT, SiteStatus.BUILT,
                geometry=Point(point.x, point.y), source=HOSTILE["+"], updated="2025-05-01")], planner)  # fmt: skip
    return s


@pytest.fixture(scope="module")
def sites(store, catalog, kecamatan, desa):
    return site_frame(store.sites(), catalog, kecamatan, desa)


@pytest.fixture(scope="module")
def progress(sites, store, catalog, kecamatan):
    """The tracker table with program names, evidence and notes that look like formulas."""
    table = program_progress(catalog, load_layers(catalog), sites, store.program_statuses(), kecamatan)
    first = table.index[:len(HOSTILE)]
    table.loc[first[0], "name"] = NAME
    for row, text in zip(first, HOSTILE.values()):
        table.loc[row, "evidence"] = text
        table.loc[row, "note"] = text
    return table


def csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for cell in row]


def assert_no_formula_in_csv(data: bytes) -> list[str]:
    cells = csv_cells(data)
    assert not [c for c in cells if c.lstrip(" ").startswith(FORMULA_START)]
    return cells


def assert_no_formula_in_xlsx(data: bytes) -> list[str]:
    """No formula anywhere in the workbook's XML, no cell openpyxl reads as one; returns every text cell."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    book = openpyxl.load_workbook(io.BytesIO(data))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.data_type == "s" and not cell.value.startswith(FORMULA_START)
                    texts.append(cell.value)
    return texts


def test_site_csv_holds_the_formula_named_site_as_text(sites):
    cells = assert_no_formula_in_csv(export.to_csv(sites))
    assert "'" + NAME in cells and "'" + HOSTILE["+"] in cells


def test_site_csv_quotes_text_so_a_semicolon_locale_cannot_split_a_cell(sites):
    # Indonesian spreadsheet programs split CSV on ";": an unquoted "a;=1+1" would give a cell "=1+1".
    row = export.to_csv(sites[sites["id"] == "formula"]).decode("utf-8-sig").splitlines()[1]
    assert row.startswith('"formula","\'=HYPERLINK(""http://x"",""y"")"')


def test_site_csv_keeps_numbers_as_numbers(sites):
    table = list(csv.DictReader(io.StringIO(export.to_csv(sites).decode("utf-8-sig"))))
    row = next(r for r in table if r["id"] == "formula")
    assert row["target_qty"] == "14.0"  # unquoted: a spreadsheet reads a number


def test_tracker_csv_and_xlsx_hold_formula_text_as_text(progress, catalog):
    cells = assert_no_formula_in_csv(export.tracker_to_csv(progress))
    assert "'" + NAME in cells and all("'" + text in cells for text in HOSTILE.values())
    texts = assert_no_formula_in_xlsx(export.tracker_to_xlsx(progress, catalog))
    # XML reads a carriage return back as a line feed.
    assert "'" + NAME in texts and all("'" + text.replace("\r", "\n") in texts for text in HOSTILE.values())


def test_tracker_xlsx_keeps_numbers_as_numbers(progress, catalog):
    book = openpyxl.load_workbook(io.BytesIO(export.tracker_to_xlsx(progress, catalog)))
    rows = list(book["Pelacak janji"].iter_rows(values_only=True))
    body = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert body["tsl-4-2-11"]["target_qty"] == 166.2
    assert book["Status per dokumen"].cell(2, 2).data_type == "n"


def test_briefing_xlsx_holds_the_formula_named_site_as_text(store):
    briefing = kecamatan_briefing(PAMULANG, load_briefing_inputs(store), today="2025-07-01")
    assert NAME in set(briefing.sites["name"])
    texts = assert_no_formula_in_xlsx(briefing_xlsx(briefing))
    assert "'" + NAME in texts and "'" + HOSTILE["+"] in texts


def test_program_status_evidence_reaches_the_tracker_csv_as_text(store, sites, catalog, kecamatan, planner):
    store.record_program_status("tsl-1-1-02", ProgramStatus.IN_PROGRESS, "https://example.org/=x", "-catatan", "2025-06-15", planner)
    table = program_progress(catalog, load_layers(catalog), sites, store.program_statuses(), kecamatan)
    cells = assert_no_formula_in_csv(export.tracker_to_csv(table))
    assert "'-catatan" in cells and "https://example.org/=x" in cells
