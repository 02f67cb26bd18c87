"""The Streamlit app, run headless with AppTest."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from geo.config import PROJECT_ROOT
from texts.safe import markdown_text

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


def test_coverage_page_runs_for_every_seed_layer(tmp_path, monkeypatch):
    from views.coverage_page import coverage_layers

    at = fresh(tmp_path, monkeypatch, hal="cakupan")
    layer_ids = list(coverage_layers())
    assert "posko_bencana" in layer_ids and "jalan" not in layer_ids  # no radius, no coverage
    for layer_id in layer_ids:
        at.selectbox(key="c_layer").set_value(layer_id).run()
        assert not at.exception, (layer_id, at.exception)
        assert at.query_params["lap"] == layer_id
    # Seeded sites are known only to a kecamatan or region: they cover no one, and the page says why.
    at.selectbox(key="c_layer").set_value("stadion_mini").run()
    assert "29 lokasi tidak dihitung" in at.warning[0].value


@pytest.mark.parametrize("model", ["mclp", "lscp", "pmedian"])
def test_proposals_for_the_14_posko(tmp_path, monkeypatch, model):
    at = fresh(tmp_path, monkeypatch, hal="cakupan", lap="posko_bencana", model=model)
    at.button(key="c_run").click().run()
    assert not at.exception, at.exception
    summary = at.success[0].value
    assert summary.startswith("Usulan model (")
    table = at.dataframe[0].value
    if model != "lscp":
        assert len(table) == 14
    assert set(table["Kecamatan"]) <= {"Setu", "Serpong", "Pamulang", "Ciputat", "Ciputat Timur", "Pondok Aren", "Serpong Utara"}
    assert "Usulan model" in map_script(at)


def tracker_table(at):
    return at.dataframe[0].value


def test_tracker_filters_narrow_the_table(tmp_path, monkeypatch, planner, domain):
    from layers.model import ProgramStatus
    from register.auth import require_planner
    from register.store import SQLiteSiteStore

    # A status recorded in the store (not in code) overrides the evidence rule's proposal, and says so.
    SQLiteSiteStore(tmp_path / "sites.sqlite", require_planner, domain).record_program_status(
        "tsl-1-1-01", ProgramStatus.FULFILLED, "https://example.org/smp-baru", "", "2025-06-15", planner
    )
    at = fresh(tmp_path, monkeypatch, hal="janji")
    assert len(tracker_table(at)) == 198
    smp = tracker_table(at).set_index("ID").loc["tsl-1-1-01"]
    assert smp["Status"] == "Terpenuhi" and smp["Alasan status"].startswith("Terpenuhi: dicatat perencana")
    at.multiselect(key="t_region").set_value(["3603"]).run()
    table = tracker_table(at)
    assert len(table) == 82 and set(table["Wilayah"]) == {"Kab. Tangerang"}
    assert at.query_params["j_wil"] == "3603"
    at.multiselect(key="t_region").set_value([]).run()
    at.multiselect(key="t_misi").set_value(["tsl2024:4"]).run()
    misi_4 = tracker_table(at)
    assert 0 < len(misi_4) < 116 and set(misi_4["ID"].str[:6]) == {"tsl-4-"}
    at.text_input(key="t_q").input("posko").run()
    table = tracker_table(at)
    assert list(table["ID"]) == ["tsl-4-7-05"] and at.query_params["q"] == "posko"
    # Its row links to the map, filtered to its layer and misi.
    link = table["Peta"].iloc[0]
    assert "hal=peta" in link and "lap=posko_bencana" in link and "misi=tsl2024:4" in link
    at.text_input(key="t_q").input("").run()
    at.multiselect(key="t_misi").set_value([]).run()
    at.multiselect(key="t_status").set_value(["terpenuhi"]).run()
    table = tracker_table(at).set_index("ID")
    assert {m.label: m.value for m in at.metric}["Terpenuhi"] == str(len(table))
    assert set(table["Status"]) == {"Terpenuhi"} and table.at["tsl-1-1-01", "Bukti"] == "https://example.org/smp-baru"
    at.text_input(key="t_q").input("posko").run()
    assert not at.dataframe and "Tidak ada program" in at.info[0].value


def test_tracker_kecamatan_filter_and_shared_link(tmp_path, monkeypatch):
    at = fresh(tmp_path, monkeypatch, hal="janji", j_kec="3674030", urut="name")
    table = tracker_table(at)
    # Programs with a site in Pamulang or naming it: the SMP, RSU Pamulang, the SPKU in every kecamatan.
    assert {"tsl-1-1-01", "tsl-1-2-05", "tsl-4-7-13"} <= set(table["ID"]) and len(table) < 20
    assert list(table["Program"]) == sorted(table["Program"], key=str.casefold)
    smp = table.set_index("ID").at["tsl-1-1-01", "Peta"]
    assert "kec=3674030" in smp and "lap=smp_baru" in smp


def test_a_map_link_from_the_tracker_filters_the_map(tmp_path, monkeypatch):
    at = fresh(tmp_path, monkeypatch, hal="peta", wil="3674", lap="smp_baru", misi="tsl2024:1", kec="3674030")
    assert at.multiselect(key="f_layer").value == ["smp_baru"] and at.multiselect(key="f_kec").value == ["3674030"]
    table = at.dataframe[0].value
    assert len(table) == 1 and "sekolah baru SMP" in table["Program"].iloc[0]


def test_briefing_link_opens_the_kecamatan(tmp_path, monkeypatch):
    at = fresh(tmp_path, monkeypatch, hal="ringkasan", area="3674060")
    assert at.selectbox(key="r_area").value == "3674060"
    assert at.header[0].value == "Kecamatan Pondok Aren"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Penduduk (2025)"] == "310.955"
    assert "Disdukcapil" in " ".join(c.value for c in at.caption)
    programs = at.table[0].value
    smp = markdown_text("Pembangunan 4 unit sekolah baru SMP (Setu, Pamulang, Serpong Utara, Pondok Aren)")
    assert f"{smp} ({markdown_text('tsl-1-1-01')})" in set(programs["Program"])
    assert len(at.get("image")) == 1  # the static map
    assert at.query_params["area"] == "3674060"
    at.selectbox(key="r_area").set_value("3603").run()
    assert at.header[0].value == "Kabupaten Tangerang" and at.query_params["area"] == "3603"


def test_malformed_briefing_area_is_ignored_with_a_notice(tmp_path, monkeypatch):
    at = fresh(tmp_path, monkeypatch, hal="ringkasan", area="3671010")  # Kota Tangerang: no program document
    assert "area" in at.warning[0].value
    assert "Pilih kecamatan" in at.info[0].value and not at.header
    assert "area" not in at.query_params


def test_tracker_search_link_is_capped(tmp_path, monkeypatch):
    at = fresh(tmp_path, monkeypatch, hal="janji", q="x" * 101, j_status="bogus")
    notice = at.warning[0].value
    assert "q" in notice and markdown_text("j_status") in notice
    assert at.text_input(key="t_q").value == "" and len(tracker_table(at)) == 198


@pytest.mark.parametrize(("lang", "reason", "confidence"), [
    ("id", "hanya diketahui kecamatannya: letak di dalamnya belum diketahui", "sedang\u2013tinggi"),
    ("en", "known only to its district: where in it is unknown", "medium to high"),
])
def test_coverage_page_explains_in_the_ui_language(tmp_path, monkeypatch, lang, reason, confidence):
    at = fresh(tmp_path, monkeypatch, hal="cakupan", lap="stadion_mini", bahasa=lang)
    assert reason in list(at.dataframe[0].value.iloc[:, 2])
    assert any(confidence in c.value for c in at.caption)


def test_cancelled_posko_leave_14_to_place_on_every_page(tmp_path, monkeypatch, planner, catalog, kecamatan, domain):
    """Issue 9: the map, tracker, briefing and coverage pages once said 11, 14, 14 and 11."""
    from layers.model import Precision, Site, SiteStatus
    from register.auth import require_planner
    from register.seed import ensure_seeded
    from register.store import SQLiteSiteStore

    store = SQLiteSiteStore(tmp_path / "sites.sqlite", require_planner, domain=domain)
    ensure_seeded(store, catalog, kecamatan)
    corner = kecamatan.loc[kecamatan["kode_kec"] == "3674030"].geometry.iloc[0].representative_point()
    store.add(
        [
            Site(f"batal-{i}", "tsl-4-7-05", "posko_bencana", f"Posko batal {i}", Precision.EXACT, SiteStatus.CANCELLED,
                 geometry=corner.buffer(0.001 * i).representative_point(), source="uji", updated="2025-05-01")
            for i in (1, 2, 3)
        ],
        planner,
    )  # fmt: skip

    at = fresh(tmp_path, monkeypatch, hal="peta", lap="posko_bencana")
    missing = at.dataframe[1].value.set_index("Program")
    assert missing.filter(like="Posko", axis=0)["Belum berlokasi"].tolist() == [14]
    text = " ".join(m.value for m in at.markdown)
    assert "12.078" not in text and "unit target" not in text

    at = fresh(tmp_path, monkeypatch, hal="janji", q="posko")
    assert at.dataframe[0].value["Progres"].tolist() == ["0 dari 14 berlokasi, 0 selesai, 3 dibatalkan"]

    at = fresh(tmp_path, monkeypatch, hal="ringkasan", area="3674030")
    [open_targets] = [t.value for t in at.table if "Belum berlokasi" in t.value.columns]
    row = open_targets[open_targets["Program"].str.contains(markdown_text("tsl-4-7-05"), regex=False)]  # cells are Markdown
    assert row["Belum berlokasi"].tolist() == ["14"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Target wilayah belum berlokasi"].startswith("10 program")

    at = fresh(tmp_path, monkeypatch, hal="cakupan", lap="posko_bencana")
    assert {m.label: m.value for m in at.metric}["Lokasi yang dihitung"] == "0"  # cancelled posko cover no one
    assert not at.warning  # and are not "left out" either: they count for nothing
    assert "Masih perlu 14 lokasi" in " ".join(c.value for c in at.caption)
    assert at.number_input(key="c_n").value == 14


def test_downloads_are_not_built_on_a_plain_rerun(tmp_path, monkeypatch):
    from reports import export

    built = []
    for name in ("to_csv", "to_geojson"):
        real = getattr(export, name)
        monkeypatch.setattr(export, name, lambda sites, _real=real, _name=name: built.append(_name) or _real(sites))
    monkeypatch.setenv("PETA_STORE", str(tmp_path / "sites.sqlite"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.multiselect(key="f_layer").set_value(["spku"]).run()
    assert not at.exception, at.exception
    assert len(at.get("download_button")) == 2
    assert built == []  # Streamlit calls the builders only when a download button is pressed
