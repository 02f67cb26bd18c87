"""The page boundary in app.py: an unexpected failure shows a short message with an incident id, never a traceback."""

from __future__ import annotations

import logging
import re

import pytest
from streamlit.testing.v1 import AppTest

from geo.config import PROJECT_ROOT
from geo.errors import DataError
from views import map_page

APP = str(PROJECT_ROOT / "app.py")
SECRET = "token=s3cr3t in /srv/peta/app.py line 12"


def run(tmp_path, monkeypatch, failure: Exception, lang: str = "id") -> AppTest:
    """The map page (the default) run with its render replaced by one that raises ``failure``."""

    def render(t, lang):
        raise failure

    monkeypatch.setenv("PETA_STORE", str(tmp_path / "sites.sqlite"))
    monkeypatch.setattr(map_page, "render", render)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["bahasa"] = lang
    return at.run()


@pytest.mark.parametrize("lang, text", [("id", "Kode insiden"), ("en", "Incident code")])
def test_an_unexpected_failure_shows_an_incident_id_and_logs_the_details(tmp_path, monkeypatch, caplog, lang, text):
    with caplog.at_level(logging.ERROR, logger="peta"):
        at = run(tmp_path, monkeypatch, ZeroDivisionError(SECRET), lang)
    assert not at.exception  # no traceback element on the page
    [error] = at.error
    assert text in error.value and SECRET not in error.value and "Traceback" not in error.value
    incident = re.search(r"(?:insiden|code): ([0-9a-f]{8})", error.value).group(1)
    [record] = [r for r in caplog.records if incident in r.getMessage()]
    assert record.exc_info[0] is ZeroDivisionError and SECRET in str(record.exc_info[1])
    assert at.title[0].value  # the rest of the app (title, sidebar) is still there


def test_an_unhandled_refusal_shows_its_message_in_the_ui_language(tmp_path, monkeypatch):
    at = run(tmp_path, monkeypatch, DataError(key="register.no_site", site="'x'"), "en")
    assert not at.exception
    assert [e.value for e in at.error] == ["There is no site with id 'x' in the register\\."]
