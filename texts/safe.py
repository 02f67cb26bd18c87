"""Text made safe for where it lands: HTML (folium escapes nothing), a script inside HTML, Markdown (Streamlit
renders it), spreadsheet cells (a leading ``=`` is a formula) and links (``http(s)`` only).

Every data-bearing text goes through one of these; each context has exactly one function.
"""

from __future__ import annotations

import csv
import html
import json
import math
import re
import unicodedata
from urllib.parse import urlsplit

import pandas as pd

MISSING = "\u2014"  # how an absent value reads in a popup or a table cell

# Markdown (CommonMark + Streamlit's extras: ~~, :emoji:, $math$) punctuation, escaped with a backslash.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=&])")
# Streamlit rewrites some plain text after parsing, where a backslash no longer counts: bare URLs, "www." and e-mail
# addresses become links (GFM autolink literals), ":name:" becomes an emoji, icon or logo, and a stand-alone "->",
# "<-", "<->", "--", ">=", "<=" or "~=" an arrow or sign. A word joiner (invisible, no width) inside each keeps it text.
_WORD_JOINER = "\u2060"
_REWRITTEN = re.compile(r"(?<=:)(?=\S)|(?i:(?<=www))(?=\.)|(?<=@)(?=\S)")  # "http://", ":smile:", "www.", "a@b.org"
_ARROW = re.compile(r"(?<![^\s\ufeff])(<->|->|<-|--|>=|<=|~=)(?![^\s\ufeff])")  # JavaScript's \s also matches U+FEFF
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_SCRIPT_UNSAFE = str.maketrans({c: f"\\u{ord(c):04x}" for c in "<>&{}"})
# OWASP CSV injection: a cell starting with "=", "+", "-", "@", tab or carriage return is read as a formula by
# spreadsheet programs; so is one after leading blanks (a spreadsheet may trim them) or in full width (some locales).
_FORMULA = re.compile(r"[\t\r]|\s*[=+\-@\uff1d\uff0b\uff0d\uff20]")


def is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def html_text(value: object) -> str:
    """Text safe inside HTML (and its attributes); a missing value reads as an em dash.

    Braces become character references too: folium renders the map's HTML as a Jinja template once more, where
    "{{ 7*7 }}" would run (and read "49").
    """
    return MISSING if is_missing(value) else html.escape(str(value), quote=True).replace("{", "&#123;").replace("}", "&#125;")


def script_json(value: object) -> str:
    """``value`` as a JavaScript literal (JSON) to paste into a folium script.

    Inside its strings "<", ">" and "&" are escaped, so no "</script>" or "<!--" can end the HTML script, and so are
    "{" and "}", because folium renders every script as a Jinja template once more (JSON's own braces never form
    "{{", "{%" or "{#").
    """
    return _JSON_STRING.sub(lambda m: m[0].translate(_SCRIPT_UNSAFE), json.dumps(value, separators=(",", ":")))


def markdown_text(value: object) -> str:
    """Text that Streamlit's Markdown shows literally: no link, image, emphasis, HTML, heading, icon or math.

    Newlines become spaces, so a value cannot start a block of its own. For widgets that show plain text
    (selectbox and multiselect options, data frames) pass the text as it is: there the escapes would show.
    """
    if is_missing(value):
        return MISSING
    text = _REWRITTEN.sub(_WORD_JOINER, " ".join(str(value).split()))
    text = _ARROW.sub(lambda m: m[1][0] + _WORD_JOINER + m[1][1:], text)
    return _MARKDOWN.sub(r"\\\1", text)


def markdown_link(text: object, url: object) -> str:
    """A Markdown link to ``url`` reading ``text``; only the escaped text where ``url`` is not an ``http(s)`` link."""
    target = http_url(url)
    if target is None:
        return markdown_text(text)
    # Inside <...> a destination may hold parentheses; only these three could end it early.
    target = target.replace("\\", "%5C").replace("<", "%3C").replace(">", "%3E")
    return f"[{markdown_text(text)}](<{target}>)"


def cell_text(value: object) -> object:
    """A value safe in a CSV or XLSX cell: text that a spreadsheet would run as a formula gets a leading ``'``.

    Numbers, dates and missing values pass unchanged.
    """
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def cell_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with :func:`cell_text` applied to every cell of its non-numeric columns."""
    out = frame.copy()
    for column in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_datetime64_any_dtype(out[column])):
            out[column] = out[column].map(cell_text)
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV with BOM (so spreadsheet programs detect the encoding), every cell :func:`cell_text`.

    Text cells are quoted, so a cell stays whole where a spreadsheet splits on ";" (the Indonesian list separator).
    """
    return cell_frame(frame).to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC).encode("utf-8-sig")


def http_url(value: object) -> str | None:
    """The value as a link if it is an absolute ``http(s)`` URL with a host and no spaces, else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or any(c.isspace() for c in text) or has_control(text):
        return None
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        return None
    return text if parts.scheme.lower() in ("http", "https") and host else None


def has_control(text: str) -> bool:
    """True if ``text`` holds a control or format character (e.g. right-to-left override U+202E), tab and newline excepted."""
    # isprintable() is False for every Cc and Cf character: most texts pass it in C, without the per-character scan.
    return not text.isprintable() and any(unicodedata.category(c) in ("Cc", "Cf") and c not in "\t\n" for c in text)
