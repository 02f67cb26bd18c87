"""The promise tracker page: every program with its status, progress and evidence.

Filters (region, misi, sasaran, status, kecamatan, text) and the sort order are
mirrored in the URL. The summary counts statuses and charts them per misi; each
row with a map layer links to the map page filtered to that program's sites.
"""

from __future__ import annotations

from typing import Callable
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from geo import config
from geo.boundaries import REGION_NAMES
from reports import export
from layers.model import ProgramStatus
from layers.progress import (
    SORTS, ProgressFilter, evidence_link, format_number, misi_status_counts, program_places, sort_progress,
)
from layers.registry import program_layers
from views import data, promise_page
from views.state import TEXT_MAX, Param
from texts.safe import http_url, markdown_text
from views.widgets import multiselect

# Status colours for the chart: grey (no evidence), amber, green, red.
STATUS_COLORS = {
    ProgramStatus.NO_EVIDENCE.value: "#9e9e9e",
    ProgramStatus.IN_PROGRESS.value: "#f9a825",
    ProgramStatus.FULFILLED.value: "#2e7d32",
    ProgramStatus.FAILED.value: "#c62828",
}
SHORT_REGION = {config.TANGSEL: "Tangsel", config.KAB_TANGERANG: "Kab. Tangerang"}


def _kecamatan_options(regions: tuple[str, ...] = ()) -> dict[str, str]:
    kec = data.admin()["kecamatan"]
    rows = kec[kec["kode_kab"].isin(regions or config.PROGRAM_REGIONS)].sort_values("kecamatan")
    return dict(zip(rows["kode_kec"], rows["kecamatan"]))


def params() -> list[Param]:
    """The URL parameters of this page (prefixed ``j_``: "janji"), distinct from the map's."""
    catalog = data.catalog()
    return [
        Param("j_wil", "t_region", "list", options=lambda: list(config.PROGRAM_REGIONS)),
        Param("j_misi", "t_misi", "list", options=lambda: list(catalog.misi_choices())),
        Param("j_sas", "t_sasaran", "list", options=lambda: list(catalog.sasaran_choices())),
        Param("j_status", "t_status", "list", options=lambda: [s.value for s in ProgramStatus]),
        Param("j_kec", "t_kec", "list", options=lambda: list(_kecamatan_options())),
        Param("q", "t_q", "text", default=""),
        Param("urut", "t_sort", "choice", options=lambda: list(SORTS), default=SORTS[0]),
        Param("program", promise_page.PROGRAM_KEY, "choice", options=lambda: [p.id for p in catalog.programs]),
    ]


def filters(t: Callable[[str], str]) -> tuple[ProgressFilter, str]:
    """The filter widgets in the sidebar; returns the filter and the sort order."""
    catalog = data.catalog()
    st.sidebar.header(t("filters"))
    with st.sidebar:
        text = st.text_input(t("tracker_search"), key="t_q", max_chars=TEXT_MAX, placeholder=t("tracker_search_placeholder"))
        regions = multiselect(t("region"), {r: REGION_NAMES[r] for r in config.PROGRAM_REGIONS}, "t_region", t("all"))
        misi = multiselect(t("misi"), catalog.misi_choices(), "t_misi", t("all"), help=t("tracker_misi_help"))
        sasaran = multiselect(t("sasaran"), catalog.sasaran_choices(misi), "t_sasaran", t("all"))
        statuses = multiselect(t("status"), {s.value: t(f"promise_{s.value}") for s in ProgramStatus}, "t_status", t("all"))
        kecamatan = multiselect(t("kecamatan"), _kecamatan_options(regions), "t_kec", t("all"), help=t("tracker_kecamatan_help"))
        sort = st.selectbox(t("tracker_sort"), SORTS, format_func=lambda s: t(f"tracker_sort_{s}"), key="t_sort")
    return ProgressFilter(regions, misi, sasaran, statuses, kecamatan, text), sort


def map_link(row, kecamatan: tuple[str, ...], places: dict[str, frozenset[str]], named: tuple[str, ...], lang: str) -> str | None:
    """A relative link to the map page showing this program's layer (and misi/sasaran) in its kecamatan.

    The kecamatan are those of the tracker's kecamatan filter where the program
    is, else the ones its text names; none means the whole region.
    """
    if not row.layer:
        return None
    query = {"hal": "peta", "wil": row.region, "lap": row.layer}
    if pd.notna(row.misi):
        query["misi"] = f"{row.document}:{row.misi}"
        if pd.notna(row.sasaran):
            query["sas"] = f"{row.document}:{row.misi}:{row.sasaran}"
    codes = sorted(places.get(row.id, frozenset()) & set(kecamatan)) if kecamatan else sorted(named)
    if codes:
        query["kec"] = ",".join(codes)
    if lang != "id":
        query["bahasa"] = lang
    return "./?" + urlencode(query, safe=",:")


def summary(progress: pd.DataFrame, t: Callable[[str], str], lang: str) -> None:
    """Counts by status and a bar chart of statuses per misi, for the programs shown."""
    counts = progress["status"].value_counts()
    for column, status in zip(st.columns(len(ProgramStatus)), ProgramStatus):
        column.metric(t(f"promise_{status.value}"), format_number(int(counts.get(status.value, 0)), lang))
    if progress.empty:
        return
    by_misi = misi_status_counts(progress, data.catalog())
    labels = [
        f"{SHORT_REGION.get(region, doc)} \u00b7 {t('misi')} {m}" if pd.notna(m) else SHORT_REGION.get(region, doc)
        for doc, m, region in zip(by_misi["document"], by_misi["misi"], [data.catalog().document(d).region for d in by_misi["document"]])
    ]
    statuses = [s.value for s in ProgramStatus]
    chart = by_misi[statuses].rename(columns={s: t(f"promise_{s}") for s in statuses})
    chart.index = pd.Index(labels, name=t("misi"))
    st.markdown(f"**{t('tracker_chart')}**")
    st.bar_chart(
        chart, horizontal=True, stack=True, sort=False, color=[STATUS_COLORS[s] for s in statuses],
        x_label="", y_label=t("tracker_programs"), height=110 + 34 * len(chart),
    )  # fmt: skip
    names = [f"{t('misi')} {m}: {markdown_text(name)}" for m, name in zip(by_misi["misi"], by_misi["misi_name"]) if pd.notna(m)]
    if names:
        st.caption(" \u00b7 ".join(names))


# Rows tall enough that Streamlit's grid wraps long text (it wraps above 4rem) instead of cutting it.
ROW_HEIGHT_PX = 84
def program_label(row, parents: set[str]) -> str:
    """The name as the tracker lists it: a program unggulan with its number, a kegiatan under it (indented, numbered)."""
    if row.kind == "kegiatan":
        return f"\u2003\u21b3 {row.no} {row.name}"
    return f"{row.no}. {row.name}" if row.id in parents else row.name


def counts_line(progress: pd.DataFrame, t: Callable[[str], str], lang: str) -> str:
    """Programs shown per region, Kabupaten Tangerang's as program unggulan and their kegiatan ("15 program unggulan, 67 kegiatan")."""
    flagship_regions = {p.region for p in data.catalog().programs if p.kind == "kegiatan"}
    parts = []
    for region, rows in progress.groupby("region", sort=False):
        kinds = rows["kind"].value_counts()
        if region in flagship_regions:
            text = t("tracker_count_flagships").format(
                programs=format_number(int(kinds.get("program", 0)), lang), kegiatan=format_number(int(kinds.get("kegiatan", 0)), lang)
            )
        else:
            text = t("tracker_count_programs").format(n=format_number(len(rows), lang))
        parts.append(f"{REGION_NAMES[region]}: {text}")
    return "; ".join(parts)


def table(progress: pd.DataFrame, selection: ProgressFilter, t: Callable[[str], str], lang: str) -> pd.DataFrame:
    """The tracker table as shown, with its column configuration.

    Text wraps in tall rows rather than being cut (the grid wraps no link,
    so the name is text with the promise page's link beside it, and a
    selected row's details repeat the name as that link); no column is
    pinned (Streamlit draws pinned text faded).
    """
    catalog = data.catalog()
    places = program_places(catalog, data.sites())
    named = {p.id: p.kecamatan for p in catalog.programs}
    parents = {p.parent for p in catalog.programs if p.kind == "kegiatan"}
    layers = program_layers(data.layers())
    labels = [program_label(row, parents) for row in progress.itertuples(index=False)]
    frame = pd.DataFrame(
        {
            t("program"): labels,
            t("ev_tracker_page"): [promise_page.promise_link(pid, lang) for pid in progress["id"]],
            t("status"): [t(f"promise_{s}") for s in progress["status"]],
            t("tracker_progress"): progress["progress_text"],
            t("tracker_built"): progress["progress_share"],
            t("ev_tracker_reason"): progress["status_reason"],
            t("tracker_evidence"): [evidence_link(e) for e in progress["evidence"]],
            t("updated"): progress["updated"].mask(progress["updated"] == ""),
            t("tracker_map"): [
                map_link(row, selection.kecamatan, places, named[row.id], lang) if row.layer in layers else None
                for row in progress.itertuples(index=False)
            ],
            t("ev_tracker_queries"): [" \u00b7 ".join(q) if s else None for q, s in zip(progress["queries"], progress["searched"])],
            t("region"): [SHORT_REGION.get(r, r) for r in progress["region"]],
            t("tracker_id"): progress["id"],
            t("source"): [e if evidence_link(e) is None else "" for e in progress["evidence"]],
        }
    )
    event = st.dataframe(
        frame,
        key="t_rows",
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
        height=min(38 + ROW_HEIGHT_PX * len(frame), 640),
        row_height=ROW_HEIGHT_PX,
        placeholder="\u2013",
        column_config={
            t("program"): st.column_config.TextColumn(width=300, help=t("tracker_program_help")),
            t("ev_tracker_page"): st.column_config.LinkColumn(width=115, display_text=t("ev_tracker_page_link"), help=t("ev_tracker_page_help")),
            t("status"): st.column_config.TextColumn(width=110),
            t("tracker_progress"): st.column_config.TextColumn(width=210),
            t("tracker_built"): st.column_config.ProgressColumn(
                width=90, min_value=0.0, max_value=1.0, format="percent", help=t("tracker_built_help")
            ),
            t("ev_tracker_reason"): st.column_config.TextColumn(width=260, help=t("ev_tracker_reason_help")),
            t("tracker_evidence"): st.column_config.LinkColumn(
                width=150, display_text=r"https?://(?:www\.)?([^/]+)", help=t("tracker_evidence_help")
            ),
            t("updated"): st.column_config.TextColumn(width=100),
            t("tracker_map"): st.column_config.LinkColumn(width=110, display_text=t("tracker_map_link"), help=t("tracker_map_help")),
            t("ev_tracker_queries"): st.column_config.TextColumn(width=220, help=t("ev_tracker_queries_help")),
            t("tracker_id"): st.column_config.TextColumn(width=90),
            t("source"): st.column_config.TextColumn(width=300),
        },
    )
    chosen = [i for i in event.selection.rows if i < len(progress)]
    if chosen:
        detail(progress.iloc[chosen[0]], labels[chosen[0]], t, lang)
    return frame


def detail(row: pd.Series, name: str, t: Callable[[str], str], lang: str) -> None:
    """The selected row in full: its name as the link to its promise page, then status, progress, reason and evidence."""
    with st.container(border=True):
        st.markdown(f"**[{markdown_text(name.strip())}]({promise_page.promise_link(row['id'], lang)})** ({markdown_text(row['id'])})")
        st.markdown(f"{t(f'promise_{row.status}')} \u00b7 {markdown_text(row['progress_text'])}")
        if row["status_reason"]:
            st.caption(markdown_text(row["status_reason"]))
        link = http_url(row["evidence"])
        if link:
            st.caption(f"{t('tracker_evidence')}: [{markdown_text(link)}]({link.replace(')', '%29')})")
        else:
            st.caption(f"{t('source')}: {markdown_text(row['evidence'])}")


def render(t: Callable[[str], str], lang: str) -> None:
    """Draw the whole page."""
    program_id = st.session_state.get(promise_page.PROGRAM_KEY)
    if program_id:
        promise_page.render(program_id, t, lang)
        return
    st.subheader(t("tracker_title"))
    st.caption(t("tracker_help"))
    selection, sort = filters(t)
    everything = data.progress(lang)
    progress = sort_progress(selection.apply(everything, data.catalog(), data.sites()), sort)
    st.write(t("tracker_count").format(n=format_number(len(progress), lang), total=format_number(len(everything), lang)))
    if len(progress):
        st.caption(counts_line(progress, t, lang))
    hidden = selection.hidden_region_wide(everything, data.catalog(), data.sites())
    if hidden:
        st.info(t("tracker_hidden_region_wide").format(n=format_number(hidden, lang)))
    summary(progress, t, lang)
    if progress.empty:
        st.info(t("tracker_none"))
        return
    table(progress, selection, t, lang)
    buttons = st.container(horizontal=True)
    buttons.download_button(t("download_csv"), export.tracker_to_csv(progress), "pelacak-janji.csv", "text/csv", key="t_dl_csv")
    buttons.download_button(
        t("download_xlsx"),
        lambda: export.tracker_to_xlsx(progress, data.catalog()),
        "pelacak-janji.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="t_dl_xlsx",
    )
