"""The map at inventory scale in a real browser: 100,000 exact points paint, clustered, and a site shows its own
escaped tooltip and popup.

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
SPOT_AT = (106.7000, -6.3000)  # two more hostile names at one spot, which no zoom separates

# Centres the map on a place at the top zoom, where every site not drawn over another stands alone, and returns the
# place's position in the map's frame once the view is drawn (the test then hovers and clicks there like a person).
SHOW_PLACE = """([lon, lat]) => new Promise((done) => {
  const map = window.map_div;
  map.once('moveend', () => setTimeout(() => {
    const p = map.latLngToContainerPoint([lat, lon]), box = map.getContainer().getBoundingClientRect();
    done({x: box.left + p.x, y: box.top + p.y});
  }, 500));
  map.setView([lat, lon], map.getMaxZoom(), {animate: false});
})"""


@pytest.fixture(scope="module")
def big_server(tmp_path_factory, planner, domain):
    store_path = tmp_path_factory.mktemp("store") / "sites.sqlite"
    xss = Site(id="xss-pju", program=PROGRAM, layer="pju", name=XSS, precision=Precision.EXACT, geometry=Point(*XSS_AT),
               source="uji peramban", updated="2026-12-01")
    spot = [Site(id=f"spot-pju-{i}", program=PROGRAM, layer="pju", name=f"{XSS} {i}", precision=Precision.EXACT, geometry=Point(*SPOT_AT),
                 source="uji peramban", updated="2026-12-01") for i in (1, 2)]
    SQLiteSiteStore(store_path, require_planner, domain).add([*synthetic_sites(domain, 100_000), xss, *spot], planner)
    yield from start_server(store_path, tmp_path_factory, timeout=180)


def test_100k_points_paint_clustered_and_a_clicked_site_shows_its_escaped_popup(big_server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(big_server)
    frame = page.frame_locator(MAP_FRAME)
    clusters = frame.locator(".marker-cluster")
    clusters.first.wait_for(timeout=240_000)
    assert frame.locator(".pjt-legend").inner_text().startswith("Legenda")
    assert "(100003)" in frame.locator(".leaflet-control-layers").inner_html()  # the layer's name counts its sites
    # Counts in the UI language's digits (Indonesian groups thousands with a dot), summing to every site.
    counts = clusters.all_inner_texts()
    assert any("." in c for c in counts) and sum(int(c.replace(".", "")) for c in counts) == 100_003
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "map-100k.png"))

    # The layer control hides the layer (its clusters go) and shows it again.
    inner = next(f for f in page.frames if f.evaluate("() => typeof window.map_div !== 'undefined'"))
    toggle = frame.locator(".leaflet-control-layers-overlays label", has_text="(100003)").locator("input")
    frame.locator(".leaflet-control-layers").hover()
    toggle.click()
    assert clusters.count() == 0
    toggle.click()
    clusters.first.wait_for(timeout=20_000)

    # A click on a cluster zooms in to where it splits.
    zoom = inner.evaluate("() => window.map_div.getZoom()")
    biggest = max(range(clusters.count()), key=lambda i: int(clusters.nth(i).inner_text().replace(".", "")))
    clusters.nth(biggest).click()
    page.wait_for_timeout(1000)
    assert inner.evaluate("() => window.map_div.getZoom()") > zoom

    spot = inner.evaluate(SHOW_PLACE, list(XSS_AT))
    offset = page.locator(MAP_FRAME).bounding_box()
    page.mouse.move(offset["x"] + spot["x"], offset["y"] + spot["y"])
    tooltip = frame.locator(".leaflet-tooltip", has_text=XSS)  # the name shows as text
    tooltip.wait_for(timeout=20_000)
    assert "Titik pasti" in tooltip.inner_text() and tooltip.locator("img").count() == 0
    page.mouse.click(offset["x"] + spot["x"], offset["y"] + spot["y"])
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=20_000)
    text = popup.inner_text()
    assert XSS in text and "Titik pasti" in text and "Penerangan jalan" in text
    assert popup.locator("img").count() == 0
    page.screenshot(path=str(ARTIFACTS / "popup-100k.png"))

    # The sites at one spot: a click lists them (names as text), and a listed name opens that site's popup.
    spot = inner.evaluate(SHOW_PLACE, list(SPOT_AT))
    page.mouse.click(offset["x"] + spot["x"], offset["y"] + spot["y"])
    listed = frame.locator(".pjt-spot a")
    listed.first.wait_for(timeout=20_000)
    assert sorted(t for t in listed.all_inner_texts() if t.startswith(XSS)) == [f"{XSS} 1", f"{XSS} 2"]
    assert frame.locator(".pjt-spot img").count() == 0
    page.wait_for_timeout(400)  # the popup fades in
    page.screenshot(path=str(ARTIFACTS / "spot-100k.png"))
    listed.filter(has_text=f"{XSS} 2").click()
    site = frame.locator(".leaflet-popup-content table", has_text=f"{XSS} 2")  # a site's popup is its table
    site.wait_for(timeout=20_000)
    assert "uji peramban" in site.inner_text() and site.locator("img").count() == 0
    page.wait_for_timeout(500)
    assert dialogs == []
    page.close()


def test_a_kecamatan_filter_draws_only_its_points_from_the_layers_table(big_server, browser):
    # The page sends the layer's table of all 100,003 points and a mask of the ones the filter keeps.
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{big_server}/?kec=3674040")
    frame = page.frame_locator(MAP_FRAME)
    clusters = frame.locator(".marker-cluster")
    clusters.first.wait_for(timeout=240_000)
    label = frame.locator(".leaflet-control-layers-overlays label", has_text="Penerangan").inner_text()
    kept = int(label.rsplit("(", 1)[1].rstrip(") \n"))
    assert 300 < kept < 100_003
    page.wait_for_timeout(1000)
    assert sum(int(c.replace(".", "")) for c in clusters.all_inner_texts()) + frame.locator("path.leaflet-interactive[d*='a7,7']").count() == kept
    page.screenshot(path=str(ARTIFACTS / "map-100k-kecamatan.png"))
    page.close()
