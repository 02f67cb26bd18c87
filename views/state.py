"""Shareable views: widget values mirrored in the URL's query parameters.

On a session's first run, :func:`restore` copies valid query parameters into the
widgets' session state (unknown or malformed ones are dropped with a notice,
never an exception); after the widgets are drawn, :func:`publish` writes the
current values back, so a copied link opens the same view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import streamlit as st

from texts.safe import markdown_text

TEXT_MAX = 100  # longest free-text value taken from a link
NUMBER_DECIMALS = 5  # about 1 m in a latitude or longitude
NAMES_SHOWN, NAME_CHARS = 10, 40  # how much of the ignored parameters the notice lists


@dataclass(frozen=True)
class Param:
    """One widget mirrored in the URL.

    ``kind`` is "list" (comma-separated values from ``options``), "choice" (one
    of ``options``), "number" (within ``bounds``), "flag" ("1"/"0") or "text"
    (free text, printable and at most :data:`TEXT_MAX` characters).
    """

    name: str
    key: str
    kind: str
    options: Callable[[], list] | None = None
    bounds: tuple[float, float] | None = None
    default: Any = None


def _parse(param: Param, raw: str) -> Any:
    """The widget value for a raw query value; ValueError if it is malformed."""
    if param.kind == "list":
        values = [v for v in raw.split(",") if v]
        allowed = param.options()
        if not values or any(v not in allowed for v in values):
            raise ValueError(raw)
        return values
    if param.kind == "choice":
        if raw not in param.options():
            raise ValueError(raw)
        return raw
    if param.kind == "text":
        text = raw.strip()
        if len(text) > TEXT_MAX or not text.isprintable():
            raise ValueError(raw)
        return text
    if param.kind == "number":
        value = float(raw)
        low, high = param.bounds
        if not low <= value <= high:
            raise ValueError(raw)
        return value
    if raw not in ("0", "1"):
        raise ValueError(raw)
    return raw == "1"


def _format(param: Param, value: Any) -> str | None:
    """The query value for a widget value, or None where it is the default (kept out of the URL)."""
    if value is None or value == param.default or value == []:
        return None
    if param.kind == "text":
        return value.strip()[:TEXT_MAX] or None
    if param.kind == "list":
        return ",".join(value)
    if param.kind == "flag":
        return "1" if value else None
    if param.kind == "number":
        return f"{round(float(value), NUMBER_DECIMALS):.{NUMBER_DECIMALS}f}".rstrip("0").rstrip(".")
    return str(value)


def restore(params: list[Param]) -> list[str]:
    """Once per session, load query parameters into widget state; return the names of those ignored."""
    if st.session_state.get("_restored"):
        return []
    st.session_state["_restored"] = True
    known = {p.name: p for p in params}
    ignored = []
    for name in st.query_params:
        raw = st.query_params.get(name, "")
        param = known.get(name)
        if param is None:
            ignored.append(name)
            continue
        try:
            st.session_state[param.key] = _parse(param, raw)
        except (ValueError, TypeError):
            ignored.append(name)
    return ignored


def ignored_names(names: list[str]) -> str:
    """The ignored parameter names as text for the notice: escaped (a link can carry any name, so none is markup),
    each cut to :data:`NAME_CHARS` characters, at most :data:`NAMES_SHOWN` listed and the rest counted."""
    shown = [markdown_text(n if len(n) <= NAME_CHARS else n[:NAME_CHARS] + "\u2026") for n in names[:NAMES_SHOWN]]
    more = len(names) - len(shown)
    return ", ".join(shown) + (f" (+{more})" if more else "")


def publish(params: list[Param]) -> None:
    """Write the current widget values of ``params`` to the URL, dropping every other parameter."""
    wanted = {}
    for param in params:
        text = _format(param, st.session_state.get(param.key))
        if text is not None:
            wanted[param.name] = text
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)
