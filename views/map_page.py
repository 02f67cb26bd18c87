"""The map page: filters in the sidebar, the map, the filtered table and downloads."""

from __future__ import annotations

from typing import Callable

import pandas as pd
import streamlit as st

from geo import config, sources
from geo.boundaries import REGION_NAMES
from reports import export
from layers.filters import SiteFilter
from layers.model import Precision, SiteStatus
from layers.registry import program_layers
from layers.render import PointLayer, PointTable, area_label_rows, build_map, cluster_points, exact_points, layer_point_table
from layers.sites import skipped_sites
from layers.summary import METRICS, kecamatan_metrics
from texts.catalog import translator
from texts.numbers import format_number
from views import data, folium_view, supply_view
from views.state import Param
from views.widgets import multiselect

MAP_HEIGHT = 620
TABLE_ROWS = 1000  # rows shown in the page's table; the downloads hold every filtered site


def sidebar_filters(t: Callable[[str], str], lang: str) -> tuple[SiteFilter, str, bool, bool]:
    """The filter widgets; returns the filter, the choropleth metric and the two display toggles."""
    catalog, layers, kec = data.catalog(), data.layers(), data.admin()["kecamatan"]
    st.sidebar.header(t("filters"))
    with st.sidebar:
        regions = multiselect(t("region"), {r: REGION_NAMES[r] for r in config.PROGRAM_REGIONS}, "f_region", t("all"))
        in_scope = kec[kec["kode_kab"].isin(regions or config.PROGRAM_REGIONS)].sort_values("kecamatan")
        kecamatan = multiselect(t("kecamatan"), dict(zip(in_scope["kode_kec"], in_scope["kecamatan"])), "f_kec", t("all"))
        layer_opts = {lid: layer.label(lang) for lid, layer in program_layers(layers).items()}
        chosen_layers = multiselect(t("layer"), layer_opts, "f_layer", t("all"))
        misi = multiselect(t("misi"), catalog.misi_choices(), "f_misi", t("all"))
        sasaran = multiselect(t("sasaran"), catalog.sasaran_choices(misi), "f_sasaran", t("all"))
        statuses = multiselect(t("status"), {s.value: t(f"status_{s.value}") for s in SiteStatus}, "f_status", t("all"))
        precisions = multiselect(t("precision"), {p.value: t(f"precision_{p.value}") for p in Precision}, "f_precision", t("all"))
        metric = st.selectbox(t("metric"), METRICS, format_func=lambda m: t(f"metric_{m}"), key="f_metric")
        show_desa = st.checkbox(t("show_desa"), key="f_desa")
        show_ref = st.checkbox(t("show_reference"), key="f_ref")
    selection = SiteFilter(regions, kecamatan, chosen_layers, misi, sasaran, statuses, precisions)
    return selection, metric, show_desa, show_ref


def params() -> list[Param]:
    """The URL parameters of this page (one per filter widget)."""
    catalog, layers = data.catalog(), data.layers()
    kecamatan = data.admin()["kecamatan"]
    return [
        Param("wil", "f_region", "list", options=lambda: list(config.PROGRAM_REGIONS)),
        Param("kec", "f_kec", "list", options=lambda: list(kecamatan.loc[kecamatan["kode_kab"].isin(config.PROGRAM_REGIONS), "kode_kec"])),
        Param("lap", "f_layer", "list", options=lambda: list(program_layers(layers))),
        Param("misi", "f_misi", "list", options=lambda: list(catalog.misi_choices())),
        Param("sas", "f_sasaran", "list", options=lambda: list(catalog.sasaran_choices())),
        Param("status", "f_status", "list", options=lambda: [s.value for s in SiteStatus]),
        Param("presisi", "f_precision", "list", options=lambda: [p.value for p in Precision]),
        Param("warna", "f_metric", "choice", options=lambda: list(METRICS), default=METRICS[0]),
        Param("desa", "f_desa", "flag", default=False),
        Param("ref", "f_ref", "flag", default=False),
        Param("ada", "f_supply", "flag", default=False),
    ]


def population_note(t: Callable[[str], str]) -> str:
    pop = data.population()
    years = {kab: sorted(pop.loc[pop["kode_kec"].str.startswith(kab), "year"].unique()) for kab in config.PROGRAM_REGIONS}
    return t("pop_note").format(
        tangsel="/".join(str(y) for y in years[config.TANGSEL]), kab="/".join(str(y) for y in years[config.KAB_TANGERANG])
    )


def render(t: Callable[[str], str], lang: str) -> None:
    """Draw the whole map page."""
    selection, metric, show_desa, show_ref = sidebar_filters(t, lang)
    # Off by default: the schools alone are some 2,000 points, kept out of the default view's payload.
    show_supply = st.sidebar.checkbox(t("show_supply"), key="f_supply")
    all_sites = data.sites()
    sites = selection.apply(all_sites)
    st.caption(t("map_help"))
    folium_view.show(_map(*data.register_key(), selection, metric, show_desa, show_ref, show_supply, lang), key="map", height=MAP_HEIGHT)
    site_table(sites, skipped_sites(all_sites), t, lang)
    missing_table(selection, t, lang)
    if show_supply:
        supply_view.counts(t)
    attribution(t)


@st.cache_data(show_spinner=False, max_entries=16)
def _map(setting: str, revision: int, selection: SiteFilter, metric: str, show_desa: bool, show_ref: bool, show_supply: bool,
         lang: str) -> dict:
    """The rendered map (:func:`views.folium_view.component_args`), kept per register revision, filters and language:
    building and rendering it takes seconds at 100,000 sites."""
    t = translator(lang)
    admin, layers = data.admin(), data.layers()
    sites = selection.apply(data.sites())
    kec_display = admin["kecamatan_display"]
    if selection.kecamatan:
        focus = kec_display[kec_display["kode_kec"].isin(selection.kecamatan)]
    else:
        focus = kec_display
    metrics = kecamatan_metrics(sites, kec_display, data.population())
    fmap = build_map(
        kecamatan=kec_display,
        sites=sites,
        metrics=metrics,
        metric=metric,
        layers=layers,
        t=t,
        lang=lang,
        attributions=list(sources.MAP_ATTRIBUTIONS),
        pop_note=population_note(t),
        desa=admin["desa_display"][admin["desa_display"]["kode_kec"].isin(focus["kode_kec"])] if show_desa else None,
        outlines=admin["outlines"],
        references=data.references() if show_ref else None,
        focus=focus,
        supply=data.supply() if show_supply else None,
        # Desa names when the desa are drawn or a kecamatan is chosen (the map is zoomed in then).
        desa_names=admin["desa_display"][admin["desa_display"]["kode_kec"].isin(focus["kode_kec"])] if show_desa or selection.kecamatan else None,
        labels=_labels(str(config.data_dir())),
        point_layer=_point_layer(setting, revision, lang),
    )
    return folium_view.component_args(fmap)


@st.cache_resource(show_spinner=False)
def _labels(root: str) -> list[list]:
    """The kecamatan and region names (:func:`layers.render.area_label_rows`): the same on every map."""
    return area_label_rows(data.admin()["kecamatan_display"])


def _point_layer(setting: str, revision: int, lang: str) -> PointLayer:
    """Draws each layer's many exact points from a table of all of them, kept per register revision and language: a
    filter change sends which of them it keeps instead of building a table (a second at 100,000 points)."""
    t = translator(lang)
    return lambda points, layer: cluster_points(points, layer, t, lang, _layer_table(setting, revision, layer.id, lang))


@st.cache_resource(show_spinner=False, max_entries=16)  # about 1 MB each at 100,000 points
def _layer_table(setting: str, revision: int, layer_id: str, lang: str) -> PointTable:
    layer = data.layers()[layer_id]
    return layer_point_table(exact_points(data.sites(), layer_id), layer, translator(lang), lang)


def site_table(sites: pd.DataFrame, skipped: tuple[str, ...], t: Callable[[str], str], lang: str) -> None:
    """The filtered sites (the first :data:`TABLE_ROWS`) and their downloads; ``skipped`` are ids the site table left out."""
    st.subheader(t("sites_table"))
    if skipped:
        st.warning(t("sites_skipped").format(n=format_number(len(skipped), lang)))
    counts = sites["precision"].value_counts()
    st.write(
        t("sites_count").format(
            n=format_number(len(sites), lang),
            exact=format_number(counts.get(Precision.EXACT.value, 0), lang),
            desa=format_number(counts.get(Precision.DESA.value, 0), lang),
            kec=format_number(counts.get(Precision.KECAMATAN.value, 0), lang),
            region=format_number(counts.get(Precision.REGION.value, 0), lang),
        )
    )
    if sites.empty:
        st.info(t("no_sites"))
        return
    layers = data.layers()
    shown = sites.head(TABLE_ROWS)
    table = pd.DataFrame(
        {
            t("site"): shown["name"],
            t("layer"): shown["layer"].map({lid: layer.label(lang) for lid, layer in layers.items()}),
            t("program"): shown["program_name"],
            t("kecamatan"): shown["kecamatan"],
            t("desa"): shown["desa"],
            t("region"): shown["kode_kab"].map(lambda r: REGION_NAMES.get(r, r)),
            t("status"): shown["status"].map(lambda s: t(f"status_{s}")),
            t("precision"): shown["precision"].map(lambda p: t(f"precision_{p}")),
            t("source"): shown["source"],
            t("updated"): shown["updated"],
        }
    )
    if len(sites) > TABLE_ROWS:
        st.caption(t("table_first_rows").format(n=format_number(TABLE_ROWS, lang), total=format_number(len(sites), lang)))
    st.dataframe(table, hide_index=True, width="stretch")
    left, right = st.columns(2)
    # Built only when a button is pressed (Streamlit calls the function then): 7.6 MB of text at 10,000 sites.
    left.download_button(t("download_csv"), lambda: export.to_csv(sites), "lokasi-program.csv", "text/csv", key="dl_csv")
    right.download_button(
        t("download_geojson"), lambda: export.to_geojson(sites), "lokasi-program.geojson", "application/geo+json", key="dl_geojson"
    )


def missing_table(selection: SiteFilter, t: Callable[[str], str], lang: str) -> None:
    """Site targets not yet fully located, for the programs the filter keeps (:func:`layers.targets.target_table`)."""
    layers = data.layers()
    missing = data.targets_table()
    # Kecamatan, status and precision do not apply: a target belongs to the whole program.
    missing = SiteFilter(selection.regions, (), selection.layers, selection.misi, selection.sasaran).apply(missing)
    missing = missing[missing["remaining"] > 0]
    st.subheader(t("not_located"))
    # Targets come in different units (titik, unit, kawasan), so they are counted per program, never summed.
    st.write(t("not_located_programs").format(n=format_number(len(missing), lang)))
    st.caption(t("not_located_help"))
    if missing.empty:
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("program"): missing["program_name"],
                t("layer"): [layers[lid].label(lang) for lid in missing["layer"]],
                t("region"): [REGION_NAMES[r] for r in missing["region"]],
                t("target"): [f"{format_number(q, lang)} {u}".strip() for q, u in zip(missing["target_sites"], missing["target_unit"])],
                t("located"): missing["located"],
                t("known_area_col"): missing["known_area"],
                t("not_located_col"): missing["remaining"],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def attribution(t: Callable[[str], str]) -> None:
    st.subheader(t("attribution"))
    st.caption("  \n".join([t("attribution_programs"), *sources.ATTRIBUTIONS]))
