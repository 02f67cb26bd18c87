"""The small map of one promise: its registered sites, and the areas its evidence names.

Sites are drawn as everywhere (:mod:`layers.render`: a dot for an exact point, a
dashed outline for a desa or kecamatan). Evidence places are never points: each
is the outline of the desa or kecamatan whose name the evidence gives
(:mod:`evidence.places`), solid and lightly filled in the evidence
colour so it cannot be mistaken for a promised site. Every text is escaped with
:func:`texts.safe.html_text`.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from geo.config import PROGRAM_REGIONS
from layers.model import Layer
from layers.render import Translate, _admin_lines, _legend_box, _site_layers, _layer_rows, base_map
from texts.safe import html_text

EVIDENCE_COLOR = "#e65100"
EVIDENCE_STYLE = {"desa": {"weight": 3, "fillOpacity": 0.25}, "kecamatan": {"weight": 2, "fillOpacity": 0.1}}


def _swatch(level: str) -> str:
    style = EVIDENCE_STYLE[level]
    return (f'<svg width="18" height="14"><rect x="2" y="2" width="14" height="10" fill="{EVIDENCE_COLOR}" '
            f'fill-opacity="{style["fillOpacity"] + 0.15}" stroke="{EVIDENCE_COLOR}" stroke-width="{style["weight"] - 0.5}"/></svg>')  # fmt: skip


def build_promise_map(
    *,
    kecamatan: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    places: pd.DataFrame,
    events: pd.DataFrame,
    layers: dict[str, Layer],
    outlines: dict[str, object],
    region: str,
    t: Translate,
    lang: str,
    attributions: list[str],
) -> folium.Map:
    """The promise page's map.

    ``sites`` are the program's :func:`layers.sites.site_frame` rows, ``places``
    its :data:`evidence.places.PLACED_COLUMNS` rows and ``events`` its
    evidence (for the date and claim shown on each place). The view fits the
    drawn sites and places, else the program's region.
    """
    m = base_map(attributions)
    _admin_lines(m, kecamatan[kecamatan["kode_kab"].isin(PROGRAM_REGIONS)], t, "kecamatan", 0.8)
    present = _site_layers(m, sites, layers, outlines, t, lang)
    claim = "claim_en" if lang == "en" else "claim_id"
    drawn = places.merge(events[["evidence_id", "event_date", claim]], on="evidence_id", how="left")
    shapes = gpd.GeoSeries([outlines.get(code) for code in drawn["code"]], crs="EPSG:4326")
    drawn = gpd.GeoDataFrame(drawn, geometry=shapes, crs="EPSG:4326")
    drawn = drawn[drawn.geometry.notna()]
    levels = []
    if len(drawn):
        group = folium.FeatureGroup(name=html_text(t("ev_map_places")))
        props = gpd.GeoDataFrame(
            {
                "tempat": [html_text(f"{n} ({t(lv)})") for n, lv in zip(drawn["name"], drawn["level"])],
                "tanggal": [html_text(d or t("ev_date_unknown")) for d in drawn["event_date"]],
                "klaim": [html_text(c) for c in drawn[claim]],
                "_level": list(drawn["level"]),
            },
            geometry=list(drawn.geometry), crs="EPSG:4326",
        )  # fmt: skip
        folium.GeoJson(
            props.__geo_interface__,
            style_function=lambda f: {"color": EVIDENCE_COLOR, "fillColor": EVIDENCE_COLOR, **EVIDENCE_STYLE[f["properties"]["_level"]]},
            tooltip=folium.GeoJsonTooltip(
                fields=["tempat", "tanggal", "klaim"],
                aliases=[html_text(t("place")), html_text(t("date")), html_text(t("ev_claim"))],
            ),
        ).add_to(group)
        group.add_to(m)
        levels = [lv for lv in ("desa", "kecamatan") if lv in set(drawn["level"])]
    rows = [f"{_swatch(lv)} {html_text(t(f'ev_map_{lv}'))}" for lv in levels]
    _legend_box(m, t, [(t("ev_map_places"), rows, t("ev_map_note") if rows else ""), (t("layers"), _layer_rows(present, lang), "")])
    folium.LayerControl(collapsed=True).add_to(m)
    shown = [g for g in list(sites.geometry.dropna()) + list(drawn.geometry) if g is not None and not g.is_empty]
    if shown:
        minx, miny, maxx, maxy = gpd.GeoSeries(shown, crs="EPSG:4326").total_bounds
    else:
        minx, miny, maxx, maxy = kecamatan[kecamatan["kode_kab"] == region].total_bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]], max_zoom=14)
    return m
