"""Peta Janji Tangerang: the Streamlit entry point.

It only composes widgets; loading, joins and drawing live in ``geo`` and
``layers``. Run with ``scripts/run.sh`` (or ``streamlit run app.py`` after set-up).
"""

import logging
import uuid

import streamlit as st

from geo.errors import DataError
from views import briefing_page, compare_page, coverage_page, data, login, manage_page, map_page, near_page, state, tracker_page
from texts.catalog import LANGUAGES, translator
from texts.safe import markdown_text

log = logging.getLogger("peta")

st.set_page_config(page_title="Peta Janji Tangerang", page_icon=":world_map:", layout="wide")
# Static CSS only: a smaller title on phones leaves room for the map.
st.html("<style>@media (max-width: 640px) { h1 { font-size: 1.7rem !important; } }</style>")

PAGES = {"peta": map_page, "dekat": near_page, "cakupan": coverage_page, "janji": tracker_page, "ringkasan": briefing_page,
         "banding": compare_page, "kelola": manage_page}
COMMON = [
    state.Param("bahasa", "lang", "choice", options=lambda: list(LANGUAGES), default="id"),
    state.Param("hal", "page", "choice", options=lambda: list(PAGES), default="peta"),
]

try:
    data.admin()
    data.layers()
    data.evidence()
    problem = None
except DataError as exc:
    problem = exc

page_params = {name: page.params() for name, page in PAGES.items()} if problem is None else {}
# Pages share some names (e.g. "lap"): the page the link opens restores last, so its widgets get them.
order = sorted(page_params, key=lambda name: name == st.query_params.get("hal", "peta"))
ignored = state.restore(COMMON + [p for name in order for p in page_params[name]])

lang = st.sidebar.radio("Bahasa / Language", list(LANGUAGES), format_func=LANGUAGES.get, horizontal=True, key="lang")
t = translator(lang)
page = st.sidebar.radio(t("page"), list(PAGES), format_func=lambda p: t(f"page_{p}"), key="page")
login.sidebar(t, lang)
st.title(t("app_title"))
st.caption(t("app_caption"))
if ignored:
    st.warning(t("ignored_params").format(names=state.ignored_names(ignored)))
if problem is not None:
    st.error(f"**{t('data_error')}**: {markdown_text(problem.text(lang))}")
    st.info(t("data_error_help"))
    st.stop()

# The page boundary: whatever a page did not handle becomes a short message in the UI language, never a traceback;
# the details go to the server log under an incident id the planner can quote.
try:
    PAGES[page].render(t, lang)
except DataError as exc:
    log.warning("page %s refused: %s", page, exc)
    st.error(markdown_text(exc.text(lang)))
except Exception:
    incident = uuid.uuid4().hex[:8]
    log.exception("incident %s on page %s", incident, page)
    st.error(t("page_failed").format(incident=incident))
state.publish(COMMON + page_params[page])
