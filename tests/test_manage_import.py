"""The import tab in AppTest: a hostile file gives a message, problems read in the UI language and by preview row."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point
from streamlit.testing.v1 import AppTest

from conftest import PLANNER_PASSWORD
from geo.config import PROJECT_ROOT
from register.synthetic import synthetic_csv

APP = str(PROJECT_ROOT / "app.py")
CSV = (
    "nama;program;lintang;bujur\n"
    "\n"
    "Posko Uji Serua;tsl-4-7-05;-6,3180;106,6930\n"
    "Posko Uji Pondok Benda;tsl-4-7-05;-6,3440;106,7190\n"
    "Posko [x](http://evil.example);tsl-4-7-05;-6,2000;106,8450\n"
)


@pytest.fixture
def import_tab(tmp_path, monkeypatch, planner):
    """The data page in English, logged in as a planner, on a fresh register."""
    monkeypatch.setenv("PETA_STORE", str(tmp_path / "sites.sqlite"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["hal"] = "kelola"
    at.query_params["bahasa"] = "en"
    at.run()
    at.text_input(key="login_user").input("rina")
    at.text_input(key="login_password").input(PLANNER_PASSWORD)
    next(b for b in at.button if b.label == "Log in").click().run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="import_file").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, at.exception
    return at


def test_a_mars_geopackage_is_refused_with_a_message(import_tab, tmp_path):
    path = tmp_path / "mars.gpkg"
    gpd.GeoDataFrame({"nama": ["Posko"], "program": ["tsl-4-7-05"]}, geometry=[Point(10, 10)], crs="IAU_2015:49900").to_file(path)
    at = upload(import_tab, "mars.gpkg", path.read_bytes())
    [error] = at.error
    shown = error.value.replace("\\", "")  # Markdown escapes, so that file content shows literally
    assert shown.startswith("File refused: The file's CRS 'Mars (2015)") and "cannot be transformed to EPSG:4326" in shown


def test_problems_are_numbered_by_preview_row_in_the_ui_language(import_tab):
    at = upload(import_tab, "lokasi.csv", CSV.encode())
    [table] = [d.value for d in at.dataframe if "Problems" in d.value.columns]
    assert list(table["Row"]) == [1, 2, 3]
    assert list(table["Problems"])[:2] == ["", ""]
    assert list(table["Problems"])[2].startswith("row 3: -6.20000, 106.84500 lies outside Kota Tangerang Selatan")


def test_an_inventory_larger_than_the_preview_map_is_checked_and_stored_whole(import_tab, domain):
    at = upload(import_tab, "inventaris.csv", synthetic_csv(domain, 3000))
    assert [c.value for c in at.caption if c.value.startswith("The map shows")] == [
        "The map shows 2,000 of 3,000 rows (rows with problems first); the table below lists them all."
    ]
    [table] = [d.value for d in at.dataframe if "Problems" in d.value.columns]
    assert len(table) == 3000 and set(table["Problems"]) == {""}
    next(b for b in at.button if b.label == "Store all kept rows").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success][0].startswith("3,000 sites stored")
