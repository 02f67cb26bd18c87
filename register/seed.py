"""Writing what the documents place into the register (:func:`layers.seed.seed_sites`)."""

from __future__ import annotations

import pandas as pd

from layers.catalog import Catalog
from layers.seed import seed_sites
from register.store import SiteStore


def ensure_seeded(store: SiteStore, catalog: Catalog, kecamatan: pd.DataFrame) -> int:
    """Add the seed sites the store lacks (by id, retired ones counting as present); return how many were added.

    The one write that needs no planner login: it only adds sites the documents place and the register lacks.
    """
    return store.seed(seed_sites(catalog, kecamatan))
