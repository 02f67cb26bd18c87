"""The residents' page: what is planned or built near me.

The location comes from a map click or the locate button, a desa/kelurahan
name, or typed coordinates. The location, radius and layer filter are mirrored
in the URL; the map view follows from the location and radius.
"""

from __future__ import annotations

from typing import Callable

import pandas as pd
import streamlit as st

from geo import sources
from geo.boundaries import REGION_NAMES
from geo.errors import DataError
from geo.locate import locate, parse_coordinates, search_desa
from layers.filters import SiteFilter
from layers.nearby import Nearby, nearby_sites, nearby_supply
from layers.registry import program_layers
from layers.render import build_near_map
from reports.briefing_evidence import area_evidence
from texts.catalog import translator
from texts.numbers import format_number
from texts.safe import markdown_text
from views import data, folium_view, supply_view
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
    layer_ids = tuple(st.session_state.get("n_layer", ()))
    here = (float(lat), float(lon)) if place is not None else None
    clicked = folium_view.show(_near_map(*data.register_key(), here, radius_m, layer_ids, lang), key="near_map", height=460,
                               returned_objects=("last_clicked",))
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
    result, facilities = _nearby(*data.register_key(), here, radius_m, layer_ids)
    site_list(result, t, lang)
    region_wide_targets(place, t, lang)
    supply_list(facilities, t, lang)
    evidence_here(place, t, lang)


@st.cache_resource(show_spinner=False, max_entries=16)
def _nearby(setting: str, revision: int, here: tuple[float, float], radius_m: float, layer_ids: tuple[str, ...]) -> tuple[Nearby, pd.DataFrame]:
    """The sites and facilities around ``here`` (lat, lon), kept per register revision, place, radius and layers: the
    map and the lists share them, and an inventory puts thousands in the radius. Shared by every session: read only."""
    lat, lon = here
    sites = SiteFilter(layers=layer_ids).apply(data.sites())
    place = locate(lat, lon, data.admin()["desa"])
    result = nearby_sites(sites, lat, lon, radius_m, place, found=data.sites_within(lon, lat, radius_m))
    return result, nearby_supply(data.supply(), lat, lon, radius_m)


@st.cache_data(show_spinner=False, max_entries=16)
def _near_map(setting: str, revision: int, here: tuple[float, float] | None, radius_m: float, layer_ids: tuple[str, ...], lang: str) -> dict:
    """The rendered near map (:func:`views.folium_view.component_args`) around ``here`` (lat, lon; None: no location
    yet), kept per register revision, place, radius, layers and language: thousands of sites in the radius take
    seconds to draw."""
    admin, t = data.admin(), translator(lang)
    if here is None:
        drawn, facilities, place = data.sites().iloc[0:0], None, None
    else:
        result, facilities = _nearby(setting, revision, here, radius_m, layer_ids)
        drawn = data.sites().loc[result.within.index.union(result.in_area.index)]  # both keep the site table's labels
        place = locate(*here, admin["desa"])
    fmap = build_near_map(
        kecamatan=admin["kecamatan_display"], sites=drawn, layers=data.layers(), t=t, lang=lang,
        attributions=list(sources.MAP_ATTRIBUTIONS), outlines=admin["outlines"],
        location=here, radius_m=radius_m, supply=facilities, place=place,
    )
    return folium_view.component_args(fmap)


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


def _details(row: dict, t: Callable[[str], str], lang: str) -> None:
    target = f"{format_number(row['target_qty'], lang)} {row['target_unit']}" if pd.notna(row["target_qty"]) else "\u2014"
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
    for row in pd.DataFrame(result.within.head(NEAR_LIST_MAX).drop(columns="geometry")).to_dict("records"):
        with st.expander(f"{_distance(row['distance_m'], lang)} \u00b7 {markdown_text(row['name'])} \u00b7 {layers[row['layer']].label(lang)}"):
            _details(row, t, lang)
    for title, frame in ((t("near_in_kecamatan"), result.in_area), (t("near_in_region"), result.in_region)):
        st.markdown(f"#### {title} ({len(frame)})")
        for row in frame.to_dict("records"):
            with st.expander(f"{markdown_text(row['name'])} \u00b7 {layers[row['layer']].label(lang)} \u00b7 {t('precision_' + row['precision'])}"):
                _details(row, t, lang)


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
