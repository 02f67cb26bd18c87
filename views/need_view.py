"""The "janji vs kebutuhan" panel of the coverage page: promised places, planned places and the model's best, side by side."""

from __future__ import annotations

from typing import Callable

import pandas as pd
import streamlit as st

from geo import supply as existing_supply
from layers.need import SPACING_M
from texts.numbers import format_number
from texts.safe import markdown_text
from views import data

# Coverage layer → the program whose promise is weighed against need there.
PANELS = {"smp_baru": "tsl-1-1-01"}


def _label(option, t: Callable[[str], str], evidence_ids: list[str]) -> str:
    names = ", ".join(option.areas["name"])
    if option.key == "promised":
        return t("need_promised").format(names=names)
    if option.key == "planned":
        return t("need_planned").format(names=names, evidence=", ".join(evidence_ids))
    return t("need_model").format(n=option.sites)


def panel(layer_id: str, radius_m: float, t: Callable[[str], str], lang: str, population_note: str) -> None:
    """Draw the panel for the program of ``layer_id`` at the page's radius."""
    program_id = PANELS[layer_id]
    year = existing_supply.KINDS[existing_supply.COUNTERPARTS[layer_id][0]].year
    st.markdown(f"#### {t('need_title')}")
    st.caption(t("need_help").format(radius=format_number(radius_m / 1000, lang), year=year, spacing=format_number(SPACING_M, lang)))
    st.caption(markdown_text(t("need_demand").format(population=population_note)))
    with st.spinner(t("need_computing")):
        options, evidence_ids = data.promise_need(program_id, radius_m)
    if not any(o.key == "planned" for o in options):
        st.caption(t("need_planned_none"))
    st.dataframe(
        pd.DataFrame({
            t("need_option"): [_label(o, t, evidence_ids) for o in options],
            t("need_sites"): [o.sites for o in options],
            t("need_low"): [format_number(o.low, lang, 0) for o in options],
            t("need_high"): [format_number(o.high, lang, 0) for o in options],
        }),
        hide_index=True, width="stretch", key="need_table",
    )  # fmt: skip
    with st.expander(t("need_areas")):
        areas = pd.concat([o.areas for o in options if len(o.areas)], ignore_index=True)
        st.dataframe(
            pd.DataFrame({
                t("need_area"): areas["name"], t("need_low"): [format_number(v, lang, 0) for v in areas["low"]],
                t("need_high"): [format_number(v, lang, 0) for v in areas["high"]],
            }),
            hide_index=True, width="stretch",
        )  # fmt: skip
