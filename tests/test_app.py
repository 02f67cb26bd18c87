"""The Streamlit app, run headless with AppTest."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from geo.config import PROJECT_ROOT

APP = str(PROJECT_ROOT / "app.py")


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("PETA_STORE", str(tmp_path / "sites.sqlite"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def map_script(at) -> str:
    [component] = at.get("component_instance")
    return json.loads(component.proto.json_args)["script"]


def test_runs_in_indonesian_with_a_map_and_attribution(app):
    assert app.title[0].value == "Peta Janji Tangerang"
    script = map_script(app)
    assert "Stadion mini" in script and "SMP baru" in script
    assert "BPS via OCHA HDX COD-AB (CC BY-IGO)" in script
    captions = " ".join(c.value for c in app.caption)
    assert "CC BY-IGO" in captions and "ODbL" in captions


def test_layer_filter_changes_what_the_map_draws(app):
    before = map_script(app)
    app.multiselect(key="f_layer").set_value(["spku"]).run()
    assert not app.exception
    after = map_script(app)
    assert before != after
    assert "Kec. Pamulang" in after and "Stadion mini" not in after and "SMP baru" not in after


def test_region_and_kecamatan_filters_narrow_the_table(app):
    app.multiselect(key="f_region").set_value(["3674"]).run()
    app.multiselect(key="f_kec").set_value(["3674030"]).run()
    assert not app.exception
    table = app.dataframe[0].value
    assert len(table) == 3 and set(table["Kecamatan"]) == {"Pamulang"}
    assert "3 lokasi tersaring" in " ".join(m.value for m in app.markdown)


def test_english_switch(app):
    app.radio(key="lang").set_value("en").run()
    assert not app.exception
    assert app.title[0].value == "Tangerang Promise Map"
    assert "New junior secondary schools" in map_script(app)


def test_missing_data_shows_a_message_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("PETA_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("PETA_STORE", str(tmp_path / "sites.sqlite"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert "is missing" in at.error[0].value and "scripts/setup.sh" in at.info[0].value
