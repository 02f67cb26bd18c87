"""Importing evidence items from a CSV in the evidence file's format: read, check every row, commit all or nothing.

The same flow as a site import (:mod:`register.importer`, whose reading,
limits and preview this module reuses):

1. :func:`read_evidence_upload` reads an upload whose header is the evidence
   file's (:data:`evidence.items.COLUMNS`) into an :class:`~register.importer.ImportPreview`.
2. :func:`check_evidence_rows` lists each row's problems, named by row and
   ``evidence_id``: :func:`evidence.items.check_evidence`, an id already in the
   register or repeated in the file.
3. The planner drops rows (:func:`register.importer.drop_rows`) and checks again.
4. :func:`commit_evidence` stores every kept row as one batch or, if any kept
   row or the file has a problem, nothing. An undo removes the batch again.
"""

from __future__ import annotations

import dataclasses
import hashlib

import pandas as pd

from geo.errors import DataError
from geo.validate import MAX_LISTED
from layers.catalog import Catalog
from evidence.items import COLUMNS, EvidenceItem, check_evidence
from register.importer import ImportPreview, _key, _text, is_evidence_table, read_table
from register.store import SiteStore
from texts.catalog import message

ROW_COLUMNS = ["row", *COLUMNS, "problems", "keep"]


def read_evidence_upload(data: bytes, lang: str = "id") -> ImportPreview:
    """An evidence CSV as an unchecked preview (rows of :data:`ROW_COLUMNS`, cells as stripped text).

    DataError if the upload cannot be read, breaks a limit, or is not an
    evidence CSV; missing columns are file problems.
    """
    fmt, parsed = read_table(data)
    if not is_evidence_table(fmt, parsed.records.columns):
        raise DataError(key="evregister.not_evidence")
    headers = {_key(h): h for h in parsed.records.columns}
    missing = [c for c in COLUMNS if c not in headers]
    # The evidence preview holds its problems as text in the planner's language.
    file_problems = [p.text(lang) for p in parsed.file_problems]
    file_problems += [message("evregister.missing_columns", lang, columns=", ".join(missing))] if missing else []
    read_problems = {row: [p.text(lang) for p in problems] for row, problems in parsed.read_problems.items()}
    count = len(parsed.records)
    rows = pd.DataFrame(
        {"row": range(1, count + 1)}
        | {c: [_text(v) for v in parsed.records[headers[c]]] if c in headers else [""] * count for c in COLUMNS}
    )
    rows["program_id"] = rows["program_id"].str.lower()
    rows["problems"] = [[] for _ in range(len(rows))]
    rows["keep"] = True
    return ImportPreview(fmt, rows[ROW_COLUMNS], file_problems, read_problems)


def check_evidence_rows(preview: ImportPreview, catalog: Catalog, existing: list[dict], lang: str = "id") -> ImportPreview:
    """A checked copy of ``preview``: every row's problems, each starting with its row and ``evidence_id``.

    ``existing`` are the register's evidence records, retired ones included
    (``SiteStore.evidence(include_retired=True)``): their ids are taken. An id
    repeated among kept rows is a problem of the later rows.
    """
    rows = preview.rows.copy()
    taken = {r["evidence_id"] for r in existing}
    seen: set[str] = set()
    found = []
    for r in rows.itertuples(index=False):
        item = EvidenceItem(*(getattr(r, c) for c in COLUMNS))
        texts = [p.text(lang) for p in check_evidence(item, catalog)]
        if item.evidence_id in taken:
            texts.append(message("evregister.row_exists", lang))
        elif r.keep and item.evidence_id in seen:
            texts.append(message("evregister.row_twice", lang))
        if r.keep:
            seen.add(item.evidence_id)
        where = message("evregister.row", lang, row=r.row, id=item.evidence_id or "?")
        found.append(preview.read_problems.get(r.row, []) + [f"{where}: {t}" for t in texts])
    rows["problems"] = found
    return dataclasses.replace(preview, rows=rows, checked=_fingerprint(rows))


def _fingerprint(rows: pd.DataFrame) -> str:
    """A hash of everything :func:`to_evidence` reads, so a change after checking is noticed."""
    values = pd.DataFrame(rows[["row", "keep", *COLUMNS]]).assign(problems=rows["problems"].map(repr))
    return hashlib.sha1(pd.util.hash_pandas_object(values, index=False).values.tobytes()).hexdigest()


def to_evidence(preview: ImportPreview) -> list[EvidenceItem]:
    """Evidence items for the kept rows, or DataError if the file or any kept row has a problem (all or nothing)."""
    if preview.checked != _fingerprint(preview.rows):
        raise DataError(key="evregister.unchecked")
    kept = preview.rows[preview.rows["keep"].astype(bool)]
    problems = preview.file_problems + [p for row in kept["problems"] for p in row]
    if problems:
        more = len(problems) - MAX_LISTED
        listed = "\n  ".join(problems[:MAX_LISTED]) + (f"\n  … (+{more})" if more > 0 else "")
        raise DataError(key="evregister.import_blocked", rows=sum(map(bool, kept["problems"])), problems=listed)
    if kept.empty:
        raise DataError(key="evregister.nothing_kept")
    return [EvidenceItem(*values) for values in kept[list(COLUMNS)].itertuples(index=False)]


def commit_evidence(preview: ImportPreview, store: SiteStore, catalog: Catalog, actor: object, note: str = "") -> str:
    """Store every kept row of a checked preview as one evidence import batch and return its id.

    DataError (nothing stored) if any kept row or the file has a problem;
    ``actor`` is the logged-in planner the store requires.
    """
    return store.add_evidence(to_evidence(preview), catalog, actor, note)
