"""The map page at inventory scale (AppTest): the site table is shared read-only between sessions and pages, and a
layer's table of many points is built once; filter changes send which of its points they keep."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.config import PROJECT_ROOT
from register.auth import require_planner
from register.store import SQLiteSiteStore
from register.synthetic import synthetic_sites
from views import data, map_page

APP = str(PROJECT_ROOT / "app.py")
PAGES = ("peta", "dekat", "cakupan", "janji", "ringkasan", "banding", "kelola")


def started(tmp_path, monkeypatch, path=None) -> AppTest:
    monkeypatch.setenv("PETA_STORE", str(path or tmp_path / "sites.sqlite"))
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    assert not at.exception, at.exception
    return at


def map_script(at: AppTest) -> str:
    [component] = at.get("component_instance")
    return json.loads(component.proto.json_args)["script"]


def test_pages_leave_the_shared_site_table_as_read(tmp_path, monkeypatch):
    at = started(tmp_path, monkeypatch)
    shared = data._shared_sites(*data.register_key())
    before = shared.copy(deep=True)
    at.multiselect(key="f_region").set_value(["3674"]).run()
    for page in PAGES:
        at.radio(key="page").set_value(page).run()
        assert not at.exception, (page, at.exception)
    assert data._shared_sites(*data.register_key()) is shared
    pd.testing.assert_frame_equal(shared, before)
    # What a page gets is its own: a change to it (copied on write) never reaches the shared table.
    mine = data.sites()
    mine["name"] = "diubah"
    mine.loc[mine.index[0], "status"] = "batal"
    pd.testing.assert_frame_equal(shared, before)


@pytest.fixture
def inventory(tmp_path, planner, domain):
    """A register with 1,000 synthetic street lights: above the size drawn as one clustered element."""
    path = tmp_path / "inventory.sqlite"
    SQLiteSiteStore(path, require_planner, domain).add(synthetic_sites(domain, 1000), planner)
    return path


def test_a_layers_point_table_is_built_once_and_filters_send_which_of_its_points_they_keep(tmp_path, monkeypatch, inventory):
    built = []

    def counted(points, layer, t, lang):
        built.append((layer.id, len(points)))
        return real(points, layer, t, lang)

    real = map_page.layer_point_table
    monkeypatch.setattr(map_page, "layer_point_table", counted)
    at = started(tmp_path, monkeypatch, inventory)
    table = re.compile(r'"([A-Za-z0-9+/]{2000,}=*)", 100000, "id", "[^"]*", 5, (null|"[A-Za-z0-9+/=]+")\)')
    [(first, mask)] = table.findall(map_script(at))
    assert built == [("pju", 1000)] and mask == "null"  # every point shown: no mask
    # Counts in the UI language's digits (this was "1048 lokasi tersaring").
    assert re.search(r"\b1\.0\d\d lokasi tersaring: 1\.0\d\d titik pasti", " ".join(m.value for m in at.markdown))
    # Which layers are drawn, the choropleth's figure and a kecamatan filter reuse the table; the kecamatan filter
    # sends a mask of the points it keeps (one bit per point, in the table's order).
    at.multiselect(key="f_layer").set_value(["pju", "spku"]).run()
    at.selectbox(key="f_metric").set_value("per_10k").run()
    assert not at.exception and table.findall(map_script(at)) == [(first, "null")] and "per 10.000" in map_script(at)
    chosen = ["3674010", "3674020", "3674030", "3674040"]
    at.multiselect(key="f_kec").set_value(chosen).run()
    [(again, mask)] = table.findall(map_script(at))
    assert not at.exception and built == [("pju", 1000)] and again == first
    kept = np.unpackbits(np.frombuffer(base64.b64decode(json.loads(mask)), dtype=np.uint8))[:1000].astype(bool)
    sites = data.sites()
    order = map_page._layer_table(*data.register_key(), "pju", "id").index
    assert kept.tolist() == sites.loc[order, "kode_kec"].isin(chosen).tolist() and 300 < kept.sum() < 1000
