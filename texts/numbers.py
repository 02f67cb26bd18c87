"""Numbers as people read them, by the locale library (Babel): ``50.000`` and ``166,2`` in Indonesian, ``50,000`` and ``166.2`` in English."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from texts.catalog import lang_of

LOCALES = {"id": "id_ID", "en": "en_US"}


def format_number(value: float, lang: str = "id", digits: int = 2) -> str:
    """``value`` with grouping and at most ``digits`` decimals (trailing zeros dropped)."""
    return format_decimal(round(float(value), digits), format="#,##0." + "#" * digits if digits else "#,##0", locale=LOCALES[lang_of(lang)])


def format_share(share: float, lang: str = "id", digits: int = 1) -> str:
    """A share (0.953) as a percentage (``95,3 %`` in Indonesian, ``95.3%`` in English)."""
    return format_percent(share, format="#,##0." + "#" * digits + " %" if lang_of(lang) == "id" else "#,##0." + "#" * digits + "%", locale=LOCALES[lang_of(lang)])


def format_partial_date(value: str, lang: str = "id", short: bool = False) -> str:
    """An ISO date at its own precision: ``2025-12-15`` "15 Desember 2025", ``2025-12`` "Desember 2025", ``2025`` as is.

    ``short`` abbreviates the month ("15 Des 2025"), for narrow table columns. A missing date (empty, None, NaN) is "".
    """
    if not isinstance(value, str) or not value:
        return ""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return str(parts[0])
    month = "LLL" if short else "LLLL"
    pattern = f"{month} y" if len(parts) == 2 else f"d {month.replace('L', 'M')} y"
    return format_date(date(*parts, *([1] if len(parts) == 2 else [])), pattern, locale=LOCALES[lang_of(lang)])
