"""The map at inventory scale in a real browser: 100,000 exact points paint, clustered, and a clicked site shows its
own escaped popup.

Starts `streamlit run app.py` on a free port with a temporary register holding 100,000 synthetic street lights
(:mod:`register.synthetic`, labelled synthetic) and one more whose name is an XSS payload, drives /usr/bin/chromium
with Playwright and saves screenshots under tests/artifacts/.
"""

from __future__ import annotations

import pytest
from shapely.geometry import Point

from layers.model import Precision, Site
from register.auth import require_planner
from register.store import SQLiteSiteStore
from register.synthetic import PROGRAM, synthetic_sites
from conftest import ARTIFACTS, MAP_FRAME, XSS, start_server

pytestmark = pytest.mark.browser

XSS_AT = (106.7180, -6.2745)  # lon, lat: in Pondok Aren

# Finds the clustered marker at the given place, lets Leaflet.markercluster zoom until it stands alone, and
# returns its position in the map's frame (the test then clicks there like a person would).
SHOW_SITE = """([lon, lat]) => new Promise((done) => {
  const map = window.map_div;
  const cluster = Object.values(map._layers).find((l) => l.zoomToShowLayer);
  const marker = cluster.getLayers().find((m) => Math.abs(m.getLatLng().lng - lon) < 1e-6 && Math.abs(m.getLatLng().lat - lat) < 1e-6);
  cluster.zoomToShowLayer(marker, () => setTimeout(() => {
    const p = map.latLngToContainerPoint(marker.getLatLng());
    const box = map.getContainer().getBoundingClientRect();
    done({x: box.left + p.x, y: box.top + p.y, count: cluster.getLayers().length});
  }, 600));
})"""


@pytest.fixture(scope="module")
def big_server(tmp_path_factory, planner, domain):
    store_path = tmp_path_factory.mktemp("store") / "sites.sqlite"
    xss = Site(id="xss-pju", program=PROGRAM, layer="pju", name=XSS, precision=Precision.EXACT, geometry=Point(*XSS_AT),
               source="uji peramban", updated="2026-12-01")
    SQLiteSiteStore(store_path, require_planner, domain).add([*synthetic_sites(domain, 100_000), xss], planner)
    yield from start_server(store_path, tmp_path_factory, timeout=180)


def test_100k_points_paint_clustered_and_a_clicked_site_shows_its_escaped_popup(big_server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(big_server)
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".marker-cluster").first.wait_for(timeout=240_000)
    assert frame.locator(".pjt-legend").inner_text().startswith("Legenda")
    assert "(100001)" in frame.locator(".leaflet-control-layers").inner_html()  # the layer's name counts its sites
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "map-100k.png"))

    inner = next(f for f in page.frames if f.evaluate("() => typeof window.map_div !== 'undefined'"))
    spot = inner.evaluate(SHOW_SITE, list(XSS_AT))
    assert spot["count"] == 100_001
    offset = page.locator(MAP_FRAME).bounding_box()
    page.mouse.click(offset["x"] + spot["x"], offset["y"] + spot["y"])
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=20_000)
    text = popup.inner_text()
    assert XSS in text and "Titik pasti" in text and "Penerangan jalan" in text
    assert popup.locator("img").count() == 0
    page.wait_for_timeout(500)
    assert dialogs == []
    page.screenshot(path=str(ARTIFACTS / "popup-100k.png"))
    page.close()
