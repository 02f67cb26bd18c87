"""Data stays text on every page (AppTest): a site named like Markdown links and images, URL parameter names and
messages never become markup.

Every string Streamlit renders as Markdown (bodies, captions, alerts, headings, widget labels, radio options, expander
and tab labels, st.table cells) is collected from the page; none may hold the payload's link or image unescaped.
Plain-text places (selectbox and multiselect options, data frames, the folium map's HTML) are left out: there the
payload is shown as typed. ``tests/test_browser_safetext.py`` checks the same in chromium.
"""

from __future__ import annotations

import pytest
from shapely.geometry import Point
from streamlit.testing.v1 import AppTest

from conftest import PLANNER_PASSWORD
from layers.model import Precision, Site
from register.auth import require_planner
from register.store import SQLiteSiteStore
from test_app import fresh
from texts.safe import markdown_text

PAYLOAD = "[x](http://evil.example) ![i](http://127.0.0.1:9/b.png)"
RAW = ("http://evil.example", "http://127.0.0.1:9", "](http")  # what Markdown would turn into a link or an image
POINT = (106.7180, -6.2745)  # Pondok Aren
PONDOK_AREN = "3674060"
PLAIN = {"selectbox", "multiselect", "arrow_data_frame", "text_input", "component_instance", "download_button"}


@pytest.fixture
def run(tmp_path, monkeypatch, planner, domain):
    """``run(**query)`` opens the app on a register (``fresh``'s path) holding a posko named and sourced as the payload."""
    SQLiteSiteStore(tmp_path / "sites.sqlite", require_planner, domain).add(
        [Site(id="payload", program="tsl-4-7-05", layer="posko_bencana", name=PAYLOAD, precision=Precision.EXACT,
              geometry=Point(*POINT), source=PAYLOAD, updated="2026-11-23")],
        planner,
    )  # fmt: skip
    return lambda **query: fresh(tmp_path, monkeypatch, **query)


def _strings(message) -> list[str]:
    """Every string field of a protobuf message, nested messages included."""
    out = []
    for _, value in message.ListFields():
        repeated = not isinstance(value, (str, bytes)) and not hasattr(value, "ListFields") and hasattr(value, "__len__")
        for v in value if repeated else [value]:
            if isinstance(v, str):
                out.append(v)
            elif hasattr(v, "ListFields"):
                out += _strings(v)
    return out


def markdown_strings(at: AppTest) -> list[str]:
    """What the page renders as Markdown."""
    out = []
    for node in at._tree:
        if node.type in PLAIN or getattr(node, "proto", None) is None:
            continue
        if node.type == "table":
            out += [str(v) for v in node.value.to_numpy().ravel()]
        else:
            out += _strings(node.proto)
    return out


def assert_text_only(at: AppTest) -> list[str]:
    strings = markdown_strings(at)
    leaks = [s for s in strings if any(raw in s for raw in RAW)]
    assert leaks == []
    return strings


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"hal": "peta", "kec": PONDOK_AREN},
        {"hal": "cakupan", "lap": "posko_bencana"},
        {"hal": "janji", "q": "posko"},
    ],
    ids=["map", "map-pondok-aren", "coverage", "tracker"],
)
def test_pages_show_the_payload_site_as_text(run, query):
    assert_text_only(run(**query))


def test_near_me_lists_the_payload_site_as_text(run):
    at = run(hal="dekat", lat=str(POINT[1]), lon=str(POINT[0]))
    strings = assert_text_only(at)
    escaped = markdown_text(PAYLOAD)
    assert any(escaped in label for label in (e.label for e in at.expander))
    assert any(escaped in s and "Sumber" in s for s in strings)  # the source line of the details


def test_briefing_lists_the_payload_site_as_text(run):
    at = run(hal="ringkasan", area=PONDOK_AREN)
    assert_text_only(at)
    cells = [str(v) for table in at.table for v in table.value.to_numpy().ravel()]
    assert markdown_text(PAYLOAD) in cells


def test_manage_page_shows_the_payload_site_as_text(run):
    at = run(hal="kelola")
    at.text_input(key="login_user").input("rina")
    at.text_input(key="login_password").input(PLANNER_PASSWORD)
    next(b for b in at.button if b.label == "Masuk").click().run()
    assert at.tabs, "not logged in"
    at.selectbox(key="edit_site").set_value("payload").run()
    assert not at.exception, at.exception
    assert_text_only(at)
    assert PAYLOAD + " (payload)" in at.selectbox(key="edit_site").options  # plain text: shown as typed
    next(b for b in at.button if b.key == "retire_site").click().run()
    strings = assert_text_only(at)
    assert any(markdown_text(PAYLOAD) in s for s in strings)  # the "retired" confirmation names it, escaped


def test_unknown_parameter_names_are_not_echoed_as_markup(tmp_path, monkeypatch):
    name = "[Masuk ulang](http://evil.example)"
    at = fresh(tmp_path, monkeypatch, hal="peta", **{name: "1", "![i](http://127.0.0.1:9/b.png)": "1"})
    [notice] = at.warning
    assert "http://evil.example" not in notice.value and "http://127.0.0.1:9" not in notice.value
    assert markdown_text(name) in notice.value
    assert_text_only(at)


def test_ignored_names_are_escaped_cut_and_counted():
    from views.state import NAME_CHARS, NAMES_SHOWN, ignored_names

    names = ["**tebal**", "x" * 200] + [f"p{i}" for i in range(NAMES_SHOWN)]
    shown = ignored_names(names)
    assert shown.startswith(r"\*\*tebal\*\*, " + "x" * NAME_CHARS + "\u2026, p0")
    assert shown.endswith(f"p{NAMES_SHOWN - 3} (+2)")
