"""All 36 kecamatan side by side: promises, evidence, existing facilities and population, one row each.

:func:`kecamatan_comparison` is the indicator table of the "Bandingkan
kecamatan" page and of its CSV/XLSX downloads (:func:`comparison_csv`,
:func:`comparison_xlsx`). Every figure comes from the one definition of its
concept:

- sites: active sites (:func:`layers.targets.active_mask`) by their precision,
  in the kecamatan they lie in or are known to; region-level sites belong to no
  kecamatan and are not counted here;
- programs: those with a site in the kecamatan or whose text names it
  (:func:`layers.progress.program_places`);
- evidence events: distinct evidence rows placed in the kecamatan or one of its
  desa (:func:`evidence.places.resolve_places`);
- existing facilities: usable positions only (:func:`geo.supply.by_kecamatan`),
  each kind with its own source and year;
- population: the latest figure per kecamatan with its year
  (:func:`geo.boundaries.kecamatan_population`: Tangsel 2025, Kabupaten
  Tangerang 2015), never summed across years;
- budget: the unit costs the catalog states for programs naming the
  kecamatan, one per program and unit, never added up.

Population per facility is missing (NaN) where the kecamatan has none of that
facility: there is nothing to divide by.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from openpyxl import Workbook

from geo import config, supply as existing_supply
from geo.boundaries import REGION_NAMES
from layers import targets
from layers.catalog import Catalog
from layers.model import Precision
from layers.progress import program_places
from reports.export import workbook_bytes, write_sheet
from texts.catalog import translator
from texts.numbers import format_number
from texts.safe import csv_bytes

PRECISIONS = (Precision.EXACT, Precision.DESA, Precision.KECAMATAN)
SITE_COLUMNS = [f"sites_{p.value}" for p in PRECISIONS]
SUPPLY_KINDS = ("sd", "smp_negeri", "puskesmas", "pasar", "krl")
PER_FACILITY = {"per_smp_negeri": "smp_negeri", "per_puskesmas": "puskesmas"}
COLUMNS = [
    "kode_kec", "kecamatan", "kode_kab", "region", *SITE_COLUMNS, "programs", "evidence_events",
    *SUPPLY_KINDS, "population", "population_year", *PER_FACILITY, "budget",
]  # fmt: skip


def kecamatan_comparison(
    kecamatan: pd.DataFrame,
    population: pd.DataFrame,
    sites: pd.DataFrame,
    catalog: Catalog,
    evidence_places: pd.DataFrame,
    supply: gpd.GeoDataFrame,
    lang: str = "id",
) -> pd.DataFrame:
    """One row per kecamatan of the program regions (Tangsel first, then by name) with the :data:`COLUMNS`.

    Parameters
    ----------
    kecamatan : pandas.DataFrame
        The kecamatan table (``kode_kec, kecamatan, kode_kab``); Kota
        Tangerang's are left out (no program document covers them).
    population : pandas.DataFrame
        :func:`geo.boundaries.kecamatan_population`.
    sites : pandas.DataFrame
        A :func:`layers.sites.site_frame` table.
    catalog : layers.catalog.Catalog
        The program catalog.
    evidence_places : pandas.DataFrame
        The placed areas of :func:`evidence.places.resolve_places`.
    supply : geopandas.GeoDataFrame
        :func:`geo.supply.load_supply`.
    lang : str
        Language of the ``budget`` text ("id" or "en").

    Returns
    -------
    pandas.DataFrame
        ``kode_kec``, ``kecamatan``, ``kode_kab``, ``region`` (its name);
        integer counts ``sites_titik``, ``sites_desa``, ``sites_kecamatan``
        (active sites by precision), ``programs``, ``evidence_events`` and one
        per kind of :data:`SUPPLY_KINDS`; ``population`` and
        ``population_year`` (Int64, missing without a figure);
        ``per_smp_negeri`` and ``per_puskesmas`` (float, NaN where there is no
        such facility or no population); ``budget`` (text, "" where no
        program naming the kecamatan states a cost).
    """
    rows = kecamatan[kecamatan["kode_kab"].isin(config.PROGRAM_REGIONS)]
    order = rows["kode_kab"].map({r: i for i, r in enumerate(config.PROGRAM_REGIONS)})
    rows = rows.assign(_order=order).sort_values(["_order", "kecamatan"])
    codes = list(rows["kode_kec"])
    out = pd.DataFrame(
        {"kode_kec": codes, "kecamatan": list(rows["kecamatan"]), "kode_kab": list(rows["kode_kab"])}
    )
    out["region"] = out["kode_kab"].map(REGION_NAMES)

    live = sites[targets.active_mask(sites)]
    by_precision = pd.crosstab(live["kode_kec"], live["precision"]).reindex(index=codes, columns=[p.value for p in PRECISIONS], fill_value=0)
    out[SITE_COLUMNS] = by_precision.to_numpy()

    places = pd.Series(program_places(catalog, sites)).explode().dropna()
    out["programs"] = out["kode_kec"].map(places.value_counts()).fillna(0).astype(int)
    events = evidence_places.groupby("kode_kec")["evidence_id"].nunique()
    out["evidence_events"] = out["kode_kec"].map(events).fillna(0).astype(int)

    facilities = existing_supply.by_kecamatan(supply, codes)
    out[list(SUPPLY_KINDS)] = facilities[list(SUPPLY_KINDS)].to_numpy()

    latest = population.set_index("kode_kec")
    out["population"] = out["kode_kec"].map(latest["population"]).astype("Int64")
    out["population_year"] = out["kode_kec"].map(latest["year"]).astype("Int64")
    people = out["population"].astype(float)
    for column, kind in PER_FACILITY.items():
        count = out[kind].astype(float)
        out[column] = np.divide(people, count, out=np.full(len(out), np.nan), where=count.to_numpy() > 0)

    budgets = _budgets(catalog, lang)
    out["budget"] = [budgets.get(code, "") for code in codes]
    return out[COLUMNS].reset_index(drop=True)


def _budgets(catalog: Catalog, lang: str) -> dict[str, str]:
    """Per kecamatan code, the stated unit costs of the programs naming it: "Rp1.800.000 per anak per tahun (id)"; …"""
    template = translator(lang)("compare_budget_item")
    items: dict[str, list[str]] = {}
    for p in catalog.programs:
        if p.cost_idr:
            text = template.format(cost=format_number(p.cost_idr, lang), unit=p.cost_unit, program=p.id)
            for code in p.kecamatan:
                items.setdefault(code, []).append(text)
    return {code: "; ".join(texts) for code, texts in items.items()}


def headers(lang: str = "id") -> list[str]:
    """Export headers of :data:`COLUMNS` in ``lang``; each facility and population column names its source and year."""
    t = translator(lang)
    names = {k: existing_supply.kind_label(k, t) for k in SUPPLY_KINDS}
    return [names.get(c) or t(f"compare_col_{c}") for c in COLUMNS]


def comparison_csv(table: pd.DataFrame, lang: str = "id") -> bytes:
    """The comparison (:func:`kecamatan_comparison`) as CSV (:func:`texts.safe.csv_bytes`), headed in ``lang``."""
    return csv_bytes(table[COLUMNS].set_axis(headers(lang), axis=1))


def comparison_xlsx(table: pd.DataFrame, lang: str = "id") -> bytes:
    """The comparison as XLSX: one sheet, bold frozen headers in ``lang``, numbers as numbers."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # start without openpyxl's empty default sheet
    write_sheet(workbook, translator(lang)("compare_sheet"), table[COLUMNS], headers(lang))
    return workbook_bytes(workbook)
