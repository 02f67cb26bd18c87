"""The process the kill test kills: it starts a large import and stops inside its transaction.

Usage: ``python -m tests.import_child USERNAME EXPIRES SIGNATURE COUNT`` (a
planner session as :class:`register.auth.Planner` fields, from the parent's
login). Opens the register that PETA_STORE_URL or PETA_STORE name and imports
COUNT exact-point sites. Right after the bulk write of the site rows has run,
inside the import's transaction and before its history rows and commit, it
prints ``inserted`` and sleeps until killed. For SQLite it first shrinks the
page cache, so that the uncommitted pages spill into the database file: the
kill then leaves a hot journal that the next connection has to roll back.
"""

from __future__ import annotations

import sys
import time

from shapely.geometry import Point
from sqlalchemy import event

from register.auth import Planner
from layers.model import Precision, Site
from register.store import SQLiteSiteStore
from register.open import open_store


def main(username: str, expires: str, signature: str, count: str) -> None:
    store = open_store()
    if isinstance(store, SQLiteSiteStore):
        event.listen(store.engine, "connect", lambda con, _record: con.execute("PRAGMA cache_size = 4"))

    insert_many = store._insert_many

    def stop_after_site_rows(conn, table, columns, rows):
        insert_many(conn, table, columns, rows)
        if table is store.schema.sites:
            print("inserted", flush=True)
            time.sleep(600)

    store._insert_many = stop_after_site_rows  # the bulk write (an INSERT on SQLite, a COPY on PostGIS)
    sites = [
        Site(id=f"kill-{i:05d}", program="tsl-4-7-05", layer="posko_bencana", name=f"Posko impor besar {i} " + "x" * 200,
             precision=Precision.EXACT, geometry=Point(106.7 + i * 1e-5, -6.3), source="uji kill", updated="2026-11-23")
        for i in range(int(count))
    ]  # fmt: skip
    store.add(sites, Planner(username, float(expires), signature), note="impor yang dibunuh")
    print("committed", flush=True)  # the parent fails the test if it ever reads this


if __name__ == "__main__":
    main(*sys.argv[1:])
