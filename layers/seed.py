"""Seed sites: only what the program documents themselves place.

A program gets seed sites when its catalog entry has a ``placement``: one site
per kecamatan the text names, one per kecamatan of the region ("di setiap
kecamatan"), or one region-level site for a named place that cannot be
resolved below the kabupaten/kota. Nothing gets a coordinate.

:func:`register.seed.ensure_seeded` stores them in the register. This module
is pure: it never touches the register.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from layers.catalog import Catalog
from layers.model import Placement, Precision, Program, Site


def source_text(program: Program, catalog: Catalog) -> str:
    """Where a program stands in its document, as a human-readable citation."""
    doc = catalog.document(program.document)
    return f"{doc.title} ({doc.publisher}, {doc.year}), baris {program.line}: \u201c{program.quote}\u201d"


def seed_sites(catalog: Catalog, kecamatan: pd.DataFrame, today: str | None = None) -> list[Site]:
    """Sites the documents place, with honest precision; ``kecamatan`` needs kode_kec, kecamatan, kode_kab."""
    today = today or date.today().isoformat()
    names = dict(zip(kecamatan["kode_kec"], kecamatan["kecamatan"]))
    sites = []
    for p in catalog.programs:
        if not p.layer or p.placement is None:
            continue
        if p.placement is Placement.REGION:
            located = [(p.region, Precision.REGION, p.place_text or p.name)]
        else:
            codes = (
                p.kecamatan
                if p.placement is Placement.NAMED_KECAMATAN
                else tuple(kecamatan.loc[kecamatan["kode_kab"] == p.region, "kode_kec"])
            )
            located = [(code, Precision.KECAMATAN, f"Kec. {names[code]}") for code in codes]
        for code, precision, place in located:
            sites.append(
                Site(
                    id=f"{p.id}-{code}",
                    program=p.id,
                    layer=p.layer,
                    name=f"{p.name} \u2014 {place}",
                    precision=precision,
                    admin_code=code,
                    source=source_text(p, catalog),
                    updated=today,
                )
            )
    return sites

