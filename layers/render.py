"""Drawing the dashboard map with folium.

Everything textual that reaches the map (names from the seed documents,
uploaded sites, labels) is HTML-escaped here, because folium pastes popup,
tooltip, layer-control and legend text into the page unescaped.

Precision is drawn so it cannot be mistaken: an exact site is a filled dot; a
site known only to its desa or kecamatan is that area's dashed outline (inset
a little per layer so several layers in one kecamatan stay visible); a
region-level site is not drawn at all and is listed under the map instead.
"""

from __future__ import annotations

import base64
import gzip
import json
import math
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlencode

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Element, JavascriptLink, MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from geo import supply as existing_supply
from geo.config import METRIC_CRS, PROGRAM_REGIONS
from geo.display import GRID_DEGREES
from layers import assets
from layers.model import Layer, Precision, SiteStatus
from texts.catalog import translator
from texts.numbers import format_number
from texts.safe import html_text, script_json

Translate = Callable[[str], str]

# ColorBrewer YlGnBu, 5 classes.
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
CONTEXT_FILL = "#bdbdbd"
NO_DATA_FILL = "#f7f7f7"
INSET_M = 90  # how far each further layer's outline is drawn inside the kecamatan
AREA_DASH = {Precision.DESA.value: "4 4", Precision.KECAMATAN.value: "10 6"}
CENTER = (-6.22, 106.55)
# Supply kinds switched on when the existing facilities are shown; the others wait in the layer control.
SUPPLY_SHOWN = ("smp_negeri", "puskesmas", "krl")
# Above this many exact points a layer goes to the browser as one compressed table, clustered there
# (supercluster, :class:`ClusterPoints`), instead of one GeoJSON feature with nine popup fields per site.
CLUSTER_FROM = 300
POINT_SCALE = 100_000  # coordinates travel as integers of 1e-5 degree (about 1 m)
MAP_CSS = """<style>.leaflet-control-attribution{font:10px/1.3 sans-serif}
.leaflet-popup-content{font:13px/1.35 sans-serif}
.leaflet-popup-content th{padding-right:8px;text-align:left;vertical-align:top}</style>"""


def class_breaks(values: pd.Series, classes: int = len(PALETTE)) -> list[float]:
    """Upper bounds of the choropleth classes: each value when there are few, else equal-count classes."""
    clean = values.dropna()
    unique = sorted(clean.unique())
    if len(unique) <= classes:
        return [float(v) for v in unique] or [0.0]
    return sorted(set(np.quantile(clean, np.linspace(0, 1, classes + 1)[1:]).round(2).tolist()))


def fill_for(value, breaks: list[float]) -> str:
    """Palette colour of a value given :func:`class_breaks`."""
    if value is None or pd.isna(value):
        return NO_DATA_FILL
    for i, upper in enumerate(breaks):
        if value <= upper:
            return PALETTE[round(i * (len(PALETTE) - 1) / max(1, len(breaks) - 1))]
    return PALETTE[-1]


def class_labels(breaks: list[float], exact: bool, lang: str) -> list[str]:
    """Legend text per class: the value itself for value classes, else 'lower – upper'."""
    if exact:
        return [format_number(b, lang) for b in breaks]
    lowers = [0.0] + breaks[:-1]
    return [f"{format_number(lo, lang)} \u2013 {format_number(hi, lang)}" for lo, hi in zip(lowers, breaks)]


class _Script(MacroElement):
    """A bit of JavaScript run once the map exists (``{{ map }}`` is the Leaflet map)."""

    def __init__(self, js: str):
        super().__init__()
        self._template = Template("{% macro script(this, kwargs) %}" + js + "{% endmacro %}")


def _attribution(m: folium.Map, sources: list[str]) -> None:
    text = " | ".join(html_text(s) for s in sources)
    m.add_child(_Script("%s.attributionControl.addAttribution(%s);" % (m.get_name(), script_json(text))))


Columns = dict[str, Callable[[pd.DataFrame], object]]


def _dictionary(values: object, length: int) -> tuple[np.ndarray, list[str]]:
    """Codes into the distinct values, each escaped once by :func:`esc` (a scalar stands for every row).

    A missing value gets the code after the last distinct value, whose text is the em dash.
    """
    if np.ndim(values) == 0:
        return np.zeros(length, dtype=np.int64), [html_text(values)]
    codes, uniques = pd.factorize(values if isinstance(values, pd.Series) else pd.Series(values, dtype=object), use_na_sentinel=True)
    return np.where(codes < 0, len(uniques), codes), [html_text(u) for u in uniques.tolist()] + [html_text(None)]


def _numbers(values: pd.Series, lang: str, digits: int = 2) -> pd.Series:
    """Numbers in the UI's locale (:func:`texts.numbers.format_number`), each distinct value formatted once."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = np.array([format_number(u, lang, digits) for u in uniques] + [None], dtype=object)
    return pd.Series(texts[np.where(codes < 0, len(uniques), codes)], index=values.index, dtype="str")


def _escaped(values: object, length: int) -> np.ndarray:
    codes, texts = _dictionary(values, length)
    return np.array(texts, dtype=object)[codes]


def _props(frame: pd.DataFrame, columns: Columns) -> gpd.GeoDataFrame:
    """A frame holding only escaped display properties and the geometry.

    ``columns`` maps each property to a function of the whole frame (column operations, no per-row Python).
    """
    data = {name: _escaped(fn(frame), len(frame)) for name, fn in columns.items()}
    return gpd.GeoDataFrame(data, geometry=frame.geometry.to_numpy(), crs="EPSG:4326")


def _place(frame: pd.DataFrame) -> pd.Series:
    """'desa, kecamatan', either alone if the other is missing, else missing."""
    none = pd.Series(None, index=frame.index, dtype=object)
    desa, kec = frame.get("desa", none).astype(object), frame.get("kecamatan", none).astype(object)
    return desa.str.cat(kec, sep=", ").fillna(desa).fillna(kec)


def _boundaries(m, kecamatan, metrics, metric, t: Translate, lang: str, site_lists: dict[str, str]):
    values = metrics.set_index("kode_kec")[metric] if metric else pd.Series(dtype=float)
    program_rows = kecamatan["kode_kab"].isin(PROGRAM_REGIONS)
    in_scope = values[values.index.isin(kecamatan.loc[program_rows, "kode_kec"])]
    breaks = class_breaks(in_scope)
    pop = metrics.set_index("kode_kec")
    frame = kecamatan.assign(
        _fill=[
            fill_for(values.get(code), breaks) if kab in PROGRAM_REGIONS else CONTEXT_FILL
            for code, kab in zip(kecamatan["kode_kec"], kecamatan["kode_kab"])
        ]
    )
    people, year = frame["kode_kec"].map(pop["population"]).dropna(), frame["kode_kec"].map(pop["pop_year"])
    people = _numbers(people, lang, 0) + " (" + year[people.index].astype(int).astype(str) + ")"
    props = _props(
        frame,
        {
            "kecamatan": lambda f: f["kecamatan"],
            "wilayah": lambda f: f["kabupaten_kota"].where(f["kode_kab"].isin(PROGRAM_REGIONS), f["kabupaten_kota"] + f" ({t('context_only')})"),
            "nilai": lambda f: _numbers(f["kode_kec"].map(values), lang),
            "penduduk": lambda f: people.reindex(f.index),
            "_fill": lambda f: f["_fill"],
        },
    )
    # Site lists are built from escaped labels joined with <br>: the one place markup is intended.
    props["lokasi"] = [site_lists.get(code, html_text(t("none"))) for code in kecamatan["kode_kec"]]
    props["tautan"] = _program_links(kecamatan, t)
    fields = ["kecamatan", "wilayah", "nilai", "penduduk", "lokasi"]
    aliases = [html_text(t("kecamatan")), html_text(t("region")), html_text(t(f"metric_{metric}")), html_text(t("population")), html_text(t("sites_here"))]
    folium.GeoJson(
        props.__geo_interface__,
        name=t("layer_kecamatan"),
        style_function=lambda f: {"fillColor": f["properties"]["_fill"], "color": "#555", "weight": 1, "fillOpacity": 0.55},
        highlight_function=lambda f: {"weight": 3, "color": "#000"},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True),
        popup=folium.GeoJsonPopup(fields=[*fields, "tautan"], aliases=[*aliases, html_text(t("map_more"))]),
        control=False,
    ).add_to(m)
    # Which classes the legend needs: a missing value in a program kecamatan, and context kecamatan.
    present = {"no_data": bool(in_scope.reindex(kecamatan.loc[program_rows, "kode_kec"]).isna().any()), "context": bool((~program_rows).any())}
    return breaks, in_scope.dropna().nunique() <= len(PALETTE), present


def _admin_lines(m, frame, t: Translate, level: str, weight: float):
    """Unfilled admin outlines (``level`` "desa" or "kecamatan") with a name tooltip."""
    columns = {"nama": lambda f: f[level], "kecamatan": lambda f: f["kecamatan"]} if level == "desa" else {"nama": lambda f: f["kecamatan"], "wilayah": lambda f: f["kabupaten_kota"]}
    aliases = [html_text(t(level)), html_text(t("kecamatan") if level == "desa" else t("region"))]
    props = _props(frame, columns)
    popup = None
    if level == "kecamatan":
        # The outline is clickable along its line: the popup names the kecamatan and links its pages.
        props["tautan"] = _program_links(frame, t)
        popup = folium.GeoJsonPopup(fields=[*columns, "tautan"], aliases=[*aliases, html_text(t("map_more"))])
    folium.GeoJson(
        props.__geo_interface__,
        name=t(f"layer_{level}"),
        style_function=lambda f: {"color": "#666", "weight": weight, "fill": False},
        tooltip=folium.GeoJsonTooltip(fields=list(columns), aliases=aliases),
        popup=popup,
    ).add_to(m)


def site_columns(layer: Layer, t: Translate, lang: str) -> Columns:
    """The popup fields of a layer's sites, as column functions (see :func:`_props`)."""

    def target(f: pd.DataFrame) -> pd.Series:
        qty = _numbers(f["target_qty"], lang)
        return (qty + " " + f["target_unit"].fillna("").astype(str)).str.strip().where(f["target_qty"].notna())

    return {
        "nama": lambda f: f["name"],
        "lapisan": lambda f: layer.label(lang),
        "program": lambda f: f["program_name"],
        "target": target,
        "status": lambda f: f["status"].map({s.value: t(f"status_{s.value}") for s in SiteStatus}),
        "presisi": lambda f: f["precision"].map({p.value: t(f"precision_{p.value}") for p in Precision}),
        "wilayah": _place,
        "sumber": lambda f: f["source"],
        "diperbarui": lambda f: f["updated"],
    }


def _popup_aliases(t: Translate) -> list[str]:
    keys = ("site", "layer", "program", "target", "status", "precision", "place", "source", "updated")
    return [html_text(t(k)) for k in keys]


def _inset(geoms: gpd.GeoSeries, steps: pd.Series) -> gpd.GeoSeries:
    """Shrink each outline by its step × INSET_M metres (keeping the original where that would vanish)."""
    if not steps.any():
        return geoms
    metric = geoms.to_crs(METRIC_CRS)
    # Mitred joins and a light simplify keep the inset outline as light as the original.
    shrunk = gpd.GeoSeries(
        [g.buffer(-INSET_M * k, join_style="mitre").simplify(10) if k else g for g, k in zip(metric, steps)],
        index=geoms.index, crs=METRIC_CRS,
    )
    shrunk = shrunk.where(~shrunk.is_empty, metric)
    return shrunk.to_crs(geoms.crs).set_precision(GRID_DEGREES)


def _area_steps(areas: pd.DataFrame, layer_order: list[str]) -> pd.Series:
    """Per area site, how many other drawn layers come before its layer in the same area."""
    codes = areas["kode_desa"].where(areas["precision"] == Precision.DESA.value, areas["kode_kec"])
    present = codes.to_frame("code").assign(layer=areas["layer"]).drop_duplicates()
    present["rank"] = present["layer"].map(layer_order.index)
    present["step"] = present.groupby("code")["rank"].rank(method="dense").astype(int) - 1
    lookup = present.set_index(["code", "layer"])["step"]
    return pd.Series([lookup[(c, lid)] for c, lid in zip(codes, areas["layer"])], index=areas.index)


def _area_style(color: str, dash: str) -> dict:
    """A desa-level site's outline is strong; a kecamatan-level one (a placeholder for 'somewhere here') stays light."""
    light = dash == AREA_DASH[Precision.KECAMATAN.value]
    return {"color": color, "weight": 1.2 if light else 2.5, "opacity": 0.6 if light else 1, "dashArray": dash, "fill": False}


def exact_points(sites: pd.DataFrame, layer_id: str) -> pd.DataFrame:
    """A layer's sites at exact points: what its map layer draws as points (clustered above :data:`CLUSTER_FROM`)."""
    return sites[(sites["layer"] == layer_id) & (sites["precision"] == Precision.EXACT.value)]


def layer_point_table(points: gpd.GeoDataFrame, layer: Layer, t: Translate, lang: str) -> PointTable:
    """The table of a layer's exact points, with their popup fields (:func:`point_table`)."""
    return point_table(points, site_columns(layer, t, lang), _popup_aliases(t))


def cluster_points(points: gpd.GeoDataFrame, layer: Layer, t: Translate, lang: str, table: PointTable | None = None) -> MacroElement:
    """A layer's exact points as one element drawn and clustered in the browser (:class:`ClusterPoints`).

    ``table``, if given, is a table of at least these points (the map page keeps one of all the layer's points across
    filter changes): only ``points`` of it are drawn.
    """
    if table is None:
        return ClusterPoints(layer_point_table(points, layer, t, lang), layer.color, lang)
    return ClusterPoints(table, layer.color, lang, shown=points.index)


# Makes the element of a layer's exact points (above CLUSTER_FROM) from (points, layer); the map page passes one that
# draws them from a table of all the layer's points, kept across filter changes.
PointLayer = Callable[[gpd.GeoDataFrame, Layer], MacroElement]


def _site_layer(m, sites: pd.DataFrame, layer: Layer, outlines: dict[str, object], steps: pd.Series, t: Translate, lang: str,
                point_layer: PointLayer | None = None):
    count = len(sites)
    group = folium.FeatureGroup(name=f'<i class="fa-solid fa-{html_text(layer.icon)}" style="color:{html_text(layer.color)}"></i> {html_text(layer.label(lang))} ({count})')
    columns = site_columns(layer, t, lang)
    fields = list(columns)
    areas = sites[sites["precision"].isin([Precision.DESA.value, Precision.KECAMATAN.value])]
    if len(areas):
        codes = areas["kode_desa"].where(areas["precision"] == Precision.DESA.value, areas["kode_kec"])
        geoms = gpd.GeoSeries([outlines.get(c) for c in codes], index=areas.index, crs="EPSG:4326")
        geoms = _inset(geoms, steps.loc[areas.index])
        props = _props(areas.set_geometry(geoms), columns)
        props["_dash"] = [AREA_DASH[p] for p in areas["precision"]]
        folium.GeoJson(
            props.__geo_interface__,
            style_function=lambda f, c=layer.color: _area_style(c, f["properties"]["_dash"]),
            tooltip=folium.GeoJsonTooltip(fields=["nama", "presisi"], aliases=_popup_aliases(t)[:1] + [html_text(t("precision"))]),
            popup=folium.GeoJsonPopup(fields=fields, aliases=_popup_aliases(t)),
        ).add_to(group)
    points = exact_points(sites, layer.id)
    if len(points) > CLUSTER_FROM:
        group.add_child(point_layer(points, layer) if point_layer else cluster_points(points, layer, t, lang))
    elif len(points):
        folium.GeoJson(
            _props(points, columns).__geo_interface__,
            marker=folium.CircleMarker(radius=7, weight=2, color="#222", fill=True, fill_color=layer.color, fill_opacity=0.95),
            tooltip=folium.GeoJsonTooltip(fields=["nama", "presisi"], aliases=_popup_aliases(t)[:1] + [html_text(t("precision"))]),
            popup=folium.GeoJsonPopup(fields=fields, aliases=_popup_aliases(t)),
        ).add_to(group)
    group.add_to(m)


def _reference_layer(m, frame: gpd.GeoDataFrame, layer: Layer, t: Translate, lang: str):
    label = f"{layer.label(lang)} \u2014 {t('incomplete')}" if layer.incomplete else layer.label(lang)
    group = folium.FeatureGroup(name=f'<i class="fa-solid fa-{html_text(layer.icon)}" style="color:{html_text(layer.color)}"></i> {html_text(label)}', show=False)
    named = frame["name"].where(frame["name"].fillna("") != "") if "name" in frame else None
    props = _props(frame, {"nama": lambda f: t("unnamed") if named is None else named.fillna(t("unnamed")), "sumber": lambda f: "OpenStreetMap (ODbL)"})
    tooltip = folium.GeoJsonTooltip(fields=["nama", "sumber"], aliases=[html_text(t("name")), html_text(t("source"))])
    if layer.geometry == "line":
        folium.GeoJson(props.__geo_interface__, style_function=lambda f, c=layer.color: {"color": c, "weight": 2}, tooltip=tooltip).add_to(group)
    else:
        folium.GeoJson(
            props.__geo_interface__,
            marker=folium.CircleMarker(radius=4, weight=1, color=layer.color, fill=True, fill_color="#fff", fill_opacity=1),
            tooltip=tooltip,
        ).add_to(group)
    group.add_to(m)


def _swatch(color: str) -> str:
    return f'<span class="sw" style="background:{color}"></span>'


def _class_rows(breaks: list[float], exact: bool, lang: str) -> list[str]:
    return [f"{_swatch(fill_for(upper, breaks))}{label}" for upper, label in zip(breaks, class_labels(breaks, exact, lang))]


PRECISION_ROWS = (
    ('<svg width="18" height="14"><circle cx="9" cy="7" r="5" fill="#888" stroke="#222" stroke-width="2"/></svg>', "precision_titik"),
    ('<svg width="18" height="14"><rect x="2" y="2" width="14" height="10" fill="none" stroke="#444" stroke-width="2" stroke-dasharray="3 2"/></svg>', "precision_desa"),
    ('<svg width="18" height="14"><rect x="2" y="2" width="14" height="10" fill="none" stroke="#444" stroke-width="1.3" stroke-dasharray="6 3"/></svg>', "precision_kecamatan"),
)


def _legend_box(m, t: Translate, sections: list[tuple[str, list[str], str]]) -> None:
    """A collapsible legend: per section a title, rows of (already escaped) HTML and a note."""
    body = "".join(
        f"<b>{html_text(title)}</b>" + "".join(f"<div>{row}</div>" for row in rows) + (f'<div class="note">{html_text(note)}</div>' if note else "")
        for title, rows, note in sections
        if rows or note
    )
    style = """<style>.pjt-legend{position:absolute;z-index:1000;bottom:44px;left:10px;background:rgba(255,255,255,.94);
padding:5px 8px;font:11px/1.3 sans-serif;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.35);max-width:210px;max-height:70%;overflow:auto}
.pjt-legend summary{cursor:pointer;font-weight:bold}
.pjt-legend .sw{display:inline-block;width:14px;height:10px;margin-right:5px;border:1px solid #999;vertical-align:middle}
.pjt-legend .note{color:#555;font-size:10px;margin:2px 0 4px}</style>"""
    m.get_root().html.add_child(Element(f'{style}<details class="pjt-legend" open><summary>{html_text(t("legend"))}</summary>{body}</details>'))
    m.add_child(_MapCall("LegendControl", LEGEND_CONTROL_JS))


def _layer_rows(layers: list[Layer], lang: str) -> list[str]:
    return [
        f'<i class="fa-solid fa-{html_text(layer.icon)}" style="color:{html_text(layer.color)};width:1.3em"></i>{html_text(layer.label(lang))}'
        for layer in layers
    ]


def _legend(m, breaks: list[float], exact: bool, classes: dict[str, bool], metric: str, present: list[Layer], region_count: int, t: Translate,
            lang: str, pop_note: str, supply_rows: list[str] | None = None):
    extra = {"no_data": f"{_swatch(NO_DATA_FILL)}{html_text(t('no_data'))}", "context": f"{_swatch(CONTEXT_FILL)}{html_text(t('context_only'))}"}
    choropleth = _class_rows(breaks, exact, lang) + [row for key, row in extra.items() if classes[key]]
    precision = [f"{svg} {html_text(t(key))}" for svg, key in PRECISION_ROWS]
    _legend_box(m, t, [
        (t(f"metric_{metric}"), choropleth, pop_note),
        (t("precision"), precision, t("legend_region_sites").format(n=region_count)),
        (t("layers"), _layer_rows(present, lang), ""),
        (t("supply_title"), supply_rows or [], t("supply_legend_note") if supply_rows else ""),
    ])


class _PointRows(MacroElement):
    """Circle markers made in the browser from ``[lon, lat, tooltip HTML]`` rows (a JSON array), added to the parent layer."""

    _template = Template(
        "{% macro script(this, kwargs) %}(function (g, rows, style) { rows.forEach(function (r) {"
        " L.circleMarker([r[1], r[0]], style).bindTooltip(r[2]).addTo(g); }); })"
        "({{ this._parent.get_name() }}, {{ this.rows }}, {{ this.style }});{% endmacro %}"
    )

    def __init__(self, rows: str, style: str):
        super().__init__()
        self._name = "PointRows"
        self.rows, self.style = rows, style


# Draws one layer's exact points from the table of :func:`point_table` (see :class:`ClusterPoints`).
CLUSTER_POINTS_JS = """
(function (group, color, b64, scale, lang, more, precisionField, shown) {
  var text = atob(b64), bytes = new Uint8Array(text.length), bits = shown === null ? null : atob(shown);
  for (var j = 0; j < text.length; j++) { bytes[j] = text.charCodeAt(j); }  // ten times faster than Uint8Array.from
  new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).json().then(function (d) {
    var n = d.y.length, lat = new Float64Array(n), lng = new Float64Array(n), features = [], x = 0;
    for (var i = 0; i < n; i++) {
      x += d.x[i]; lng[i] = x / scale; lat[i] = d.y[i] / scale;
      // Only the sites the filters keep: bit i (most significant first) of the mask, when there is one.
      if (bits === null || (bits.charCodeAt(i >> 3) >> (7 - (i & 7))) & 1) { features.push({geometry: {coordinates: [lng[i], lat[i]]}, properties: i}); }
    }
    var count = new Intl.NumberFormat(lang), index = null, top = 18, LIST = 8, STREET = 17;
    var style = {radius: 7, weight: 2, color: '#222', fill: true, fillColor: color, fillOpacity: 0.95};
    // The table's values are escaped HTML already (texts.safe.html_text); a column sent without codes is one value per site.
    function cell(f, i) { var k = d.k[f]; return d.v[f][k ? k[i] : i]; }
    function openSite(map, i) {
      var rows = '';
      for (var f = 0; f < d.a.length; f++) { rows += '<tr><th>' + d.a[f] + '</th><td>' + cell(f, i) + '</td></tr>'; }
      L.popup().setLatLng([lat[i], lng[i]]).setContent('<table>' + rows + '</table>').openOn(map);
    }
    // A cluster no zoom can split (sites at one spot): its first sites, each opening its own popup, and how many more.
    function openList(map, marker) {
      var leaves = marker.index.getLeaves(marker.cluster, LIST), box = document.createElement('div'), list = box.appendChild(document.createElement('ul'));
      list.className = 'pjt-spot';
      leaves.forEach(function (leaf) {
        var a = list.appendChild(document.createElement('li')).appendChild(document.createElement('a'));
        a.href = '#'; a.innerHTML = cell(0, leaf.properties); a.dataset.site = leaf.properties;
      });
      if (marker.count > leaves.length) { box.appendChild(document.createElement('div')).textContent = more.replace('{n}', count.format(marker.count - leaves.length)); }
      L.DomEvent.on(list, 'click', function (e) {
        var a = e.target.closest('a'); L.DomEvent.preventDefault(e); if (a) { openSite(map, +a.dataset.site); }
      });
      L.popup().setLatLng(marker.getLatLng()).setContent(box).openOn(map);
    }
    function disc(n) {
      var div = document.createElement('div'), text = count.format(n), size = Math.max(30, 7 * text.length + 10);
      div.style.background = color; div.style.width = div.style.height = div.style.lineHeight = size + 'px';
      div.textContent = text;
      return L.divIcon({html: div, className: 'marker-cluster pjt-cluster', iconSize: [size + 10, size + 10]});
    }
    // Only what the view shows becomes Leaflet layers, redrawn after each move or zoom; removing the layer
    // (the layer control) removes them and the listener.
    var Points = L.Layer.extend({
      onAdd: function (map) {
        if (!index) {
          top = isFinite(map.getMaxZoom()) ? map.getMaxZoom() : top;
          index = new Supercluster({radius: 80, extent: 256, maxZoom: STREET - 1}).load(features);
        }
        this._drawn = L.featureGroup().on('click', this._click, this).on('mouseover', this._hover, this).addTo(map);
        this._draw();
      },
      onRemove: function (map) { map.removeLayer(this._drawn); this._drawn = null; },
      getEvents: function () { return {moveend: this._draw}; },
      _draw: function () {
        var b = this._map.getBounds().pad(0.2), box = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
        var zoom = this._map.getZoom(), drawn = this._drawn;
        // Below street zoom clusters gather the sites within 80 px (as Leaflet.markercluster does). From street zoom
        // on, where the index holds single sites, only the sites in view drawn over each other are gathered: street
        // lights 30 m apart stand alone, and a cluster at the top zoom is sites at one spot.
        var found = index.getClusters(box, zoom), local = index;
        if (zoom >= STREET) { local = new Supercluster({radius: 10, extent: 256, minZoom: STREET, maxZoom: top}).load(found); found = local.getClusters(box, zoom); }
        drawn.clearLayers();
        found.forEach(function (f) {
          var at = [f.geometry.coordinates[1], f.geometry.coordinates[0]], p = f.properties, m;
          if (p.cluster) { m = L.marker(at, {icon: disc(p.point_count)}); m.index = local; m.cluster = p.cluster_id; m.count = p.point_count; }
          else { m = L.circleMarker([lat[p], lng[p]], style); m.site = p; }
          drawn.addLayer(m);
        });
      },
      _click: function (e) {
        var m = e.propagatedFrom, map = this._map;
        if (m.site !== undefined) { openSite(map, m.site); return; }
        var zoom = m.index.getClusterExpansionZoom(m.cluster);
        if (zoom <= map.getMaxZoom()) { map.setView(m.getLatLng(), zoom); } else { openList(map, m); }
      },
      _hover: function (e) {
        var m = e.propagatedFrom;
        if (m.site === undefined || m.getTooltip()) { return; }
        m.bindTooltip('<b>' + cell(0, m.site) + '</b> ' + cell(precisionField, m.site)).openTooltip();
      }
    });
    group.addLayer(new Points());
  });
})
"""
CLUSTER_CSS = """<style>.pjt-cluster div{margin:5px;border-radius:50%;text-align:center;font:bold 12px sans-serif;color:#fff;
box-shadow:0 0 0 2px #222;text-shadow:0 0 2px #000}
.pjt-spot{margin:0;padding-left:18px}</style>"""


class ClusterPoints(JSCSSMixin, MacroElement):
    """One layer's exact points drawn in the browser from one compressed table, clustered there by supercluster.

    The table (:func:`point_table`) travels as gzip-compressed JSON in base64 (no character Jinja or a script tag
    could read as markup). The browser indexes the sites once (a KD-tree per zoom, no object per site) and makes
    Leaflet layers only of the clusters and sites in view: a cluster is a disc in the layer's colour with its count
    in the UI language's digits, and zooms to where it splits when clicked (a cluster no zoom splits lists its first
    sites); a site is a filled circle in the layer's colour, as a GeoJSON point layer draws it. A site's popup (and
    tooltip: name and precision) is built from the table when it is clicked, for that site only, and inserted as the
    escaped HTML it already is. ``shown`` (row labels), if given, are the table's sites to draw, sent as a bit mask.
    """

    default_js = list(assets.SUPERCLUSTER_JS)
    _template = Template(
        "{% macro script(this, kwargs) %}" + CLUSTER_POINTS_JS + "({{ this._parent.get_name() }}, {{ this.color }},"
        ' "{{ this.table }}", {{ this.scale }}, {{ this.lang }}, {{ this.more }}, {{ this.precision_field }}, {{ this.shown }});{% endmacro %}'
    )

    def __init__(self, table: PointTable, color: str, lang: str = "id", shown: pd.Index | None = None):
        super().__init__()
        self._name = "ClusterPoints"
        self.scale = POINT_SCALE
        self.color, self.lang, self.more = script_json(color), script_json(lang), script_json(translator(lang)("map_cluster_more"))
        self.table, self.precision_field = table.text, table.precision_field
        kept = None if shown is None else np.isin(table.index, shown.to_numpy())
        self.shown = "null" if kept is None or kept.all() else script_json(base64.b64encode(np.packbits(kept).tobytes()).decode("ascii"))

    def render(self, **kwargs):
        # MacroElement.render would compile the script (a megabyte of table at 100,000 points) as a Jinja template
        # once more, a quarter of a second each time; the script is final once made, so it goes in as it is.
        figure = self.get_root()
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        figure.header.add_child(Element(CLUSTER_CSS), name="pjt_cluster_css")
        figure.script.add_child(_Verbatim(self._template.module.script(self, kwargs)), name=self.get_name())


class _Verbatim(Element):
    """Text put into the page as it is (an :class:`Element` made from a string is a Jinja template)."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


@dataclass(frozen=True)
class PointTable:
    """:func:`point_table`'s result: ``text`` the compressed table, ``index`` the sites' row labels in its order,
    ``precision_field`` the position of the precision among its fields (the tooltip's second line)."""

    text: str
    index: np.ndarray
    precision_field: int


def _in_order(values: object, order: np.ndarray) -> object:
    """A column (or a scalar standing for every row) in the row order ``order``: cheaper than reordering the frame."""
    return values if np.ndim(values) == 0 else pd.Series(values).iloc[order]


def point_table(points: gpd.GeoDataFrame, columns: Columns, aliases: list[str]) -> PointTable:
    """The compressed table :class:`ClusterPoints` draws (column operations only).

    ``x`` longitudes in 1e-5 degree, sorted and sent as differences; ``y`` latitudes; per popup field ``k`` the
    codes into ``v``, its distinct values escaped once (``k`` is null when every site has its own value: ``v``
    then holds one value per site, saving a code per site); ``a`` the escaped field labels.
    """
    x = np.round(points.geometry.x.to_numpy() * POINT_SCALE).astype(np.int64)
    order = np.argsort(x, kind="stable")
    x, y = x[order], np.round(points.geometry.y.to_numpy()[order] * POINT_SCALE).astype(np.int64)
    coded = [_dictionary(_in_order(fn(points), order), len(order)) for fn in columns.values()]
    table = {
        "x": np.diff(x, prepend=0).tolist(), "y": y.tolist(),
        "k": [None if np.array_equal(codes, np.arange(len(codes))) else codes.tolist() for codes, _ in coded],
        "v": [texts for _, texts in coded], "a": aliases,
    }
    raw = json.dumps(table, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text = base64.b64encode(gzip.compress(raw, compresslevel=1, mtime=0)).decode("ascii")
    return PointTable(text, points.index.to_numpy()[order], list(columns).index("presisi"))


def supply_layers(m, supply: gpd.GeoDataFrame, t: Translate, show: tuple[str, ...] = ()) -> list[str]:
    """One toggleable layer of small circle markers per kind of existing facility; returns the legend rows.

    ``supply`` is :func:`geo.supply.load_supply`; only usable positions are
    drawn (flagged ones are listed by the page, never drawn as points). Kinds
    in ``show`` start switched on. Each point carries only its escaped name,
    so thousands of schools stay a compact client-side layer.
    """
    drawn = existing_supply.usable(supply)
    rows = []
    for kind_id, kind in existing_supply.KINDS.items():
        points = drawn[drawn["kind"] == kind_id]
        if points.empty:
            continue
        label = html_text(existing_supply.kind_label(kind_id, t))
        icon = f'<i class="fa-solid fa-{html_text(kind.icon)}" style="color:{html_text(kind.color)};width:1.3em"></i>'
        group = folium.FeatureGroup(name=f"{icon}{label} ({len(points)})", show=kind_id in show)
        # [lon, lat, escaped name] per point, made into circle markers in the browser (as FastMarkerCluster does).
        xy = points.geometry.set_precision(GRID_DEGREES)
        data = script_json([[x, y, name] for x, y, name in zip(xy.x.round(6), xy.y.round(6), points["name"].map(html_text))])
        style = script_json({"radius": 3, "weight": 1, "color": "#fff", "fillColor": kind.color, "fillOpacity": 0.9})
        group.add_child(_PointRows(data, style))
        group.add_to(m)
        rows.append(f'<svg width="14" height="12"><circle cx="7" cy="6" r="4" fill="{html_text(kind.color)}"/></svg> {label}')
    return rows


def base_map(attributions: list[str]) -> folium.Map:
    """An empty map with offline assets and the data sources credited."""
    m = folium.Map(location=CENTER, zoom_start=10, tiles="OpenStreetMap", control_scale=True)
    assets.use_local_assets(m)
    m.add_child(_Script("L.Icon.Default.imagePath = %s;" % script_json(assets.ICON_IMAGE_PATH)))
    _attribution(m, attributions)
    m.get_root().html.add_child(Element(MAP_CSS))
    m.add_child(_MapCall("PageLinks", PAGE_LINKS_JS))
    return m


def _site_layers(m, sites, layers, outlines, t: Translate, lang: str, point_layer: PointLayer | None = None) -> list[Layer]:
    """One toggleable group per layer with drawable sites; returns those layers."""
    drawn = sites[sites["precision"] != Precision.REGION.value]
    drawn_ids = set(drawn["layer"].unique())
    present = [layers[lid] for lid in layers if lid in drawn_ids]
    areas = drawn[drawn["precision"].isin([Precision.DESA.value, Precision.KECAMATAN.value])]
    steps = _area_steps(areas, [layer.id for layer in present]) if len(areas) else pd.Series(dtype=int)
    for layer in present:
        _site_layer(m, drawn[drawn["layer"] == layer.id], layer, outlines, steps, t, lang, point_layer)
    return present


def build_map(
    *,
    kecamatan: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    metrics: pd.DataFrame,
    metric: str,
    layers: dict[str, Layer],
    t: Translate,
    lang: str,
    attributions: list[str],
    pop_note: str,
    desa: gpd.GeoDataFrame | None = None,
    outlines: dict[str, object] | None = None,
    references: dict[str, gpd.GeoDataFrame] | None = None,
    focus: gpd.GeoDataFrame | None = None,
    supply: gpd.GeoDataFrame | None = None,
    desa_names: gpd.GeoDataFrame | None = None,
    labels: list[list] | None = None,
    point_layer: PointLayer | None = None,
) -> folium.Map:
    """The dashboard map.

    ``kecamatan`` and ``desa`` are display-simplified boundaries; ``outlines``
    maps BPS codes to the (simplified) polygons that admin-level sites are drawn
    with. ``t`` translates label keys; ``lang`` picks layer labels. The view
    fits ``focus`` (default: both program regions). ``supply`` (existing
    facilities, :func:`geo.supply.load_supply`) adds one layer per kind.
    Kecamatan and region names are always on the map; ``desa_names`` (desa
    boundaries) adds their names, shown when zoomed in. ``labels`` are :func:`area_label_rows` of ``kecamatan``
    if already made; ``point_layer`` makes the element of a layer's many exact points (default
    :func:`cluster_points`).
    """
    m = base_map(attributions)
    site_lists = _site_lists(sites, layers, lang)
    breaks, exact, classes = _boundaries(m, kecamatan, metrics, metric, t, lang, site_lists)
    if desa is not None:
        _admin_lines(m, desa, t, "desa", 0.6)
    present = _site_layers(m, sites, layers, outlines or {}, t, lang, point_layer)
    for lid, frame in (references or {}).items():
        _reference_layer(m, frame, layers[lid], t, lang)
    supply_rows = supply_layers(m, supply, t, show=SUPPLY_SHOWN) if supply is not None else None
    region_count = int((sites["precision"] == Precision.REGION.value).sum())
    _legend(m, breaks, exact, classes, metric, present, region_count, t, lang, pop_note, supply_rows)
    folium.LayerControl(collapsed=True).add_to(m)
    labels = area_label_rows(kecamatan) if labels is None else labels
    map_labels(m, labels + (label_rows(desa_names, "desa", "desa") if desa_names is not None else []))
    if focus is None or focus.empty:
        focus = kecamatan[kecamatan["kode_kab"].isin(PROGRAM_REGIONS)]
    fit_clear_of_legend(m, focus.total_bounds)
    return m


def _site_lists(sites: pd.DataFrame, layers: dict[str, Layer], lang: str) -> dict[str, str]:
    """Per kecamatan code, an escaped '<br>'-joined list of 'layer: n' lines, the largest count first."""
    counts = sites.groupby("kode_kec")["layer"].value_counts()  # one pass, not a sub-frame per kecamatan (slow at 100,000 sites)
    lines: dict[str, list[str]] = {}
    for (code, lid), n in counts.items():
        lines.setdefault(code, []).append(f"{html_text(layers[lid].label(lang))}: {n}")
    return {code: "<br>".join(rows) for code, rows in lines.items()}


def build_near_map(
    *,
    kecamatan: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    layers: dict[str, Layer],
    t: Translate,
    lang: str,
    attributions: list[str],
    outlines: dict[str, object],
    location: tuple[float, float] | None = None,
    radius_m: float = 3000,
    supply: gpd.GeoDataFrame | None = None,
    place: pd.Series | None = None,
) -> folium.Map:
    """The "near me" map: the radius circle around ``location``, the given sites and existing facilities (``supply``).

    ``place`` (:func:`geo.locate.locate` of the location) has its desa and
    kecamatan outlined and named. Kecamatan names and a legend of what is
    drawn are always there. It has a geolocation button; a position it finds
    is passed on as a map click, so the app receives it the same way as a
    click on the map.
    """
    m = base_map(attributions)
    _admin_lines(m, kecamatan, t, "kecamatan", 1)
    home_rows = _home_outlines(m, place, outlines, t) if place is not None else {}
    if location is not None:
        # Drawn before the sites, so a site at the very same spot stays on top and clickable.
        folium.Circle(location, radius=radius_m, color="#c62828", weight=2, fill=True, fill_opacity=0.04).add_to(m)
        folium.CircleMarker(location, radius=9, color="#c62828", weight=3, fill=True, fill_color="#ffffff", fill_opacity=1).add_to(m)
    if supply is not None:
        supply_rows = supply_layers(m, supply, t, show=tuple(existing_supply.KINDS))
    else:
        supply_rows = []
    present = _site_layers(m, sites, layers, outlines, t, lang)
    folium.LayerControl(collapsed=True).add_to(m)
    _near_legend(m, t, lang, location is not None, home_rows, sites, present, supply_rows)
    map_labels(m, list(home_rows.values()) + _kecamatan_label_rows(kecamatan))
    control = assets.locate_control(position="topleft", setView="once", flyTo=False, strings={"title": t("locate_me")})
    control.add_to(m)
    name = m.get_name()
    # A press on the button must not count as a click on the map; the position it finds does.
    m.add_child(_Script(
        "L.DomEvent.disableClickPropagation(%s.getContainer());"
        "%s.on('locationfound', function (e) { %s.fire('click', {latlng: e.latlng}); });" % (control.get_name(), name, name)
    ))
    if location is None:
        fit_clear_of_legend(m, kecamatan[kecamatan["kode_kab"].isin(PROGRAM_REGIONS)].total_bounds)
        return m
    lat, lon = location
    dlat = radius_m / 111_320
    dlon = dlat / math.cos(math.radians(lat))
    fit_clear_of_legend(m, (lon - dlon, lat - dlat, lon + dlon, lat + dlat))
    return m


COVERED_FILL = "#2e7d32"
PROPOSAL_COLOR = "#6a1b9a"
DISTANCE_BREAKS_M = (1000, 2000, 3000, 5000, float("inf"))


def _distance_fill(distance_m) -> str:
    if distance_m is None or pd.isna(distance_m):
        return NO_DATA_FILL
    for color, upper in zip(PALETTE[::-1], DISTANCE_BREAKS_M):
        if distance_m <= upper:
            return color
    return PALETTE[0]


def build_coverage_map(
    *,
    kecamatan: gpd.GeoDataFrame,
    desa: gpd.GeoDataFrame,
    coverage,
    layer: Layer,
    sites: gpd.GeoDataFrame,
    mode: str,
    t: Translate,
    lang: str,
    attributions: list[str],
    outlines: dict[str, object],
    proposals: gpd.GeoDataFrame | None = None,
    focus: gpd.GeoDataFrame | None = None,
    supply: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """The planners' map for one layer and radius.

    ``mode`` is "uncovered" (desa shaded by people outside the radius, from
    ``coverage.desa``) or "distance" (demand cells shaded by the distance to
    the nearest counted site). The covered area, the layer's sites and any
    model ``proposals`` (points in any CRS, with ``rank``, ``label`` and
    ``added_population``) are drawn on top; proposals are labelled as model
    proposals, never as plans. ``supply`` is the existing facilities the
    coverage counts (:func:`geo.supply.counterpart_sites`).
    """
    m = base_map(attributions)
    if mode == "distance":
        cells = coverage.cells.to_crs("EPSG:4326")
        props = _props(cells, {"desa": lambda f: f["desa"], "jarak": lambda f: _numbers(f["distance_m"] / 1000, lang),
                               "penduduk": lambda f: _numbers(f["population"], lang, 0)})
        props["_fill"] = [_distance_fill(d) for d in cells["distance_m"]]
        tooltip = folium.GeoJsonTooltip(fields=["desa", "jarak", "penduduk"], aliases=[html_text(t("desa")), html_text(t("distance_km")), html_text(t("population_est"))])
        rows = [f"{_swatch(_distance_fill(u))}\u2264 {format_number(u / 1000, lang)} km" for u in DISTANCE_BREAKS_M[:-1]]
        rows += [f"{_swatch(PALETTE[0])}> {format_number(DISTANCE_BREAKS_M[-2] / 1000, lang)} km", f"{_swatch(NO_DATA_FILL)}{html_text(t('no_counted_sites'))}"]
        title = t("map_distance")
    else:
        values = desa.merge(coverage.desa[["kode_desa", "population", "uncovered", "share"]], on="kode_desa")
        breaks = [float(round(b)) for b in class_breaks(values["uncovered"].round())]
        props = _props(values, {"desa": lambda f: f["desa"], "kecamatan": lambda f: f["kecamatan"],
                                "tidak": lambda f: _numbers(f["uncovered"], lang, 0), "porsi": lambda f: _numbers(100 * f["share"], lang, 1)})
        props["_fill"] = [fill_for(round(v), breaks) for v in values["uncovered"]]
        tooltip = folium.GeoJsonTooltip(fields=["desa", "kecamatan", "tidak", "porsi"],
                                        aliases=[html_text(t("desa")), html_text(t("kecamatan")), html_text(t("uncovered_people")), html_text(t("covered_pct"))])
        rows, title = _class_rows(breaks, False, lang), t("map_uncovered")
    folium.GeoJson(
        props.__geo_interface__, name=title, control=False,
        style_function=lambda f: {"fillColor": f["properties"]["_fill"], "color": "#999", "weight": 0.3, "fillOpacity": 0.6},
        tooltip=tooltip,
    ).add_to(m)
    if not coverage.area.is_empty.all():
        area = coverage.area.to_crs("EPSG:4326").simplify(GRID_DEGREES).set_precision(GRID_DEGREES)
        folium.GeoJson(area.__geo_interface__, name=html_text(t("covered_area")),
                       style_function=lambda f: {"color": COVERED_FILL, "weight": 1.5, "fillColor": COVERED_FILL, "fillOpacity": 0.25}).add_to(m)
    _admin_lines(m, kecamatan, t, "kecamatan", 1)
    present = _site_layers(m, sites, {layer.id: layer}, outlines, t, lang)
    supply_rows = supply_layers(m, supply, t, show=tuple(existing_supply.KINDS)) if supply is not None else []
    proposal_rows = []
    if proposals is not None and len(proposals):
        _proposal_layer(m, proposals.to_crs("EPSG:4326"), coverage.radius_m, t, lang)
        proposal_rows = [f'<svg width="18" height="14"><circle cx="9" cy="7" r="5" fill="#fff" stroke="{PROPOSAL_COLOR}" stroke-width="2.5" stroke-dasharray="3 2"/></svg> {html_text(proposals["label"].iloc[0])}']
    _legend_box(m, t, [
        (title, rows, ""),
        (t("covered_area"), [f"{_swatch(COVERED_FILL)}{html_text(t('within_radius').format(r=format_number(coverage.radius_m / 1000, lang)))}"], t("coverage_counts_exact")),
        (t("layers"), _layer_rows(present, lang) + proposal_rows, t("proposal_note") if proposal_rows else ""),
        (t("supply_title"), supply_rows, t("supply_legend_note") if supply_rows else ""),
    ])
    folium.LayerControl(collapsed=True).add_to(m)
    map_labels(m, _kecamatan_label_rows(kecamatan))
    focus = kecamatan if focus is None or focus.empty else focus
    fit_clear_of_legend(m, focus.total_bounds)
    return m


def _proposal_layer(m, proposals: gpd.GeoDataFrame, radius_m: float, t: Translate, lang: str) -> None:
    group = folium.FeatureGroup(name=html_text(proposals["label"].iloc[0]))
    for geom in proposals.geometry:
        folium.Circle((geom.y, geom.x), radius=radius_m, color=PROPOSAL_COLOR, weight=1, dash_array="4 4", fill=False).add_to(group)
    props = _props(proposals, {
        "usulan": lambda f: f["label"].astype(str) + " #" + f["rank"].astype(str),
        "tambahan": lambda f: _numbers(f["added_population"], lang, 0),
        "wilayah": _place,
    })
    folium.GeoJson(
        props.__geo_interface__,
        marker=folium.CircleMarker(radius=8, weight=3, color=PROPOSAL_COLOR, dash_array="3 2", fill=True, fill_color="#ffffff", fill_opacity=1),
        tooltip=folium.GeoJsonTooltip(fields=["usulan", "tambahan", "wilayah"], aliases=[html_text(t("proposal")), html_text(t("added_people")), html_text(t("place"))]),
        popup=folium.GeoJsonPopup(fields=["usulan", "tambahan", "wilayah"], aliases=[html_text(t("proposal")), html_text(t("added_people")), html_text(t("place"))]),
    ).add_to(group)
    group.add_to(m)


IMPORT_OK, IMPORT_PROBLEM, IMPORT_DROPPED = "#2e7d32", "#c62828", "#9e9e9e"


def build_import_map(*, rows: gpd.GeoDataFrame, kecamatan: gpd.GeoDataFrame, t: Translate, attributions: list[str]) -> folium.Map:
    """Preview of uploaded rows before anything is stored: green fine, red with problems, grey dropped."""
    m = base_map(attributions)
    _admin_lines(m, kecamatan, t, "kecamatan", 1)
    drawn = rows[rows.geometry.notna() & ~rows.geometry.is_empty]
    if len(drawn):
        props = _props(drawn, {
            "baris": lambda f: f["row"],
            "nama": lambda f: f["name"],
            "masalah": lambda f: f["problems"].map("; ".join).replace("", "\u2014"),
        })
        props["_color"] = [IMPORT_DROPPED if not keep else IMPORT_PROBLEM if problems else IMPORT_OK
                           for keep, problems in zip(drawn["keep"], drawn["problems"])]
        tooltip = folium.GeoJsonTooltip(fields=["baris", "nama", "masalah"], aliases=[html_text(t("import_row")), html_text(t("name")), html_text(t("import_problems"))])
        folium.GeoJson(
            props.__geo_interface__,
            marker=folium.CircleMarker(radius=7, weight=2, color="#222", fill=True, fill_opacity=0.9),
            style_function=lambda f: {"color": f["properties"]["_color"], "fillColor": f["properties"]["_color"], "weight": 2},
            tooltip=tooltip,
        ).add_to(m)
        minx, miny, maxx, maxy = drawn.total_bounds
        m.fit_bounds([[miny, minx], [maxy, maxx]], max_zoom=14)
    _legend_box(m, t, [(t("import_preview"), [f"{_swatch(IMPORT_OK)}{html_text(t('import_ok'))}", f"{_swatch(IMPORT_PROBLEM)}{html_text(t('import_problems'))}",
                                              f"{_swatch(IMPORT_DROPPED)}{html_text(t('import_dropped'))}"], "")])
    return m


# --- Names, a legend clear of the program area and kecamatan popups ---

# Zoom range per kind of name; within a range, names that would overlap one drawn earlier are hidden.
LABEL_ZOOMS = (("home", 0, 19), ("region", 0, 12), ("kecamatan", 10, 19), ("desa", 12, 19))
LABEL_CSS = """<style>.leaflet-tooltip.pjt-label{background:none;border:0;box-shadow:none;padding:0;color:#222;white-space:nowrap;
font:600 11px/1.1 sans-serif;text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 2px #fff}.leaflet-tooltip.pjt-label:before{display:none}
.pjt-label-region{font-size:15px!important;color:#4a4a4a!important;letter-spacing:.04em;text-transform:uppercase}
.pjt-label-desa{font-weight:400!important;font-size:10px!important;color:#333!important}
.pjt-label-home{color:#ad1457!important;font-size:12px!important}
.leaflet-control.pjt-legend{position:relative;left:auto;bottom:auto;margin-bottom:6px}</style>"""
HOME_DESA, HOME_KECAMATAN = "#ad1457", "#37474f"


class _MapCall(MacroElement):
    """Runs ``(js)(map, *args)`` once the map exists; ``args`` are JSON texts from :func:`texts.safe.script_json`.

    ``js`` is a JavaScript function expression written here (it becomes part of
    a Jinja template, so it holds no data); data only ever comes in ``args``.
    """

    def __init__(self, name: str, js: str, *args: str):
        super().__init__()
        self._name = name
        self.args = "".join(", " + a for a in args)
        self._template = Template("{% macro script(this, kwargs) %}(" + js + ")({{ this._parent.get_name() }}{{ this.args }});{% endmacro %}")


# Permanent names from [lat, lon, text, kind] rows, set as text (never HTML), shown per zoom and without overlaps.
LABELS_JS = (
    "function (map, rows, zooms) {"
    " var pane = map.createPane('pjtLabels'); pane.style.zIndex = 450; pane.style.pointerEvents = 'none';"
    " var range = {}; zooms.forEach(function (z) { range[z[0]] = [z[1], z[2]]; });"
    " var labels = rows.map(function (r) { var el = document.createElement('span'); el.textContent = r[2];"
    "  return {kind: r[3], tip: L.tooltip({permanent: true, direction: 'center', interactive: false, pane: 'pjtLabels',"
    "  className: 'pjt-label pjt-label-' + r[3]}).setLatLng([r[0], r[1]]).setContent(el).addTo(map)}; });"
    # Shows, centres, measures and hides in separate passes: interleaved, every label forced a layout of the page.
    " function place() { var z = map.getZoom(), taken = [];"
    "  var shown = labels.filter(function (l) { var el = l.tip.getElement(); if (!el) return false; var r = range[l.kind] || [0, 19];"
    "   el.style.display = z >= r[0] && z <= r[1] ? '' : 'none'; return !el.style.display; });"
    "  shown.forEach(function (l) { l.tip.update(); });"  # centre each on its width now that it is shown (a hidden label measures 0 wide)
    "  var boxes = shown.map(function (l) { return l.tip.getElement().getBoundingClientRect(); });"
    "  shown.forEach(function (l, i) { var b = boxes[i];"
    "   var hit = taken.some(function (o) { return b.left < o.right && b.right > o.left && b.top < o.bottom && b.bottom > o.top; });"
    "   if (hit) l.tip.getElement().style.display = 'none'; else taken.push(b); }); }"
    " map.on('zoomend', function () { setTimeout(place, 0); }); map.whenReady(function () { setTimeout(place, 0); });"
    "}"
)


def label_rows(frame: gpd.GeoDataFrame, column: str, kind: str) -> list[list]:
    """``[lat, lon, name, kind]`` per area, at a point inside it (rounded to about 1 m)."""
    points = frame.geometry.representative_point()
    return [[round(p.y, 5), round(p.x, 5), str(name), kind] for p, name in zip(points, frame[column])]


def area_label_rows(kecamatan: gpd.GeoDataFrame) -> list[list]:
    """The kecamatan and region names of the dashboard map: the program kecamatan first, so a region caption or a
    context name gives way to them where names would overlap."""
    program = kecamatan["kode_kab"].isin(PROGRAM_REGIONS)
    return (label_rows(kecamatan[program], "kecamatan", "kecamatan") + region_label_rows(kecamatan)
            + label_rows(kecamatan[~program], "kecamatan", "kecamatan"))


def region_label_rows(kecamatan: gpd.GeoDataFrame) -> list[list]:
    """One caption per region, at a point inside the region (its kecamatan dissolved)."""
    regions = kecamatan.dissolve(by="kabupaten_kota", as_index=False)[["kabupaten_kota", "geometry"]]
    return label_rows(regions, "kabupaten_kota", "region")


def map_labels(m, rows: list[list]) -> None:
    """Names on the map (:data:`LABELS_JS`); rows earlier in the list win where names overlap."""
    m.get_root().html.add_child(Element(LABEL_CSS))
    m.add_child(_MapCall("Labels", LABELS_JS, script_json(rows), script_json([list(z) for z in LABEL_ZOOMS])))


# Fit ``bounds`` beside or above the legend (whichever allows the closer zoom); the legend is folded on narrow maps.
FIT_CLEAR_JS = (
    "function (map, b) {"
    " function fit() { var box = map.getContainer().querySelector('.pjt-legend'), size = map.getSize();"
    "  if (!box) { map.fitBounds(b); return; }"
    "  box.style.maxHeight = Math.round(size.y * 0.6) + 'px'; box.style.overflowY = 'auto';"
    "  if (size.x < 600) box.open = false;"
    "  var c = map.getContainer().getBoundingClientRect(), r = box.getBoundingClientRect();"
    "  var side = {paddingTopLeft: [r.right - c.left + 8, 8], paddingBottomRight: [8, 8]};"
    "  var below = {paddingTopLeft: [8, 8], paddingBottomRight: [8, c.bottom - r.top + 8]};"
    "  function room(o) { var p = L.point(o.paddingTopLeft).add(o.paddingBottomRight); return size.x - p.x > 80 && size.y - p.y > 80; }"
    "  function zoom(o) { return map.getBoundsZoom(b, false, L.point(o.paddingTopLeft).add(o.paddingBottomRight)); }"
    "  var options = [side, below].filter(room);"
    "  if (!options.length && box.open) { box.open = false; fit(); return; }"
    "  if (!options.length) { map.fitBounds(b, {animate: false}); return; }"
    "  var chosen = options.length > 1 && zoom(below) > zoom(side) ? below : options[0];"
    "  map.fitBounds(b, L.extend({animate: false}, chosen)); }"
    # The legend's markup may arrive after this script: wait for it (up to 3 s).
    " function start(n) { if (document.querySelector('.pjt-legend') || n > 60) fit(); else setTimeout(function () { start(n + 1); }, 50); }"
    " map.whenReady(function () { setTimeout(function () { start(0); }, 0); });"
    # The frame may still change size after the first fit: fit again until the visitor has moved the map.
    " var touched = false; ['mousedown', 'touchstart', 'wheel', 'keydown'].forEach(function (name) {"
    "  map.getContainer().addEventListener(name, function () { touched = true; }, {passive: true}); });"
    " map.on('resize', function () { if (!touched) fit(); });"
    "}"
)


def fit_clear_of_legend(m, bounds) -> None:
    """Show ``bounds`` (minx, miny, maxx, maxy in degrees) whole, with no part of it under the legend."""
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    # No folium fit_bounds as well: its animated zoom would end after this fit and undo it.
    m.add_child(_MapCall("FitClear", FIT_CLEAR_JS, script_json([[round(miny, 5), round(minx, 5)], [round(maxy, 5), round(maxx, 5)]])))


# The legend moved into a bottom-left Leaflet control, so it stacks above the scale bar and clicks stay on it;
# it folds while a popup is open.
LEGEND_CONTROL_JS = (
    "function (map) {"
    " function attach(n) { var box = document.querySelector('.pjt-legend');"
    "  if (!box) { if (n < 60) setTimeout(function () { attach(n + 1); }, 50); return; }"  # its markup may come later
    "  var control = L.control({position: 'bottomleft'});"
    "  control.onAdd = function () { box.classList.add('leaflet-control'); L.DomEvent.disableClickPropagation(box);"
    "   L.DomEvent.disableScrollPropagation(box); return box; };"
    "  control.addTo(map);"
    # A popup opens above the map but below the controls: fold the legend while one is open.
    "  var folded = false;"
    "  map.on('popupopen', function () { folded = box.open; box.open = false; });"
    "  map.on('popupclose', function () { if (folded) box.open = true; folded = false; }); }"
    " attach(0);"
    "}"
)


# Links in popups carry their query in ``data-q``; they open the app (the page around the map's frame) in a new tab.
PAGE_LINKS_JS = (
    "function (map) {"
    " var base; try { base = window.parent.location.href; } catch (e) { base = document.referrer || location.href; }"
    " map.on('popupopen', function (e) { e.popup.getElement().querySelectorAll('a[data-q]').forEach(function (a) {"
    "  a.href = new URL('?' + a.getAttribute('data-q'), base).href; a.target = '_blank'; a.rel = 'noopener'; }); });"
    "}"
)


def page_link(query: dict[str, str], text: str) -> str:
    """An escaped link to an app page (see :data:`PAGE_LINKS_JS`)."""
    return f'<a data-q="{html_text(urlencode(query))}">{html_text(text)}</a>'


def _program_links(kecamatan: pd.DataFrame, t: Translate) -> list[str]:
    """Per kecamatan: links to its briefing and to the promise list filtered to it (a dash outside the program regions)."""
    return [
        page_link({"hal": "ringkasan", "area": code}, t("map_open_briefing")) + " \u00b7 "
        + page_link({"hal": "janji", "j_kec": code}, t("map_open_promises"))
        if kab in PROGRAM_REGIONS else "\u2014"
        for code, kab in zip(kecamatan["kode_kec"], kecamatan["kode_kab"])
    ]


def _kecamatan_label_rows(kecamatan: gpd.GeoDataFrame) -> list[list]:
    """Kecamatan names, the program regions' first (they win where names would overlap)."""
    program = kecamatan["kode_kab"].isin(PROGRAM_REGIONS)
    return label_rows(kecamatan[program], "kecamatan", "kecamatan") + label_rows(kecamatan[~program], "kecamatan", "kecamatan")


def _home_outlines(m, place: pd.Series, outlines: dict[str, object], t: Translate) -> dict[str, list]:
    """Outline the resident's desa and kecamatan; returns per level drawn its name's label row."""
    spots = {}
    for level, code, color, weight in (("desa", place["kode_desa"], HOME_DESA, 3), ("kecamatan", place["kode_kec"], HOME_KECAMATAN, 2.5)):
        shape = outlines.get(code)
        if shape is None:
            continue
        frame = gpd.GeoDataFrame({"nama": [html_text(place[level])]}, geometry=[shape], crs="EPSG:4326")
        folium.GeoJson(
            frame.__geo_interface__, name=html_text(t(f"near_home_{level}")),
            style_function=lambda f, c=color, w=weight: {"color": c, "weight": w, "fill": False, "opacity": 0.9},
            tooltip=folium.GeoJsonTooltip(fields=["nama"], aliases=[html_text(t(level))]),
        ).add_to(m)
        point = shape.representative_point()
        spots[level] = [round(point.y, 5), round(point.x, 5), str(place[level]), "home"]
    return spots


def _near_legend(m, t: Translate, lang: str, located: bool, home_rows: dict, sites: pd.DataFrame, present: list[Layer], supply_rows: list[str]) -> None:
    """The near-me legend: only what this map draws."""
    def line(color: str, width: float, dash: str = "") -> str:
        return (f'<svg width="18" height="14"><rect x="2" y="2" width="14" height="10" fill="none" stroke="{color}" '
                f'stroke-width="{width}" stroke-dasharray="{dash}"/></svg>')

    you = []
    if located:
        you = [
            f'<svg width="18" height="14"><circle cx="9" cy="7" r="5" fill="#fff" stroke="#c62828" stroke-width="2.5"/></svg> {html_text(t("near_legend_you"))}',
            f'<svg width="18" height="14"><circle cx="9" cy="7" r="6" fill="#c62828" fill-opacity=".08" stroke="#c62828" stroke-width="1.5"/></svg> {html_text(t("near_legend_radius"))}',
        ]
    you += [f"{line(c, 2.5)} {html_text(t(f'near_home_{lvl}'))}" for c, lvl in ((HOME_DESA, "desa"), (HOME_KECAMATAN, "kecamatan")) if lvl in home_rows]
    drawn = set(sites["precision"]) if len(sites) else set()
    precision = [f"{svg} {html_text(t(key))}" for (svg, key), p in zip(PRECISION_ROWS, (Precision.EXACT, Precision.DESA, Precision.KECAMATAN))
                 if p.value in drawn]
    _legend_box(m, t, [
        (t("near_legend_title"), you, ""),
        (t("precision"), precision, t("near_legend_area_note") if len(precision) > (Precision.EXACT.value in drawn) else ""),
        (t("layers"), _layer_rows(present, lang), ""),
        (t("supply_title"), supply_rows, ""),
    ])
