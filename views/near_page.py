"""The residents' page: what is planned or built near me.

The location comes from a map click or the locate button, a desa/kelurahan
name, or typed coordinates. The location, radius and layer filter are mirrored
in the URL; the map view follows from the location and radius.
"""

from __future__ import annotations

from typing import Callable

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import sources
from geo.boundaries import REGION_NAMES
from geo.errors import DataError
from geo.locate import locate, parse_coordinates, search_desa
from layers.filters import SiteFilter
from layers.nearby import nearby_sites, nearby_supply
from layers.registry import program_layers
from layers.render import build_near_map
from reports.briefing_evidence import area_evidence
from texts.numbers import format_number
from texts.safe import markdown_text
from views import data, supply_view
from views.promise_page import evidence_table
from views.state import Param

DEFAULT_RADIUS_KM = 3.0
LAT_BOUNDS, LON_BOUNDS = (-90.0, 90.0), (-180.0, 180.0)


def params() -> list[Param]:
    """The URL parameters of this page."""
    return [
        Param("lat", "n_lat", "number", bounds=LAT_BOUNDS),
        Param("lon", "n_lon", "number", bounds=LON_BOUNDS),
        Param("r", "n_r", "number", bounds=(0.5, 10.0), default=DEFAULT_RADIUS_KM),
        Param("lap", "n_layer", "list", options=lambda: list(program_layers(data.layers()))),
    ]


def _set_location(lat: float, lon: float, how: str) -> None:
    st.session_state["n_lat"], st.session_state["n_lon"], st.session_state["n_how"] = round(lat, 6), round(lon, 6), how


def _from_coordinates() -> None:
    try:
        _set_location(*parse_coordinates(st.session_state["n_coord"]), "coord")
    except DataError as exc:
        st.session_state["n_problem"] = str(exc)


def _from_desa() -> None:
    code = st.session_state.get("n_desa")
    if code:
        point = data.admin()["desa"].set_index("kode_desa").loc[code, "geometry"].representative_point()
        _set_location(point.y, point.x, "desa")


def location_inputs(t: Callable[[str], str], lang: str) -> None:
    """The three typed ways to set a location (the map gives the fourth)."""
    admin = data.admin()
    left, right = st.columns(2)
    with left:
        query = st.text_input(t("desa_search"), key="n_q", placeholder="pondok kacang")
        found = search_desa(query, admin["desa"], data.crosswalk()) if query else admin["desa"].iloc[0:0]
        if query and found.empty:
            st.caption(t("desa_none"))
        elif query:
            labels = {r.kode_desa: f"{r.desa} \u2014 Kec. {r.kecamatan}, {r.kabupaten_kota}" for r in found.itertuples()}
            st.selectbox(t("desa_pick"), list(labels), format_func=labels.get, key="n_desa", index=None,
                         on_change=_from_desa, placeholder=t("desa_pick_placeholder"), filter_mode="contains")
    with right:
        st.text_input(t("coordinates"), key="n_coord", placeholder="-6.2745, 106.7180", on_change=_from_coordinates,
                      help=t("coordinates_help"))
    st.session_state.setdefault("n_r", DEFAULT_RADIUS_KM)
    st.slider(t("radius"), 0.5, 10.0, step=0.5, key="n_r", format="%.1f km")
    layers = {lid: layer.label(lang) for lid, layer in program_layers(data.layers()).items()}
    st.multiselect(t("layer"), list(layers), format_func=layers.get, key="n_layer", placeholder=t("all"))


def render(t: Callable[[str], str], lang: str) -> None:
    """Draw the whole page."""
    st.subheader(t("near_title"))
    lat, lon = st.session_state.get("n_lat"), st.session_state.get("n_lon")
    admin = data.admin()
    place = None
    if lat is not None and lon is not None:
        try:
            place = locate(lat, lon, admin["desa"])
        except DataError as exc:
            st.warning(markdown_text(str(exc)))
    if place is not None:
        _sync_picker(place)
    with st.expander(t("near_set_location"), expanded=lat is None):
        st.caption(t("near_help"))
        location_inputs(t, lang)
    problem = st.session_state.pop("n_problem", None)
    if problem:
        st.error(markdown_text(problem))
    radius_m = float(st.session_state.get("n_r", DEFAULT_RADIUS_KM)) * 1000
    layers = data.layers()
    sites = SiteFilter(layers=tuple(st.session_state.get("n_layer", ()))).apply(data.sites())
    result = None
    if place is not None:
        result = nearby_sites(sites, lat, lon, radius_m, place, found=data.sites_within(lon, lat, radius_m))
        drawn = sites[sites["id"].isin(set(result.within["id"]) | set(result.in_area["id"]))]
        facilities = nearby_supply(data.supply(), lat, lon, radius_m)
    else:
        drawn, facilities = sites.iloc[0:0], None
    fmap = build_near_map(
        kecamatan=admin["kecamatan_display"], sites=drawn, layers=layers, t=t, lang=lang,
        attributions=list(sources.MAP_ATTRIBUTIONS), outlines=admin["outlines"],
        location=(lat, lon) if place is not None else None, radius_m=radius_m, supply=facilities, place=place,
    )
    clicked = st_folium(fmap, key="near_map", height=460, use_container_width=True, returned_objects=["last_clicked"])
    click = (clicked or {}).get("last_clicked")
    if click and click != st.session_state.get("n_last_click"):
        st.session_state["n_last_click"] = click
        _set_location(click["lat"], click["lng"], "map")
        st.rerun()
    if place is None:
        st.info(t("near_no_location"))
        return
    st.markdown(t("near_place").format(desa=markdown_text(place["desa"]), kec=markdown_text(place["kecamatan"]), region=markdown_text(place["kabupaten_kota"]),
                                      lat=f"{lat:.5f}", lon=f"{lon:.5f}"))
    site_list(result, t, lang)
    region_wide_targets(place, t, lang)
    supply_list(facilities, t, lang)
    evidence_here(place, t, lang)


def _sync_picker(place: pd.Series) -> None:
    """Show the located desa in the desa picker, however the location was set (runs before the widgets exist)."""
    if st.session_state.get("n_desa") == place["kode_desa"]:
        return
    st.session_state["n_q"] = place["desa"]
    found = search_desa(place["desa"], data.admin()["desa"], data.crosswalk())
    st.session_state["n_desa"] = place["kode_desa"] if place["kode_desa"] in set(found["kode_desa"]) else None


def region_wide_targets(place: pd.Series, t: Callable[[str], str], lang: str) -> None:
    """The targets set for the whole region (no kecamatan named): they apply to this resident too."""
    table = data.targets_table()
    wide = table[(table["region"] == place["kode_kab"]) & table["region_wide"]]
    wide = SiteFilter(layers=tuple(st.session_state.get("n_layer", ()))).apply(wide)
    st.markdown(f"#### {t('near_region_wide_title').format(region=markdown_text(REGION_NAMES[place['kode_kab']]))} ({len(wide)})")
    if wide.empty:
        st.caption(t("near_region_wide_none"))
        return
    st.caption(t("near_region_wide_help"))
    layers = data.layers()
    st.dataframe(
        pd.DataFrame({
            t("program"): wide["program_name"],
            t("layer"): [layers[lid].label(lang) for lid in wide["layer"]],
            t("target"): [f"{format_number(q, lang)} {u}".strip() for q, u in zip(wide["target_sites"], wide["target_unit"])],
            t("located"): wide["located"],
        }),
        hide_index=True, width="stretch",
    )  # fmt: skip


def _distance(m: float, lang: str) -> str:
    return f"{format_number(m, lang, 0)} m" if m < 1000 else f"{format_number(m / 1000, lang, 1)} km"


def _details(row: pd.Series, t: Callable[[str], str]) -> None:
    target = f"{row['target_qty']:g} {row['target_unit']}" if pd.notna(row["target_qty"]) else "\u2014"
    st.markdown(
        "  \n".join(
            [
                f"**{t('program')}:** {markdown_text(row['program_name'])}",
                f"**{t('target')}:** {markdown_text(target)}",
                f"**{t('status')}:** {t('status_' + row['status'])}",
                f"**{t('precision')}:** {t('precision_' + row['precision'])}",
                f"**{t('source')}:** {markdown_text(row['source'])}",
                f"**{t('updated')}:** {markdown_text(row['updated'])}",
            ]
        )
    )


NEAR_LIST_MAX = 50  # sites listed with their details; the map draws every one


def site_list(result, t: Callable[[str], str], lang: str) -> None:
    """Nearby exact sites by distance, then area- and region-level sites apart, each with its precision."""
    layers = data.layers()
    st.markdown(f"#### {t('near_within')} ({len(result.within)})")
    if result.within.empty:
        st.caption(t("near_none_within"))
    # An inventory can put thousands of points in the radius: one expander each would stall the page.
    if len(result.within) > NEAR_LIST_MAX:
        st.caption(t("near_first").format(n=format_number(NEAR_LIST_MAX, lang), total=format_number(len(result.within), lang)))
    for _, row in result.within.head(NEAR_LIST_MAX).iterrows():
        with st.expander(f"{_distance(row['distance_m'], lang)} \u00b7 {markdown_text(row['name'])} \u00b7 {layers[row['layer']].label(lang)}"):
            _details(row, t)
    for title, frame in ((t("near_in_kecamatan"), result.in_area), (t("near_in_region"), result.in_region)):
        st.markdown(f"#### {title} ({len(frame)})")
        for _, row in frame.iterrows():
            with st.expander(f"{markdown_text(row['name'])} \u00b7 {layers[row['layer']].label(lang)} \u00b7 {t('precision_' + row['precision'])}"):
                _details(row, t)


def supply_list(facilities: pd.DataFrame, t: Callable[[str], str], lang: str) -> None:
    """Existing facilities within the radius, nearest first, each with its source and data year."""
    st.markdown(f"#### {t('near_supply_title')} ({len(facilities)})")
    st.caption(t("near_supply_help"))
    if facilities.empty:
        st.caption(t("near_supply_none"))
        return
    st.dataframe(
        pd.DataFrame({
            t("near_supply_distance"): [_distance(m, lang) for m in facilities["distance_m"]],
            t("supply_col_kind"): [supply_view.kind_label(k, t) for k in facilities["kind"]],
            t("name"): facilities["name"], t("kecamatan"): facilities["kecamatan"],
            t("supply_col_source"): facilities["source"], t("supply_col_year"): facilities["year"],
        }),
        hide_index=True, width="stretch",
    )  # fmt: skip
def evidence_here(place: pd.Series, t: Callable[[str], str], lang: str) -> None:
    """The evidence events that name my desa, then the others in my kecamatan (desa-level or the kecamatan itself)."""
    placed, _ = data.evidence_places()
    events = area_evidence([place["kode_kec"]], place["kode_kab"], False, data.evidence(), placed, data.catalog(), lang)
    mine = events["evidence_id"].isin(placed.loc[placed["code"] == place["kode_desa"], "evidence_id"])
    st.markdown(f"#### {t('ev_near_title')}")
    st.caption(t("ev_near_help"))
    for title, frame, key in (
        (t("ev_near_desa").format(name=markdown_text(place["desa"])), events[mine], "n_ev_desa"),
        (t("ev_near_kecamatan").format(name=markdown_text(place["kecamatan"])), events[~mine], "n_ev_kec"),
    ):
        st.markdown(f"**{title}** ({len(frame)})")
        if frame.empty:
            st.caption(t("ev_near_none"))
        else:
            evidence_table(frame, t, lang, key=key)
