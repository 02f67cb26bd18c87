"""Widgets the pages share."""

from __future__ import annotations

import streamlit as st


def multiselect(label: str, options: dict[str, str], key: str, placeholder: str, help: str | None = None) -> tuple[str, ...]:
    """A multiselect over ``{value: label}``; an empty choice means "all".

    Values no longer offered (e.g. a sasaran after its misi was deselected) are
    dropped first, since Streamlit refuses a state outside the options.
    """
    if key in st.session_state:
        st.session_state[key] = [v for v in st.session_state[key] if v in options]
    # Typed text matches where it appears in a label ("Curug" finds Curug only), not fuzzily.
    return tuple(st.multiselect(label, list(options), format_func=options.get, key=key, placeholder=placeholder, help=help, filter_mode="contains"))
