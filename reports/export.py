"""Downloads: the site table as CSV and GeoJSON, the promise tracker as CSV and XLSX.

:func:`write_sheet` is the one way this project writes a table to a workbook
sheet; the briefing workbook (:mod:`reports.briefing_xlsx`) uses it too. Every CSV and XLSX cell goes through
:func:`texts.safe.cell_text`, so no text reaches a spreadsheet as a formula.
"""

from __future__ import annotations

import io

import geopandas as gpd
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from layers.catalog import Catalog
from layers.progress import COLUMNS as PROGRESS_COLUMNS
from layers.progress import misi_status_counts, status_counts
from layers.sites import COLUMNS
from texts.safe import cell_frame, cell_text, csv_bytes


def to_csv(sites: gpd.GeoDataFrame) -> bytes:
    """The table columns of the sites as CSV (:func:`texts.safe.csv_bytes`)."""
    return csv_bytes(sites[COLUMNS])


def to_geojson(sites: gpd.GeoDataFrame) -> bytes:
    """GeoJSON: points for exact sites, admin polygons for desa/kecamatan sites, null geometry for region-level ones."""
    return sites[COLUMNS + ["geometry"]].to_json(na="null", drop_id=True, ensure_ascii=False).encode("utf-8")


def write_sheet(workbook: Workbook, title: str, frame: pd.DataFrame, headers: list[str] | None = None) -> Worksheet:
    """Add a sheet holding ``frame`` under bold, frozen, filterable ``headers`` (default: the column names)."""
    sheet = workbook.create_sheet(title)
    sheet.append([cell_text(h) for h in headers or [str(c) for c in frame.columns]])
    for row in cell_frame(frame).itertuples(index=False):
        # openpyxl writes None as an empty cell but rejects pandas' NA and NumPy scalars.
        sheet.append([None if pd.isna(v) else v.item() if hasattr(v, "item") else v for v in row])
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula, whatever it starts with
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    if len(frame):
        sheet.auto_filter.ref = sheet.dimensions
    for i, column in enumerate(sheet.iter_cols(values_only=True), start=1):
        widest = max((len(str(v)) for v in column if v is not None), default=8)
        sheet.column_dimensions[get_column_letter(i)].width = min(60, max(8, widest + 2))
    return sheet


def workbook_bytes(workbook: Workbook) -> bytes:
    """An openpyxl workbook as XLSX bytes."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def tracker_to_csv(progress: pd.DataFrame) -> bytes:
    """The promise tracker (:func:`layers.progress.program_progress`) as CSV (:func:`texts.safe.csv_bytes`)."""
    return csv_bytes(progress[PROGRESS_COLUMNS])


def tracker_to_xlsx(progress: pd.DataFrame, catalog: Catalog) -> bytes:
    """The promise tracker as XLSX: every program, then status counts per document and per misi."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # start without openpyxl's empty default sheet
    write_sheet(workbook, "Pelacak janji", progress[PROGRESS_COLUMNS])
    write_sheet(workbook, "Status per dokumen", status_counts(progress))
    write_sheet(workbook, "Status per misi", misi_status_counts(progress, catalog))
    return workbook_bytes(workbook)
