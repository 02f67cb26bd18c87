"""Peta Janji Tangerang: the Streamlit entry point.

It only composes widgets; loading, joins and drawing live in ``geo`` and
``layers``. Run with ``scripts/run.sh`` (or ``streamlit run app.py`` after set-up).
"""

import streamlit as st

from geo.errors import DataError
from views import data, map_page
from views.i18n import LANGUAGES, translator

st.set_page_config(page_title="Peta Janji Tangerang", page_icon=":world_map:", layout="wide")

lang = st.sidebar.radio("Bahasa / Language", list(LANGUAGES), format_func=LANGUAGES.get, horizontal=True, key="lang")
t = translator(lang)
st.title(t("app_title"))
st.caption(t("app_caption"))

try:
    data.admin()
    data.layers()
except DataError as exc:
    st.error(f"**{t('data_error')}**: {exc}")
    st.info(t("data_error_help"))
    st.stop()

map_page.render(t, lang)
