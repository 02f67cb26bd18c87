"""The coverage page's tables read as people read numbers: thousands grouped in the UI language, numbers kept."""

from __future__ import annotations

import pytest
from streamlit import dataframe_util

from test_app import fresh
from texts.catalog import translator


@pytest.mark.parametrize("lang, group", [("id", "."), ("en", ",")])
def test_the_kecamatan_grid_groups_thousands_in_the_ui_language_and_keeps_numbers_to_sort(tmp_path, monkeypatch, lang, group):
    t = translator(lang)
    at = fresh(tmp_path, monkeypatch, hal="cakupan", lap="posko_bencana", bahasa=lang)
    for table in (d for d in at.dataframe if t("population_est") in d.value.columns):
        numbers = table.value
        text = dataframe_util.convert_arrow_bytes_to_pandas_df(table.proto.arrow_data.styler.display_values)
        people = numbers[t("population_est")]
        assert people.dtype.kind == "i" and people.max() > 1_000  # the cells keep their numbers: sorting stays numeric
        assert text[t("population_est")].tolist() == [f"{n:,}".replace(",", group) for n in people]
    kecamatan = next(d for d in at.dataframe if t("col_per_facility") in d.value.columns)
    shown = dataframe_util.convert_arrow_bytes_to_pandas_df(kecamatan.proto.arrow_data.styler.display_values)
    assert (shown[t("col_per_facility")][kecamatan.value[t("col_per_facility")].isna()] == "\u2014").all()  # nothing to divide by
