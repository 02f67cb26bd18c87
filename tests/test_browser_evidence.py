"""The promise page in chromium: the evidence timeline and the evidence places drawn as areas, never points."""

from __future__ import annotations

import pytest

from conftest import ARTIFACTS, MAP_FRAME
from layers.promise_map import EVIDENCE_COLOR

pytestmark = pytest.mark.browser


def test_promise_page_renders_the_evidence_and_its_places(server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 1700})
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server}/?hal=janji&program=tsl-1-1-01")
    page.get_by_text("Bukti, terbaru dahulu (3)").wait_for(timeout=90_000)
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".leaflet-container").wait_for(timeout=90_000)
    places = frame.locator(f"path[stroke='{EVIDENCE_COLOR}']")
    places.first.wait_for(timeout=60_000)
    # Sarua and Jombang (Ciputat), Pondok Benda (Pamulang), Bakti Jaya (Setu): one outline per event and desa
    assert places.count() == 5
    assert "Tempat yang disebut bukti" in frame.locator(".pjt-legend").inner_text()
    assert page.get_by_role("link", name="Buka sumber: TVRI Jakarta News").get_attribute("href").startswith("https://")
    page.get_by_text("di kecamatan yang tidak disebut janji").wait_for(timeout=10_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "promise-page.png"), full_page=True)
    assert dialogs == []
    page.close()
