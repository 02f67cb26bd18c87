"""A planner in chromium: log in, upload a CSV, see the preview and problems, commit, see the sites on the map.

Runs against its own `streamlit run` (a module-scoped ``server``, so this module gets a fresh register) and listens
for dialogs: no script from a file may run.
"""

from __future__ import annotations

import pytest

from conftest import ARTIFACTS, MAP_FRAME, PLANNER_PASSWORD, browser_register, run_finished, start_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory, planner, domain):
    """This module's own app (its test writes to the register), on the same two sites as the shared one."""
    yield from start_server(browser_register(tmp_path_factory, planner, domain), tmp_path_factory)


CSV = (
    "nama;program;lintang;bujur;status;presisi;sumber\n"
    "Posko Uji Serua;tsl-4-7-05;-6,3180;106,6930;direncanakan;titik;uji impor\n"
    "TPS3R Uji Pondok Benda;tsl-4-6-01a;-6,3440;106,7190;direncanakan;titik;uji impor\n"
    "<img src=x onerror=alert(1)>;tsl-4-7-05;-6,3000;106,7000;direncanakan;titik;uji impor\n"
    "Posko Jakarta;tsl-4-7-05;-6,2000;106,8450;direncanakan;titik;uji impor\n"
)


def planner_page(server, browser):  # noqa: F811
    """The data page logged in as rina, and the list of any dialog a script opened (none may)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server}/?hal=kelola")
    page.get_by_text("Halaman ini untuk perencana").wait_for(timeout=90_000)
    page.get_by_text("Masuk sebagai perencana").click()
    page.get_by_label("Nama pengguna").fill("rina")
    page.get_by_label("Kata sandi").fill(PLANNER_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_role("tab", name="Impor berkas").wait_for(timeout=90_000)
    run_finished(page)
    return page, dialogs


def test_planner_imports_a_csv(server, browser, tmp_path):  # noqa: F811
    upload = tmp_path / "lokasi.csv"
    upload.write_bytes(CSV.encode("cp1252"))
    page, dialogs = planner_page(server, browser)

    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    page.get_by_text("4 dari 4 baris akan disimpan; 2 baris yang dipilih masih bermasalah").wait_for(timeout=90_000)
    run_finished(page)
    frame = page.frame_locator(MAP_FRAME)
    markers = frame.locator("path.leaflet-interactive[d*='a7,7']")
    markers.first.wait_for(timeout=30_000)
    for i in range(markers.count()):  # show every tooltip, the markup one included
        markers.nth(i).hover()
    assert frame.locator(".leaflet-tooltip img").count() == 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "import-preview.png"), full_page=True)

    # Drop the two rows with problems (markup in the name, a point in Jakarta), then commit.
    drop = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Baris yang tidak disimpan")
    # Each drop reruns the app: wait until that run has finished before the next, or a keystroke can land mid-rerun
    # in a widget the run then redraws.
    for row, summary in (("3", "3 dari 4 baris akan disimpan; 1 baris"), ("4", "2 dari 4 baris akan disimpan; 0 baris")):  # preview rows
        drop.click()
        page.keyboard.type(row)
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        page.get_by_text(summary).wait_for(timeout=90_000)
        run_finished(page)
    page.get_by_role("button", name="Simpan semua baris terpilih").click()
    page.get_by_text("2 lokasi tersimpan").wait_for(timeout=90_000)

    page.goto(f"{server}/?hal=peta&presisi=titik")
    frame = page.frame_locator(MAP_FRAME)
    frame.locator("path.leaflet-interactive >> visible=true").first.wait_for(timeout=90_000)
    assert frame.locator("path.leaflet-interactive[d*='a7,7']").count() == 2 + 2  # the register's 2 and the 2 imported
    page.get_by_text("4 lokasi tersaring: 4 titik pasti").wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "import-on-map.png"))
    assert dialogs == []
    page.close()
