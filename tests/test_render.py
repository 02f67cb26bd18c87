"""The folium map: escaping, precision drawn honestly, offline assets, choropleth classes."""

from __future__ import annotations

import itertools
import json
import re

import pytest
from shapely.geometry import Point

from geo import boundaries
from geo.display import simplify_for_display
from layers.model import Precision, Site
from layers.render import build_map, class_breaks, class_labels, fill_for, PALETTE
from layers.sites import site_frame
from layers.summary import kecamatan_metrics
from texts.catalog import translator
from texts.safe import html_text, script_json

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def display(kecamatan):
    return simplify_for_display(kecamatan)


def render(sites, catalog, layers, kecamatan, desa, display, data_root, **kw):
    frame = site_frame(sites, catalog, kecamatan, desa)
    metrics = kecamatan_metrics(frame, display, boundaries.kecamatan_population(data_root))
    m = build_map(
        kecamatan=display, sites=frame, metrics=metrics, metric="sites", layers=layers, t=translator("id"), lang="id",
        attributions=[XSS], pop_note=XSS, outlines=dict(zip(display["kode_kec"], display.geometry)), **kw,
    )
    return m.get_root().render()


def _point_and_area(text: str) -> list[Site]:
    """An exact point and a kecamatan-level site whose name and source are ``text``."""
    return [
        Site(id="t1", program="tsl-4-7-05", layer="posko_bencana", name=text, precision=Precision.EXACT,
             geometry=Point(106.72, -6.27), source=text, updated="2026-11-23"),
        Site(id="t2", program="tsl-1-1-01", layer="smp_baru", name=text, precision=Precision.KECAMATAN,
             admin_code="3674010", source=text, updated="2026-11-23"),
    ]


def test_text_from_files_is_escaped_everywhere(catalog, layers, kecamatan, desa, display, data_root):
    html = render(_point_and_area(XSS), catalog, layers, kecamatan, desa, display, data_root)
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_precision_is_drawn_differently(catalog, layers, kecamatan, desa, display, data_root):
    sites = [
        Site(id="pt", program="tsl-4-7-05", layer="posko_bencana", name="Posko titik", precision=Precision.EXACT,
             geometry=Point(106.72, -6.27), updated="2026-11-23"),
        Site(id="kc", program="tsl-1-1-01", layer="smp_baru", name="SMP kecamatan", precision=Precision.KECAMATAN,
             admin_code="3674010", updated="2026-11-23"),
        Site(id="rg", program="tsl-4-2-09", layer="tpu", name="TPU wilayah", precision=Precision.REGION,
             admin_code="3674", updated="2026-11-23"),
    ]
    html = render(sites, catalog, layers, kecamatan, desa, display, data_root)
    features = {}
    for blob in re.findall(r"_add\((\{.*?\})\);\n", html):
        for f in json.loads(blob)["features"]:
            if "nama" in f["properties"]:
                features[f["properties"]["nama"]] = f
    assert features["Posko titik"]["geometry"]["type"] == "Point"
    assert features["SMP kecamatan"]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert features["SMP kecamatan"]["properties"]["_dash"] == "10 6"
    assert "TPU wilayah" not in features  # region-level: listed, never drawn
    assert "new L.CircleMarker(latlng, opts)" in html
    assert "1 lokasi hanya diketahui tingkat kabupaten/kota" in html


def test_no_cdn_links_and_local_leaflet(catalog, layers, kecamatan, desa, display, data_root):
    html = render([], catalog, layers, kecamatan, desa, display, data_root)
    assert "/app/static/vendor/leaflet/leaflet.js" in html
    links = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert links == [], links
    assert "L.Icon.Default.imagePath" in html


def test_reference_layers_are_labelled_incomplete(catalog, layers, kecamatan, desa, display, data_root):
    refs = {"ref_rs": boundaries.load_reference("facilities_hospital_osm.geojson", data_root)}
    html = render([], catalog, layers, kecamatan, desa, display, data_root, references=refs)
    assert "tidak lengkap" in html and "RSUD Tangerang Selatan" in html


def test_class_breaks_and_fill():
    assert class_breaks(__import__("pandas").Series([0, 1, 1, 3])) == [0.0, 1.0, 3.0]
    assert fill_for(0, [0.0, 1.0, 3.0]) == PALETTE[0] and fill_for(3, [0.0, 1.0, 3.0]) == PALETTE[-1]
    assert class_labels([0.0, 1.5, 1500.0], True, "id") == ["0", "1,5", "1.500"]
    assert class_labels([2.5, 1500.0], False, "en") == ["0 \u2013 2.5", "2.5 \u2013 1,500"]


def test_template_syntax_in_data_is_not_run_by_folium(catalog, layers, kecamatan, desa, display, data_root):
    # folium renders the map's HTML as a Jinja template once more: "{{ 7*7 }}" in a name would become "49".
    jinja = "{{ 7*7 }} {% if true %}T{% endif %}"
    html = render(_point_and_area(jinja), catalog, layers, kecamatan, desa, display, data_root)
    assert "49 T" not in html and "{{ 7*7 }}" not in html  # the payload would render as "49 T"
    assert html.count("#123; 7*7 ") >= 4  # name and source of both sites, kept as text (braces as character references)


def test_kecamatan_and_region_names_are_text_data_on_the_map(catalog, layers, kecamatan, desa, display, data_root):
    html = render([], catalog, layers, kecamatan, desa, display, data_root)
    for name, kind in (("Pondok Aren", "kecamatan"), ("Curug", "kecamatan"), ("Kabupaten Tangerang", "region"), ("Kota Tangerang", "region")):
        assert f'"{name}","{kind}"' in html
    assert "el.textContent = r[2]" in html  # names are set as text, never parsed as HTML


def test_legend_lists_only_classes_present_in_the_locale_number_format(catalog, layers, kecamatan, desa, display, data_root):
    html = render([], catalog, layers, kecamatan, desa, display, data_root)
    assert "Tidak ada data penduduk" not in html  # every program kecamatan has a value
    assert "konteks saja" in html  # Kota Tangerang is drawn as context
    assert class_labels([15459.0, 40000.5], False, "id") == ["0 \u2013 15.459", "15.459 \u2013 40.000,5"]
    assert class_labels([15459.0], False, "en") == ["0 \u2013 15,459"]


def test_kecamatan_popup_links_its_briefing_and_promises(catalog, layers, kecamatan, desa, display, data_root):
    html = render([], catalog, layers, kecamatan, desa, display, data_root)
    # In the GeoJSON, the escaped query reads "hal=ringkasan\\u0026amp;area=..." (JSON-encoded "&amp;").
    links = {json.loads(f'"{q}"') for q in re.findall(r'data-q=\\"(.{0,60}?)\\"', html)}
    assert {"hal=ringkasan&amp;area=3674060", "hal=janji&amp;j_kec=3674060"} <= links


def test_shared_numbers_keep_5_decimals():
    from views.state import Param, _format

    lon = Param("lon", "n_lon", "number", bounds=(-180, 180))
    assert _format(lon, 106.718054) == "106.71805" and _format(lon, 106.718) == "106.718"
    assert _format(Param("r", "n_r", "number", bounds=(0.5, 10), default=3.0), 2.5) == "2.5"


def _posko(i: int, name: str, **kw) -> Site:
    return Site(id=f"p{i}", program="tsl-4-7-05", layer="posko_bencana", name=name, precision=Precision.EXACT,
                geometry=Point(106.70 + i / 1000, -6.27), updated="2026-11-23", **kw)


def test_site_properties_are_built_by_columns_and_escaped(monkeypatch, catalog, layers, kecamatan, desa):
    import pandas as pd

    from layers.render import _props, site_columns

    frame = site_frame([_posko(1, XSS, source="A & B"), _posko(2, "Posko {{ 7*7 }}")], catalog, kecamatan, desa)

    def no_rows(*args, **kwargs):
        raise AssertionError("per-row Python on a hot path")

    monkeypatch.setattr(pd.DataFrame, "iterrows", no_rows)
    monkeypatch.setattr(pd.DataFrame, "itertuples", no_rows)
    props = _props(frame, site_columns(layers["posko_bencana"], translator("id"), "id"))
    first = props.iloc[0]
    assert first["nama"] == "&lt;img src=x onerror=alert(1)&gt;" and first["sumber"] == "A &amp; B"
    assert first["target"] == "14 titik" and first["status"] == "Direncanakan" and first["presisi"] == "Titik pasti"
    assert first["program"] == html_text(frame["program_name"].iloc[0])
    assert first["wilayah"] == html_text(f"{frame['desa'].iloc[0]}, {frame['kecamatan'].iloc[0]}")
    assert props.iloc[1]["nama"] == html_text("Posko {{ 7*7 }}")
    assert list(props.geometry) == list(frame.geometry)


def _decode(table: str) -> dict:
    import base64
    import gzip

    return json.loads(gzip.decompress(base64.b64decode(table)))


def _cell(table: dict, field: int, site: int) -> str:
    codes = table["k"][field]
    return table["v"][field][site if codes is None else codes[site]]


def test_many_points_travel_as_one_compressed_table_with_escaped_popups(monkeypatch, catalog, layers, kecamatan, desa, display, data_root):
    from layers import render as render_module

    monkeypatch.setattr(render_module, "CLUSTER_FROM", 2)
    sites = [_posko(3, XSS, source="A & B")] + [_posko(i, f"Posko {i}") for i in range(3)]  # not in longitude order
    html = render(sites, catalog, layers, kecamatan, desa, display, data_root)
    assert "/app/static/vendor/supercluster/supercluster.min.js" in html and "new Supercluster(" in html
    assert "leaflet.markercluster.js" not in html and "L.markerClusterGroup" not in html  # no Leaflet object per site any more
    assert "<img src=x" not in html and "Posko 1" not in html  # no per-site GeoJSON: the sites are in the table
    [(table, lang, more)] = re.findall(r'\}\)\s*\(\w+, "#[0-9a-fA-F]{6}", "([A-Za-z0-9+/=]+)", 100000, "(\w+)", ("[^"]*"), 5, null\);', html)
    assert lang == "id" and more == script_json(translator("id")("map_cluster_more"))  # cluster counts in the UI language
    d = _decode(table)
    assert d["a"][0] == "Lokasi" and len(d["y"]) == 4
    lons = [x / 1e5 for x in itertools.accumulate(d["x"])]  # longitudes travel sorted, as differences
    assert lons == [106.7, 106.701, 106.702, 106.703] and {y / 1e5 for y in d["y"]} == {-6.27}
    assert d["k"][0] is None and d["v"][0][:3] == ["Posko 0", "Posko 1", "Posko 2"]  # one name per site: no codes
    assert d["k"][1] == [0, 0, 0, 0]  # the layer, the same for every site: one value and its codes
    site = dict(zip(d["a"], (_cell(d, f, 3) for f in range(len(d["a"])))))
    assert site["Lokasi"] == "&lt;img src=x onerror=alert(1)&gt;" and site["Sumber"] == "A &amp; B"
    assert site["Presisi lokasi"] == "Titik pasti"
