"""Joining located things to the kecamatan and desa they fall in.

Points are joined spatially (point in desa polygon); admin-level locations are
joined by their BPS code, never by name.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

ADMIN_COLUMNS = ["kode_kab", "kode_kec", "kecamatan", "kode_desa", "desa"]


def admin_of_points(points: gpd.GeoSeries, desa: gpd.GeoDataFrame) -> pd.DataFrame:
    """For each point, the desa containing it (``ADMIN_COLUMNS``; missing where it lies outside every desa)."""
    frame = gpd.GeoDataFrame(geometry=points.reset_index(drop=True), crs=desa.crs)
    joined = gpd.sjoin(frame, desa[ADMIN_COLUMNS + ["geometry"]], how="left", predicate="within")
    # A point exactly on a shared boundary matches two desa: keep the first.
    joined = joined[~joined.index.duplicated(keep="first")]
    return joined[ADMIN_COLUMNS].set_axis(points.index)


def admin_of_codes(codes: pd.Series, kecamatan: pd.DataFrame, desa: pd.DataFrame) -> pd.DataFrame:
    """For each BPS code (10-digit desa, 7-digit kecamatan or 4-digit kab/kota), its admin units.

    A kecamatan-level code gets no desa, a region-level code only ``kode_kab``.
    """
    desa_rows = desa.set_index("kode_desa")[["kode_kab", "kode_kec", "kecamatan", "desa"]]
    kec_rows = kecamatan.set_index("kode_kec")[["kode_kab", "kecamatan"]]
    rows = []
    for code in codes:
        code = str(code)
        if len(code) == 10 and code in desa_rows.index:
            r = desa_rows.loc[code]
            rows.append((r.kode_kab, r.kode_kec, r.kecamatan, code, r.desa))
        elif len(code) == 7 and code in kec_rows.index:
            r = kec_rows.loc[code]
            rows.append((r.kode_kab, code, r.kecamatan, None, None))
        elif len(code) == 4:
            rows.append((code, None, None, None, None))
        else:
            rows.append((None, None, None, None, None))
    return pd.DataFrame(rows, columns=ADMIN_COLUMNS, index=codes.index)
