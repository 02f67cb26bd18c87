"""One promise on its own page (after Tempo's "Janji Jokowi"): ``?hal=janji&program=<id>``.

The verbatim promise with its document line, the target, the status with the
reason for it, the dated evidence (newest first), the sites and evidence places
on a small map, and a link to share. Opened from the tracker's rows.
"""

from __future__ import annotations

from typing import Callable
from urllib.parse import urlencode, urlsplit

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import sources
from geo.boundaries import REGION_NAMES
from evidence.items import date_precision
from evidence.status import COUNTED, event_roles
from layers.promise_map import build_promise_map
from reports.briefing import label
from texts.numbers import format_number, format_partial_date
from texts.safe import http_url, markdown_text
from views import data

PROGRAM_KEY = "t_program"
STATUS_BOX = {"belum_ada_bukti": st.info, "dalam_proses": st.warning, "terpenuhi": st.success, "gagal": st.error}


def _back() -> None:
    st.session_state[PROGRAM_KEY] = None


def date_label(value: str, lang: str, t: Callable[[str], str]) -> str:
    """An event date as people read it, with its precision: "15 Desember 2025", "Desember 2025 (hanya bulan)", "2025 (hanya tahun)"."""
    kind = date_precision(value)
    if kind is None:
        return t("ev_date_unknown")
    text = format_partial_date(value, lang)
    return text if kind == "day" else f"{text} ({t('ev_date_' + kind)})"


def promise_link(program_id: str, lang: str, base: str = "./") -> str:
    """The link that opens one promise's page (relative unless ``base`` is given)."""
    query = {"hal": "janji", "program": program_id} | ({"bahasa": lang} if lang != "id" else {})
    return f"{base}?{urlencode(query)}"


def share_link(program_id: str, lang: str) -> str:
    """The address that opens this page (absolute where the server's own address is known)."""
    parts = urlsplit(st.context.url or "")
    base = f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.scheme and parts.netloc else "./"
    return promise_link(program_id, lang, base)


def evidence_table(events: pd.DataFrame, t: Callable[[str], str], lang: str, key: str) -> None:
    """Events as :func:`reports.briefing_evidence.area_evidence` gives them: a table with source and promise-page links."""
    frame = pd.DataFrame({
        label("col_event_date", lang): events["event_date"].replace("", None),
        label("col_program", lang): events["program_name"],
        label("col_status", lang): events["status"],
        label("col_counts", lang): events["counts"],
        label("col_claim", lang): events["claim"],
        label("col_place", lang): events["areas"].where(events["areas"] != "", events["place"]),
        label("col_publisher", lang): [http_url(u) for u in events["url"]],
        t("ev_tracker_page"): [promise_link(p, lang) for p in events["program"]],
    })  # fmt: skip
    st.dataframe(
        frame, hide_index=True, width="stretch", placeholder="\u2013", key=key,
        column_config={
            label("col_claim", lang): st.column_config.TextColumn(width="large"),
            label("col_publisher", lang): st.column_config.LinkColumn(display_text=r"https?://(?:www\.)?([^/]+)"),
            t("ev_tracker_page"): st.column_config.LinkColumn(display_text=t("ev_tracker_page_link")),
        },
    )  # fmt: skip


def _header(program, row: pd.Series, t: Callable[[str], str], lang: str) -> None:
    catalog = data.catalog()
    document = catalog.document(program.document)
    st.button(t("ev_back"), on_click=_back, icon=":material/arrow_back:", key="t_back")
    st.subheader(markdown_text(program.name))
    st.caption(" \u00b7 ".join(markdown_text(x) for x in (program.id, REGION_NAMES.get(program.region, program.region), document.title)))
    st.markdown(f"> {markdown_text(program.quote)}")
    st.caption(t("ev_document_line").format(document=markdown_text(document.title), line=program.line))
    target = program.target_text or (f"{format_number(program.target_qty, lang)} {program.target_unit}".strip() if program.target_qty else "")
    named = data.admin()["kecamatan"].set_index("kode_kec")["kecamatan"]
    lines = [f"**{t('target')}:** {markdown_text(target) if target else t('ev_no_target')}"]
    if program.kecamatan:
        lines.append(f"**{t('ev_named_kecamatan')}:** " + markdown_text(", ".join(named.get(c, c) for c in program.kecamatan)))
    st.markdown("  \n".join(lines))
    status = row["status"]
    STATUS_BOX[status](markdown_text(row["status_reason"]))
    if row["searched"]:
        with st.expander(t("ev_searched").format(n=len(row["queries"])), expanded=row["evidence_n"] == 0):
            st.markdown("\n".join(f"- {markdown_text(q)}" for q in row["queries"]))


def outside_named(places: pd.DataFrame, program) -> pd.DataFrame:
    """Placed evidence rows in a kecamatan the promise does not name (empty where it names none)."""
    if not program.kecamatan:
        return places.iloc[0:0]
    return places[~places["kode_kec"].isin(program.kecamatan)]


def timeline(events: pd.DataFrame, places: pd.DataFrame, program, t: Callable[[str], str], lang: str) -> None:
    """Every evidence event, newest first (undated last), with whether it counts and why."""
    st.markdown(f"#### {t('ev_timeline')} ({format_number(len(events), lang)})")
    if events.empty:
        st.caption(t("ev_timeline_none"))
        return
    roles = event_roles(events, data.catalog())
    claim = "claim_en" if lang == "en" else "claim_id"
    outside = outside_named(places, program)
    ordered = events.assign(role=roles).sort_values("event_date", ascending=False, kind="stable")
    ordered = pd.concat([ordered[ordered["event_date"] != ""], ordered[ordered["event_date"] == ""]])
    by_event = places.groupby("evidence_id")
    for ev in ordered.to_dict("records"):
        with st.container(border=True):
            counts = t("ev_counts") if ev["role"] == COUNTED else t("ev_not_counted").format(why=t(f"ev_role_{ev['role']}"))
            st.markdown(f"**{markdown_text(date_label(ev['event_date'], lang, t))}** \u00b7 {t('ev_status_' + ev['status'])} \u00b7 {counts}")
            st.markdown(markdown_text(ev[claim]))
            lines = []
            if ev["place"]:
                areas = by_event.get_group(ev["evidence_id"]) if ev["evidence_id"] in by_event.groups else places.iloc[0:0]
                shown = ", ".join(f"{n} ({k})" if lv == "desa" else f"Kec. {n}" for n, k, lv in zip(areas["name"], areas["kecamatan"], areas["level"]))
                lines.append(f"**{t('place')}:** {markdown_text(ev['place'])}" + (f" \u2192 {markdown_text(shown)}" if shown else ""))
            kec = sorted(set(outside.loc[outside["evidence_id"] == ev["evidence_id"], "kecamatan"]))
            if kec:
                lines.append(f"**{t('ev_outside_named')}:** {markdown_text(', '.join(kec))}")
            if ev["quantity"]:
                lines.append(f"**{t('ev_quantity')}:** {markdown_text(ev['quantity'])}")
            if ev["note"]:
                lines.append(f"**{t('ev_note')}:** {markdown_text(ev['note'])}")
            lines.append(f"**{t('source')}:** {markdown_text(ev['publisher'])} \u00b7 {markdown_text(ev['evidence_id'])}")
            st.markdown("  \n".join(lines))
            url = http_url(ev["url"])
            if url:
                st.link_button(t("ev_open_source").format(publisher=markdown_text(ev["publisher"] or url)), url)


def render(program_id: str, t: Callable[[str], str], lang: str) -> None:
    """Draw the page of one promise."""
    catalog = data.catalog()
    program = catalog.program(program_id)
    progress = data.progress(lang).set_index("id")
    _header(program, progress.loc[program_id], t, lang)
    evidence = data.evidence()
    events = evidence[evidence["program_id"] == program_id]
    placed, unplaced = data.evidence_places()
    places = placed[placed["program_id"] == program_id]
    outside = outside_named(places, program)
    if len(outside):
        st.markdown(t("ev_outside_summary").format(
            kecamatan=markdown_text(", ".join(sorted(set(outside["kecamatan"])))),
            places=markdown_text(", ".join(sorted(set(outside.loc[outside["level"] == "desa", "name"])))) or "\u2014",
        ))  # fmt: skip
    left, right = st.columns([3, 2])
    with left:
        timeline(events, places, program, t, lang)
    with right:
        st.markdown(f"#### {t('ev_map_title')}")
        sites = data.sites()
        admin = data.admin()
        fmap = build_promise_map(
            kecamatan=admin["kecamatan_display"], sites=sites[sites["program"] == program_id], places=places, events=events,
            layers=data.layers(), outlines=admin["outlines"], region=program.region, t=t, lang=lang,
            attributions=list(sources.MAP_ATTRIBUTIONS),
        )  # fmt: skip
        st_folium(fmap, key="promise_map", height=460, use_container_width=True, returned_objects=[])
        mine = unplaced[(unplaced["program_id"] == program_id) & (unplaced["problem"] != "region")]
        if len(mine):
            st.caption(t("ev_unplaced").format(places=markdown_text("; ".join(mine["place"]))))
        st.markdown(f"**{t('ev_share')}**")
        st.code(share_link(program_id, lang), language=None)
