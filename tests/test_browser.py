"""What only a browser shows: the map renders offline in Debian's chromium, and escaped text stays text.

Starts `streamlit run app.py` on a free port with a temporary site register that
holds one exact-point site whose name is an XSS payload, drives /usr/bin/chromium
with Playwright and saves screenshots under tests/artifacts/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from shapely.geometry import Point

from geo.config import PROJECT_ROOT
from layers.model import Precision, Site
from layers.store import SQLiteSiteStore

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
XSS = "<img src=x onerror=alert(1)>"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store_path = tmp_path_factory.mktemp("store") / "sites.sqlite"
    SQLiteSiteStore(store_path).add(
        [Site(id="xss", program="tsl-4-7-05", layer="posko_bencana", name=XSS, precision=Precision.EXACT,
              geometry=Point(106.7180, -6.2745), source="uji peramban", updated="2026-11-23")],
        recorded_by="test",
    )
    port = free_port()
    env = {**os.environ, "PETA_STORE": str(store_path)}
    log = open(tmp_path_factory.mktemp("log") / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start within 90 s")
    yield url
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: scripts/test.sh installs it"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_map(browser, url, viewport=(1400, 1000)):
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    dialogs, requests = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append((r.resource_type, r.url)))
    page.goto(url)
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".leaflet-container").wait_for(timeout=90_000)
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=90_000)
    return page, frame, dialogs, requests


def test_map_renders_offline_with_boundaries_and_sites(server, browser):
    page, frame, dialogs, requests = open_map(browser, server)
    paths = frame.locator("path.leaflet-interactive")
    assert paths.count() >= 49 + 41  # 49 kecamatan outlines + 41 kecamatan-level site outlines
    marker = frame.locator("path.leaflet-interactive[d*='a7,7']")  # the exact-point site's circle marker
    assert marker.count() == 1
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
    page, frame, dialogs, _ = open_map(browser, server)
    page.wait_for_timeout(1000)  # let fitBounds settle so the click lands on the marker
    frame.locator("path.leaflet-interactive[d*='a7,7']").click()
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    assert XSS in popup.inner_text()
    assert popup.locator("img").count() == 0
    page.wait_for_timeout(500)
    assert dialogs == []
    page.screenshot(path=str(ARTIFACTS / "popup.png"))
    page.close()
