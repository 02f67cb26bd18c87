"""The planners' page: who is far from a facility, and where the remaining sites could go."""

from __future__ import annotations

from typing import Callable

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import sources, supply as existing_supply
from geo.errors import DataError
from layers import proposals as model, targets
from layers.registry import program_layers
from layers.render import build_coverage_map
from texts.numbers import format_number, format_share
from texts.safe import markdown_text
from views import data, need_view
from views.state import Param

MODELS = ("mclp", "lscp", "pmedian")
MAP_MODES = ("uncovered", "distance")


def coverage_layers() -> dict:
    """Program layers with a service radius (coverage makes no sense for roads or lights)."""
    return {lid: layer for lid, layer in program_layers(data.layers()).items() if layer.radius_m > 0}


def target_programs(layer_id: str) -> pd.DataFrame:
    """The :func:`layers.targets.target_table` rows of a layer's programs (those whose target is a number of sites)."""
    table = data.targets_table()
    return table[table["layer"] == layer_id].set_index("program", drop=False)


def params() -> list[Param]:
    """The URL parameters of this page."""
    return [
        Param("lap", "c_layer", "choice", options=lambda: list(coverage_layers())),
        Param("r", "c_radius", "number", bounds=(100, 20_000)),
        Param("peta", "c_mode", "choice", options=lambda: list(MAP_MODES), default=MAP_MODES[0]),
        Param("prog", "c_program", "choice", options=lambda: [p.id for p in data.catalog().programs]),
        Param("model", "c_model", "choice", options=lambda: list(MODELS), default=MODELS[0]),
        Param("n", "c_n", "number", bounds=(1, 200)),
    ]


def _reset_radius() -> None:
    layer = coverage_layers()[st.session_state["c_layer"]]
    st.session_state["c_radius"] = float(layer.radius_m)
    for key in ("c_program", "c_n", "c_done"):
        st.session_state.pop(key, None)


def _confidence(value: str, t: Callable[[str], str]) -> str:
    """A confidence grade of the population data in the UI language; a grade the catalog lacks as written."""
    try:
        return t(f"confidence_{value}")
    except KeyError:
        return value


def population_note(t: Callable[[str], str], regions: tuple[str, ...] | None = None) -> str:
    """Years and confidence of the population behind the demand grid (of ``regions``, default all)."""
    parts = []
    for s in data.demand().sources:
        if regions is not None and s.kode_kab not in regions:
            continue
        years = ", ".join(str(y) for y in s.years)
        shares = ", ".join(str(y) if y else t("year_unknown") for y in s.share_years)
        confidence = ", ".join(_confidence(c, t) for c in s.confidence)
        parts.append(t("demand_source").format(region=markdown_text(s.region), years=years, confidence=markdown_text(confidence), shares=shares))
    return " ".join(parts)


def render(t: Callable[[str], str], lang: str) -> None:
    """Draw the whole page."""
    layers = coverage_layers()
    st.subheader(t("coverage_title"))
    st.caption(t("coverage_help"))
    left, mid, right = st.columns([2, 1, 1])
    st.session_state.setdefault("c_layer", "posko_bencana")
    layer_id = left.selectbox(t("layer"), list(layers), format_func=lambda lid: layers[lid].label(lang), key="c_layer", on_change=_reset_radius)
    layer = layers[layer_id]
    st.session_state.setdefault("c_radius", float(layer.radius_m))
    radius = mid.number_input(t("radius_m"), 100.0, 20_000.0, step=100.0, key="c_radius", format="%.0f")
    mode = right.radio(t("map_mode"), MAP_MODES, format_func=lambda m: t(f"map_{m}"), key="c_mode")
    st.caption(population_note(t))

    sites = data.sites()
    layer_sites = targets.active_sites(sites[sites["layer"] == layer_id])  # cancelled sites are not drawn as serving anyone
    with st.spinner(t("computing_coverage")):
        result = data.coverage(layer_id, radius)
    a, b, c, d = st.columns(4)
    a.metric(t("population_est"), format_number(result.population, lang, 0))
    b.metric(f"{t('covered_people')} ({format_share(result.share, lang)})", format_number(result.covered, lang, 0))
    c.metric(t("uncovered_people"), format_number(result.uncovered, lang, 0))
    d.metric(t("sites_counted"), format_number(result.sites_counted, lang))
    supply_note(layer_id, result, t, lang)
    if len(result.left_out):
        st.warning(t("left_out_note").format(n=format_number(int(result.left_out["sites"].sum()), lang)))
        st.dataframe(
            pd.DataFrame({t("precision"): [t(f"precision_{p}") for p in result.left_out["precision"]],
                          t("sites_count_col"): result.left_out["sites"], t("reason"): [t(f"left_out_{p}") for p in result.left_out["precision"]]}),
            hide_index=True, width="stretch",
        )

    map_slot = st.container()  # filled after the proposal inputs, so the map can show their result
    proposal = proposal_controls(t, lang, layer_id, radius, layer_sites)
    admin = data.admin()
    fmap = build_coverage_map(
        kecamatan=admin["kecamatan_display"][admin["kecamatan_display"]["kode_kab"].isin(result.kecamatan["kode_kab"].unique())],
        desa=admin["desa_display"], coverage=result, layer=layer, sites=layer_sites, mode=mode, t=t, lang=lang,
        attributions=list(sources.MAP_ATTRIBUTIONS), outlines=admin["outlines"],
        proposals=proposal.sites if proposal is not None else None,
        supply=existing_supply.counterpart_sites(data.supply(), layer_id),
    )
    with map_slot:
        st_folium(fmap, key="coverage_map", height=560, use_container_width=True, returned_objects=[])
    if proposal is not None:
        proposal_table(proposal, t, lang)
    kecamatan_table(result, t, lang)
    if layer_id in need_view.PANELS:
        need_view.panel(layer_id, radius, t, lang, population_note(t, (data.catalog().program(need_view.PANELS[layer_id].program).region,)))


def proposal_controls(t: Callable[[str], str], lang: str, layer_id: str, radius: float, layer_sites: pd.DataFrame):
    """Model inputs for a program of this layer with a site target; returns the proposal once computed."""
    catalog = data.catalog()
    programs = target_programs(layer_id)
    st.markdown(f"#### {t('proposals_title')}")
    if programs.empty:
        st.info(t("no_target_programs"))
        return None
    program_id = st.selectbox(t("program"), list(programs.index), format_func=lambda p: catalog.program(p).name, key="c_program")
    program, row = catalog.program(program_id), programs.loc[program_id]
    needed = int(row["remaining"])
    st.caption(t("remaining_to_place").format(
        n=format_number(needed, lang), region=markdown_text(data.region_name(program.region)), target=format_number(row["target_sites"], lang),
        located=format_number(row["located"], lang), known=format_number(row["known_area"], lang),
    ))  # fmt: skip
    left, right, restrict = st.columns([1, 1, 2])
    chosen = left.radio(t("model"), MODELS, format_func=lambda m: t(f"model_{m}"), key="c_model")
    st.session_state.setdefault("c_n", float(max(needed, 1)))
    n_new = right.number_input(t("new_sites"), 1.0, 200.0, step=1.0, key="c_n", format="%.0f", disabled=chosen == "lscp")
    named = bool(program.kecamatan)
    in_named = restrict.checkbox(t("restrict_named"), value=named, disabled=not named, key="c_named")
    quotas = restrict.checkbox(t("one_per_imprecise"), value=True, key="c_quota", help=t("one_per_imprecise_help"))
    if not st.button(t("run_model"), type="primary", key="c_run") and not st.session_state.get("c_done"):
        return None
    st.session_state["c_done"] = True
    try:
        with st.spinner(t("computing_proposals")):
            proposal = data.proposal(layer_id, program_id, radius, chosen, int(n_new), in_named and named, quotas)
    except DataError as exc:
        st.error(markdown_text(str(exc)))
        return None
    return proposal


def proposal_table(proposal, t: Callable[[str], str], lang: str) -> None:
    st.success(t("proposal_summary").format(
        label=proposal.label, n=format_number(len(proposal.sites), lang), before=format_number(proposal.covered_before, lang, 0),
        after=format_number(proposal.covered_after, lang, 0), share=format_share(proposal.covered_after / proposal.population, lang),
    ))
    if not proposal.optimal:
        st.warning(t("not_optimal"))
    frame = proposal.sites.to_crs("EPSG:4326")
    st.dataframe(
        pd.DataFrame({
            "#": frame["rank"], t("proposal"): frame["label"], t("kecamatan"): frame["kecamatan"], t("desa"): frame["desa"],
            t("added_people"): frame["added_population"].round().astype(int),
            "lat": frame.geometry.y.round(5), "lon": frame.geometry.x.round(5),
        }),
        hide_index=True, width="stretch",
    )
    left, right = st.columns(2)
    left.download_button(t("download_csv"), model.to_csv(proposal), "usulan-lokasi.csv", "text/csv", key="c_dl_csv")
    right.download_button(t("download_geojson"), model.to_geojson(proposal), "usulan-lokasi.geojson", "application/geo+json", key="c_dl_geojson")


def supply_note(layer_id: str, result, t: Callable[[str], str], lang: str) -> None:
    """Which existing facilities the coverage counts besides the promised sites, and how many positions were not used."""
    kinds = existing_supply.COUNTERPARTS.get(layer_id, ())
    if not kinds:
        st.caption(t("coverage_no_supply"))
        return
    frame = data.supply()
    flagged = int((existing_supply.flagged(frame)["kind"].isin(kinds)).sum())
    names = "; ".join(existing_supply.kind_label(k, t) for k in kinds)
    st.caption(markdown_text(t("coverage_supply_note").format(n=format_number(result.supply_counted, lang), kinds=names, flagged=format_number(flagged, lang))))


def localized(frame: pd.DataFrame, lang: str, digits: dict[str, int]):
    """``frame`` with the numbers of the ``digits`` columns shown in the UI language (:func:`texts.numbers.format_number`,
    that many decimals at most): the cells keep their numbers, so sorting a column stays numeric."""
    styled = frame.style
    for column, n in digits.items():
        styled = styled.format(lambda v, n=n: format_number(v, lang, n), subset=[column], na_rep="\u2014")
    return styled


def kecamatan_table(result, t: Callable[[str], str], lang: str) -> None:
    st.markdown(f"#### {t('coverage_by_kecamatan')}")
    table = result.kecamatan.sort_values("share")
    st.dataframe(
        localized(pd.DataFrame({
            t("kecamatan"): table["kecamatan"], t("region"): [data.region_name(k) for k in table["kode_kab"]],
            t("population_est"): table["population"].round().astype(int), t("covered_people"): table["covered"].round().astype(int),
            t("uncovered_people"): table["uncovered"].round().astype(int), t("covered_pct"): (100 * table["share"]).round(1),
            t("col_facilities"): table["facilities"], t("col_per_facility"): table["per_facility"].round(),
            t("col_beyond_pct"): (100 * table["beyond"]).round(1),
        }), lang, {t("population_est"): 0, t("covered_people"): 0, t("uncovered_people"): 0, t("covered_pct"): 1,
                   t("col_facilities"): 0, t("col_per_facility"): 0, t("col_beyond_pct"): 1}),
        hide_index=True, width="stretch",
    )  # fmt: skip
    with st.expander(t("coverage_by_desa")):
        desa = result.desa.sort_values("uncovered", ascending=False)
        st.dataframe(
            localized(pd.DataFrame({
                t("desa"): desa["desa"], t("kecamatan"): desa["kecamatan"], t("population_est"): desa["population"].round().astype(int),
                t("uncovered_people"): desa["uncovered"].round().astype(int), t("covered_pct"): (100 * desa["share"]).round(1),
            }), lang, {t("population_est"): 0, t("uncovered_people"): 0, t("covered_pct"): 1}),
            hide_index=True, width="stretch",
        )  # fmt: skip
