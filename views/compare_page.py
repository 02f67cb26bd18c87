"""All 36 kecamatan compared (``?hal=banding``): an indicator table, sortable, filterable by region, downloadable.

The table is :func:`reports.compare.kecamatan_comparison`; each row links to
its kecamatan's briefing (``?hal=ringkasan&area=<kode_kec>``). Numbers keep
their numeric type so that the table sorts them as numbers, and are shown in
the UI language's format (:mod:`texts.numbers`).
"""

from __future__ import annotations

from typing import Callable
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from geo import config, supply as existing_supply
from geo.boundaries import REGION_NAMES
from reports import compare
from texts.numbers import format_number
from views import data
from views.briefing_page import XLSX_MIME
from views.tracker_page import SHORT_REGION
from views.state import Param
from views.widgets import multiselect

LINK = "briefing_link"
# Shown columns, in order (the codes stay in the downloads): name and briefing link first, population beside its ratios.
SHOWN = [
    "kecamatan", LINK, "region", "programs", *compare.SITE_COLUMNS, "evidence_events",
    "population", "population_year", *compare.PER_FACILITY, *compare.SUPPLY_KINDS, "budget",
]  # fmt: skip
WHOLE = ["population_year"]  # shown without grouping: a year is not 2.025
WIDE = ["population", "population_year", *compare.PER_FACILITY]  # headings too long for a narrow column


def params() -> list[Param]:
    """The URL parameter of this page: the region filter (``b_wil``: "banding, wilayah")."""
    return [Param("b_wil", "b_region", "list", options=lambda: list(config.PROGRAM_REGIONS))]


def briefing_link(code: str, lang: str) -> str:
    """A relative link to the kecamatan's briefing page, in the same language."""
    query = {"hal": "ringkasan", "area": code} | ({"bahasa": lang} if lang != "id" else {})
    return "./?" + urlencode(query)


def column_help(t: Callable[[str], str]) -> dict[str, str]:
    """Each shown column's help: what it counts, its source and its year."""
    helps = {c: t(f"compare_help_{c}") for c in SHOWN if c not in compare.SUPPLY_KINDS}
    supply_help = t("compare_help_supply")
    return helps | {k: supply_help.format(kind=existing_supply.kind_label(k, t)) for k in compare.SUPPLY_KINDS}


def render(t: Callable[[str], str], lang: str) -> None:
    """Draw the whole page."""
    st.subheader(t("compare_title"))
    st.caption(t("compare_help"))
    st.sidebar.header(t("filters"))
    with st.sidebar:
        regions = multiselect(t("region"), {r: REGION_NAMES[r] for r in config.PROGRAM_REGIONS}, "b_region", t("all"))
    everything = compare.kecamatan_comparison(*_inputs(), lang=lang)
    shown = everything[everything["kode_kab"].isin(regions or config.PROGRAM_REGIONS)].reset_index(drop=True)
    st.write(t("compare_count").format(n=format_number(len(shown), lang), total=format_number(len(everything), lang)))
    links = [briefing_link(code, lang) for code in shown["kode_kec"]]
    frame = shown.assign(**{LINK: links, "region": shown["kode_kab"].map(SHORT_REGION)})[SHOWN]
    numbers = [c for c in SHOWN if pd.api.types.is_numeric_dtype(frame[c])]
    # Display text in the UI language; the cells keep their numbers, so sorting stays numeric.
    styled = frame.style.format(lambda v: format_number(v, lang, digits=0), subset=[c for c in numbers if c not in WHOLE])
    helps = column_help(t)
    heading = {c: t(f"compare_kind_{c}") if c in compare.SUPPLY_KINDS else t(f"compare_col_{c}") for c in SHOWN}
    columns = {c: st.column_config.NumberColumn(heading[c], help=helps[c], width=None if c in WIDE else "small") for c in numbers}
    columns |= {c: st.column_config.TextColumn(heading[c], help=helps[c]) for c in ("region", "budget")}
    columns["kecamatan"] = st.column_config.TextColumn(heading["kecamatan"], help=helps["kecamatan"])
    columns[LINK] = st.column_config.LinkColumn(heading[LINK], help=helps[LINK], display_text=t("compare_open"))
    st.dataframe(styled, hide_index=True, width="stretch", height=38 + 35 * len(frame), column_config=columns,
                 placeholder=t("compare_none"), key="b_table")  # missing only where there is nothing to divide by
    st.caption(t("compare_note"))
    buttons = st.container(horizontal=True)
    buttons.download_button(
        t("download_csv"), lambda: compare.comparison_csv(shown, lang), "bandingkan-kecamatan.csv", "text/csv",
        key="b_dl_csv", on_click="ignore",
    )  # fmt: skip
    buttons.download_button(
        t("download_xlsx"), lambda: compare.comparison_xlsx(shown, lang), "bandingkan-kecamatan.xlsx", XLSX_MIME,
        key="b_dl_xlsx", on_click="ignore",
    )  # fmt: skip


def _inputs() -> tuple:
    a = data.admin()
    return a["kecamatan"], a["population"], data.sites(), data.catalog(), data.evidence_places()[0], data.supply()
