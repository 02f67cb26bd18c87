"""Per-kecamatan figures for the choropleth: sites, programs and sites per 10,000 residents."""

from __future__ import annotations

import pandas as pd

METRICS = ("sites", "programs", "per_10k")


def kecamatan_metrics(sites: pd.DataFrame, kecamatan: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """One row per kecamatan of ``kecamatan``.

    Columns: ``kode_kec``, ``sites`` (sites located in it), ``programs``
    (distinct programs with a site in it), ``population`` and ``pop_year``
    (missing where no figure exists) and ``per_10k`` (sites per 10,000
    residents). Region-level sites belong to no kecamatan and are not counted.
    """
    located = sites.dropna(subset=["kode_kec"])
    grouped = located.groupby("kode_kec").agg(sites=("id", "size"), programs=("program", "nunique"))
    out = kecamatan[["kode_kec"]].merge(grouped, on="kode_kec", how="left").fillna({"sites": 0, "programs": 0})
    out = out.merge(
        population[["kode_kec", "population", "year"]].rename(columns={"year": "pop_year"}), on="kode_kec", how="left"
    )
    out["per_10k"] = out["sites"] / out["population"] * 10_000
    return out.astype({"sites": int, "programs": int})
