"""The "Bandingkan kecamatan" page (AppTest): 36 rows with their figures, the region filter in the URL, links to briefings."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from geo import config
from tests.test_app import fresh

PAMULANG, CURUG = "3674030", "3603050"


@pytest.fixture
def page(tmp_path, monkeypatch):
    return fresh(tmp_path, monkeypatch, hal="banding")


def comparison(at):
    [table] = [d for d in at.dataframe if "briefing_link" in d.value.columns]
    return table.value


def test_lists_all_36_kecamatan_with_their_figures(page):
    table = comparison(page)
    assert len(table) == 36 and table["kecamatan"].is_unique
    rows = table.set_index("kecamatan")
    pamulang, curug = rows.loc["Pamulang"], rows.loc["Curug"]
    # The seeded register: the document's SMP, RSU and SPKU sites in Pamulang, the stadion mini in Curug.
    assert (pamulang["sites_titik"], pamulang["sites_desa"], pamulang["sites_kecamatan"]) == (0, 0, 3)
    assert (pamulang["population"], pamulang["population_year"], pamulang["smp_negeri"], pamulang["puskesmas"]) == (339054, 2025, 5, 3)
    assert pamulang["per_smp_negeri"] == pytest.approx(339054 / 5)
    assert (curug["sites_kecamatan"], curug["population_year"], curug["smp_negeri"]) == (1, 2015, 1)
    assert curug["per_smp_negeri"] == pytest.approx(curug["population"])
    assert pamulang["evidence_events"] > 0 and pamulang["programs"] == 3
    assert rows.loc["Setu", "puskesmas"] == 0 and rows["per_puskesmas"].isna().sum() == (rows["puskesmas"] == 0).sum() > 0
    assert "36 dari 36 kecamatan" in " ".join(m.value for m in page.markdown)
    assert len(page.get("download_button")) == 2


def test_region_filter_narrows_the_table_and_the_link(tmp_path, monkeypatch):
    at = fresh(tmp_path, monkeypatch, hal="banding", b_wil=config.TANGSEL)
    assert at.multiselect(key="b_region").value == [config.TANGSEL]
    assert len(comparison(at)) == 7 and at.query_params["b_wil"] == config.TANGSEL
    at.multiselect(key="b_region").set_value([config.KAB_TANGERANG]).run()
    assert len(comparison(at)) == 29 and at.query_params["b_wil"] == config.KAB_TANGERANG


@pytest.mark.parametrize("name, title", [("Pamulang", "Kecamatan Pamulang"), ("Curug", "Kecamatan Curug")])
def test_the_row_link_opens_its_briefing(page, tmp_path, monkeypatch, name, title):
    link = comparison(page).set_index("kecamatan").at[name, "briefing_link"]
    parts = urlsplit(link)
    assert not parts.scheme and not parts.netloc  # relative: the same app, wherever it is served
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["hal"] == "ringkasan"
    briefing = fresh(tmp_path, monkeypatch, **query)
    assert briefing.header[0].value == title


def test_english(tmp_path, monkeypatch):
    at = fresh(tmp_path, monkeypatch, hal="banding", bahasa="en")
    table = comparison(at)
    assert len(table) == 36 and all("bahasa=en" in link for link in table["briefing_link"])
    assert "36 of 36 districts shown." in " ".join(m.value for m in at.markdown)
