"""The folium map: escaping, precision drawn honestly, offline assets, choropleth classes."""

from __future__ import annotations

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


def test_text_from_files_is_escaped_everywhere(catalog, layers, kecamatan, desa, display, data_root):
    sites = [
        Site(id="x1", program="tsl-4-7-05", layer="posko_bencana", name=XSS, precision=Precision.EXACT,
             geometry=Point(106.72, -6.27), source=XSS, updated="2026-11-23"),
        Site(id="x2", program="tsl-1-1-01", layer="smp_baru", name=XSS, precision=Precision.KECAMATAN,
             admin_code="3674010", source=XSS, updated="2026-11-23"),
    ]
    html = render(sites, catalog, layers, kecamatan, desa, display, data_root)
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
