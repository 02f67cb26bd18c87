"""Checks that boundary and reference data are what the dashboard expects.

Every check collects problems that name the file and the feature (row number
and code) so that a person can find and fix them; :func:`raise_problems` turns
them into one :class:`~geo.errors.DataError`.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.validation import explain_validity

from geo.errors import DataError

# Official counts (Kemendagri 2025, equal to BPS 2020) per BPS kode_kab.
EXPECTED_KECAMATAN = {"3674": 7, "3603": 29, "3671": 13}
EXPECTED_DESA = {"3674": 54, "3603": 274, "3671": 104}

KECAMATAN_COLUMNS = ("kode_kec", "kecamatan", "kode_kab", "kabupaten_kota")
DESA_COLUMNS = ("kode_desa", "desa", "kode_kec", "kecamatan", "kode_kab", "kabupaten_kota")

# A generous box around Banten's Tangerang area: lon/lat outside it means
# swapped axes or projected metres in a file that claims degrees.
REGION_BOUNDS = (105.9, -6.6, 107.0, -5.8)

MAX_LISTED = 10


def raise_problems(origin: str, problems: list[str]) -> None:
    """Raise one DataError listing up to ``MAX_LISTED`` problems, if any."""
    if not problems:
        return
    shown = problems[:MAX_LISTED]
    more = f"\n  … and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
    raise DataError(f"{origin} is not valid:\n  " + "\n  ".join(shown) + more)


def check_columns(frame: pd.DataFrame, required: tuple[str, ...]) -> list[str]:
    """Problems for each required column the frame lacks."""
    missing = [c for c in required if c not in frame.columns]
    return [f"missing column(s): {', '.join(missing)}"] if missing else []


def check_crs(frame: gpd.GeoDataFrame) -> list[str]:
    """Problems if the CRS is not EPSG:4326 or coordinates fall outside the region."""
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        return [f"CRS is {frame.crs.to_string() if frame.crs else 'missing'}, expected EPSG:4326 (lon/lat degrees)"]
    present = frame.geometry[~(frame.geometry.isna() | frame.geometry.is_empty)]
    if present.empty:
        return []
    minx, miny, maxx, maxy = present.total_bounds
    x0, y0, x1, y1 = REGION_BOUNDS
    if minx < x0 or maxx > x1 or miny < y0 or maxy > y1:
        return [
            f"coordinates span lon {minx:.4f}..{maxx:.4f}, lat {miny:.4f}..{maxy:.4f}, outside the "
            "Tangerang area: are longitude and latitude swapped, or are these projected metres?"
        ]
    return []


def check_geometries(frame: gpd.GeoDataFrame, label_column: str | None, kinds: tuple[str, ...]) -> list[str]:
    """Problems for missing, empty, invalid or wrongly-typed geometries, per feature."""
    problems = []
    labels = frame[label_column] if label_column else [None] * len(frame)
    for pos, (label, geom) in enumerate(zip(labels, frame.geometry), start=1):
        where = f"feature {pos}" + (f" ({label_column} {label})" if label_column else "")
        if geom is None or geom.is_empty:
            problems.append(f"{where}: geometry is empty")
        elif geom.geom_type not in kinds:
            problems.append(f"{where}: geometry is {geom.geom_type}, expected {' or '.join(kinds)}")
        elif not geom.is_valid:
            problems.append(f"{where}: invalid geometry ({explain_validity(geom)})")
    return problems


def check_codes(frame: pd.DataFrame, column: str, digits: int) -> list[str]:
    """Problems for codes that are not ``digits`` digits or that repeat."""
    codes = frame[column].astype("string")
    problems = [
        f"row {pos}: {column} {code!r} is not a {digits}-digit BPS code"
        for pos, code in enumerate(codes, start=1)
        if not (isinstance(code, str) and code.isdigit() and len(code) == digits)
    ]
    repeated = sorted(set(codes[codes.duplicated()].dropna()))
    if repeated:
        problems.append(f"{column} repeated: {', '.join(repeated)}")
    return problems


def check_counts(frame: pd.DataFrame, expected: dict[str, int], what: str) -> list[str]:
    """Problems where the number of features per kode_kab differs from the official count."""
    counts = frame["kode_kab"].value_counts().to_dict()
    return [
        f"{counts.get(kab, 0)} {what} for kode_kab {kab}, expected {n}"
        for kab, n in expected.items()
        if counts.get(kab, 0) != n
    ]


def validate_kecamatan(frame: gpd.GeoDataFrame, origin: str = "kecamatan.geojson") -> None:
    """Raise DataError unless ``frame`` is the expected kecamatan layer."""
    problems = check_columns(frame, KECAMATAN_COLUMNS)
    if not problems:
        problems += check_crs(frame)
        problems += check_codes(frame, "kode_kec", 7)
        problems += check_geometries(frame, "kode_kec", ("Polygon", "MultiPolygon"))
        problems += check_counts(frame, EXPECTED_KECAMATAN, "kecamatan")
    raise_problems(origin, problems)


def validate_desa(frame: gpd.GeoDataFrame, kecamatan: gpd.GeoDataFrame, origin: str = "desa.geojson") -> None:
    """Raise DataError unless ``frame`` is the expected desa layer nesting in ``kecamatan``."""
    problems = check_columns(frame, DESA_COLUMNS)
    if not problems:
        problems += check_crs(frame)
        problems += check_codes(frame, "kode_desa", 10)
        problems += check_geometries(frame, "kode_desa", ("Polygon", "MultiPolygon"))
        problems += check_counts(frame, EXPECTED_DESA, "desa")
        orphans = sorted(set(frame["kode_kec"]) - set(kecamatan["kode_kec"]))
        if orphans:
            problems.append(f"desa refer to kecamatan codes not in the kecamatan layer: {', '.join(orphans)}")
    raise_problems(origin, problems)


def validate_points(frame: gpd.GeoDataFrame, origin: str, kinds: tuple[str, ...] = ("Point",)) -> None:
    """Raise DataError unless ``frame`` is a named reference layer of the given geometry kinds."""
    problems = check_columns(frame, ("name",))
    if not problems:
        problems += check_crs(frame)
        problems += check_geometries(frame, None, kinds)
    raise_problems(origin, problems)


def validate_facility_table(frame: pd.DataFrame, origin: str, required: tuple[str, ...], id_column: str) -> None:
    """Raise DataError unless ``frame`` is a facility list with ``lon``/``lat`` columns.

    Every row needs an id (unique); a position is both coordinates or neither
    (the row's ``qa_flags`` then say ``no_coordinate``), and lies in the
    Tangerang area unless its ``qa_flags`` say ``outside_regions``.
    """
    problems = check_columns(frame, required + ("lon", "lat"))
    if problems:
        raise_problems(origin, problems)
    ids = frame[id_column].astype("string")
    rows = pd.Series(range(2, len(frame) + 2), index=frame.index)  # file lines: the header is line 1
    problems += [f"line {rows[i]}: {id_column} is empty" for i in ids.index[ids.isna() | (ids.str.strip() == "")]]
    repeated = sorted(set(ids[ids.duplicated()].dropna()))
    if repeated:
        problems.append(f"{id_column} repeated: {', '.join(repeated)}")
    lon, lat = (pd.to_numeric(frame[c], errors="coerce") for c in ("lon", "lat"))
    unreadable = (lon.isna() & frame["lon"].notna()) | (lat.isna() & frame["lat"].notna())
    problems += [f"line {rows[i]} ({id_column} {ids[i]}): lon/lat is not a number" for i in frame.index[unreadable]]
    flags = frame["qa_flags"].fillna("").astype(str) if "qa_flags" in frame.columns else pd.Series("", index=frame.index)
    half = lon.isna() != lat.isna()
    unflagged_missing = lon.isna() & lat.isna() & ~flags.str.contains("no_coordinate") & ~unreadable
    problems += [f"line {rows[i]} ({id_column} {ids[i]}): only one of lon/lat is given" for i in frame.index[half & ~unreadable]]
    problems += [f"line {rows[i]} ({id_column} {ids[i]}): no position and no no_coordinate flag" for i in frame.index[unflagged_missing]]
    x0, y0, x1, y1 = REGION_BOUNDS
    away = lon.notna() & lat.notna() & ~(lon.between(x0, x1) & lat.between(y0, y1))
    problems += [
        f"line {rows[i]} ({id_column} {ids[i]}): position {lon[i]}, {lat[i]} lies outside the Tangerang area "
        "without an outside_regions flag: are longitude and latitude swapped?"
        for i in frame.index[away & ~flags.str.contains("outside_regions")]
    ]
    raise_problems(origin, problems)
