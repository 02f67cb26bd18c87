"""Evidence of program progress: dated, cited events, one row each, and the check every row must pass.

An evidence item is one event reported by one source page (see
``../shared/data/evidence/PROVENANCE.md``): which program, when, what it shows
on the tracker's ladder (:class:`EvidenceStatus`), a paraphrase in Indonesian
and English, the finest place the page names and how precise it is, and the
page itself. One item's status is never the program's status; that judgement
is :mod:`evidence.status`.

:func:`check_evidence` is the one row check, used by the data install and by
the register when planners add or import items; its problems are message ids
(``evidence.*`` in :data:`texts.catalog.MESSAGES`) with their parameters.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from enum import Enum
from pathlib import Path

import pandas as pd

from geo.errors import DataError
from geo.sources import EVIDENCE, EVIDENCE_FILE, SEARCHED_FILES
from geo.validate import check_columns, raise_problems
from layers.catalog import Catalog
from layers.model import Precision
from texts.catalog import message
from texts.safe import has_control, http_url


class EvidenceStatus(str, Enum):
    """What one event shows, on the tracker's ladder (for the part of the program it covers)."""

    PLANNED = "rencana"  # planned or budgeted, not started
    IN_PROGRESS = "dalam_proses"  # under way
    DONE = "terpenuhi"  # done, for the part the event covers
    FAILED = "gagal"  # failed, cancelled, or a reported breakdown of the service


@dataclass(frozen=True)
class EvidenceItem:
    """One row of the evidence file (its columns, as text)."""

    evidence_id: str
    program_id: str
    event_date: str = ""  # YYYY, YYYY-MM or YYYY-MM-DD; empty when unknown (``note`` says what is known)
    status: str = ""  # an EvidenceStatus value
    claim_id: str = ""
    claim_en: str = ""
    place: str = ""  # the finest place the page names, as written
    precision: str = ""  # a layers.model.Precision value
    quantity: str = ""
    url: str = ""
    publisher: str = ""
    note: str = ""


COLUMNS = tuple(f.name for f in fields(EvidenceItem))
DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an evidence item: a message id and its parameters."""

    key: str
    params: dict = field(default_factory=dict)

    def text(self, lang: str = "id") -> str:
        return message(self.key, lang, **self.params)


def date_precision(value: str) -> str | None:
    """``"year"``, ``"month"`` or ``"day"`` for a valid ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; None otherwise."""
    match = DATE.fullmatch(value or "")
    if not match:
        return None
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return "day" if day else "month" if month else "year"


# Longest text per column (characters): room for a paraphrase of at most 25 words, a long address or note.
MAX_LENGTH = {
    "evidence_id": 40, "program_id": 40, "event_date": 10, "status": 20, "claim_id": 400, "claim_en": 400,
    "place": 300, "precision": 20, "quantity": 300, "url": 2000, "publisher": 200, "note": 1000,
}  # fmt: skip


def check_evidence(item: EvidenceItem, catalog: Catalog) -> list[Problem]:
    """Everything wrong with one evidence item; an empty list means it may be stored.

    It needs an id, a catalog program, a status on the ladder, a valid date (or
    none, with a note saying what is known), a claim in both languages, an
    ``http(s)`` URL and a known precision, text within :data:`MAX_LENGTH` and no control characters.
    """
    problems = []
    if not item.evidence_id.strip():
        problems.append(Problem("evidence.missing_id"))
    try:
        catalog.program(item.program_id)
    except KeyError:
        problems.append(Problem("evidence.unknown_program", {"value": item.program_id}))
    if item.status not in {s.value for s in EvidenceStatus}:
        problems.append(Problem("evidence.unknown_status", {"value": item.status, "allowed": ", ".join(s.value for s in EvidenceStatus)}))
    if item.event_date:
        if date_precision(item.event_date) is None:
            problems.append(Problem("evidence.bad_date", {"value": item.event_date}))
    elif not item.note.strip():
        problems.append(Problem("evidence.date_without_note"))
    if http_url(item.url) is None:
        problems.append(Problem("evidence.bad_url", {"value": item.url}))
    if item.precision not in {p.value for p in Precision}:
        problems.append(Problem("evidence.unknown_precision", {"value": item.precision, "allowed": ", ".join(p.value for p in Precision)}))
    missing = [name for name in ("claim_id", "claim_en") if not getattr(item, name).strip()]
    if missing:
        problems.append(Problem("evidence.missing_claim", {"columns": ", ".join(missing)}))
    too_long = [f"{name} ({len(value)} > {MAX_LENGTH[name]})" for name, value in asdict(item).items() if len(value) > MAX_LENGTH[name]]
    if too_long:
        problems.append(Problem("evidence.too_long", {"columns": ", ".join(too_long)}))
    controls = [name for name, value in asdict(item).items() if has_control(value)]
    if controls:
        problems.append(Problem("evidence.control_character", {"columns": ", ".join(controls)}))
    return problems


def read_evidence(path: str | Path, catalog: Catalog) -> pd.DataFrame:
    """The evidence file as a DataFrame of :data:`COLUMNS` (text), every row checked.

    Raises one :class:`~geo.errors.DataError`, in English like the other
    set-up checks (:mod:`geo.validate`), that names each bad row by its
    ``evidence_id`` with its problems, a repeated id, or the missing columns.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataError(f"{path.name} cannot be read as UTF-8 CSV: {exc}") from exc
    raise_problems(path.name, check_columns(frame, COLUMNS))
    frame = frame[list(COLUMNS)]
    problems = []
    for pos, row in enumerate(frame.itertuples(index=False), start=2):  # line 1 is the header
        item = EvidenceItem(*row)
        found = check_evidence(item, catalog)
        if found:
            where = item.evidence_id or f"line {pos}"
            problems.append(f"{where}: " + "; ".join(p.text("en") for p in found))
    repeated = sorted(set(frame.loc[frame["evidence_id"].duplicated(), "evidence_id"]) - {""})
    if repeated:
        problems.append(f"evidence_id repeated: {', '.join(repeated)}")
    raise_problems(path.name, problems)
    return frame


SEARCHED_COLUMNS = ("program_id", "rows_found", "queries")


def read_searched(path: str | Path, catalog: Catalog) -> pd.DataFrame:
    """A search log (``program_id <TAB> rows found <TAB> queries``, no header) as a DataFrame.

    ``queries`` becomes a tuple of the queries tried (split on ``" | "``). Raises
    DataError naming each line with an unknown program or a count that is not a
    whole number.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, sep="\t", header=None, names=SEARCHED_COLUMNS, dtype=str, keep_default_na=False, quoting=3)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataError(f"{path.name} cannot be read as a tab-separated UTF-8 file: {exc}") from exc
    known = {p.id for p in catalog.programs}
    problems = [
        f"line {pos} ({pid}): " + "; ".join(
            ([f"program {pid!r} is not in the catalog"] if pid not in known else [])
            + ([f"rows found {count!r} is not a whole number"] if not count.isdigit() else [])
        )
        for pos, (pid, count) in enumerate(zip(frame["program_id"], frame["rows_found"]), start=1)
        if pid not in known or not count.isdigit()
    ]  # fmt: skip
    raise_problems(path.name, problems)
    queries = frame["queries"].map(lambda text: tuple(q.strip() for q in text.split(" | ") if q.strip()))
    return frame.assign(rows_found=frame["rows_found"].astype(int), queries=queries)


def load_evidence(root: str | Path, catalog: Catalog) -> pd.DataFrame:
    """The installed evidence (``<root>/evidence/evidence.csv``), checked."""
    return read_evidence(Path(root) / EVIDENCE / EVIDENCE_FILE, catalog)


def load_searched(root: str | Path, catalog: Catalog) -> pd.DataFrame:
    """Both installed search logs in one table; a program searched twice keeps its last line."""
    frames = [read_searched(Path(root) / EVIDENCE / name, catalog) for name in SEARCHED_FILES]
    return pd.concat(frames, ignore_index=True).drop_duplicates("program_id", keep="last")
