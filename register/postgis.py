"""The site register on PostgreSQL + PostGIS: the shared :class:`register.store.SQLStore` on a server.

Same tables and behaviour as the embedded register (the rules are in
:mod:`register.store`); only the connection, the geometry column and the write
lock differ. Geometries are PostGIS ``geometry(GEOMETRY, 4326)`` with a GiST
index; all statements are SQLAlchemy Core with bound parameters. The tables
are created on first use in the first schema of the connection's
``search_path`` (``?options=-csearch_path%3Dname,public`` in the URL picks
another), which needs the ``postgis`` extension installed in the database
(``scripts/postgis.sh`` sets up a local server for the tests).
"""

from __future__ import annotations

import numpy as np
import shapely
from geoalchemy2 import Geometry
from geoalchemy2.shape import from_shape
from shapely.geometry.base import BaseGeometry
from psycopg import sql
from sqlalchemy import Column, Connection, Index, Table, create_engine, func, make_url, select, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from geo.config import METRIC_CRS
from register.rules import Domain, Problem
from register.store import Authorizer, SQLStore, build_schema, refuse_writes, search_degrees

SRID = 4326
METRIC_SRID = int(METRIC_CRS.split(":")[1])  # geo.config.METRIC_CRS, UTM 48S


class PostGISSiteStore(SQLStore):
    """A :class:`register.store.SiteStore` in a PostgreSQL database with PostGIS."""

    def __init__(self, url: str, authorize: Authorizer = refuse_writes, domain: Domain | None = None):
        self.authorize, self.domain = authorize, domain
        self.url = make_url(url)
        if self.url.drivername == "postgresql":  # SQLAlchemy would pick psycopg2, which is not installed
            self.url = self.url.set(drivername="postgresql+psycopg")
        self.name = self.url.render_as_string(hide_password=True)
        self.schema = build_schema(
            Column("geometry", Geometry("GEOMETRY", srid=SRID, spatial_index=False)),
            Index("sites_geometry_gist", "geometry", postgresql_using="gist"),
        )
        # A small pool: a dashboard has few concurrent readers, and writes queue on the register's lock anyway.
        self.engine = create_engine(self.url, pool_size=2, max_overflow=4, pool_pre_ping=True)
        try:
            with self._transaction() as conn:
                self.schema.metadata.create_all(conn)
        except OperationalError as exc:
            raise Problem("register.postgis_unreachable", store=self.name, reason=str(exc.orig).strip()) from exc
        except ProgrammingError as exc:
            raise Problem("register.postgis_schema", store=self.name, reason=str(exc.orig).strip()) from exc

    def _lock(self, conn: Connection) -> None:
        # The counterpart of SQLite's BEGIN IMMEDIATE: one writer at a time per register (schema), released at
        # commit, rollback or when the connection dies; a writer waits at most as long as SQLite's busy timeout.
        conn.execute(text("SET LOCAL lock_timeout = '30s'"))
        conn.execute(select(func.pg_advisory_xact_lock(func.hashtext(func.current_schema()))))

    def _geometry_in(self, geometry: BaseGeometry | None) -> object:
        return None if geometry is None else from_shape(geometry, srid=SRID)

    def _geometries_out(self, values: list) -> list[BaseGeometry | None]:
        # GeoAlchemy2 returns EWKB elements; GEOS reads the whole column in one call.
        return shapely.from_wkb(np.fromiter((None if v is None else bytes(v.data) for v in values), dtype=object, count=len(values))).tolist()

    def _geometries_in(self, geometries: list[BaseGeometry | None]) -> list:
        # Hex EWKB with the SRID: what COPY's text format reads into a geometry column.
        array = shapely.set_srid(np.fromiter(geometries, dtype=object, count=len(geometries)), SRID)
        return shapely.to_wkb(array, hex=True, include_srid=True).tolist()

    def _insert_many(self, conn: Connection, table: Table, columns: list[str], rows: list[tuple]) -> None:
        # COPY, in the write transaction: one stream instead of a statement per row (about 10x faster).
        if rows:
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns)))
            with conn.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)

    def sites_within(self, lon: float, lat: float, radius_m: float) -> list[tuple[str, float]]:
        # The GiST index answers a disc in degrees that holds the circle; the exact test then measures in UTM 48S.
        degrees = search_degrees(lat, radius_m)
        origin = func.ST_SetSRID(func.ST_MakePoint(lon, lat), SRID)
        exact = self._exact_sites().where(func.ST_DWithin(self.schema.sites.c.geometry, origin, degrees)).subquery()
        metres = func.ST_Distance(func.ST_Transform(exact.c.geometry, METRIC_SRID), func.ST_Transform(origin, METRIC_SRID))
        query = select(exact.c.id, metres.label("metres")).where(metres <= radius_m)
        with self.engine.begin() as conn:
            # ST_Transform's high cost estimate makes PostgreSQL JIT-compile the query: 1 s of compiling for 50 ms of work.
            conn.execute(text("SET LOCAL jit = off"))
            rows = conn.execute(query).all()
        return sorted(((r.id, float(r.metres)) for r in rows), key=lambda r: (r[1], r[0]))
