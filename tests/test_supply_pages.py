"""Existing facilities on the pages (AppTest): the map's supply layers, near me, coverage and janji vs kebutuhan."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_app import APP, map_script


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    """One register for the module: no test here writes to it, so the app's caches (keyed on the register and its
    revision) carry over, and the janji vs kebutuhan of SMP is computed once for both languages."""
    return tmp_path_factory.mktemp("register") / "sites.sqlite"


def run(register, monkeypatch, params: dict[str, str], timeout: int = 300) -> AppTest:
    monkeypatch.setenv("PETA_STORE", str(register))
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params.update(params)
    at.run()
    assert not at.exception, at.exception
    return at


def frame_texts(at) -> list[str]:
    return [d.value.to_string() for d in at.dataframe]


def test_supply_layers_are_off_by_default_and_carry_source_and_year(register, monkeypatch):
    at = run(register, monkeypatch, {})
    assert "Kemendikbud" not in map_script(at)  # the default view's payload holds no facility
    at.checkbox(key="f_supply").check().run()
    script = map_script(at)
    for label in ("SMP negeri (Kemendikbud (Dapodik), 2019)", "Puskesmas (Kemenkes BPPSDMK, 2019)",
                  "Pasar (OpenStreetMap (ODbL), 2026)", "Stasiun KRL (KRL GTFS (CC BY 4.0), 2026)"):  # fmt: skip
        assert label in script
    assert "L.marker(" not in script  # circle markers made from compact rows, never one Marker per point
    counts = frame_texts(at)[-2]
    assert "SMP negeri" in counts and "Digambar" in counts
    assert "no_coordinate" in frame_texts(at)[-1]  # the flagged list names the source's flags


def test_near_me_lists_existing_facilities_nearest_first_with_their_year(register, monkeypatch):
    at = run(register, monkeypatch, {"hal": "dekat", "lat": "-6.2745", "lon": "106.718", "r": "1", "bahasa": "en"})
    [table] = [d.value for d in at.dataframe if "Data year" in d.value.columns]
    metres = table["Distance"].str.replace(",", "").str.extract(r"([\d.]+) (m|km)")
    distance = metres[0].astype(float) * metres[1].map({"m": 1, "km": 1000})
    assert distance.is_monotonic_increasing and distance.max() <= 1000
    assert set(table["Data year"]) <= {2019, 2026}
    assert {"Primary schools (state & private)", "Markets"} <= set(table["Kind"])


@pytest.mark.parametrize("lang", ["id", "en"])
def test_janji_vs_kebutuhan_for_smp(register, monkeypatch, lang):
    at = run(register, monkeypatch, {"hal": "cakupan", "lap": "smp_baru", "r": "2000", "bahasa": lang}, timeout=600)
    [table] = [d.value for d in at.dataframe if d.value.shape[1] == 4 and len(d.value) >= 3]
    labels = " ".join(table.iloc[:, 0])
    assert "Setu, Pamulang, Serpong Utara, Pondok Aren" in labels
    assert "ev-095" in labels and "Sarua, Jombang" in labels  # SMPN 25 and 26, planned in Serua and Jombang, Ciputat
    assert list(table.iloc[:, 1]) == [4, 2, 4, 7]
    captions = " ".join(c.value for c in at.caption)
    demand = "seluruh penduduk" if lang == "id" else "total population"
    assert demand in captions and "2025" in captions and "2015" in captions and "2019" in captions
    kecamatan = [d.value for d in at.dataframe if d.value.shape[1] == 9][0]
    assert {"Fasilitas", "Facilities"} & set(kecamatan.columns)



def test_janji_vs_kebutuhan_for_puskesmas_counts_the_gap(register, monkeypatch):
    # tsl-1-2-06 names "puskesmas 35" and no place; the 2019 list places 21 in Tangsel: the model places the other 14.
    at = run(register, monkeypatch, {"hal": "cakupan", "lap": "puskesmas", "bahasa": "en"}, timeout=600)
    captions = " ".join(c.value for c in at.caption)
    assert "puskesmas 35" in captions and "hold 21 in this region, so the model places 14" in captions
    [table] = [d.value for d in at.dataframe if d.value.shape[1] == 4 and "Option" in d.value.columns]
    assert list(table["New facilities"]) == [14] and "Kota Tangerang Selatan" in table["Option"].iloc[0]


def test_briefing_page_shows_existing_facilities(register, monkeypatch):
    at = run(register, monkeypatch, {"hal": "ringkasan", "area": "3674030"})
    assert "Fasilitas yang sudah ada" in [h.value for h in at.subheader]
    [table] = [t.value for t in at.table if "SMP negeri" in t.value.columns]
    assert list(table["Kecamatan"]) == ["Pamulang"]
    assert any("Kemendikbud" in c.value and "2019" in c.value for c in at.caption)
