"""The program catalog: every item of both seed documents as structured data.

The catalog lives in ``data/catalog/programs.toml`` (committed, hand-curated
from ``../shared/seeds``). Each program records where it stands in its
document (line number and a verbatim quote), so a reviewer, and the test suite,
can check it against the source.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path

from geo.errors import DataError
from layers.model import Document, Misi, Placement, Program, Sasaran

CATALOG_PATH = Path(__file__).resolve().parent.parent / "data" / "catalog" / "programs.toml"


@dataclass(frozen=True)
class Catalog:
    """All documents, misi, sasaran and programs, with look-ups."""

    documents: tuple[Document, ...]
    misi: tuple[Misi, ...]
    sasaran: tuple[Sasaran, ...]
    programs: tuple[Program, ...]

    def program(self, program_id: str) -> Program:
        """Return the program with this id, or raise ``KeyError``."""
        for p in self.programs:
            if p.id == program_id:
                return p
        raise KeyError(program_id)

    def document(self, document_id: str) -> Document:
        """Return the document with this id, or raise ``KeyError``."""
        for d in self.documents:
            if d.id == document_id:
                return d
        raise KeyError(document_id)

    def misi_name(self, document_id: str, no: int | None) -> str:
        """Name of misi ``no`` of a document ('' where the document has none)."""
        return next((m.name for m in self.misi if m.document == document_id and m.no == no), "")

    def sasaran_name(self, document_id: str, misi: int | None, no: int | None) -> str:
        """Name of a sasaran ('' where the document has none)."""
        return next(
            (s.name for s in self.sasaran if (s.document, s.misi, s.no) == (document_id, misi, no)),
            "",
        )

    def misi_choices(self) -> dict[str, str]:
        """Filter keys ``"<document>:<misi>"`` (see :mod:`layers.filters`) with their labels."""
        return {f"{m.document}:{m.no}": f"{m.no}. {m.name}" for m in self.misi}

    def sasaran_choices(self, misi: tuple[str, ...] = ()) -> dict[str, str]:
        """Keys ``"<document>:<misi>:<sasaran>"`` with labels, only under ``misi`` keys when given."""
        return {
            f"{s.document}:{s.misi}:{s.no}": f"{s.misi}.{s.no} {s.name}"
            for s in self.sasaran
            if not misi or f"{s.document}:{s.misi}" in misi
        }

    def children(self, program_id: str) -> list[Program]:
        """Programs nested directly under ``program_id``."""
        return [p for p in self.programs if p.parent == program_id]


def _build(cls, row: dict, where: str):
    known = {f.name for f in fields(cls)}
    unknown = set(row) - known
    if unknown:
        raise DataError(f"{where}: unknown field(s) {sorted(unknown)}")
    values = dict(row)
    for name in ("kecamatan", "opd", "places"):
        if name in values:
            values[name] = tuple(values[name])
    if values.get("placement"):
        values["placement"] = Placement(values["placement"])
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{where}: {exc}") from exc


def parse_catalog(text: str, origin: str = "programs.toml") -> Catalog:
    """Parse catalog TOML text and check its internal references.

    Raises :class:`geo.errors.DataError` naming the offending entry.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{origin}: not valid TOML: {exc}") from exc
    documents = tuple(_build(Document, r, f"{origin} document #{i + 1}") for i, r in enumerate(raw.get("document", [])))
    regions = {d.id: d.region for d in documents}
    misi = tuple(_build(Misi, r, f"{origin} misi #{i + 1}") for i, r in enumerate(raw.get("misi", [])))
    sasaran = tuple(_build(Sasaran, r, f"{origin} sasaran #{i + 1}") for i, r in enumerate(raw.get("sasaran", [])))
    programs = []
    for i, row in enumerate(raw.get("program", [])):
        where = f"{origin} program #{i + 1} ({row.get('id', 'no id')})"
        if row.get("document") not in regions:
            raise DataError(f"{where}: unknown document {row.get('document')!r}")
        programs.append(_build(Program, {"region": regions[row["document"]], **row}, where))
    ids = [p.id for p in programs]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise DataError(f"{origin}: duplicate program id(s) {duplicates}")
    for p in programs:
        if p.parent and p.parent not in ids:
            raise DataError(f"{origin} program {p.id}: parent {p.parent!r} does not exist")
        if p.sasaran is not None and not any(
            (s.document, s.misi, s.no) == (p.document, p.misi, p.sasaran) for s in sasaran
        ):
            raise DataError(f"{origin} program {p.id}: misi {p.misi} sasaran {p.sasaran} is not defined")
    return Catalog(documents, misi, sasaran, tuple(programs))


@cache
def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    """Load and check the committed program catalog (cached per path)."""
    return parse_catalog(Path(path).read_text(encoding="utf-8"), origin=Path(path).name)
