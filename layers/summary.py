"""Per-kecamatan figures for the choropleth: sites, programs and sites per 10,000 residents."""

from __future__ import annotations

import pandas as pd

from layers.targets import active_mask

METRICS = ("sites", "programs", "per_10k")


def kecamatan_metrics(sites: pd.DataFrame, kecamatan: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """One row per kecamatan of ``kecamatan``.

    Columns: ``kode_kec``, ``sites`` (active sites in it, at any precision
    within it), ``programs`` (distinct programs with such a site),
    ``population`` and ``pop_year`` (missing where no figure exists) and
    ``per_10k`` (sites per 10,000 residents). Region-level sites belong to no
    kecamatan and cancelled sites count for nothing (:mod:`layers.targets`).
    """
    # Only the columns counted are filtered: taking every column of 100,000 rows was most of the cost.
    inside = sites.loc[active_mask(sites), ["kode_kec", "program"]].dropna(subset=["kode_kec"])
    grouped = inside.groupby("kode_kec").agg(sites=("program", "size"), programs=("program", "nunique"))
    out = kecamatan[["kode_kec"]].merge(grouped, on="kode_kec", how="left").fillna({"sites": 0, "programs": 0})
    out = out.merge(
        population[["kode_kec", "population", "year"]].rename(columns={"year": "pop_year"}), on="kode_kec", how="left"
    )
    out["per_10k"] = out["sites"] / out["population"] * 10_000
    return out.astype({"sites": int, "programs": int})
