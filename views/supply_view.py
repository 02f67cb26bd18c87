"""Existing facilities on the pages: how many are drawn, how many are flagged, and which."""

from __future__ import annotations

from typing import Callable

import pandas as pd
import streamlit as st

from geo import supply as existing_supply
from views import data


def kind_label(kind_id: str, t: Callable[[str], str]) -> str:
    return t(f"supply_kind_{kind_id}")


def counts(t: Callable[[str], str]) -> None:
    """Per kind: drawn and flagged positions with source and year, then the flagged facilities themselves."""
    frame = data.supply()
    table = existing_supply.kind_counts(frame)
    st.subheader(t("supply_counts_title"))
    st.caption(t("supply_counts_help"))
    st.dataframe(
        pd.DataFrame({
            t("supply_col_kind"): [kind_label(k, t) for k in table["kind"]], t("supply_col_drawn"): table["drawn"],
            t("supply_col_flagged"): table["flagged"], t("supply_col_source"): table["source"], t("supply_col_year"): table["year"],
        }),
        hide_index=True, width="stretch",
    )  # fmt: skip
    flagged = existing_supply.flagged(frame)
    with st.expander(f"{t('supply_col_flagged')} ({len(flagged)})"):
        st.dataframe(
            pd.DataFrame({
                t("supply_col_kind"): [kind_label(k, t) for k in flagged["kind"]], t("name"): flagged["name"],
                t("kecamatan"): flagged["kecamatan"], t("supply_col_problem"): [t(f"supply_problem_{p}") for p in flagged["problem"]],
                t("supply_col_flags"): flagged["qa_flags"], "id": flagged["id"],
            }),
            hide_index=True, width="stretch",
        )  # fmt: skip
