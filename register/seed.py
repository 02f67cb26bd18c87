"""Writing what the documents place, and the researched evidence, into the register."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from layers.catalog import Catalog
from evidence.items import EvidenceItem, load_evidence
from layers.seed import seed_sites
from register.store import SiteStore


def ensure_seeded(store: SiteStore, catalog: Catalog, kecamatan: pd.DataFrame) -> int:
    """Add the seed sites the store lacks (by id, retired ones counting as present); return how many were added.

    The one write that needs no planner login: it only adds sites the documents place and the register lacks.
    """
    return store.seed(seed_sites(catalog, kecamatan))


def ensure_evidence_seeded(store: SiteStore, catalog: Catalog, root: str | Path) -> int:
    """Add the installed evidence items (``<root>/evidence/evidence.csv``) the store lacks, by ``evidence_id``.

    Retired items count as present, and nothing stored is changed, so a
    planner's edit or retirement of a seeded item stands; return how many were added.
    """
    frame = load_evidence(root, catalog)
    return store.seed_evidence([EvidenceItem(*row) for row in frame.itertuples(index=False)], catalog)
