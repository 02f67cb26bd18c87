"""The briefing's existing facilities: per kecamatan of the area, how many of each kind are there.

Counts are of usable positions only (:func:`geo.supply.usable`), by the
kecamatan each point lies in; columns are headed with the kind, and
:func:`supply_sources` (or, in the XLSX, :func:`supply_headers`) gives each
kind's source and year, in the briefing's language. The page, the PDF and the
XLSX all show this one table (:attr:`reports.briefing.Briefing.supply`).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo import supply as existing_supply
from texts.catalog import translator


def supply_table(supply: gpd.GeoDataFrame, kecamatan: pd.DataFrame, area_codes: list[str], lang: str = "id") -> pd.DataFrame:
    """``kode_kec``, the kecamatan name, then one count column per kind (headed with its name), one row per kecamatan of the area."""
    t = translator(lang)
    counts = existing_supply.by_kecamatan(supply, area_codes)
    names = kecamatan.set_index("kode_kec")["kecamatan"]
    out = pd.DataFrame({"kode_kec": counts["kode_kec"], t("kecamatan"): counts["kode_kec"].map(names)})
    for kind_id in existing_supply.KINDS:
        out[t(f"supply_kind_{kind_id}")] = counts[kind_id].astype(int)
    return out.sort_values(t("kecamatan"), ignore_index=True)


def supply_sources(lang: str = "id") -> str:
    """Each kind's source and year in one line: "SD (negeri & swasta): Kemendikbud (Dapodik), 2019; …"."""
    t = translator(lang)
    return "; ".join(f"{t(f'supply_kind_{k}')}: {kind.source}, {kind.year}" + (f" ({t('incomplete')})" if kind.incomplete else "")
                     for k, kind in existing_supply.KINDS.items())  # fmt: skip


def supply_headers(lang: str = "id") -> list[str]:
    """Headers of :func:`supply_table` with each kind's source and year (:func:`geo.supply.kind_label`)."""
    t = translator(lang)
    return ["kode_kec", t("kecamatan"), *(existing_supply.kind_label(k, t) for k in existing_supply.KINDS)]
