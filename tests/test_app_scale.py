"""The map page at inventory scale (AppTest): the site table is shared read-only between sessions and pages, and a
layer's many points are built once across filter changes that leave them as they were."""

from __future__ import annotations

import json
import re

import folium
import pandas as pd
import pytest
from folium.plugins import MarkerCluster
from streamlit.testing.v1 import AppTest

from geo.config import PROJECT_ROOT
from register.auth import require_planner
from register.store import SQLiteSiteStore
from register.synthetic import synthetic_sites
from views import data, folium_view, map_page

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


def test_a_layers_point_element_is_built_once_across_filter_changes_that_keep_its_points(tmp_path, monkeypatch, inventory):
    built = []

    def counted(points, layer, t, lang):
        built.append((layer.id, len(points)))
        return real(points, layer, t, lang)

    real = map_page.cluster_points
    monkeypatch.setattr(map_page, "cluster_points", counted)
    at = started(tmp_path, monkeypatch, inventory)
    table = re.compile(r'"([A-Za-z0-9+/]{2000,}=*)"')
    first = table.findall(map_script(at))
    assert built == [("pju", 1000)] and len(first) == 1
    # Which layers are drawn and the choropleth's figure leave the street lights' points as they were.
    at.multiselect(key="f_layer").set_value(["pju", "spku"]).run()
    at.selectbox(key="f_metric").set_value("per_10k").run()
    assert not at.exception and built == [("pju", 1000)]
    assert table.findall(map_script(at)) == first and "per 10.000" in map_script(at)
    # A kecamatan filter keeps fewer of them (still enough to cluster): that layer's element is built anew.
    at.multiselect(key="f_kec").set_value(["3674010", "3674020", "3674030", "3674040"]).run()
    assert not at.exception and len(built) == 2 and built[1][0] == "pju" and built[1][1] < 1000


def test_a_kept_element_draws_alike_on_two_maps_and_stays_as_kept():
    kept = MarkerCluster(name="kept")
    folium.Marker((-6.2, 106.6)).add_to(kept)
    before = (kept.get_name(), [child.get_name() for child in kept._children.values()])
    scripts = []
    for _ in range(2):
        m = folium.Map(location=(-6.2, 106.6))
        m.add_child(map_page._fresh(kept))
        scripts.append(folium_view.component_args(m)["script"])
    assert scripts[0] == scripts[1] and "L.markerClusterGroup" in scripts[0] and "L.marker" in scripts[0]
    assert kept._parent is None and (kept.get_name(), [child.get_name() for child in kept._children.values()]) == before
