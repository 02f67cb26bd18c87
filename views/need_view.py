"""The "janji vs kebutuhan" panels of the coverage page: promised places, planned places and the model's best, side by side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd
import streamlit as st

from geo import supply as existing_supply
from layers.need import SPACING_M, stated_count
from texts.numbers import format_number
from texts.safe import markdown_text
from views import data


@dataclass(frozen=True)
class Panel:
    """One comparison: a program weighed against the existing facilities of a coverage layer.

    ``models`` are the counts the model places; with ``gap_word`` instead,
    the count is the number the program's target text states for that word
    minus the facilities of that kind the data place in the program's region.
    """

    program: str
    key: str  # the panel's texts: need_title_<key>, need_help_<key>
    models: tuple[int, ...] = ()
    gap_word: str = ""


# Coverage layer → its panel. SMP: 4 promised kecamatan, and 7 new SMP in the RPJMD (evidence ev-095, ev-097).
PANELS = {
    "smp_baru": Panel("tsl-1-1-01", "smp", models=(4, 7)),
    "puskesmas": Panel("tsl-1-2-06", "puskesmas", gap_word="puskesmas"),
}


def _label(option, t: Callable[[str], str], evidence_ids: list[str], region: str) -> str:
    names = ", ".join(option.areas["name"])
    if option.key == "promised":
        return t("need_promised").format(names=names)
    if option.key == "planned":
        return t("need_planned").format(names=names, evidence=", ".join(evidence_ids))
    return t("need_model").format(n=option.sites, region=region)


def _model_counts(panel: Panel, layer_id: str, t: Callable[[str], str]) -> tuple[int, ...]:
    """The panel's model counts; for a gap, says where the count comes from."""
    if not panel.gap_word:
        return panel.models
    program = data.catalog().program(panel.program)
    kind = existing_supply.KINDS[existing_supply.COUNTERPARTS[layer_id][0]]
    points = existing_supply.counterpart_sites(data.supply(), layer_id)
    existing = int((points["kode_kab"] == program.region).sum())
    stated = stated_count(program.target_text, panel.gap_word)
    if stated is None or stated <= existing:
        return ()
    st.caption(t("need_gap").format(stated=stated, word=panel.gap_word, existing=existing, source=kind.source, year=kind.year,
                                    n=stated - existing))  # fmt: skip
    return (stated - existing,)


def panel(layer_id: str, radius_m: float, t: Callable[[str], str], lang: str, population_note: str) -> None:
    """Draw the panel of ``layer_id`` at the page's radius."""
    config = PANELS[layer_id]
    program = data.catalog().program(config.program)
    year = existing_supply.KINDS[existing_supply.COUNTERPARTS[layer_id][0]].year
    st.markdown(f"#### {t('need_title_' + config.key)}")
    st.caption(t("need_help_" + config.key).format(radius=format_number(radius_m / 1000, lang), year=year,
                                                   spacing=format_number(SPACING_M, lang)))  # fmt: skip
    st.caption(t("need_exact"))
    st.caption(markdown_text(t("need_demand").format(population=population_note)))
    counts = _model_counts(config, layer_id, t)
    with st.spinner(t("need_computing")):
        options, evidence_ids = data.promise_need(config.program, layer_id, radius_m, counts)
    if not any(o.key == "planned" for o in options):
        st.caption(t("need_planned_none"))
    if not options:
        return
    region = data.region_name(program.region)
    st.dataframe(
        pd.DataFrame({
            t("need_option"): [_label(o, t, evidence_ids, region) for o in options],
            t("need_sites"): [o.sites for o in options],
            t("need_low"): [format_number(o.low, lang, 0) for o in options],
            t("need_high"): [format_number(o.high, lang, 0) for o in options],
        }),
        hide_index=True, width="stretch", key=f"need_table_{layer_id}",
    )  # fmt: skip
    areas = [o.areas for o in options if len(o.areas)]
    if not areas:
        return
    with st.expander(t("need_areas")):
        areas = pd.concat(areas, ignore_index=True)
        st.dataframe(
            pd.DataFrame({
                t("need_area"): areas["name"], t("need_low"): [format_number(v, lang, 0) for v in areas["low"]],
                t("need_high"): [format_number(v, lang, 0) for v in areas["high"]],
            }),
            hide_index=True, width="stretch",
        )  # fmt: skip
