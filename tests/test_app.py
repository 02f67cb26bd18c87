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


def fresh(tmp_path, monkeypatch, **query) -> AppTest:
    monkeypatch.setenv("PETA_STORE", str(tmp_path / "sites.sqlite"))
    at = AppTest.from_file(APP, default_timeout=120)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_query_parameters_set_the_location_and_filters(tmp_path, monkeypatch):
    at = fresh(tmp_path, monkeypatch, hal="dekat", lat="-6.2745", lon="106.7180", r="2", lap="spku,smp_baru")
    text = " ".join(m.value for m in at.markdown)
    assert "Kec. Pondok Aren" in text and "-6.27450, 106.71800" in text
    assert at.slider(key="n_r").value == 2.0
    assert at.multiselect(key="n_layer").value == ["spku", "smp_baru"]
    labels = [e.label for e in at.expander]
    assert any("Stasiun Pemantauan" in label for label in labels) and not any("Stadion" in label for label in labels)
    assert "L.circle(" in map_script(at) or "L.Circle(" in map_script(at)


def test_changing_a_filter_updates_the_url(tmp_path, monkeypatch):
    at = fresh(tmp_path, monkeypatch)
    at.multiselect(key="f_layer").set_value(["spku"]).run()
    at.multiselect(key="f_kec").set_value(["3674030", "3674060"]).run()
    assert at.query_params["lap"] == "spku" and at.query_params["kec"] == "3674030,3674060"
    at.multiselect(key="f_layer").set_value([]).run()
    assert "lap" not in at.query_params


def test_malformed_parameters_are_ignored_with_a_notice(tmp_path, monkeypatch):
    at = fresh(tmp_path, monkeypatch, hal="dekat", lat="abc", lon="999", r="-5", lap="spku,<script>", kec="x", foo="1")
    notice = at.warning[0].value
    for name in ("lat", "lon", "r", "lap", "kec", "foo"):
        assert name in notice
    assert "Belum ada lokasi" in at.info[0].value


def test_location_outside_the_regions_gets_a_message(tmp_path, monkeypatch):
    at = fresh(tmp_path, monkeypatch, hal="dekat", lat="-6.2088", lon="106.8456")
    assert "outside Kota Tangerang Selatan" in at.warning[0].value


def test_typed_coordinates_and_desa_search_set_the_location(tmp_path, monkeypatch, desa):
    at = fresh(tmp_path, monkeypatch, hal="dekat")
    at.text_input(key="n_coord").input("106,7180 -6,2745").run()
    assert at.query_params["lat"] == "-6.2745" and at.query_params["lon"] == "106.718"
    at.text_input(key="n_q").input("pondok kacang").run()
    picker = at.selectbox(key="n_desa")
    assert len(picker.options) == 2
    code = desa.loc[desa["desa"] == "Pondok Kacang Barat", "kode_desa"].iloc[0]
    picker.set_value(code).run()
    assert "Kel./Desa Pondok Kacang" in " ".join(m.value for m in at.markdown)
