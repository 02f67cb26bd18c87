"""Text made safe for where it lands: HTML (folium escapes nothing), Markdown (Streamlit renders it), spreadsheet
cells (a leading ``=`` is a formula) and links (``http(s)`` only).

Every data-bearing text goes through one of these; each context has exactly one function.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from urllib.parse import urlsplit

import pandas as pd

MISSING = "\u2014"  # how an absent value reads in a popup or a table cell

# Markdown (CommonMark + Streamlit's extras: ~~, :emoji:, $math$) punctuation, escaped with a backslash.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=&])")
# OWASP CSV injection: a cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def html_text(value: object) -> str:
    """Text safe inside HTML (and its attributes); a missing value reads as an em dash."""
    return MISSING if is_missing(value) else html.escape(str(value), quote=True)


def markdown_text(value: object) -> str:
    """Text that Streamlit's Markdown shows literally: no link, image, emphasis, HTML or heading.

    Newlines become spaces, so a value cannot start a block of its own.
    """
    if is_missing(value):
        return MISSING
    return _MARKDOWN.sub(r"\\\1", " ".join(str(value).split()))


def cell_text(value: object) -> object:
    """A value safe in a CSV or XLSX cell: text that a spreadsheet would run as a formula gets a leading ``'``.

    Numbers, dates and missing values pass unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def http_url(value: object) -> str | None:
    """The value as a link if it is an absolute ``http(s)`` URL with a host and no spaces, else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or any(c.isspace() for c in text) or has_control(text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    return text if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def has_control(text: str) -> bool:
    """True if ``text`` holds a control or format character (e.g. right-to-left override U+202E), tab and newline excepted."""
    # isprintable() is False for every Cc and Cf character: most texts pass it in C, without the per-character scan.
    return not text.isprintable() and any(unicodedata.category(c) in ("Cc", "Cf") and c not in "\t\n" for c in text)
