"""Which site register the app and the scripts use: one setting picks the backend.

``PETA_STORE_URL``
    A PostgreSQL + PostGIS database (``postgresql+psycopg://user:password@host:port/db``):
    the register is :class:`register.postgis.PostGISSiteStore` there.
    Unset or empty: the embedded SQLite register at :func:`geo.config.store_path`
    (``PETA_STORE``, default ``data/store/sites.sqlite``), the default.
"""

from __future__ import annotations

import os

from geo import config
from register.auth import require_planner
from register.rules import Domain, load_domain
from register.store import SiteStore, SQLiteSiteStore


def store_setting() -> str:
    """The value that names the register in use: ``PETA_STORE_URL`` if set, else the SQLite file's path."""
    return os.environ.get("PETA_STORE_URL", "").strip() or str(config.store_path())


def open_store(setting: str | None = None, domain: Domain | None = None) -> SiteStore:
    """The register ``setting`` names (a PostgreSQL URL or a SQLite path; default :func:`store_setting`).

    It is created, empty, if it does not exist yet. Writes need a planner's
    session (:func:`register.auth.require_planner`) and are checked against
    ``domain`` (:mod:`register.rules`; default: built from the committed
    catalog and the installed boundaries).
    """
    setting = store_setting() if setting is None else setting
    domain = load_domain() if domain is None else domain
    if setting.startswith("postgresql"):
        from register.postgis import PostGISSiteStore  # GeoAlchemy2 is only needed for this backend

        return PostGISSiteStore(setting, require_planner, domain)
    return SQLiteSiteStore(setting, require_planner, domain)
