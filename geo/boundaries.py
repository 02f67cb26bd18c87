"""Loading the installed boundary, population and reference files, validated.

Every loader takes the data directory (default :func:`geo.config.data_dir`), so
the same code checks a data source before installation and the installed copy
afterwards.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo import config, validate
from geo.errors import DataError
from geo.sources import BOUNDARIES, REFERENCE

REGION_NAMES = {
    config.TANGSEL: "Kota Tangerang Selatan",
    config.KAB_TANGERANG: "Kabupaten Tangerang",
    config.KOTA_TANGERANG: "Kota Tangerang",
}


def _path(root: Path | None, folder: str, name: str) -> Path:
    path = Path(root or config.data_dir()) / folder / name
    if not path.is_file():
        raise DataError(
            f"{path} is missing. Install the data with `scripts/setup.sh` "
            f"(it copies it from PETA_DATA_SOURCE, default ../shared/data)."
        )
    return path


def read_vector(path: Path) -> gpd.GeoDataFrame:
    """Read a GeoJSON file, or raise DataError naming it."""
    try:
        return gpd.read_file(path, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise DataError(f"{path.name} cannot be read as GeoJSON: {exc}") from exc


def read_table(path: Path, required: tuple[str, ...], codes: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read a CSV keeping ``codes`` columns as text; raise DataError if columns are missing."""
    try:
        frame = pd.read_csv(path, dtype={c: "string" for c in codes})
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{path.name} cannot be read as CSV: {exc}") from exc
    validate.raise_problems(path.name, validate.check_columns(frame, required))
    return frame


def load_kecamatan(root: Path | None = None) -> gpd.GeoDataFrame:
    """All 49 kecamatan polygons (BPS codes), validated."""
    path = _path(root, BOUNDARIES, "kecamatan.geojson")
    frame = read_vector(path)
    validate.validate_kecamatan(frame, path.name)
    return frame[list(validate.KECAMATAN_COLUMNS) + ["geometry"]]


def load_desa(root: Path | None = None, kecamatan: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """All 432 desa/kelurahan polygons (BPS codes), validated against the kecamatan."""
    path = _path(root, BOUNDARIES, "desa.geojson")
    frame = read_vector(path)
    validate.validate_desa(frame, kecamatan if kecamatan is not None else load_kecamatan(root), path.name)
    return frame[list(validate.DESA_COLUMNS) + ["geometry"]]


def load_crosswalk(root: Path | None = None) -> pd.DataFrame:
    """BPS ↔ Kemendagri codes for every kecamatan and desa."""
    path = _path(root, BOUNDARIES, "kode_crosswalk_bps_kemendagri.csv")
    columns = ("level", "kode_bps", "nama_bps", "kode_kemendagri", "nama_kemendagri")
    return read_table(path, columns, codes=("kode_bps", "kode_kemendagri", "kode_kab_bps"))


def to_bps(kemendagri_code: str, crosswalk: pd.DataFrame) -> str:
    """The BPS code for a Kemendagri kecamatan/desa code (e.g. 36.74.07 → 3674010)."""
    match = crosswalk.loc[crosswalk["kode_kemendagri"] == kemendagri_code.strip(), "kode_bps"]
    if match.empty:
        raise DataError(f"Kemendagri code {kemendagri_code!r} is not in the BPS–Kemendagri crosswalk")
    return str(match.iloc[0])


def kecamatan_population(root: Path | None = None) -> pd.DataFrame:
    """Latest population per kecamatan: ``kode_kec, population, year, source, confidence``.

    Tangsel has two vintages in the file; the most recent year is kept. Kabupaten
    Tangerang has only 2015 figures. Kota Tangerang has none.
    """
    path = _path(root, REFERENCE, "population_kecamatan.csv")
    frame = read_table(path, ("kode_kec", "year", "population", "source", "confidence"), codes=("kode_kec",))
    frame = frame.dropna(subset=["population"]).sort_values("year")
    latest = frame.drop_duplicates("kode_kec", keep="last")
    return latest[["kode_kec", "population", "year", "source", "confidence"]].reset_index(drop=True)


def desa_population(root: Path | None = None) -> pd.DataFrame:
    """Population per desa/kelurahan: ``kode_desa, kode_kec, population, year, source``.

    Kabupaten Tangerang figures are from 2015. The Tangsel rows state no year
    (``year`` is missing; PROVENANCE.md dates them to about 2018-19) and are fit
    only for shares between kelurahan. Kota Tangerang has none.
    """
    path = _path(root, REFERENCE, "population_desa.csv")
    frame = read_table(path, ("kode_desa", "kode_kec", "year", "population", "source"), codes=("kode_desa", "kode_kec"))
    frame["year"] = frame["year"].astype("Int64")
    return frame[["kode_desa", "kode_kec", "population", "year", "source"]].reset_index(drop=True)


def load_reference(name: str, root: Path | None = None) -> gpd.GeoDataFrame:
    """A reference layer (OSM facilities or rivers) from ``reference/``, validated."""
    path = _path(root, REFERENCE, name)
    frame = read_vector(path)
    kinds = ("LineString", "MultiLineString") if "rivers" in name else ("Point",)
    validate.validate_points(frame, path.name, kinds)
    return frame
