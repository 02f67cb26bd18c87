"""What only a browser shows: the map renders offline in Debian's chromium, and escaped text stays text.

Runs against the shared `streamlit run app.py` (the ``server`` fixture of conftest.py: a temporary site register that
holds two exact-point sites, one of them named with an XSS payload), drives /usr/bin/chromium with Playwright and
saves screenshots under tests/artifacts/.
"""

from __future__ import annotations

import subprocess

import pytest

from conftest import ARTIFACTS, MAP_FRAME, XSS

pytestmark = pytest.mark.browser


def open_map(browser, url, viewport=(1400, 1000)):
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    dialogs, requests = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append((r.resource_type, r.url)))
    page.goto(url)
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".leaflet-container").wait_for(timeout=90_000)
    frame.locator("path.leaflet-interactive >> visible=true").first.wait_for(timeout=90_000)
    return page, frame, dialogs, requests


def test_map_renders_offline_with_boundaries_and_sites(server, browser):
    page, frame, dialogs, requests = open_map(browser, server)
    paths = frame.locator("path.leaflet-interactive")
    assert paths.count() >= 49 + 41  # 49 kecamatan outlines + 41 kecamatan-level site outlines
    marker = frame.locator("path.leaflet-interactive[d*='a7,7']")  # the exact-point sites' circle markers
    assert marker.count() == 2
    assert frame.locator(".pjt-legend").inner_text().startswith("Legenda")
    assert "CC BY-IGO" in frame.locator(".leaflet-control-attribution").inner_text()
    # Leaflet's code and styles come from the app itself, never from a CDN.
    offsite = [u for kind, u in requests if kind in ("script", "stylesheet") and not u.startswith(server)]
    assert offsite == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "map.png"), full_page=True)
    page.close()


def test_escaped_site_name_shows_as_text_and_runs_no_script(server, browser):
    page, frame, dialogs, _ = open_map(browser, f"{server}/?kec=3674060")  # zoomed to Pondok Aren
    page.wait_for_timeout(1000)  # let fitBounds settle so the click lands on the marker
    texts = []
    popup = frame.locator(".leaflet-popup-content")
    markers = frame.locator("path.leaflet-interactive[d*='a7,7']")
    for i in range(markers.count()):
        markers.nth(i).click()
        popup.wait_for(timeout=10_000)
        texts.append(popup.inner_text())
        assert popup.locator("img").count() == 0
        frame.locator(".leaflet-popup-close-button").click()
    assert any(XSS in text for text in texts)
    page.wait_for_timeout(500)
    assert dialogs == []
    page.screenshot(path=str(ARTIFACTS / "popup.png"))
    page.close()


def test_shared_near_me_link_on_a_phone(server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(f"{server}/?hal=dekat&lat=-6.2745&lon=106.7180&r=3")
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".leaflet-container").wait_for(timeout=90_000)
    # The radius circle (3 km) and the location marker are drawn.
    frame.locator("path[stroke='#c62828']").first.wait_for(timeout=30_000)
    assert frame.locator("path[stroke='#c62828']").count() == 2
    page.get_by_text("Lokasi bertitik pasti dalam radius (2)").wait_for(timeout=30_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no horizontal scrolling
    sidebar = page.locator('[data-testid="stSidebar"]').bounding_box()
    assert sidebar is None or sidebar["x"] + sidebar["width"] <= 1  # collapsed off-screen
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "phone-near-map.png"))
    # Nearest first: the site at the location itself, then the one about 2,2 km south.
    expanders = page.locator('[data-testid="stExpander"]')
    first = page.locator('[data-testid="stMain"] [data-testid="stExpander"]').nth(1)  # after "set location"
    assert "0 m" in first.inner_text() and XSS in first.inner_text()
    item = expanders.filter(has_text="Posko Uji Jurangmangu")
    assert "2,2 km" in item.inner_text()
    item.scroll_into_view_if_needed()
    item.locator("summary").click()
    item.get_by_text("Pembangunan Posko Penanggulangan Bencana").wait_for(timeout=10_000)
    page.wait_for_timeout(800)  # let the expander finish opening
    page.screenshot(path=str(ARTIFACTS / "phone-near-details.png"))
    # And a site on the map opens its popup.
    frame.locator("path.leaflet-interactive[d*='a7,7']").last.scroll_into_view_if_needed()
    frame.locator("path.leaflet-interactive[d*='a7,7']").last.click()
    frame.locator(".leaflet-popup-content").wait_for(timeout=10_000)
    assert "Posko penanggulangan bencana" in frame.locator(".leaflet-popup-content").inner_text()
    page.close()


def test_model_proposals_are_drawn_and_labelled(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1300})
    page.goto(f"{server}/?hal=cakupan&lap=posko_bencana&model=mclp")
    page.get_by_role("button", name="Hitung usulan").click()
    # The register holds 2 posko with an exact point: they stay fixed, 12 more are proposed.
    page.get_by_text("Usulan model (MCLP): 12 lokasi").wait_for(timeout=90_000)
    frame = page.frame_locator(MAP_FRAME).last  # the map redrawn with the proposals
    proposals = frame.locator("path[stroke='#6a1b9a']")  # proposal markers and their dashed radius circles
    # Any one drawn: Leaflet leaves a path outside the current view empty and hidden ("M0 0") until the view moves.
    frame.locator("path[stroke='#6a1b9a'] >> visible=true").first.wait_for(timeout=60_000)
    assert proposals.count() == 2 * 12
    assert "Usulan model (MCLP)" in frame.locator(".pjt-legend").inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "coverage-proposals.png"), full_page=True)
    page.close()


def test_briefing_for_pondok_aren_renders_and_downloads_its_pdf(server, browser, tmp_path):
    import struct

    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server}/?hal=ringkasan&area=3674060")
    page.get_by_role("heading", name="Kecamatan Pondok Aren").wait_for(timeout=90_000)
    image = page.locator('[data-testid="stImage"] img').first
    image.wait_for(timeout=60_000)
    page.wait_for_function("img => img.complete && img.naturalWidth > 1000", arg=image.element_handle(), timeout=30_000)
    page.get_by_text("310.955").first.wait_for(timeout=30_000)
    page.get_by_role("heading", name="Sumber dan atribusi").wait_for(timeout=30_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # Streamlit scrolls inside its own container, so a full-page shot needs a viewport as tall as the content.
    height = page.evaluate("document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": int(height) + 200})
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "briefing-pondok-aren.png"), full_page=True)
    with page.expect_download(timeout=90_000) as download:
        page.get_by_role("button", name="Unduh PDF (A4)").click()
    assert download.value.suggested_filename == "ringkasan-3674060-pondok-aren.pdf"
    pdf = tmp_path / "briefing.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    first_page = ARTIFACTS / "briefing-pondok-aren-page1"
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(first_page)], check=True, timeout=60)
    png = first_page.with_suffix(".png").read_bytes()
    width, height = struct.unpack(">II", png[16:24])
    assert png.startswith(b"\x89PNG") and abs(width - 661) <= 1 and abs(height - 935) <= 1  # A4 portrait at 80 dpi
    assert len(png) > 30_000  # text and a map, not a blank page
    assert dialogs == []  # the XSS-named site in the register stays text in the page
    page.close()


def test_locate_button_sets_the_location_from_browser_geolocation(server, browser):
    context = browser.new_context(viewport={"width": 1200, "height": 1000}, geolocation={"latitude": -6.2745, "longitude": 106.7180},
                                  permissions=["geolocation"])
    page = context.new_page()
    page.goto(f"{server}/?hal=dekat")
    page.get_by_text("Belum ada lokasi").wait_for(timeout=90_000)  # the first run has finished
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".leaflet-control-locate a").click(timeout=90_000)
    # The position found is passed on as a map click: the app sets it as the location and lists what is near.
    page.get_by_text("Kec. Pondok Aren").first.wait_for(timeout=60_000)
    page.wait_for_url("**lat=-6.2745**lon=106.718**", timeout=30_000)
    context.close()
