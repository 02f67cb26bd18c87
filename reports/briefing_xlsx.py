"""The kecamatan briefing as an XLSX workbook, for people who rework the numbers.

Sheets: a summary (facts, notes and sources, one per row), the programs with
sites in the area, the sites (the area's and the region-level ones, with their
scope), the region-wide targets not yet located, and the coverage table when
the briefing has one. Numbers stay numbers; headers follow the briefing's language.
"""

from __future__ import annotations

import pandas as pd
from openpyxl import Workbook

from reports.briefing import LEVEL_KECAMATAN, Briefing, label, open_targets, region_programs_note, sites_here
from reports.export import workbook_bytes, write_sheet
from texts.safe import cell_text
from reports.briefing_supply import supply_headers
from texts.catalog import translator
from layers.model import ProgramStatus
from layers.progress import status_label


def briefing_xlsx(briefing: Briefing) -> bytes:
    """The briefing as XLSX bytes."""
    lang = briefing.lang
    workbook = Workbook()
    workbook.remove(workbook.active)  # start without openpyxl's empty default sheet
    write_sheet(workbook, label("sheet_summary", lang), _summary(briefing), [label("col_field", lang), label("col_value", lang)])
    programs = _with_status(briefing.programs, lang)
    write_sheet(
        workbook,
        label("sheet_programs", lang),
        programs[["program", "name", "status", "updated", "evidence", "here", "target_sites", "share_text", "progress_text"]],
        ["id", label("col_program", lang), label("col_status", lang), label("col_updated", lang), label("col_evidence", lang),
         label("sites_here", lang), label("col_target", lang), label("col_here", lang), label("col_progress", lang)],
    )  # fmt: skip
    write_sheet(workbook, label("sheet_sites", lang), _sites(briefing), _site_headers(lang))
    write_sheet(
        workbook,
        label("sheet_not_located", lang),
        briefing.not_located[["program", "name", "target_sites", "target_unit", "located", "known_area", "not_located"]],
        ["id", *(label(k, lang) for k in ("col_program", "col_target", "col_unit", "col_located", "col_known_area", "col_not_located"))],
    )
    if briefing.region_programs is not None:
        write_sheet(
            workbook, label("sheet_region_programs", lang), _with_status(briefing.region_programs, lang),
            ["id", *(label(k, lang) for k in ("col_program", "col_status", "col_progress"))],
        )  # fmt: skip
    if briefing.places is not None and not briefing.places.empty:
        write_sheet(
            workbook, label("sheet_places", lang), _with_status(briefing.places, lang),
            ["id", *(label(k, lang) for k in ("col_program", "col_places", "col_status", "col_progress"))],
        )  # fmt: skip
    if briefing.evidence is not None:
        write_sheet(workbook, label("sheet_evidence", lang), briefing.evidence.map(cell_text), _evidence_headers(lang))
    if briefing.coverage is not None:
        write_sheet(workbook, label("sheet_coverage", lang), briefing.coverage)
    if briefing.supply is not None:
        write_sheet(workbook, translator(lang)("briefing_supply_title"), briefing.supply, supply_headers(lang))
    return workbook_bytes(workbook)


def _with_status(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``table`` with its promise ``status`` in words."""
    return table.assign(status=[status_label(s, lang) for s in table["status"]])


def _summary(briefing: Briefing) -> pd.DataFrame:
    """Field/value rows: who and where, population, headline counts, notes and every source."""
    lang = briefing.lang
    region = briefing.region_name
    level = label(f"level_{briefing.level}", lang)
    note_key = "not_located_note" if briefing.level == LEVEL_KECAMATAN else "not_located_note_region"
    counts = briefing.status_counts.iloc[0]
    rows = [
        (label("report_title", lang), f"{level} {briefing.name}" if briefing.level == LEVEL_KECAMATAN else briefing.name),
        (label("col_code", lang), briefing.code),
        (label("level_wilayah", lang), region),
        (label("document", lang), briefing.document),
        (label("generated", lang), briefing.generated),
        (label("population", lang), briefing.population),
        (label("population_year", lang), briefing.population_year),
        (label("population_source", lang), briefing.population_source),
        (label("population_confidence", lang), briefing.population_confidence),
        (label("programs_here", lang), len(briefing.programs)),
        (label("sites_here", lang), sites_here(briefing)[0]),
        (label("targets_open", lang), ": ".join(open_targets(briefing))),
        (label("not_located_title", lang, region=region), label(note_key, lang, region=region, name=briefing.name)),
        (label("region_programs_title", lang, region=region), region_programs_note(briefing)),
        *((f"{label('status_title', lang)}: {status_label(s, lang)}", int(counts[s.value])) for s in ProgramStatus),
        *((label("sources_title", lang), a) for a in briefing.attributions),
    ]
    return pd.DataFrame(rows, columns=["field", "value"])


def _sites(briefing: Briefing) -> pd.DataFrame:
    """The area's sites, then the region-level ones; ``scope`` says which."""
    lang = briefing.lang
    here = pd.DataFrame(briefing.sites.drop(columns="geometry")).assign(scope=briefing.name)
    region = briefing.region_sites.assign(scope=briefing.region_name)
    rows = pd.concat([here, region], ignore_index=True)
    rows["status"] = [label(f"status_{s}", lang) for s in rows["status"]]
    rows["precision"] = [label(f"precision_{p}", lang) for p in rows["precision"]]
    columns = ["map_no", "id", "name", "program", "program_name", "scope", "kecamatan", "desa", "precision", "status", "updated"]
    return rows[columns + ["source", "evidence_url"]]


def _site_headers(lang: str) -> list[str]:
    return [
        label("col_map_no", lang), "id", label("col_site", lang), "program", label("col_program", lang),
        label("col_scope", lang), label("col_kecamatan", lang), label("col_desa", lang), label("col_precision", lang),
        label("col_site_status", lang), label("col_updated", lang), label("col_source", lang), label("col_evidence", lang),
    ]  # fmt: skip


def _evidence_headers(lang: str) -> list[str]:
    """Headers of the "Yang terjadi di sini" sheet (columns of :data:`reports.briefing_evidence.EVIDENCE_COLUMNS`)."""
    return [
        label("col_event_date", lang), "program", label("col_program", lang), label("col_status", lang), label("col_counts", lang),
        label("col_claim", lang), label("col_place", lang), label("col_kecamatan", lang) + " / " + label("col_desa", lang),
        label("col_publisher", lang), "url", "evidence_id",
    ]  # fmt: skip
