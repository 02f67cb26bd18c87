"""The import tab in AppTest: a hostile file gives a message, problems read in the UI language and by preview row."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point
from streamlit.testing.v1 import AppTest

from conftest import PLANNER_PASSWORD
from geo.config import PROJECT_ROOT
from register import importer
from register.store import SQLiteSiteStore
from register.synthetic import synthetic_csv
from texts.catalog import translator
from views import manage_page
from views.manage_page import PAGE_ROWS

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
    shown = error.value.replace("\\", "").replace("\u2060", "")  # Markdown escapes and word joiners keep file content literal
    assert shown.startswith("File refused: The file's CRS 'Mars (2015)") and "cannot be transformed to EPSG:4326" in shown


def test_problems_are_numbered_by_preview_row_in_the_ui_language(import_tab):
    at = upload(import_tab, "lokasi.csv", CSV.encode())
    [table] = [d.value for d in at.dataframe if "Problems" in d.value.columns]
    assert list(table["Row"]) == [1, 2, 3]
    assert list(table["Problems"])[:2] == ["", ""]
    assert list(table["Problems"])[2].startswith("row 3: -6.20000, 106.84500 lies outside Kota Tangerang Selatan")


def test_an_inventory_larger_than_the_preview_map_is_clustered_paged_and_stored_whole(import_tab, domain):
    at = upload(import_tab, "inventaris.csv", synthetic_csv(domain, 3000))
    assert [c.value for c in at.caption if "clusters" in c.value] == [
        "3,000 rows are grouped into clusters on the map; zoom in or click a cluster to see its points."
    ]
    assert "Titik sintetis 17" not in at.get("component_instance")[0].proto.json_args  # no GeoJSON feature per row
    [table] = [d.value for d in at.dataframe if "Problems" in d.value.columns]
    assert list(table["Row"]) == list(range(1, PAGE_ROWS + 1)) and set(table["Problems"]) == {""}
    assert "Showing 1\u2013500 of 3,000." in [c.value for c in at.caption]
    at.number_input(key="import_page_3000").set_value(6).run()
    [table] = [d.value for d in at.dataframe if "Problems" in d.value.columns]
    assert list(table["Row"]) == list(range(2501, 3001))
    next(b for b in at.button if b.label == "Store all kept rows").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success][0].startswith("3,000 sites stored")


def broken(domain, n: int, rows: range) -> bytes:
    """A synthetic inventory of ``n`` rows whose ``rows`` (preview numbers) lie in the Java Sea."""
    lines = synthetic_csv(domain, n).decode().splitlines()
    for row in rows:
        cells = lines[row].split(",")
        cells[3] = "-5.9000000"
        lines[row] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode()


def stored(tmp_path) -> int:
    return sum(s.id.startswith("synthetic-") for s in SQLiteSiteStore(tmp_path / "sites.sqlite").sites())


def test_a_big_file_offers_only_its_rows_with_problems_to_drop_and_drops_them_all_at_once(import_tab, domain, tmp_path):
    at = upload(import_tab, "inventaris.csv", broken(domain, 600, range(5, 600, 100)))
    drop = at.multiselect(key="import_drop")
    assert drop.options == ["5", "105", "205", "305", "405", "505"]  # not 600 options, one per row
    drop.set_value([105]).run()
    assert "599 of 600 rows will be stored; 5 kept rows still have problems (fix them or drop them)." in [m.value for m in at.markdown]
    [table] = [d.value for d in at.dataframe if "Problems" in d.value.columns]
    assert list(table["Row"]) == [5, 105, 205, 305, 405, 505] and list(table["Keep?"]) == [True, False, True, True, True, True]
    assert table["Problems"].iloc[0].startswith("row 5: ") and at.button(key="import_commit").disabled
    at.button(key="import_drop_problems").click().run()
    assert at.multiselect(key="import_drop").value == [5, 105, 205, 305, 405, 505]
    next(b for b in at.button if b.label == "Store all kept rows").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success][0].startswith("594 sites stored") and stored(tmp_path) == 594


def test_many_rows_with_problems_are_dropped_by_typed_ranges(import_tab, domain, tmp_path):
    at = upload(import_tab, "inventaris.csv", broken(domain, 1200, range(1, 601)))
    assert not at.multiselect and at.radio(key="import_show").value == "problems"
    typed = at.text_input(key="import_drop_rows")
    typed.input("1-600, x").run()
    assert [e.value for e in at.error] == ["\u201cx\u201d is not a row number or range of this file; nothing was changed."]
    at.text_input(key="import_drop_rows").input("1-300; 301\u2013600").run()
    assert at.text_input(key="import_drop_rows").value == "1-600"
    next(b for b in at.button if b.label == "Store all kept rows").click().run()
    assert not at.exception, at.exception
    assert stored(tmp_path) == 600


def payload_bytes(at: AppTest) -> int:
    """What a rerun sends: the serialized size of every element on the page."""

    def size(node) -> int:
        own = node.proto.ByteSize() if getattr(node, "proto", None) is not None else 0
        return own + sum(size(child) for child in getattr(node, "children", {}).values())

    return size(at.main) + size(at.sidebar)


def test_a_20000_row_file_sends_a_page_not_the_file(import_tab, domain):
    at = upload(import_tab, "inventaris.csv", broken(domain, 20_000, range(7, 20_000, 100)))
    # Measured 0.69 MB (the clustered map 0.58 MB); before, the page sent 3.97 MB: every row in the table and the drop list.
    assert payload_bytes(at) < 1_000_000
    assert len(at.multiselect(key="import_drop").options) == 200
    [table] = [d.value for d in at.dataframe if "Problems" in d.value.columns]
    assert len(table) == 200 and all(table["Problems"].str.startswith("row "))


def test_row_ranges_read_and_written():
    assert manage_page._ranges([1, 2, 3, 7, 9, 10]) == "1-3, 7, 9-10"
    assert manage_page._parse_ranges(" 1-3, 7;9\u201310 ", set(range(1, 11))) == [1, 2, 3, 7, 9, 10]
    for bad in ("0", "3-1", "11", "1-11", "a"):
        with pytest.raises(ValueError, match=bad):
            manage_page._parse_ranges(bad, set(range(1, 11)))


def test_the_problem_download_lists_every_row_with_a_problem_in_safe_cells(domain):
    data = 'nama;program;lintang;bujur\n=HYPERLINK("http://evil.example");tsl-4-7-05;-6,2000;106,8450\nPosko Uji Serua;tsl-4-7-05;-6,3180;106,6930\n'
    rows = importer.check_rows(importer.read_upload(data.encode()), domain, []).rows
    lines = manage_page.problem_csv(rows[rows["problems"].map(bool)], translator("en"), "en").decode("utf-8-sig").splitlines()
    assert lines[0] == '"Row","Name","Problems"' and len(lines) == 2
    assert lines[1].startswith('1,"\'=HYPERLINK(""http://evil.example"")","row 1: -6.20000, 106.84500 lies outside')
