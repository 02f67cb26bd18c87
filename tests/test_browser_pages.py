"""Every page as visitors see it, on a laptop and a phone, in both languages: screenshots and what must be readable.

Runs against one `streamlit run` for the module (the ``server`` fixture of test_browser) and saves
its screenshots under tests/artifacts/pages-*.png and map-*.png.
"""

from __future__ import annotations

import re

import pytest

from layers.render import HOME_DESA, NO_DATA_FILL, PALETTE
from conftest import ARTIFACTS, MAP_FRAME

pytestmark = pytest.mark.browser

LAPTOP, PHONE = (1366, 900), (390, 844)
# Per page: its query and what shows once it has drawn, per language (in the map's frame on map pages).
PAGES = {
    "peta": ("", {"id": "Legenda", "en": "Legend"}),
    "dekat": ("hal=dekat&lat=-6.2745&lon=106.7180&r=3", {"id": "Desa/kelurahan Anda", "en": "Your village"}),
    "cakupan": ("hal=cakupan", {"id": "Legenda", "en": "Legend"}),
    "janji": ("hal=janji", {"id": "Sudah sejauh mana setiap janji?", "en": "How far along is each promise?"}),
    "janji-posko": ("hal=janji&program=tsl-4-7-05", {"id": "Posko", "en": "Posko"}),
    "ringkasan": ("hal=ringkasan&area=3674060", {"id": "Pondok Aren", "en": "Pondok Aren"}),
    "banding": ("hal=banding", {"id": "Bandingkan 36 kecamatan", "en": "Compare the 36 districts (kecamatan)"}),
    "kelola": ("hal=kelola", {"id": "Halaman ini untuk perencana", "en": "This page is for planners"}),
}
MAP_PAGES = {"peta", "dekat", "cakupan"}
MARGIN_PX = 4  # how far the legend may reach into the program area's box (outline widths, rounding)


def open_page(page, server, query: str, lang: str, ready: str, is_map: bool):  # noqa: F811
    page.goto(f"{server}/?{'&'.join(q for q in (query, '' if lang == 'id' else f'bahasa={lang}') if q)}")
    if is_map:
        frame = page.frame_locator(MAP_FRAME).first
        frame.get_by_text(ready).first.wait_for(state="attached", timeout=120_000)  # a folded legend is hidden
        frame.locator(".pjt-label").first.wait_for(state="attached", timeout=30_000)
    else:
        page.get_by_text(ready).first.wait_for(timeout=120_000)
    page.get_by_role("button", name="Stop").wait_for(state="detached", timeout=120_000)  # the script run has finished
    page.wait_for_timeout(1500)  # the map fits its view once its legend is measured


def deploy_controls(page) -> int:
    return page.get_by_role("button", name=re.compile("Deploy", re.I)).count() + page.locator('[data-testid="stAppDeployButton"]').count()


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("size", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_every_page_in_both_languages(server, browser, size, lang):  # noqa: F811
    page = browser.new_page(viewport={"width": size[0], "height": size[1]}, is_mobile=size == PHONE, has_touch=size == PHONE)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, (query, ready) in PAGES.items():
        open_page(page, server, query, lang, ready[lang], name in MAP_PAGES)
        assert deploy_controls(page) == 0, name
        assert page.get_by_text("Traceback").count() == 0, name
        page.screenshot(path=str(ARTIFACTS / f"pages-{lang}-{size[0]}x{size[1]}-{name}.png"))
    assert dialogs == []
    page.close()


def program_area_and_legend(frame) -> tuple[dict, dict]:
    """The bounding box of the program kecamatan (choropleth-filled paths) and the legend's box, in the map frame."""
    fills = [c.lower() for c in (*PALETTE, NO_DATA_FILL)]
    return frame.evaluate(
        """fills => {
            const boxes = [...document.querySelectorAll('path.leaflet-interactive')]
                .filter(p => fills.includes((p.getAttribute('fill') || '').toLowerCase()))
                .map(p => p.getBoundingClientRect());
            const area = {left: Math.min(...boxes.map(b => b.left)), top: Math.min(...boxes.map(b => b.top)),
                          right: Math.max(...boxes.map(b => b.right)), bottom: Math.max(...boxes.map(b => b.bottom)), n: boxes.length};
            const l = document.querySelector('.pjt-legend').getBoundingClientRect();
            return [area, {left: l.left, top: l.top, right: l.right, bottom: l.bottom}];
        }""",
        fills,
    )


@pytest.mark.parametrize("size", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_main_map_names_kecamatan_and_its_legend_covers_no_program_area(server, browser, size):  # noqa: F811
    page = browser.new_page(viewport={"width": size[0], "height": size[1]}, is_mobile=size == PHONE, has_touch=size == PHONE)
    open_page(page, server, "", "id", "Legenda", True)
    frame_locator = page.frame_locator(MAP_FRAME).first
    shown = frame_locator.locator(".pjt-label-kecamatan:visible").all_inner_texts()
    assert {"Pondok Aren", "Pamulang", "Curug"} <= set(shown) or (size == PHONE and len(shown) >= 10), shown
    frame = next(f for f in page.frames if "st_folium" in f.url)
    area, legend = program_area_and_legend(frame)
    assert area["n"] == 36  # the 7 Tangsel and 29 Kabupaten Tangerang kecamatan
    overlap_x = min(area["right"], legend["right"]) - max(area["left"], legend["left"])
    overlap_y = min(area["bottom"], legend["bottom"]) - max(area["top"], legend["top"])
    assert overlap_x <= MARGIN_PX or overlap_y <= MARGIN_PX, (area, legend)
    page.screenshot(path=str(ARTIFACTS / f"map-legend-{size[0]}x{size[1]}.png"))
    page.close()


def test_click_on_a_kecamatan_names_it_and_links_its_briefing_and_promises(server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": LAPTOP[0], "height": LAPTOP[1]})
    open_page(page, server, "", "id", "Legenda", True)
    frame = page.frame_locator(MAP_FRAME).first
    label = frame.locator(".pjt-label-kecamatan", has_text="Cisoka")
    box = label.bounding_box()  # names let clicks through to the kecamatan under them
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] + 6)
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    assert "Cisoka" in popup.inner_text() and "Kabupaten Tangerang" in popup.inner_text()
    links = popup.locator("a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert any(h.startswith(server) and "hal=ringkasan&area=3603" in h for h in hrefs), hrefs
    assert any("hal=janji&j_kec=3603" in h for h in hrefs), hrefs
    assert frame.locator(".pjt-legend").get_attribute("open") is None  # folded, so it hides no part of the popup
    page.wait_for_timeout(500)  # the popup's fade-in
    page.screenshot(path=str(ARTIFACTS / "map-kecamatan-popup.png"))
    with page.context.expect_page(timeout=30_000) as opened:
        popup.get_by_text("Ringkasan kecamatan").click()
    briefing = opened.value
    briefing.get_by_role("heading", name="Kecamatan Cisoka").wait_for(timeout=120_000)
    briefing.close()
    page.close()


def test_near_map_has_a_legend_and_outlines_the_residents_desa(server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": PHONE[0], "height": PHONE[1]}, is_mobile=True, has_touch=True)
    open_page(page, server, "hal=dekat&lat=-6.2745&lon=106.7180&r=3", "id", "Desa/kelurahan Anda", True)
    frame = page.frame_locator(MAP_FRAME).first
    assert frame.locator(f"path[stroke='{HOME_DESA}']").count() == 1  # her desa's outline
    assert set(frame.locator(".pjt-label-home").all_inner_texts()) == {"Pondok Jaya", "Pondok Aren"}
    legend = frame.locator(".pjt-legend")
    legend.locator("summary").click()  # folded on a phone; opens on a tap
    for row in ("Titik lokasi Anda", "Radius pencarian", "Desa/kelurahan Anda", "Kecamatan Anda"):
        assert row in legend.inner_text()
    page.get_by_text("Berlaku untuk seluruh Kota Tangerang Selatan").wait_for(timeout=30_000)
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "near-legend-phone.png"))
    page.close()
