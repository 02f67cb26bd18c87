"""The site register: one small interface and its embedded SQLite implementation.

:class:`SiteStore` is what the rest of the code uses; :class:`SQLiteSiteStore`
keeps it in one SQLite file (no server). A PostGIS backend can implement the
same protocol later. Geometries are stored as WKT in EPSG:4326; admin-level
sites store the BPS code of their desa, kecamatan or kabupaten/kota instead.
The store also keeps the promise tracker's program statuses as an append-only
history; a program's latest record is its status.

Every write runs in one transaction: a batch is stored whole or not at all.
"""

from __future__ import annotations

import datetime
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Iterable, Protocol

from shapely import wkt

from geo.errors import DataError
from layers.model import Precision, ProgramStatus, Site, SiteStatus

SCHEMA = """
CREATE TABLE IF NOT EXISTS sites (
    id TEXT PRIMARY KEY,
    program TEXT NOT NULL,
    layer TEXT NOT NULL,
    name TEXT NOT NULL,
    precision TEXT NOT NULL,
    status TEXT NOT NULL,
    admin_code TEXT NOT NULL DEFAULT '',
    geometry_wkt TEXT,
    source TEXT NOT NULL DEFAULT '',
    evidence_url TEXT NOT NULL DEFAULT '',
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS status_history (
    site_id TEXT NOT NULL REFERENCES sites(id),
    status TEXT NOT NULL,
    evidence TEXT NOT NULL,
    date TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS program_status (
    program_id TEXT NOT NULL,
    status TEXT NOT NULL,
    evidence_url TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    date TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
"""

COLUMNS = ("id", "program", "layer", "name", "precision", "status", "admin_code", "geometry_wkt", "source", "evidence_url", "updated")


class SiteStore(Protocol):
    """What the dashboard needs from a site register."""

    def sites(self) -> list[Site]:
        """Every site, in id order."""

    def add(self, sites: Iterable[Site], recorded_by: str) -> int:
        """Store new sites atomically; raise DataError (storing nothing) if any is bad or exists."""

    def history(self, site_id: str) -> list[dict]:
        """Status records of one site, oldest first."""

    def record_program_status(
        self, program_id: str, status: ProgramStatus, evidence_url: str, note: str, date: str, recorded_by: str
    ) -> None:
        """Append a program's promise status; raise DataError (storing nothing) if it is bad."""

    def program_statuses(self) -> dict[str, dict]:
        """The latest status record of each program that has one, keyed by program id."""


def check_site(site: Site) -> list[str]:
    """Problems with a site's own fields (precision must match how it is located)."""
    problems = []
    if not site.name.strip():
        problems.append("name is empty")
    if site.precision is Precision.EXACT:
        if site.geometry is None or site.geometry.is_empty:
            problems.append("precision 'titik' needs a geometry")
        elif not site.geometry.is_valid:
            problems.append("geometry is invalid")
    else:
        digits = {Precision.DESA: 10, Precision.KECAMATAN: 7, Precision.REGION: 4}[site.precision]
        if not (site.admin_code.isdigit() and len(site.admin_code) == digits):
            problems.append(f"precision {site.precision.value!r} needs a {digits}-digit BPS code, got {site.admin_code!r}")
        if site.geometry is not None:
            problems.append(f"precision {site.precision.value!r} must not carry a point or shape")
    return problems


def check_program_status(program_id: str, status: object, evidence_url: str, date: str, recorded_by: str) -> list[str]:
    """Problems with a program status record (as in Tempo's tracker, a status past the default cites a source)."""
    problems = []
    if not program_id.strip():
        problems.append("program id is empty")
    try:
        status = ProgramStatus(status)
    except ValueError:
        problems.append(f"status {status!r} is not one of {', '.join(s.value for s in ProgramStatus)}")
    else:
        if status is not ProgramStatus.NO_EVIDENCE and not evidence_url.strip():
            problems.append(f"status {status.value!r} needs an evidence link")
    try:
        datetime.date.fromisoformat(date)
    except (TypeError, ValueError):
        problems.append(f"date {date!r} is not an ISO date (YYYY-MM-DD)")
    if not recorded_by.strip():
        problems.append("recorded_by is empty")
    return problems


class SQLiteSiteStore:
    """A :class:`SiteStore` in one SQLite file."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as con, con:
            con.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path)
        con.row_factory = sqlite3.Row
        return con

    def sites(self) -> list[Site]:
        with closing(self._connect()) as con:
            rows = con.execute(f"SELECT {', '.join(COLUMNS)} FROM sites ORDER BY id").fetchall()
        return [
            Site(
                id=r["id"],
                program=r["program"],
                layer=r["layer"],
                name=r["name"],
                precision=Precision(r["precision"]),
                status=SiteStatus(r["status"]),
                admin_code=r["admin_code"],
                geometry=wkt.loads(r["geometry_wkt"]) if r["geometry_wkt"] else None,
                source=r["source"],
                evidence_url=r["evidence_url"],
                updated=r["updated"],
            )
            for r in rows
        ]

    def add(self, sites: Iterable[Site], recorded_by: str) -> int:
        sites = list(sites)
        problems = [f"site {s.id} ({s.name}): {p}" for s in sites for p in check_site(s)]
        ids = [s.id for s in sites]
        problems += [f"site {i}: id appears twice in this batch" for i in sorted({i for i in ids if ids.count(i) > 1})]
        if problems:
            raise DataError("Sites not stored:\n  " + "\n  ".join(problems))
        with closing(self._connect()) as con:
            existing = {r[0] for r in con.execute("SELECT id FROM sites")}
            clash = sorted(existing & set(ids))
            if clash:
                raise DataError(f"Sites not stored: these ids already exist: {', '.join(clash)}")
            with con:  # one transaction: all rows or none
                con.executemany(
                    f"INSERT INTO sites ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                    [
                        (s.id, s.program, s.layer, s.name, s.precision.value, s.status.value, s.admin_code,
                         s.geometry.wkt if s.geometry is not None else None, s.source, s.evidence_url, s.updated)
                        for s in sites
                    ],
                )
                con.executemany(
                    "INSERT INTO status_history VALUES (?, ?, ?, ?, ?)",
                    [(s.id, s.status.value, s.evidence_url or s.source, s.updated, recorded_by) for s in sites],
                )
        return len(sites)

    def history(self, site_id: str) -> list[dict]:
        with closing(self._connect()) as con:
            rows = con.execute(
                "SELECT status, evidence, date, recorded_by FROM status_history WHERE site_id = ? ORDER BY rowid",
                (site_id,),
            ).fetchall()
        return [dict(r) for r in rows]

    def record_program_status(
        self, program_id: str, status: ProgramStatus, evidence_url: str, note: str, date: str, recorded_by: str
    ) -> None:
        problems = check_program_status(program_id, status, evidence_url, date, recorded_by)
        if problems:
            raise DataError(f"Status of program {program_id!r} not stored:\n  " + "\n  ".join(problems))
        with closing(self._connect()) as con, con:  # one transaction
            con.execute(
                "INSERT INTO program_status VALUES (?, ?, ?, ?, ?, ?)",
                (program_id, ProgramStatus(status).value, evidence_url.strip(), note.strip(), date, recorded_by),
            )

    def program_statuses(self) -> dict[str, dict]:
        with closing(self._connect()) as con:
            # Latest by date; among records of the same date the last one written (a correction) wins.
            rows = con.execute(
                "SELECT program_id, status, evidence_url, note, date, recorded_by FROM program_status ORDER BY date, rowid"
            ).fetchall()
        return {r["program_id"]: {**dict(r), "status": ProgramStatus(r["status"])} for r in rows}
