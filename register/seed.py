"""Writing what the documents place, and the researched evidence, into the register."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterable

import pandas as pd

from layers.catalog import Catalog
from evidence.items import EvidenceItem, load_evidence
from layers.model import Site
from layers.seed import seed_sites
from register.store import SiteStore

# What the documents say of a seed site beyond its id (program and place): a catalog correction may change these.
SEED_FIELDS = ("layer", "name", "source")
# The note of a seed correction's batch and history rows (shown in the UI language by the planner page).
CORRECTION_NOTE = "seed corrected to the documents; no planner had changed the site"

log = logging.getLogger(__name__)


def ensure_seeded(store: SiteStore, catalog: Catalog, kecamatan: pd.DataFrame) -> int:
    """Add the seed sites the store lacks (by id, retired ones counting as present); return how many were added.

    The one write that needs no planner login: it adds sites the documents place
    and the register lacks, and brings a stored seed site up to what the
    documents say now (:data:`SEED_FIELDS`, e.g. a program moved to another
    layer) only if no planner ever changed it; the change is a history row of
    a seed batch noted :data:`CORRECTION_NOTE`. A seed site a planner changed
    is left as it is and logged; :func:`seed_differences` lists it for the planner page.
    """
    seeds = seed_sites(catalog, kecamatan)
    added = store.seed(seeds)
    corrected, left = store.correct_seeds(seeds, SEED_FIELDS, CORRECTION_NOTE)
    if corrected:
        log.info("seed sites corrected to the documents: %s", ", ".join(corrected))
    for site_id in left:
        log.warning("seed site %s differs from the documents but a planner has changed it: left as it is", site_id)
    return added


def seed_differences(seeds: Iterable[Site], stored: Iterable[Site]) -> list[tuple[str, str, str, str]]:
    """(site id, field, the register's value, the documents' value) for each of :data:`SEED_FIELDS` a stored seed site holds differently.

    After :func:`ensure_seeded` these are the seed sites a planner has changed.
    """
    by_id = {s.id: s for s in stored}
    return [
        (s.id, f, getattr(by_id[s.id], f), getattr(s, f))
        for s in seeds if s.id in by_id for f in SEED_FIELDS if getattr(s, f) != getattr(by_id[s.id], f)
    ]  # fmt: skip


def ensure_evidence_seeded(store: SiteStore, catalog: Catalog, root: str | Path) -> int:
    """Add the installed evidence items (``<root>/evidence/evidence.csv``) the store lacks, by ``evidence_id``.

    Retired items count as present, and nothing stored is changed, so a
    planner's edit or retirement of a seeded item stands; return how many were added.
    """
    frame = load_evidence(root, catalog)
    return store.seed_evidence([EvidenceItem(*row) for row in frame.itertuples(index=False)], catalog)
