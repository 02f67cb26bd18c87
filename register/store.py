"""The site register: its interface, the rules every backend shares, and the embedded SQLite backend.

:class:`SiteStore` is what the rest of the code uses. :class:`SQLStore` holds
everything the backends share, written once in SQLAlchemy Core: validation,
the planner check, batches, history, optimistic versions and undo.
:class:`SQLiteSiteStore` (one file, no server: the default) and
:class:`register.postgis.PostGISSiteStore` only say how to connect, how a
geometry is stored and how a write takes the register's write lock;
:func:`register.open.open_store` picks one by a single setting.

The rules every write follows:

* Viewing needs nothing. Every write but :meth:`SiteStore.seed` asks the
  store's *authorizer* first (:func:`register.auth.require_planner` when
  :func:`register.open.open_store` opens it; a store opened without one refuses
  every write) and records the name it returns.
* Every write is checked against the store's *domain* (:mod:`register.rules`:
  catalog programs and layers, the program's region, precision, text limits,
  links, evidence) before anything is written; a store opened without a
  domain refuses every write rather than store anything unchecked.
* A write is one transaction and one *batch* (an import, an edit, a
  retirement, a program status, an undo or a seed): stored whole or not at
  all, also when the process dies half-way. Writes take a register-wide lock,
  so they run one at a time and batch numbers follow commit order.
* Every change to a site is a history row (batch, field, old and new value,
  evidence); its batch says who and when.
* An edit names the version it started from; if someone saved the site in the
  meantime it is refused with :class:`ConflictError` (optimistic versioning).
* :meth:`SiteStore.undo_last` reverts the latest batch a planner made.

Evidence items (dated, cited events about a program, :class:`evidence.items.EvidenceItem`)
are records of the same kind: added, edited and retired in batches with
versions and their own history table, undone like sites, seeded without a planner.

Geometries are EPSG:4326; admin-level sites store the BPS code of their desa,
kecamatan or kabupaten/kota instead. Program statuses are an append-only
record; a program's latest record that has not been undone is its status.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import sqlite3
from abc import ABC, abstractmethod
from collections import Counter
from contextlib import closing, contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely import wkt
from shapely.errors import ShapelyError
from shapely.geometry.base import BaseGeometry
from sqlalchemy import (
    Boolean, Column, Connection, Engine, ForeignKey, Index, Integer, MetaData, Row, Table, Text, bindparam,
    create_engine, delete, func, insert, inspect, select, update,
)  # fmt: skip
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from geo.config import METRIC_CRS
from geo.errors import DataError
from geo.validate import MAX_LISTED
from layers.catalog import Catalog
from evidence.items import EvidenceItem, check_evidence
from layers.model import Precision, ProgramStatus, Site, SiteStatus
from register.rules import (
    Domain, Problem, clipped, evidence_problems, field_label, program_status_problems, quoted, site_problems, sites_problems,
    text_problems,
)  # fmt: skip
from texts.catalog import message

SEED_USER = "seed"
EDITABLE = ("status", "evidence_url", "precision", "admin_code", "geometry", "name", "source")
TRACKED = EDITABLE + ("retired",)  # the fields an edit, a retirement or an undo can change
# Both regions keep Western Indonesian Time (UTC+7, no daylight saving): times are stored and shown in it.
WIB = datetime.timezone(datetime.timedelta(hours=7), "WIB")

# Batch kinds. Only what planners did can be undone: seeds would return on the next start, and an
# undo is not itself undone (that would make "undo" a toggle between two states).
IMPORT, EDIT, RETIRE, PROGRAM, UNDO, SEED, LEGACY = "import", "edit", "retire", "program", "undo", "seed", "legacy"
EVIDENCE_IMPORT, EVIDENCE_EDIT, EVIDENCE_RETIRE = "evidence_import", "evidence_edit", "evidence_retire"
UNDOABLE = (IMPORT, EDIT, RETIRE, PROGRAM, EVIDENCE_IMPORT, EVIDENCE_EDIT, EVIDENCE_RETIRE)
# History of a site entering or leaving the register: field SITE, old/new ADDED or REMOVED.
SITE, ADDED, REMOVED = "site", "added", "removed"
# An evidence item's fields (the columns of the evidence CSV), and what the register adds to each record.
EVIDENCE_FIELDS = tuple(f.name for f in dataclasses.fields(EvidenceItem))
EVIDENCE_RECORD = ("version", "retired", "recorded_by", "recorded_at")
EVIDENCE_COLUMNS = EVIDENCE_FIELDS + EVIDENCE_RECORD
EVIDENCE_ITEM = "evidence"  # history field of an item entering or leaving the register (like SITE)


Authorizer = Callable[[object], str]


def refuse_writes(actor: object) -> str:
    """The authorizer of a store opened without one: every write is refused."""
    raise PermissionError("Register ini hanya untuk dibaca: tidak ada pemeriksa login perencana.")


class ConflictError(DataError):
    """A change was based on an older version than the stored one, and was not saved."""


@dataclass(frozen=True)
class Snapshot:
    """The whole register as read in one transaction (see :mod:`register.backup`)."""

    sites: list[Site]  # retired ones included
    history: list[dict]  # every change, oldest first (see :meth:`SiteStore.history`)
    program_status: list[dict]  # every program status record, undone ones marked
    evidence: list[dict]  # every evidence record, retired ones included (see :meth:`SiteStore.evidence`)
    evidence_history: list[dict]  # every change to evidence, oldest first (see :meth:`SiteStore.evidence_history`)


class SiteStore(Protocol):
    """What the dashboard needs from a site register."""

    name: str  # what the register is (a file, or a database URL without its password), for messages

    def sites(self, include_retired: bool = False) -> list[Site]:
        """Every site (retired ones only if asked), in id order."""

    def get(self, site_id: str) -> Site:
        """One site, retired or not; DataError if there is none with that id."""

    def add(self, sites: Iterable[Site], actor: object, note: str = "") -> str:
        """Store new sites as one import batch and return its id; DataError (storing nothing) if any is bad or exists."""

    def update(self, site_id: str, changes: dict, expected_version: int, evidence: str, actor: object) -> Site:
        """Change fields of :data:`EDITABLE` of a site saved at ``expected_version``; return the new site.

        ConflictError if the site has another version by now, DataError if the
        change is bad or changes nothing; nothing is stored then.
        """

    def retire(self, site_id: str, expected_version: int, evidence: str, actor: object) -> Site:
        """Withdraw a site from :meth:`sites` (it keeps its history); ConflictError as for :meth:`update`."""

    def undo_last(self, actor: object, expected_batch: str | None = None, others: bool = False) -> str:
        """Revert the latest batch a planner made (import, edit, retirement, program status); return its id.

        The undo is a batch of its own, with history rows. DataError if there is
        nothing to undo; ConflictError if ``expected_batch`` is given and is no
        longer the latest (someone saved in between), or if another planner
        made the latest batch and ``others`` is not set.
        """

    def history(self, site_id: str) -> list[dict]:
        """Changes to one site, oldest first: batch, kind, site_id, field, old, new, evidence, who, at."""

    def batches(self, limit: int = 20) -> list[dict]:
        """The latest batches, newest first: batch, kind, who, at, note, sites (count), undone_by."""

    def record_program_status(
        self, program_id: str, status: ProgramStatus, evidence_url: str, note: str, date: str, actor: object
    ) -> str:
        """Append a program's promise status as one batch and return its id; DataError (storing nothing) if it is bad."""

    def program_statuses(self) -> dict[str, dict]:
        """The latest status record of each program that has one (undone ones skipped), keyed by program id."""

    def seed(self, sites: Iterable[Site]) -> int:
        """Add the given sites whose ids are absent, as user ``seed``; return how many were added."""

    def correct_seeds(self, sites: Iterable[Site], fields: tuple[str, ...], reason: str) -> tuple[list[str], list[str]]:
        """Give stored sites the ``fields`` of ``sites`` where only the seeding ever changed them; return (corrected ids, left ids).

        A site whose history holds anything but seed batches is left as it is and its id returned as left.
        """

    def revision(self) -> int:
        """A number that grows with every write (the latest batch id; 0 for an empty register)."""

    def sites_within(self, lon: float, lat: float, radius_m: float) -> list[tuple[str, float]]:
        """(id, metres) of each active exact site within ``radius_m`` of (lon, lat), nearest first (UTM 48S metres)."""

    def snapshot(self) -> Snapshot:
        """Every site, change, program status record and evidence record, read in one transaction."""

    def evidence(self, include_retired: bool = False) -> list[dict]:
        """Every evidence record (retired ones only if asked), in id order: the CSV's columns and :data:`EVIDENCE_RECORD`."""

    def get_evidence(self, evidence_id: str) -> dict:
        """One evidence record, retired or not; DataError if there is none with that id."""

    def add_evidence(self, items: Iterable[EvidenceItem], catalog: Catalog, actor: object, note: str = "") -> str:
        """Store new evidence items as one batch and return its id; DataError (storing nothing) if any is bad or exists."""

    def update_evidence(
        self, evidence_id: str, changes: dict, expected_version: int, reason: str, catalog: Catalog, actor: object
    ) -> dict:
        """Change fields of an evidence item saved at ``expected_version``; return the new record (ConflictError as for sites)."""

    def retire_evidence(self, evidence_id: str, expected_version: int, reason: str, actor: object) -> dict:
        """Withdraw an evidence item from :meth:`evidence` (it keeps its history); ConflictError as for sites."""

    def seed_evidence(self, items: Iterable[EvidenceItem], catalog: Catalog) -> int:
        """Add the given evidence items whose ids are absent, as user ``seed``; return how many were added."""

    def evidence_history(self, evidence_id: str) -> list[dict]:
        """Changes to one evidence item, oldest first: batch, kind, evidence_id, field, old, new, reason, who, at."""


def _refuse_sites(sites: list[Site], domain: Domain) -> None:
    """Refuse (DataError listing every problem) a batch of new sites that breaks the domain or repeats an id."""
    found = sites_problems(sites, domain)
    problems = [Problem("register.site_problem", site=quoted(s.id), problem=p) for s, ps in zip(sites, found) for p in ps]
    problems += [Problem("register.site_not_fresh", site=quoted(s.id)) for s in sites if s.version != 1 or s.retired]
    counts = Counter(s.id for s in sites)
    problems += [Problem("register.id_twice", site=quoted(i)) for i in sorted(i for i, n in counts.items() if n > 1)]
    if problems:
        raise Problem("register.sites_refused", problems=problems)


def _editable(site_id: str, changes: dict) -> dict:
    """``changes`` with values of the field's type (enums from their values, geometries from WKT too); DataError if bad."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise Problem("register.not_editable", fields=clipped(", ".join(map(str, unknown))), editable=", ".join(EDITABLE))
    values, problems = {}, []
    for field, value in changes.items():
        try:
            if field == "status":
                values[field] = SiteStatus(value)
            elif field == "precision":
                values[field] = Precision(value)
            elif field == "geometry":
                values[field] = value if value is None or isinstance(value, BaseGeometry) else wkt.loads(value)
            elif isinstance(value, str):
                values[field] = value.strip()
            else:
                raise TypeError(field)
        except (TypeError, ValueError, ShapelyError):
            problems.append(Problem("register.bad_value", field, field_label=field_label(field), value=quoted(value)))
    if problems:
        raise Problem("register.site_not_changed", site=quoted(site_id), problems=problems)
    return values


def _text(field: str, value: object) -> str | None:
    """A site field's value as history text: enums by value, geometries as WKT, flags as true/false."""
    if value is None:
        return None
    if field == "geometry":
        return value.wkt
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.value if isinstance(value, Enum) else str(value)


def _value(field: str, text: str | None) -> object:
    """The inverse of :func:`_text`: a field's value from its history text."""
    parse = {"status": SiteStatus, "precision": Precision, "geometry": wkt.loads, "retired": lambda t: t == "true"}
    return None if text is None else parse.get(field, str)(text)


def _now() -> str:
    """The current time in WIB, ISO format to the second."""
    return datetime.datetime.now(WIB).isoformat(timespec="seconds")


def _clock(at: str) -> str:
    """A batch time as people read it: ``2026-11-23 10:15 WIB`` (records migrated from the old register have a date only)."""
    return f"{at[:16].replace('T', ' ')} WIB" if "T" in at else at


def search_degrees(lat: float, radius_m: float) -> float:
    """A distance in degrees that holds every point within ``radius_m`` of latitude ``lat``.

    A degree of latitude or longitude spans at least 110 km x cos(latitude + 1 degree): the cheap first test of a
    radius search (PostGIS answers it from its spatial index), before measuring in metres.
    """
    return radius_m / (110_000 * math.cos(math.radians(min(abs(lat) + 1, 80))))


# A site's columns by key, but its geometry (whose column's name and type depend on the backend).
SITE_FIELDS = ("id", "program", "layer", "name", "precision", "status", "admin_code", "source", "evidence_url", "updated",
               "version", "retired")  # fmt: skip


def _fields(site: Site) -> dict:
    """A site's values by column key (:data:`SITE_FIELDS`, in order), then its geometry as shapely."""
    return {
        "id": site.id, "program": site.program, "layer": site.layer, "name": site.name, "precision": site.precision.value,
        "status": site.status.value, "admin_code": site.admin_code, "source": site.source, "evidence_url": site.evidence_url,
        "updated": site.updated, "version": site.version, "retired": site.retired, "geometry": site.geometry,
    }  # fmt: skip


@dataclass(frozen=True)
class Schema:
    """The register's tables (:func:`build_schema`)."""

    metadata: MetaData
    sites: Table
    batches: Table
    changes: Table
    program_status: Table
    evidence: Table
    evidence_changes: Table


def _history_table(metadata: MetaData, name: str, record: str, why: str, record_index: str) -> Table:
    """A history table: one row per changed field of a record (id column ``record``), in a batch, with its reason ``why``.

    No foreign key to the records: the history of one removed by an undone import stays.
    """
    return Table(
        name, metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("batch", Integer, ForeignKey("batches.id"), nullable=False),
        Column(record, Text, nullable=False),
        Column("field", Text, nullable=False),
        Column("old", Text),
        Column("new", Text),
        Column(why, Text, nullable=False),
        Index(record_index, record),
        Index(f"{name}_batch_idx", "batch"),
    )  # fmt: skip


def build_schema(geometry: Column, *site_extras) -> Schema:
    """The register's tables, with the backend's geometry column (key ``geometry``) and extra site-table items."""
    metadata = MetaData()
    sites = Table(
        "sites", metadata,
        Column("id", Text, primary_key=True),
        Column("program", Text, nullable=False),
        Column("layer", Text, nullable=False),
        Column("name", Text, nullable=False),
        Column("precision", Text, nullable=False),
        Column("status", Text, nullable=False),
        Column("admin_code", Text, nullable=False),
        geometry,
        Column("source", Text, nullable=False),
        Column("evidence_url", Text, nullable=False),
        Column("updated", Text, nullable=False),
        Column("version", Integer, nullable=False),
        Column("retired", Boolean, nullable=False),
        *site_extras,
    )  # fmt: skip
    batches = Table(
        "batches", metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("kind", Text, nullable=False),
        Column("who", Text, nullable=False),
        Column("at", Text, nullable=False),  # ISO time in WIB
        Column("note", Text, nullable=False),
        Column("undone_by", Integer, ForeignKey("batches.id")),
    )  # fmt: skip
    changes = _history_table(metadata, "changes", "site_id", "evidence", "changes_site_idx")
    program_status = Table(
        "program_status", metadata,
        Column("program_id", Text, nullable=False),
        Column("status", Text, nullable=False),
        Column("evidence_url", Text, nullable=False),
        Column("note", Text, nullable=False),
        Column("date", Text, nullable=False),
        Column("recorded_by", Text, nullable=False),
        Column("batch", Integer, ForeignKey("batches.id")),  # nullable only because SQLite adds it to old registers
    )  # fmt: skip
    evidence = Table(
        "evidence", metadata,
        Column("evidence_id", Text, primary_key=True),
        *(Column(name, Text, nullable=False) for name in EVIDENCE_FIELDS if name != "evidence_id"),
        Column("version", Integer, nullable=False),
        Column("retired", Boolean, nullable=False),
        Column("recorded_by", Text, nullable=False),
        Column("recorded_at", Text, nullable=False),  # ISO time in WIB of the latest change
        Index("evidence_program_idx", "program_id"),
    )  # fmt: skip
    # Evidence history apart from site history: the two id spaces are separate.
    evidence_changes = _history_table(metadata, "evidence_changes", "evidence_id", "reason", "evidence_changes_item_idx")
    return Schema(metadata, sites, batches, changes, program_status, evidence, evidence_changes)


class SQLStore(ABC):
    """The register's behaviour, shared by both backends (SQLAlchemy Core, parameterised statements only).

    A backend sets :attr:`engine`, :attr:`schema` and :attr:`name`, and
    implements :meth:`_lock` (take the register's write lock at the start of a
    transaction), :meth:`_geometry_in` / :meth:`_geometries_out` (shapely to
    and from the geometry column), :meth:`_geometries_in` (many at once) and
    :meth:`_insert_many` (the fastest bulk insert the database offers: a batch
    of 100,000 sites is written in seconds).
    """

    engine: Engine
    schema: Schema
    name: str  # what the register is, for messages (no password)
    authorize: Authorizer  # the writer's name from its credentials, or PermissionError
    domain: Domain | None  # what the register may hold (register.rules); None: every write is refused

    @abstractmethod
    def _lock(self, conn: Connection) -> None:
        """Take the register's write lock, first thing in a transaction (waiting for another writer)."""

    @abstractmethod
    def _geometry_in(self, geometry: BaseGeometry | None) -> object:
        """A geometry as the value of the geometry column."""

    @abstractmethod
    def _geometries_out(self, values: list) -> list[BaseGeometry | None]:
        """Values of the geometry column as shapely geometries, parsed in one vectorised call."""

    @abstractmethod
    def sites_within(self, lon: float, lat: float, radius_m: float) -> list[tuple[str, float]]:
        """(id, metres) of each active exact site within ``radius_m`` of (lon, lat), nearest first.

        Metres in :data:`geo.config.METRIC_CRS` (UTM 48S), as :func:`layers.nearby.distances_m`
        measures them; ties in id order.
        """

    def _exact_sites(self):
        """The query of the active exact sites' ids and geometries (what :meth:`sites_within` searches)."""
        sites = self.schema.sites
        return select(sites.c.id, sites.c.geometry).where(
            sites.c.retired.is_(False), sites.c.precision == Precision.EXACT.value, sites.c.geometry.is_not(None)
        )

    @abstractmethod
    def _geometries_in(self, geometries: list[BaseGeometry | None]) -> list:
        """Geometries as the values :meth:`_insert_many` writes, converted in one vectorised call."""

    @abstractmethod
    def _insert_many(self, conn: Connection, table: Table, columns: list[str], rows: list[tuple]) -> None:
        """Insert ``rows`` (values of the ``columns``, by name; geometries from :meth:`_geometries_in`) into ``table``."""

    def close(self) -> None:
        """Close the register's pooled connections."""
        self.engine.dispose()

    def _rules(self) -> Domain:
        """The domain every write is checked against; a store opened without one refuses to write (never stores unchecked)."""
        if self.domain is None:
            raise Problem("register.no_domain", store=self.name)
        return self.domain

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """One transaction holding the write lock: committed if the block succeeds, rolled back otherwise."""
        with self.engine.connect() as conn:
            try:
                self._lock(conn)
            except OperationalError as exc:
                raise Problem("register.busy", store=self.name) from exc
            yield conn
            conn.commit()

    # -- reading ---------------------------------------------------------------------------------

    def _sites_of(self, rows: list[Row]) -> list[Site]:
        """Sites from their table rows, the geometries parsed in one vectorised call."""
        column = self.schema.sites.c.geometry
        geometries = self._geometries_out([row._mapping[column] for row in rows])
        return [
            Site(
                id=m["id"], program=m["program"], layer=m["layer"], name=m["name"], precision=Precision(m["precision"]),
                status=SiteStatus(m["status"]), admin_code=m["admin_code"], geometry=geometry, source=m["source"],
                evidence_url=m["evidence_url"], updated=m["updated"], version=m["version"], retired=bool(m["retired"]),
            )
            for m, geometry in zip((row._mapping for row in rows), geometries)
        ]  # fmt: skip

    def _row(self, site: Site) -> dict:
        """A site as the values of its table row (by column key)."""
        return _fields(site) | {"geometry": self._geometry_in(site.geometry)}

    def _read_sites(self, conn: Connection, include_retired: bool) -> list[Site]:
        """:meth:`sites` on an open connection."""
        query = select(self.schema.sites)
        if not include_retired:
            query = query.where(self.schema.sites.c.retired.is_(False))
        # Sorted here: PostgreSQL's collation would order ids differently from SQLite's byte order.
        return sorted(self._sites_of(conn.execute(query).all()), key=lambda s: s.id)

    def sites(self, include_retired: bool = False) -> list[Site]:
        """Every site (retired ones only if asked), in id order."""
        with self.engine.connect() as conn:
            return self._read_sites(conn, include_retired)

    def _get(self, conn: Connection, site_id: str) -> Site:
        """:meth:`get` on an open connection."""
        row = conn.execute(select(self.schema.sites).where(self.schema.sites.c.id == site_id)).first()
        if row is None:
            raise Problem("register.no_site", site=quoted(site_id))
        return self._sites_of([row])[0]

    def get(self, site_id: str) -> Site:
        """One site, retired or not; DataError if there is none with that id."""
        with self.engine.connect() as conn:
            return self._get(conn, site_id)

    def _history_query(self, changes: Table | None = None):
        """Rows of a history table (default: the sites') with their batch's kind, planner and time, oldest first."""
        b = self.schema.batches
        c = self.schema.changes if changes is None else changes
        own = [column for column in c.c if column.name not in ("id", "batch")]  # record id, field, old, new, why
        return select(c.c.batch, b.c.kind, *own, b.c.who, b.c.at).join(b, b.c.id == c.c.batch).order_by(c.c.id)

    def history(self, site_id: str) -> list[dict]:
        """Changes to one site, oldest first: batch, kind, site_id, field, old, new, evidence, who, at."""
        with self.engine.connect() as conn:
            rows = conn.execute(self._history_query().where(self.schema.changes.c.site_id == site_id))
            return [{**r._mapping, "batch": str(r.batch)} for r in rows]

    def batches(self, limit: int = 20) -> list[dict]:
        """The latest batches, newest first: batch, kind, who, at, note, sites (count), undone_by (a batch id or None)."""
        if not isinstance(limit, int) or limit < 1:
            raise Problem("register.bad_limit", value=quoted(limit))
        b, c = self.schema.batches, self.schema.changes
        counts = select(c.c.batch, func.count(func.distinct(c.c.site_id)).label("sites")).group_by(c.c.batch).subquery()
        query = (
            select(b, func.coalesce(counts.c.sites, 0).label("sites"))
            .outerjoin(counts, counts.c.batch == b.c.id)
            .order_by(b.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            {"batch": str(r.id), "kind": r.kind, "who": r.who, "at": r.at, "note": r.note, "sites": r.sites,
             "undone_by": None if r.undone_by is None else str(r.undone_by)}
            for r in rows
        ]  # fmt: skip

    def _program_status_query(self):
        """Program status records with their batch and the batch that undid them, oldest first."""
        p, b = self.schema.program_status, self.schema.batches
        columns = [p.c.program_id, p.c.status, p.c.evidence_url, p.c.note, p.c.date, p.c.recorded_by]
        # Latest by date; among records of the same date the last one written (a correction) wins.
        return select(*columns, p.c.batch, b.c.undone_by).join(b, b.c.id == p.c.batch).order_by(p.c.date, p.c.batch)

    def program_statuses(self) -> dict[str, dict]:
        """The latest status record of each program that has one (undone ones skipped), keyed by program id."""
        query = self._program_status_query().where(self.schema.batches.c.undone_by.is_(None))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        keys = ("program_id", "status", "evidence_url", "note", "date", "recorded_by")
        return {r.program_id: {**{k: r._mapping[k] for k in keys}, "status": ProgramStatus(r.status)} for r in rows}

    def revision(self) -> int:
        """A number that grows with every write (the latest batch id; 0 for an empty register)."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.coalesce(func.max(self.schema.batches.c.id), 0))).scalar_one()

    def snapshot(self) -> Snapshot:
        """Every site, change, program status record and evidence record, read in one transaction."""
        # Under the write lock, so no write lands between the reads.
        with self._transaction() as conn:
            sites = self._read_sites(conn, include_retired=True)
            history = [{**r._mapping, "batch": str(r.batch)} for r in conn.execute(self._history_query())]
            statuses = [
                {**r._mapping, "batch": str(r.batch), "undone_by": None if r.undone_by is None else str(r.undone_by)}
                for r in conn.execute(self._program_status_query())
            ]
            evidence = self._read_evidence(conn, include_retired=True)
            evidence_history = [{**r._mapping, "batch": str(r.batch)} for r in conn.execute(self._history_query(self.schema.evidence_changes))]
        return Snapshot(sites, history, statuses, evidence, evidence_history)

    # -- writing ---------------------------------------------------------------------------------

    def _new_batch(self, conn: Connection, kind: str, who: str, note: str, at: str | None = None) -> int:
        """Open a batch (at ``at``, default now) and return its id."""
        values = {"kind": kind, "who": who, "at": at or _now(), "note": note}
        return conn.execute(insert(self.schema.batches).values(values)).inserted_primary_key[0]

    def _record(self, conn: Connection, batch: int, rows: list[tuple], changes: Table | None = None) -> None:
        """History rows ``(record id, field, old, new, why)`` of a batch, in a history table (default: the sites')."""
        table = self.schema.changes if changes is None else changes
        keys = [column.name for column in table.c if column.name not in ("id", "batch")]
        self._insert_many(conn, table, ["batch", *keys], [(batch, *r) for r in rows])

    def _old_values(self, conn: Connection, record: Column, batch: int) -> dict[str, dict[str, str | None]]:
        """Record id -> field -> its value before ``batch``, from the history table of ``record`` (its id column)."""
        c = record.table.c
        old: dict[str, dict[str, str | None]] = {}
        for r in conn.execute(select(record, c.field, c.old).where(c.batch == batch).order_by(c.id)):
            old.setdefault(r[0], {})[r.field] = r.old
        return old

    def _ids(self, conn: Connection) -> set[str]:
        """Every site id in the register, retired ones included."""
        return set(conn.execute(select(self.schema.sites.c.id)).scalars())

    def _insert_sites(self, conn: Connection, sites: list[Site], kind: str, who: str, note: str) -> int:
        """Insert checked new sites as one batch with an "added" history row each; return the batch id."""
        batch = self._new_batch(conn, kind, who, note)
        table = self.schema.sites
        fields = [_fields(s) for s in sites]
        geometries = self._geometries_in([f["geometry"] for f in fields])
        rows = [(*(f[key] for key in SITE_FIELDS), g) for f, g in zip(fields, geometries)]
        self._insert_many(conn, table, [table.c[key].name for key in (*SITE_FIELDS, "geometry")], rows)
        self._record(conn, batch, [(s.id, SITE, None, ADDED, s.evidence_url or s.source) for s in sites])
        return batch

    def add(self, sites: Iterable[Site], actor: object, note: str = "") -> str:
        """Store new sites as one import batch and return its id; DataError (storing nothing) if any is bad or exists."""
        who = self.authorize(actor)
        domain = self._rules()
        sites = list(sites)
        if not sites:
            raise Problem("register.nothing_to_store")
        problems = text_problems("note", note)
        if problems:
            raise Problem("register.sites_refused", problems=problems)
        _refuse_sites(sites, domain)
        with self._transaction() as conn:
            clash = sorted(self._ids(conn) & {s.id for s in sites})
            if clash:
                raise Problem("register.ids_exist", ids=", ".join(map(quoted, clash[:MAX_LISTED])), count=len(clash))
            batch = self._insert_sites(conn, sites, IMPORT, who, note.strip())
        return str(batch)

    def seed(self, sites: Iterable[Site]) -> int:
        """Add the given sites whose ids are absent, as user ``seed``; return how many were added.

        The one write that needs no planner: :func:`register.seed.ensure_seeded`
        calls it on start with what the program documents themselves place. It
        only adds sites that do not exist yet, retired ones counting as
        existing, and never changes or removes anything, so it cannot undo or
        overwrite a planner's work. Seeds are not undoable (they would return on
        the next start).
        """
        sites = list(sites)
        _refuse_sites(sites, self._rules())
        with self._transaction() as conn:
            existing = self._ids(conn)
            new = [s for s in sites if s.id not in existing]
            if new:  # no empty batch on every start
                self._insert_sites(conn, new, SEED, SEED_USER, "")
        return len(new)

    def correct_seeds(self, sites: Iterable[Site], fields: tuple[str, ...], reason: str) -> tuple[list[str], list[str]]:
        """Give stored sites the ``fields`` of ``sites`` where only the seeding ever changed them; return (corrected ids, left ids).

        For a seed site the documents now describe differently (a catalog
        correction) in a register seeded before; ``fields`` are text columns of
        the site table. Like :meth:`seed` it needs no planner, so it never
        touches a planner's work: a site whose history holds any batch other
        than a seed (an edit, a retirement, an undo) is left as it is and its id
        returned as left. A correction is one seed batch noted ``reason``, with a
        history row per changed field (the old value kept there) and a new
        version, so an edit begun before it conflicts. The write lock is taken
        only when something differs (every app server does this on start).
        """
        sites = list(sites)
        _refuse_sites(sites, self._rules())
        table = self.schema.sites

        def differences(conn: Connection) -> tuple[dict[str, Site], dict[str, list[str]]]:
            """The stored sites, and per id the fields that differ."""
            stored = {s.id: s for s in self._sites_of(conn.execute(select(table).where(table.c.id.in_([s.id for s in sites]))).all())}
            differ = {s.id: [f for f in fields if getattr(s, f) != getattr(stored[s.id], f)] for s in sites if s.id in stored}
            return stored, {site_id: changed for site_id, changed in differ.items() if changed}

        with self.engine.connect() as conn:
            if not differences(conn)[1]:
                return [], []
        b, c = self.schema.batches, self.schema.changes
        with self._transaction() as conn:
            stored, differ = differences(conn)  # again under the lock: a planner may have saved in between
            touched = conn.execute(
                select(c.c.site_id).distinct().join(b, b.c.id == c.c.batch).where(c.c.site_id.in_(list(differ)), b.c.kind != SEED)
            ).scalars()
            left = sorted(touched)
            fix = [s for s in sites if s.id in differ and s.id not in left]
            if fix:
                batch = self._new_batch(conn, SEED, SEED_USER, reason)
                today = datetime.datetime.now(WIB).date().isoformat()
                for site in fix:
                    old = stored[site.id]
                    values = {f: _fields(site)[f] for f in differ[site.id]}
                    conn.execute(update(table).where(table.c.id == old.id).values(values | {"version": old.version + 1, "updated": today}))
                self._record(conn, batch, [(s.id, f, _text(f, getattr(stored[s.id], f)), _text(f, getattr(s, f)), reason)
                                           for s in fix for f in differ[s.id]])  # fmt: skip
        return [s.id for s in fix], left

    def _conflict(self, conn: Connection, site_id: str) -> ConflictError:
        """The refusal of a change based on an old version: who saved the current one, when, and its number."""
        b, c = self.schema.batches, self.schema.changes
        who, at = conn.execute(
            select(b.c.who, b.c.at).join(c, c.c.batch == b.c.id).where(c.c.site_id == site_id).order_by(c.c.id.desc()).limit(1)
        ).one()
        version = self._get(conn, site_id).version
        return ConflictError(key="register.conflict", site=site_id, who=who, at=_clock(at), version=version)

    def _save(self, conn: Connection, old: Site, new: Site, batch: int, evidence: str) -> None:
        """Write ``new`` over ``old`` with a history row per changed field, if the row is still at ``old``'s version."""
        fields = [f for f in TRACKED if _text(f, getattr(old, f)) != _text(f, getattr(new, f))]
        row = self._row(new)
        sites = self.schema.sites
        done = conn.execute(
            update(sites)
            .where(sites.c.id == old.id, sites.c.version == old.version)
            .values({f: row[f] for f in fields} | {"version": new.version, "updated": new.updated})
        )
        # The optimistic check in SQL itself; with writes serialised by the lock it holds already.
        if done.rowcount != 1:
            raise self._conflict(conn, old.id)
        self._record(conn, batch, [(old.id, f, _text(f, getattr(old, f)), _text(f, getattr(new, f)), evidence) for f in fields])

    def _change(self, kind: str, site_id: str, values: dict, expected_version: int, evidence: str, who: str) -> Site:
        """Apply ``values`` to a site saved at ``expected_version`` as one batch (an edit or a retirement)."""
        domain = self._rules()
        problems = evidence_problems(evidence)
        if problems:
            raise Problem("register.site_not_changed", site=quoted(site_id), problems=problems)
        evidence = evidence.strip()
        if not isinstance(expected_version, int) or isinstance(expected_version, bool):
            raise Problem("register.expected_version", site=quoted(site_id))
        with self._transaction() as conn:
            current = self._get(conn, site_id)
            if expected_version != current.version:
                raise self._conflict(conn, site_id)
            if current.retired:
                raise Problem("register.retired", site=site_id)
            changed = {f: v for f, v in values.items() if _text(f, v) != _text(f, getattr(current, f))}
            if not changed:
                raise Problem("register.unchanged", site=site_id)
            today = datetime.datetime.now(WIB).date().isoformat()
            new = dataclasses.replace(current, **changed, version=current.version + 1, updated=today)
            problems = site_problems(new, domain)
            if problems:
                raise Problem("register.site_not_changed", site=site_id, problems=problems)
            self._save(conn, current, new, self._new_batch(conn, kind, who, evidence), evidence)
        return new

    def update(self, site_id: str, changes: dict, expected_version: int, evidence: str, actor: object) -> Site:
        """Change fields of :data:`EDITABLE` of a site saved at ``expected_version``; return the new site.

        Values may be given as their types or as text (enum values, WKT). The
        result must pass :func:`register.rules.site_problems`. ConflictError if the site has
        another version by now, DataError if the change is bad, changes nothing
        or has no evidence; nothing is stored then.
        """
        who = self.authorize(actor)
        if not isinstance(changes, dict):
            raise Problem("register.changes_not_dict", site=quoted(site_id))
        return self._change(EDIT, site_id, _editable(site_id, changes), expected_version, evidence, who)

    def retire(self, site_id: str, expected_version: int, evidence: str, actor: object) -> Site:
        """Withdraw a site from :meth:`sites` (it keeps its history); ConflictError as for :meth:`update`."""
        who = self.authorize(actor)
        return self._change(RETIRE, site_id, {"retired": True}, expected_version, evidence, who)

    def undo_last(self, actor: object, expected_batch: str | None = None, others: bool = False) -> str:
        """Revert the latest batch a planner made (import, edit, retirement, program status); return its id.

        An import's sites are deleted (their ids become free for a corrected
        import; their history stays), an edit's or retirement's old values come
        back as a new version, a program status record stops counting; evidence
        imports, edits and retirements are undone the same way. The undo
        is a batch of its own, with history rows. Batches are undone newest
        first, so the records involved are as the batch left them. DataError if
        there is nothing to undo; ConflictError if ``expected_batch`` is given
        and is no longer the latest (someone saved in between), or if another
        planner made the latest batch and ``others`` (the planner chose to undo
        a colleague's step) is not set.
        """
        who = self.authorize(actor)
        b = self.schema.batches
        with self._transaction() as conn:
            last = conn.execute(
                select(b).where(b.c.kind.in_(UNDOABLE), b.c.undone_by.is_(None)).order_by(b.c.id.desc()).limit(1)
            ).first()
            if last is None:
                raise DataError(key="store.undo_nothing")
            if expected_batch is not None and str(expected_batch) != str(last.id):
                raise ConflictError(key="store.undo_moved", who=last.who, at=_clock(last.at))
            if last.who != who and not others:
                raise ConflictError(key="store.undo_other", who=last.who, at=_clock(last.at))
            undo = self._new_batch(conn, UNDO, who, f"undo of batch {last.id}")
            if last.kind in (EVIDENCE_IMPORT, EVIDENCE_EDIT, EVIDENCE_RETIRE):
                self._revert_evidence(conn, last.id, undo, who)
            elif last.kind != PROGRAM:  # a program status needs only its batch marked undone
                self._revert(conn, last.id, undo)
            conn.execute(update(b).where(b.c.id == last.id).values(undone_by=undo))
        return str(last.id)

    def _revert(self, conn: Connection, batch: int, undo: int) -> None:
        """Undo the site changes of ``batch`` as batch ``undo``."""
        sites = self.schema.sites
        old = self._old_values(conn, self.schema.changes.c.site_id, batch)
        evidence = f"undo of batch {batch}"
        added = [site_id for site_id, fields in old.items() if SITE in fields]
        if added:
            conn.execute(delete(sites).where(sites.c.id == bindparam("site")), [{"site": i} for i in added])
            self._record(conn, undo, [(i, SITE, ADDED, REMOVED, evidence) for i in added])
        for site_id, fields in old.items():
            if SITE not in fields:
                current = self._get(conn, site_id)
                restored = {f: _value(f, t) for f, t in fields.items()}
                today = datetime.datetime.now(WIB).date().isoformat()
                new = dataclasses.replace(current, **restored, version=current.version + 1, updated=today)
                self._save(conn, current, new, undo, evidence)

    def record_program_status(
        self, program_id: str, status: ProgramStatus, evidence_url: str, note: str, date: str, actor: object
    ) -> str:
        """Append a program's promise status as one batch and return its id; DataError (storing nothing) if it is bad."""
        who = self.authorize(actor)
        problems = program_status_problems(program_id, status, evidence_url, note, date, self._rules())
        if problems:
            raise Problem("register.status_refused", program=quoted(program_id), problems=problems)
        with self._transaction() as conn:
            batch = self._new_batch(conn, PROGRAM, who, program_id)
            conn.execute(
                insert(self.schema.program_status).values(
                    program_id=program_id, status=ProgramStatus(status).value, evidence_url=evidence_url.strip(),
                    note=note.strip(), date=date, recorded_by=who, batch=batch,
                )
            )  # fmt: skip
        return str(batch)

    # -- evidence --------------------------------------------------------------------------------

    def _read_evidence(self, conn: Connection, include_retired: bool) -> list[dict]:
        """:meth:`evidence` on an open connection."""
        e = self.schema.evidence
        query = select(e) if include_retired else select(e).where(e.c.retired.is_(False))
        rows = [{**r._mapping, "retired": bool(r.retired)} for r in conn.execute(query)]
        return sorted(rows, key=lambda r: r["evidence_id"])  # sorted here, as sites: one order on both backends

    def evidence(self, include_retired: bool = False) -> list[dict]:
        """Every evidence record (retired ones only if asked), in id order.

        Each record has the evidence CSV's columns (:data:`EVIDENCE_FIELDS`) and
        :data:`EVIDENCE_RECORD`: its version, whether it is retired, and who
        changed it last and when; ``pandas.DataFrame(records, columns=EVIDENCE_COLUMNS)``
        is the evidence table (with its columns also when it is empty).
        """
        with self.engine.connect() as conn:
            return self._read_evidence(conn, include_retired)

    def _get_evidence(self, conn: Connection, evidence_id: str) -> dict:
        """:meth:`get_evidence` on an open connection."""
        e = self.schema.evidence
        row = conn.execute(select(e).where(e.c.evidence_id == evidence_id)).first()
        if row is None:
            raise DataError(key="evregister.unknown", id=evidence_id)
        return {**row._mapping, "retired": bool(row.retired)}

    def get_evidence(self, evidence_id: str) -> dict:
        """One evidence record, retired or not; DataError if there is none with that id."""
        with self.engine.connect() as conn:
            return self._get_evidence(conn, evidence_id)

    def evidence_history(self, evidence_id: str) -> list[dict]:
        """Changes to one evidence item, oldest first: batch, kind, evidence_id, field, old, new, reason, who, at."""
        with self.engine.connect() as conn:
            c = self.schema.evidence_changes
            rows = conn.execute(self._history_query(c).where(c.c.evidence_id == evidence_id))
            return [{**r._mapping, "batch": str(r.batch)} for r in rows]

    def _evidence_ids(self, conn: Connection) -> set[str]:
        """Every evidence id in the register, retired ones included."""
        return set(conn.execute(select(self.schema.evidence.c.evidence_id)).scalars())

    def _insert_evidence(self, conn: Connection, items: list[EvidenceItem], kind: str, who: str, note: str) -> int:
        """Insert checked new items as one batch with an "added" history row each; return the batch id."""
        batch = self._new_batch(conn, kind, who, note)
        stamp = {"version": 1, "retired": False, "recorded_by": who, "recorded_at": _now()}
        conn.execute(insert(self.schema.evidence), [evidence_fields(i) | stamp for i in items])
        self._record(conn, batch, [(i.evidence_id, EVIDENCE_ITEM, None, ADDED, i.url) for i in items], self.schema.evidence_changes)
        return batch

    def add_evidence(self, items: Iterable[EvidenceItem], catalog: Catalog, actor: object, note: str = "") -> str:
        """Store new evidence items as one import batch and return its id.

        Every item must pass :func:`evidence.items.check_evidence` and have an
        id that is neither in the batch twice nor in the register (retired
        items count); otherwise DataError naming each bad item by its id, and
        nothing is stored.
        """
        who = self.authorize(actor)
        items = list(items)
        if not items:
            raise DataError(key="evregister.empty")
        _check_new_evidence(items, catalog)
        with self._transaction() as conn:
            clash = sorted(self._evidence_ids(conn) & {i.evidence_id for i in items})
            if clash:
                raise DataError(key="evregister.exists", ids=", ".join(clash))
            batch = self._insert_evidence(conn, items, EVIDENCE_IMPORT, who, note.strip())
        return str(batch)

    def seed_evidence(self, items: Iterable[EvidenceItem], catalog: Catalog) -> int:
        """Add the given evidence items whose ids are absent, as user ``seed``; return how many were added.

        Like :meth:`seed`: needs no planner, never changes or removes a record
        (a planner's edit or retirement stands), and is not undoable.
        """
        items = list(items)
        _check_new_evidence(items, catalog)
        with self._transaction() as conn:
            existing = self._evidence_ids(conn)
            new = [i for i in items if i.evidence_id not in existing]
            if new:
                self._insert_evidence(conn, new, SEED, SEED_USER, "")
        return len(new)

    def _evidence_conflict(self, conn: Connection, evidence_id: str) -> ConflictError:
        """The refusal of a change based on an old version: who saved the current one, when, and its number."""
        current = self._get_evidence(conn, evidence_id)
        return ConflictError(
            key="evregister.conflict", id=evidence_id, who=current["recorded_by"], at=_clock(current["recorded_at"]),
            version=current["version"],
        )  # fmt: skip

    def _save_evidence(self, conn: Connection, old: dict, values: dict, batch: int, who: str, reason: str) -> dict:
        """Write ``values`` over the record ``old`` as its next version, with a history row per changed field."""
        e = self.schema.evidence
        new = old | values | {"version": old["version"] + 1, "recorded_by": who, "recorded_at": _now()}
        done = conn.execute(
            update(e)
            .where(e.c.evidence_id == old["evidence_id"], e.c.version == old["version"])
            .values({f: new[f] for f in {*values, *EVIDENCE_RECORD}})
        )
        if done.rowcount != 1:  # the optimistic check in SQL itself, as for sites
            raise self._evidence_conflict(conn, old["evidence_id"])
        rows = [(old["evidence_id"], f, _text(f, old[f]), _text(f, new[f]), reason) for f in values]
        self._record(conn, batch, rows, self.schema.evidence_changes)
        return new

    def _change_evidence(
        self, kind: str, evidence_id: str, values: dict, expected_version: int, reason: str, catalog: Catalog | None, who: str
    ) -> dict:
        """Apply ``values`` to an item saved at ``expected_version`` as one batch (an edit or a retirement)."""
        reason = reason.strip() if isinstance(reason, str) else ""
        if not reason:
            raise DataError(key="evregister.needs_reason", id=evidence_id)
        if not isinstance(expected_version, int) or isinstance(expected_version, bool):
            raise DataError(key="evregister.version", id=evidence_id)
        with self._transaction() as conn:
            current = self._get_evidence(conn, evidence_id)
            if expected_version != current["version"]:
                raise self._evidence_conflict(conn, evidence_id)
            if current["retired"]:
                raise DataError(key="evregister.retired", id=evidence_id)
            changed = {f: v for f, v in values.items() if v != current[f]}
            if not changed:
                raise DataError(key="evregister.unchanged", id=evidence_id)
            if catalog is not None:  # a retirement changes no field check_evidence reads
                problems = check_evidence(evidence_item(current | changed), catalog)
                if problems:
                    raise DataError(key="evregister.not_changed", id=evidence_id, problems="; ".join(p.text() for p in problems))
            return self._save_evidence(conn, current, changed, self._new_batch(conn, kind, who, reason), who, reason)

    def update_evidence(
        self, evidence_id: str, changes: dict, expected_version: int, reason: str, catalog: Catalog, actor: object
    ) -> dict:
        """Change fields of an evidence item saved at ``expected_version``; return the new record.

        ``changes`` maps fields of :data:`EVIDENCE_FIELDS` but the id to text;
        the result must pass :func:`evidence.items.check_evidence`. The reason
        (a link or a note) goes into the history. ConflictError if the item has
        another version by now; DataError if the change is bad, changes nothing
        or has no reason; nothing is stored then.
        """
        who = self.authorize(actor)
        return self._change_evidence(EVIDENCE_EDIT, evidence_id, _evidence_changes(evidence_id, changes), expected_version,
                                     reason, catalog, who)  # fmt: skip

    def retire_evidence(self, evidence_id: str, expected_version: int, reason: str, actor: object) -> dict:
        """Withdraw an evidence item from :meth:`evidence` (it keeps its history); ConflictError as for :meth:`update_evidence`."""
        who = self.authorize(actor)
        return self._change_evidence(EVIDENCE_RETIRE, evidence_id, {"retired": True}, expected_version, reason, None, who)

    def _revert_evidence(self, conn: Connection, batch: int, undo: int, who: str) -> None:
        """Undo the evidence changes of ``batch`` as batch ``undo``: added items leave, changed ones get their old values back."""
        e = self.schema.evidence
        old = self._old_values(conn, self.schema.evidence_changes.c.evidence_id, batch)
        reason = f"undo of batch {batch}"
        added = [i for i, fields in old.items() if EVIDENCE_ITEM in fields]
        if added:
            conn.execute(delete(e).where(e.c.evidence_id == bindparam("item")), [{"item": i} for i in added])
            self._record(conn, undo, [(i, EVIDENCE_ITEM, ADDED, REMOVED, reason) for i in added], self.schema.evidence_changes)
        for evidence_id, fields in old.items():
            if EVIDENCE_ITEM not in fields:
                restored = {f: (t == "true" if f == "retired" else t) for f, t in fields.items()}
                self._save_evidence(conn, self._get_evidence(conn, evidence_id), restored, undo, who, reason)


def evidence_fields(item: EvidenceItem) -> dict[str, str]:
    """An evidence item's fields as the text the register stores (enums by value)."""
    return {f: _text(f, getattr(item, f)) or "" for f in EVIDENCE_FIELDS}


def evidence_item(record: dict) -> EvidenceItem:
    """The evidence item of a register record (its CSV columns)."""
    return EvidenceItem(**{f: record[f] for f in EVIDENCE_FIELDS})


def _check_new_evidence(items: list[EvidenceItem], catalog: Catalog) -> None:
    """DataError naming, by id, every item that fails :func:`evidence.items.check_evidence` or appears twice."""
    problems = [f"{i.evidence_id}: {p.text()}" for i in items for p in check_evidence(i, catalog)]
    ids = [i.evidence_id for i in items]
    problems += [f"{i}: {message('evregister.twice')}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    if problems:
        raise DataError(key="evregister.not_stored", problems="\n  ".join(problems))


def _evidence_changes(evidence_id: str, changes: object) -> dict[str, str]:
    """``changes`` as stripped text for editable evidence fields; DataError for anything else."""
    editable = [f for f in EVIDENCE_FIELDS if f != "evidence_id"]
    if not isinstance(changes, dict) or not all(isinstance(v, str) for v in changes.values()):
        raise DataError(key="evregister.changes", id=evidence_id)
    unknown = sorted(set(changes) - set(editable))
    if unknown:
        raise DataError(key="evregister.fields", fields=", ".join(unknown), editable=", ".join(editable))
    return {f: v.strip() for f, v in changes.items()}


# The embedded register's spatial index: SQLite indexes a point's coordinates read from its WKT, "POINT (x y)" as
# shapely writes it, for the active exact points only; other exact shapes (lines, areas: few) have an index of their own.
_EXACT = f"retired = 0 AND precision = '{Precision.EXACT.value}' AND geometry_wkt IS NOT NULL"
_IS_POINT = "substr(geometry_wkt, 1, 7) = 'POINT ('"
_XY = "substr(geometry_wkt, 8)"
_X = f"CAST(substr({_XY}, 1, instr({_XY}, ' ') - 1) AS REAL)"
_Y = f"CAST(substr({_XY}, instr({_XY}, ' ') + 1) AS REAL)"
_SPATIAL_INDEXES = (
    f"CREATE INDEX IF NOT EXISTS sites_point_xy_idx ON sites ({_X}, {_Y}, id) WHERE {_EXACT} AND {_IS_POINT}",
    f"CREATE INDEX IF NOT EXISTS sites_exact_shape_idx ON sites (id) WHERE {_EXACT} AND NOT {_IS_POINT}",
)
# The exact sites near a place: the points in a box (read from the point index alone) and every other exact shape. The
# query repeats the indexes' terms: SQLite uses a partial or expression index only for the same terms.
_EXACT_NEAR = (
    f"SELECT id, {_X}, {_Y}, NULL FROM sites WHERE {_EXACT} AND {_IS_POINT} AND {_X} BETWEEN ? AND ? AND {_Y} BETWEEN ? AND ?"
    f" UNION ALL SELECT id, NULL, NULL, geometry_wkt FROM sites WHERE {_EXACT} AND NOT {_IS_POINT}"
)


class SQLiteSiteStore(SQLStore):
    """The embedded register (the default): one SQLite file, geometries as WKT text.

    Writes use ``BEGIN IMMEDIATE`` in SQLite's rollback-journal mode: a write
    killed half-way leaves a journal from which the next connection restores
    the file as it was. (WAL mode would leave the file's modification time,
    which the app's caches watch, unchanged until a checkpoint.)
    """

    def __init__(self, path: Path | str, authorize: Authorizer = refuse_writes, domain: Domain | None = None):
        self.authorize, self.domain = authorize, domain
        self.path = Path(path)
        self.name = str(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.schema = build_schema(Column("geometry_wkt", Text, key="geometry"))
        # A connection per use (no pool): cheap for a file, and safe across threads and processes.
        self.engine = create_engine("sqlite://", creator=self._connect, poolclass=NullPool)
        with self._transaction() as conn:
            self.schema.metadata.create_all(conn)
            self._upgrade(conn)
            for statement in _SPATIAL_INDEXES:  # a register written before they existed gets them on opening
                conn.exec_driver_sql(statement)

    def _connect(self) -> sqlite3.Connection:
        # Autocommit mode (isolation_level=None): the driver emits no BEGIN of its own, so ours can be IMMEDIATE.
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.execute("PRAGMA foreign_keys = ON")  # SQLite enforces the schema's foreign keys only when asked
        return con

    def _lock(self, conn: Connection) -> None:
        # IMMEDIATE takes the write lock at once, so two writers queue instead of both reading the old version.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    def _geometry_in(self, geometry: BaseGeometry | None) -> str | None:
        return None if geometry is None else geometry.wkt

    def _geometries_out(self, values: list) -> list[BaseGeometry | None]:
        return shapely.from_wkt(np.fromiter(values, dtype=object, count=len(values))).tolist()

    def _geometries_in(self, geometries: list[BaseGeometry | None]) -> list:
        # rounding_precision=-1: full precision, as BaseGeometry.wkt (what _geometry_in writes)
        return shapely.to_wkt(np.fromiter(geometries, dtype=object, count=len(geometries)), rounding_precision=-1).tolist()

    def sites_within(self, lon: float, lat: float, radius_m: float) -> list[tuple[str, float]]:
        # The point index answers the square around the disc PostGIS's index answers. Points are measured from the
        # coordinates it holds, the few other exact shapes from their WKT; both in UTM 48S, as distances_m measures.
        degrees = search_degrees(lat, radius_m)
        with closing(self._connect()) as con:  # the driver's plain tuples: SQLAlchemy's rows cost more than the query
            rows = con.execute(_EXACT_NEAR, (lon - degrees, lon + degrees, lat - degrees, lat + degrees)).fetchall()
        point = np.array([wkt_text is None for *_, wkt_text in rows], dtype=bool)
        xy = np.array([(x, y) for _, x, y, wkt_text in rows if wkt_text is None], dtype=float).reshape(-1, 2)
        shapes = np.array([wkt_text for *_, wkt_text in rows if wkt_text is not None], dtype=object)
        to_metric = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
        ox, oy = to_metric.transform(lon, lat)
        x, y = to_metric.transform(xy[:, 0], xy[:, 1])
        metres = np.empty(len(rows))
        metres[point] = np.sqrt((x - ox) ** 2 + (y - oy) ** 2)
        others = gpd.GeoSeries(shapely.from_wkt(shapes), crs="EPSG:4326").to_crs(METRIC_CRS)
        metres[~point] = others.distance(shapely.Point(ox, oy)).to_numpy()
        found = pd.DataFrame({"id": [row[0] for row in rows], "metres": metres})
        found = found[found["metres"] <= radius_m].sort_values(["metres", "id"])
        return list(zip(found["id"].tolist(), found["metres"].tolist()))

    def _insert_many(self, conn: Connection, table: Table, columns: list[str], rows: list[tuple]) -> None:
        # The driver's executemany on one prepared statement: no per-row work in SQLAlchemy.
        if rows:
            quote = conn.dialect.identifier_preparer.quote
            names = ", ".join(map(quote, columns))
            conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)

    def _upgrade(self, conn: Connection) -> None:
        """Bring a register written by the previous version (no versions, retirements or batches) up to date.

        Runs in the opening transaction: sites get version 1 and stay active,
        each program status record becomes a batch of its own and the old
        per-site status history becomes "added" history rows, one batch per
        recorder and date, all of kind ``legacy`` (not undoable).
        """
        columns = {c["name"] for c in inspect(conn).get_columns("sites")}
        if "version" not in columns:
            conn.exec_driver_sql("ALTER TABLE sites ADD COLUMN version INTEGER NOT NULL DEFAULT 1")
        if "retired" not in columns:
            conn.exec_driver_sql("ALTER TABLE sites ADD COLUMN retired BOOLEAN NOT NULL DEFAULT 0")
        if "batch" not in {c["name"] for c in inspect(conn).get_columns("program_status")}:
            conn.exec_driver_sql("ALTER TABLE program_status ADD COLUMN batch INTEGER REFERENCES batches(id)")
            old = conn.exec_driver_sql("SELECT rowid, program_id, date, recorded_by FROM program_status ORDER BY rowid").all()
            for rowid, program_id, date, who in old:
                batch = self._new_batch(conn, LEGACY, who, program_id, at=date)
                conn.exec_driver_sql("UPDATE program_status SET batch = ? WHERE rowid = ?", (batch, rowid))
        if inspect(conn).has_table("status_history"):
            rows = conn.exec_driver_sql("SELECT site_id, evidence, date, recorded_by FROM status_history ORDER BY rowid").all()
            groups: dict[tuple[str, str], list[tuple]] = {}
            for site_id, evidence, date, who in rows:
                groups.setdefault((who, date), []).append((site_id, SITE, None, ADDED, evidence))
            for (who, date), changes in groups.items():
                self._record(conn, self._new_batch(conn, LEGACY, who, "", at=date), changes)
            conn.exec_driver_sql("DROP TABLE status_history")
