"""The kecamatan briefing page: what one kecamatan (or a whole region) gets, with PDF and XLSX downloads.

The chosen area is mirrored in the URL (``?hal=ringkasan&area=<BPS code>``), so
a briefing has its own link. The content comes from
:func:`reports.briefing.kecamatan_briefing` and uses the report's own wording
(:func:`reports.briefing.label`), so the page, the PDF and the workbook agree.
"""

from __future__ import annotations

from typing import Callable
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from geo import config
from geo.boundaries import REGION_NAMES
from reports.briefing import LEVEL_KECAMATAN, Briefing, briefing_areas, label, open_targets, region_programs_note, sites_here
from layers.model import ProgramStatus
from layers.progress import evidence_link, status_label
from texts.numbers import format_number, format_partial_date
from reports.briefing_supply import supply_sources
from texts.safe import markdown_link, markdown_text
from views import data
from views.promise_page import evidence_table
from views.state import Param

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def areas() -> list[str]:
    """Area codes in menu order: each region, then its kecamatan by name."""
    kec = data.admin()["kecamatan"]
    names = dict(briefing_areas(kec))
    region_of = dict(zip(kec["kode_kec"], kec["kode_kab"]))
    out = []
    for region in config.PROGRAM_REGIONS:
        out.append(region)
        out += sorted((c for c in names if region_of[c] == region), key=names.get)
    return out


def params() -> list[Param]:
    """The URL parameter of this page: the area's BPS code (``kec`` is the map's kecamatan list)."""
    return [Param("area", "r_area", "choice", options=areas)]


def _number(value, lang: str) -> str:
    """A number in the report's format (text passes through as text)."""
    if pd.api.types.is_number(value) and not isinstance(value, bool):
        return "" if pd.isna(value) else format_number(value, lang)
    return markdown_text(value)


def _table(columns: dict[str, list]) -> None:
    """A static table (wraps long names, prints like the PDF) from ``{heading: cells}``; cells are already Markdown."""
    st.table(pd.DataFrame(columns), hide_index=True)


def area_labels(t: Callable[[str], str]) -> dict[str, str]:
    """Menu labels of :func:`areas`: "Kec. Pondok Aren — Kota Tangerang Selatan", "Kabupaten Tangerang (whole region)"."""
    kec = data.admin()["kecamatan"]
    names, regions = dict(zip(kec["kode_kec"], kec["kecamatan"])), dict(zip(kec["kode_kec"], kec["kode_kab"]))
    return {
        code: t("briefing_whole_region").format(name=REGION_NAMES[code]) if code in config.PROGRAM_REGIONS
        else t("briefing_area_option").format(name=names[code], region=REGION_NAMES[regions[code]])
        for code in areas()
    }  # fmt: skip


def _slug(briefing: Briefing) -> str:
    name = "".join(c if c.isalnum() else "-" for c in briefing.name.lower())
    return f"ringkasan-{briefing.code}-{'-'.join(p for p in name.split('-') if p)}"


def render(t: Callable[[str], str], lang: str) -> None:
    """Draw the whole page."""
    st.subheader(t("briefing_title"))
    st.caption(t("briefing_help"))
    labels = area_labels(t)
    st.session_state.setdefault("r_area", None)
    code = st.selectbox(
        t("briefing_pick"), list(labels), format_func=labels.get, key="r_area",
        placeholder=t("briefing_pick_placeholder"), filter_mode="contains",
    )  # fmt: skip
    if code is None:
        st.info(t("briefing_none"))
        return
    with st.spinner(t("briefing_loading")):
        briefing = data.briefing(code, lang)
    header(briefing, t, lang)
    facts(briefing, lang)
    st.image(data.briefing_map_png(code, lang), caption=_map_note(briefing), width="stretch")
    programs(briefing, lang)
    places(briefing, lang)
    sites(briefing, lang)
    not_located(briefing, lang)
    region_programs(briefing, lang)
    region_sites(briefing, lang)
    happened_here(briefing, t, lang)
    coverage(briefing, t, lang)
    supply(briefing, t, lang)
    status_summary(briefing, lang)
    sources(briefing, lang)


def header(briefing: Briefing, t: Callable[[str], str], lang: str) -> None:
    """The area's name, its region and document, the date, and the two downloads."""
    name = f"{label('level_kecamatan', lang)} {briefing.name}" if briefing.level == LEVEL_KECAMATAN else briefing.name
    st.header(markdown_text(name), anchor=False)
    lines = [briefing.region_name] if briefing.level == LEVEL_KECAMATAN else []
    lines += [f"{label('document', lang)}: {briefing.document}", f"{label('generated', lang)}: {format_partial_date(briefing.generated, lang)}"]
    st.caption("  \n".join(markdown_text(line) for line in lines))
    code, slug = briefing.code, _slug(briefing)
    buttons = st.container(horizontal=True)
    buttons.download_button(
        t("download_pdf"), lambda: data.briefing_pdf(code, lang), f"{slug}.pdf", "application/pdf",
        key="r_dl_pdf", icon=":material/picture_as_pdf:", type="primary", on_click="ignore",
    )  # fmt: skip
    buttons.download_button(
        t("download_xlsx"), lambda: data.briefing_xlsx(code, lang), f"{slug}.xlsx", XLSX_MIME,
        key="r_dl_xlsx", icon=":material/table:", on_click="ignore",
    )  # fmt: skip
    st.caption(t("briefing_share"))


def facts(briefing: Briefing, lang: str) -> None:
    """Headline figures: population (year, confidence, source), programs and sites here, open regional targets."""
    live, built = sites_here(briefing)
    population, programs_here, sites_column, targets_open = st.columns(4)
    if briefing.population is None:
        population.metric(label("population", lang), label("population_none", lang))
    else:
        population.metric(
            f"{label('population', lang)} ({briefing.population_year})", format_number(briefing.population, lang),
            help=label("population_detail", lang, year=briefing.population_year, confidence=markdown_text(briefing.population_confidence)),
        )  # fmt: skip
    programs_here.metric(label("programs_here", lang), format_number(len(briefing.programs), lang))
    sites_column.metric(
        label("sites_here", lang),
        label("sites_here_value", lang, n=format_number(live, lang), built=format_number(built, lang)),
    )
    value, detail = open_targets(briefing)
    targets_open.metric(label("targets_open", lang), value, help=detail)
    if briefing.population is not None:
        detail = label("population_detail", lang, year=briefing.population_year, confidence=markdown_text(briefing.population_confidence))
        st.caption(f"{label('population', lang)} {format_number(briefing.population, lang)} ({detail}). "
                   f"{label('population_source', lang)}: {markdown_text(briefing.population_source)}")  # fmt: skip


def _map_note(briefing: Briefing) -> str:
    note = label("map_note", briefing.lang)
    if len(briefing.region_sites):
        note += " " + label("map_unplaced", briefing.lang, n=len(briefing.region_sites))
    return note


def programs(briefing: Briefing, lang: str) -> None:
    st.subheader(label("programs_title", lang, name=markdown_text(briefing.name)), anchor=False)
    if briefing.programs.empty:
        st.info(label("programs_none", lang, name=markdown_text(briefing.name)))
        return
    p = briefing.programs
    links = [evidence_link(e) for e in p["evidence"]]
    _table(
        {
            label("col_program", lang): [f"{markdown_text(n)} ({markdown_text(i)})" for n, i in zip(p["name"], p["program"])],
            label("col_status", lang): [status_label(v, lang) for v in p["status"]],
            label("col_here", lang): [markdown_text(v) for v in p["share_text"]],
            label("col_progress", lang): [markdown_text(v) for v in p["progress_text"]],
            label("col_updated", lang): [markdown_text(format_partial_date(v, lang)) for v in p["updated"]],
            label("col_evidence", lang): [markdown_link(urlsplit(u).netloc, u) if u else "" for u in links],
        }
    )
    st.caption(label("status_note", lang))


def sites(briefing: Briefing, lang: str) -> None:
    if briefing.sites.empty:
        return
    st.subheader(label("sites_title", lang), anchor=False)
    s = briefing.sites
    _table(
        {
            label("col_map_no", lang): [str(n) if pd.notna(n) else label("map_hatched", lang) for n in s["map_no"]],
            label("col_site", lang): [markdown_text(v) for v in s["name"]],
            label("col_layer", lang): [markdown_text(v) for v in s["layer_label"]],
            label("col_precision", lang): [label(f"precision_{v}", lang) for v in s["precision"]],
            label("col_site_status", lang): [label(f"status_{v}", lang) for v in s["status"]],
            label("col_desa", lang): [markdown_text(v) for v in s["desa"]],
            label("col_updated", lang): [markdown_text(format_partial_date(v, lang)) for v in s["updated"]],
        }
    )


def not_located(briefing: Briefing, lang: str) -> None:
    """Region-wide site targets with no place yet: not this kecamatan's alone, and said so."""
    region = briefing.region_name
    st.subheader(label("not_located_title", lang, region=region), anchor=False)
    if briefing.not_located.empty:
        st.write(markdown_text(open_targets(briefing)[1]))
        return
    note_key = "not_located_note" if briefing.level == LEVEL_KECAMATAN else "not_located_note_region"
    st.caption(label(note_key, lang, region=region, name=markdown_text(briefing.name)))
    n = briefing.not_located
    _table(
        {
            label("col_program", lang): [f"{markdown_text(v)} ({markdown_text(i)})" for v, i in zip(n["name"], n["program"])],
            label("col_target", lang): [markdown_text(f"{format_number(q, lang)} {u}".strip()) for q, u in zip(n["target_sites"], n["target_unit"])],
            label("col_located", lang): [format_number(v, lang) for v in n["located"]],
            label("col_known_area", lang): [format_number(v, lang) for v in n["known_area"]],
            label("col_not_located", lang): [format_number(v, lang) for v in n["not_located"]],
        }
    )


def places(briefing: Briefing, lang: str) -> None:
    """Road corridors a program names that name this area's kecamatan (matched by name, never drawn)."""
    if briefing.places is None or briefing.places.empty:
        return
    st.subheader(label("places_title", lang, name=briefing.name), anchor=False)
    st.caption(markdown_text(label("places_note", lang)))
    p = briefing.places
    _table(
        {
            label("col_program", lang): [f"{markdown_text(n)} ({markdown_text(i)})" for n, i in zip(p["name"], p["program"])],
            label("col_places", lang): [markdown_text(v) for v in p["places"]],
            label("col_status", lang): [status_label(v, lang) for v in p["status"]],
            label("col_progress", lang): [markdown_text(v) for v in p["progress_text"]],
        }
    )


def region_programs(briefing: Briefing, lang: str) -> None:
    """Programs with a stated target that apply to the whole region, this area included; the others counted."""
    if briefing.region_programs is None:
        return
    region = briefing.region_name
    st.subheader(label("region_programs_title", lang, region=region), anchor=False)
    st.caption(markdown_text(region_programs_note(briefing)))
    r = briefing.region_programs
    if r.empty:
        st.write(markdown_text(label("region_programs_none", lang, region=region)))
        return
    _table(
        {
            label("col_program", lang): [f"{markdown_text(n)} ({markdown_text(i)})" for n, i in zip(r["name"], r["program"])],
            label("col_status", lang): [status_label(v, lang) for v in r["status"]],
            label("col_progress", lang): [markdown_text(v) for v in r["progress_text"]],
        }
    )


def region_sites(briefing: Briefing, lang: str) -> None:
    if briefing.region_sites.empty:
        return
    st.subheader(label("region_sites_title", lang, region=briefing.region_name), anchor=False)
    st.caption(label("region_sites_note", lang))
    r = briefing.region_sites
    _table(
        {
            label("col_site", lang): [markdown_text(v) for v in r["name"]],
            label("col_program", lang): [markdown_text(v) for v in r["program"]],
            label("col_site_status", lang): [label(f"status_{v}", lang) for v in r["status"]],
        }
    )


def happened_here(briefing: Briefing, t: Callable[[str], str], lang: str) -> None:
    """ "Yang terjadi di sini": the area's dated evidence, newest first, each with its source and its promise page."""
    if briefing.evidence is None:
        return
    st.subheader(label("evidence_title", lang), anchor=False)
    note = "evidence_note" if briefing.level == LEVEL_KECAMATAN else "evidence_note_region"
    st.caption(markdown_text(label(note, lang, name=briefing.name)))
    e = briefing.evidence
    if e.empty:
        st.write(markdown_text(label("evidence_none", lang, name=briefing.name)))
        return
    evidence_table(e, t, lang, key="r_evidence")


def coverage(briefing: Briefing, t: Callable[[str], str], lang: str) -> None:
    """Coverage figures where the analysis exists (a layer with an exact-point site reaching the area)."""
    st.subheader(label("coverage_title", lang), anchor=False)
    if briefing.coverage is None:
        st.caption(t("briefing_coverage_none"))
        return
    st.caption(t("briefing_coverage_help"))
    shown = briefing.coverage.drop(columns="kode_kec")
    _table({c: [_number(v, lang) for v in shown[c]] for c in shown.columns})


def supply(briefing: Briefing, t: Callable[[str], str], lang: str) -> None:
    """Existing facilities per kecamatan of the area (:mod:`reports.briefing_supply`)."""
    if briefing.supply is None:
        return
    st.subheader(t("briefing_supply_title"), anchor=False)
    st.caption(markdown_text(f"{t('briefing_supply_note')} {supply_sources(lang)}"))
    shown = briefing.supply.drop(columns="kode_kec")
    _table({c: [_number(v, lang) for v in shown[c]] for c in shown.columns})


def status_summary(briefing: Briefing, lang: str) -> None:
    """How many of the document's programs stand at each tracker status."""
    st.subheader(label("status_title", lang), anchor=False)
    counts = briefing.status_counts.iloc[0]
    columns = st.columns(len(ProgramStatus) + 1)
    for column, status in zip(columns, ProgramStatus):
        column.metric(status_label(status.value, lang), format_number(int(counts[status.value]), lang))
    columns[-1].metric(label("col_total", lang), format_number(int(counts["total"]), lang))


def sources(briefing: Briefing, lang: str) -> None:
    st.subheader(label("sources_title", lang), anchor=False)
    items = [*briefing.attributions, label("sources_store", lang, date=format_partial_date(briefing.generated, lang))]
    st.caption("  \n".join(f"\u2022 {markdown_text(item)}" for item in items))
