"""Importing sites from an uploaded file: identify it, read it safely, check every row, commit all or nothing.

The planner's flow:

1. :func:`read_upload` identifies the format from the content (:func:`sniff`;
   the file name is never trusted), enforces the size limits, reprojects a
   declared CRS to EPSG:4326 and returns an :class:`ImportPreview`.
2. :func:`check_rows` lists each row's problems against the register's domain
   (:class:`register.rules.Domain`) and the sites already in the register.
3. The planner drops rows (``keep``, by preview row number) or accepts a fix offered by
   :func:`fix_candidates` (:func:`apply_fix`), and checks again.
4. :func:`commit` (or :func:`to_sites` and ``SiteStore.add``) stores every kept
   row or, if any kept row still has a problem, nothing.

Uploads are untrusted. GeoJSON and CSV are parsed in Python; GeoPackage, zipped
Shapefile and KML reach GDAL only as files this module writes under fixed names
into a private temporary directory, after their content was identified and
(for zips) every member was checked, and the driver GDAL chose is verified
before any feature is read. No user path, URL or ``/vsi*`` string reaches GDAL.

Every refusal and problem is a :class:`register.rules.Problem` with a message
id, shown in the planner's language. Row problems start with the row number
as the preview shows it (data rows from 1, in file order; blank CSV lines are
not rows) and the column. The domain checks (catalog, layers, regions,
precision, text limits, links) are those of :mod:`register.rules`, the same
the register applies to every write.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import re
import sqlite3
import stat
import tempfile
import zipfile
from collections import namedtuple
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError, ProjError
from shapely.errors import ShapelyError
from shapely.geometry import MultiPolygon, Polygon, shape

from geo.config import METRIC_CRS
from geo.errors import DataError
from geo.locate import normalize, parse_coordinates
from geo.validate import REGION_BOUNDS
from layers.model import Precision, Site, SiteStatus
from register import rules
from register.rules import Domain, Problem, clipped, field_label, quoted
from register.store import SiteStore

# A planner's whole inventory in one file: 100,000 rows of about 300 bytes each.
MAX_BYTES = 32 * 1024 * 1024
MAX_FEATURES = 100_000
MAX_VERTICES = 200_000
MAX_ZIP_MEMBERS = 20
# Shapefiles compress about fourfold, so a full-size zip unpacks to about this; a zip bomb stops here.
MAX_UNPACKED_BYTES = 4 * MAX_BYTES
DUPLICATE_M = 25
CHUNK_ROWS = 10_000  # rows checked between two progress reports

WGS84 = CRS.from_epsg(4326)

# Canonical column -> accepted headers (after _key: lower case, accents dropped, spaces as "_").
ALIASES = {
    "id": ("id", "site_id", "id_situs"),
    "program": ("program", "program_id", "id_program"),
    "layer": ("layer", "lapisan"),
    "name": ("name", "nama", "nama_lokasi"),
    "status": ("status",),
    "precision": ("precision", "presisi"),
    "admin_code": ("admin_code", "kode", "kode_bps", "kode_wilayah"),
    "source": ("source", "sumber"),
    "evidence_url": ("evidence_url", "evidence", "bukti", "url_bukti"),
}
LAT_HEADERS = ("lat", "latitude", "lintang", "y")
LON_HEADERS = ("lon", "lng", "long", "longitude", "bujur", "x")
PAIR_HEADERS = ("koordinat", "coordinates", "coordinate")
ROW_COLUMNS = ["row", *ALIASES, "geometry", "problems", "keep"]


MARKUP = re.compile(r"<\s*/?\s*[a-z!?][^>]*>|(?:java|vb)script\s*:", re.IGNORECASE)
NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")
CRS_NAME = re.compile(r"(?:urn:ogc:def:crs:)?(EPSG|OGC):(?:[\d.]*:)?(\w+)", re.IGNORECASE)
XML_ROOT = re.compile(r"(?:\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>))*\s*<([\w:.-]+)", re.DOTALL | re.IGNORECASE)
# KML needs neither; DOCTYPE/ENTITY enable entity-expansion attacks and NetworkLink makes GDAL fetch URLs.
KML_FORBIDDEN = re.compile(r"<!DOCTYPE|<!ENTITY|NetworkLink", re.IGNORECASE)

SQLITE_MAGIC = b"SQLite format 3\x00"
GPKG_APPLICATION_IDS = (b"GPKG", b"GP10", b"GP11")
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
SHP_MAGIC = b"\x00\x00\x27\x0a"
# Binary files a planner might upload by mistake (message id suffix), so the message says what was received.
LOOKALIKES = {
    b"%PDF": "pdf",
    b"\xd0\xcf\x11\xe0": "old_office",
    b"\x89PNG": "png",
    b"\xff\xd8\xff": "jpeg",
    b"\x1f\x8b": "gzip",
    b"Rar!": "rar",
    b"7z\xbc\xaf": "7z",
    SHP_MAGIC: "shp_only",
}
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
GDAL_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError)


@dataclass
class ImportPreview:
    """An uploaded file's rows, what is wrong with them, and whether they were checked as they are now.

    ``rows`` is a GeoDataFrame in EPSG:4326 with the columns ``ROW_COLUMNS``:
    ``row`` (data rows from 1, as the preview numbers them), the site fields as
    text, ``geometry``, ``problems`` (:class:`register.rules.Problem`) and
    ``keep`` (the planner's choice). ``file_problems`` block the whole file.
    ``read_problems`` are the row problems found while reading (row number ->
    problems), kept so that
    :func:`check_rows` can run again after a fix. ``checked`` is the
    fingerprint of ``rows`` when :func:`check_rows` last ran ('' = never).
    """

    format: str
    rows: gpd.GeoDataFrame
    file_problems: list[Problem] = field(default_factory=list)
    read_problems: dict[int, list[Problem]] = field(default_factory=dict)
    checked: str = ""


@dataclass
class _Parsed:
    """What a reader returns: raw attributes, geometries in EPSG:4326 and problems (row numbers from 1)."""

    records: pd.DataFrame
    geometry: gpd.GeoSeries
    read_problems: dict[int, list[Problem]] = field(default_factory=dict)
    file_problems: list[Problem] = field(default_factory=list)


# --- helpers shared by reading and checking ----------------------------------------------------


def _at_row(row: int, column: str | Problem, problem: Problem) -> Problem:
    """``baris 3, kolom nama: kosong``: a problem of a row (and column: a field label or the file's header, or '')."""
    if column == "":
        return Problem("register.import_row", problem.field, row=row, problem=problem)
    return Problem("register.import_row_column", problem.field, row=row, column=column, problem=problem)


def _mb(size: int) -> float:
    """Bytes as megabytes (one decimal)."""
    return round(size / 2**20, 1)


def _key(header: object) -> str:
    """A header as compared with the aliases: lower case, no accents, words joined by '_'."""
    return normalize(str(header)).replace(" ", "_")


def _text(value: object) -> str:
    """A cell as stripped text; missing values are '' and whole floats lose their '.0' (codes read as numbers)."""
    if type(value) is str:  # every CSV cell: skip the type checks below
        return value.strip()
    if pd.api.types.is_list_like(value) and not isinstance(value, (str, bytes)):
        return json.dumps(value if isinstance(value, dict) else list(value), ensure_ascii=False, default=str)
    if value is None or pd.isna(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _token(text: str) -> str:
    """A vocabulary value as the enums spell it ("Dalam Pembangunan" -> "dalam_pembangunan")."""
    return re.sub(r"[\s-]+", "_", text.strip().lower())


def _present(geom: object) -> bool:
    """True for a geometry that exists and is not empty."""
    return geom is not None and not geom.is_empty


def _check_count(count: int) -> None:
    """DataError if a file holds more than ``MAX_FEATURES`` features or rows."""
    if count > MAX_FEATURES:
        raise Problem("register.import_too_many_rows", count=count, limit=MAX_FEATURES)


def _check_vertices(geometry: gpd.GeoSeries) -> None:
    """DataError if the geometries hold more than ``MAX_VERTICES`` coordinates in all."""
    count = int(geometry.count_coordinates().sum())
    if count > MAX_VERTICES:
        raise Problem("register.import_too_many_vertices", count=count, limit=MAX_VERTICES)


# --- identifying the format ---------------------------------------------------------------------


def sniff(data: bytes) -> str:
    """The format of an upload, from its content: "geojson", "gpkg", "shp-zip", "kml" or "csv" (the keys of ``READERS``).

    Raises DataError naming what the content looks like when it is none of them
    (a PDF, an Excel workbook, an HTML page, malformed JSON, a zip without a
    shapefile, ...). The file name is never consulted.
    """
    if not data:
        raise Problem("register.import_empty")
    if data.startswith(SQLITE_MAGIC):
        return _sniff_sqlite(data)
    if data.startswith(ZIP_MAGICS):
        with _open_zip(data) as archive:
            names = archive.namelist()
        if "[Content_Types].xml" in names:
            raise Problem("register.import_office")
        _shapefile_members(names)
        return "shp-zip"
    for magic, what in LOOKALIKES.items():
        if data.startswith(magic):
            raise Problem("register.import_lookalike", what=Problem(f"register.import_is_{what}"))
    text = _decode(data).lstrip()
    if text.startswith(("{", "[")):
        obj = _load_json(data)
        kind = obj.get("type") if isinstance(obj, dict) else type(obj).__name__
        if kind not in ("FeatureCollection", "Feature"):
            raise Problem("register.import_not_geojson", kind=quoted(kind))
        return "geojson"
    if text.startswith("<"):
        root = XML_ROOT.match(text)
        tag = root.group(1).split(":")[-1].lower() if root else "?"
        if tag == "kml":
            return "kml"
        if tag == "html":
            raise Problem("register.import_html")
        raise Problem("register.import_xml", tag=tag[:40])
    return "csv"


def _sniff_sqlite(data: bytes) -> str:
    """'gpkg' for a GeoPackage (application id, or its gpkg_contents table), else DataError."""
    if data[68:72] in GPKG_APPLICATION_IDS:
        return "gpkg"
    con = sqlite3.connect(":memory:")
    try:
        con.deserialize(data)
        found = con.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_contents'").fetchone()
    except sqlite3.DatabaseError as exc:
        raise Problem("register.import_broken_sqlite", reason=str(exc)) from exc
    finally:
        con.close()
    if not found:
        raise Problem("register.import_sqlite")
    return "gpkg"


def _decode(data: bytes) -> str:
    """Text as UTF-8 (BOM or not), else Windows-1252 (what Indonesian Excel writes); DataError for binary."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = "\x00"  # bytes cp1252 leaves undefined: binary
    if "\x00" in text:
        raise Problem("register.import_binary", start=data[:8].hex(" "))
    return text


def _load_json(data: bytes) -> object:
    """Parsed JSON; DataError with the line and column of a syntax error."""

    def reject(constant: str) -> None:
        """JSON's NaN and Infinity are not coordinates."""
        raise Problem("register.import_json_constant", constant=constant)

    try:
        return json.loads(data, parse_constant=reject)
    except json.JSONDecodeError as exc:
        raise Problem("register.import_json_syntax", line=str(exc.lineno), column=str(exc.colno), reason=exc.msg) from exc
    except RecursionError as exc:
        raise Problem("register.import_too_deep") from exc


def _open_zip(data: bytes) -> zipfile.ZipFile:
    """The upload as an open zip archive; DataError if it is a broken one."""
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise Problem("register.import_broken_zip", reason=str(exc)) from exc


def _shapefile_members(names: list[str]) -> dict[str, str]:
    """The one shapefile in a zip listing: extension -> member name; DataError if none, several or incomplete."""
    # macOS adds __MACOSX/._name resource forks, which also end in .shp.
    names = [n for n in names if not n.startswith("__MACOSX/") and not PurePosixPath(n).name.startswith("._")]
    shps = [n for n in names if n.lower().endswith(".shp")]
    if not shps:
        kmz = any(n.lower().endswith(".kml") for n in names)
        raise Problem("register.import_zip_kmz" if kmz else "register.import_zip_no_shp")
    if len(shps) > 1:
        raise Problem("register.import_zip_many_shp", count=len(shps), names=clipped(", ".join(shps)))
    stem = shps[0][:-4].lower()
    members = {}
    for name in names:
        head, tail = name[: len(stem)].lower(), name[len(stem) :].lower()
        if head == stem and tail in SHAPEFILE_PARTS:
            members[tail] = name
    missing = [ext for ext in (".shx", ".dbf") if ext not in members]
    if missing:
        raise Problem("register.import_zip_parts", shp=clipped(shps[0]), missing=", ".join(missing))
    return members


# --- reading --------------------------------------------------------------------------------------


def read_table(data: bytes) -> tuple[str, _Parsed]:
    """An upload's format and parsed rows, within the limits; DataError if it cannot be read at all or breaks a limit."""
    if len(data) > MAX_BYTES:
        raise Problem("register.import_too_big", size=_mb(len(data)), limit=_mb(MAX_BYTES))
    fmt = sniff(data)
    parsed = READERS[fmt](data)
    if not len(parsed.geometry):
        raise Problem("register.import_no_rows")
    return fmt, parsed


def is_evidence_table(fmt: str, headers) -> bool:
    """True for a CSV whose header is that of the evidence file (it has an ``evidence_id`` column)."""
    return fmt == "csv" and "evidence_id" in {_key(h) for h in headers}


def read_upload(data: bytes) -> ImportPreview:
    """Read an upload of sites into an unchecked preview; DataError if it cannot be read at all or breaks a limit.

    An evidence CSV is refused: :mod:`register.evidence_import` reads it (the planner page's Bukti tab).
    """
    fmt, parsed = read_table(data)
    if is_evidence_table(fmt, parsed.records.columns):
        raise DataError(key="evregister.evidence_upload")
    count = len(parsed.geometry)
    _check_vertices(parsed.geometry)
    columns, file_problems = _map_columns(list(parsed.records.columns))
    # Lists, not Series: iterating Arrow-backed text column by column is what a 100,000-row file makes slow.
    texts = {c: [_text(v) for v in parsed.records[columns[c]].tolist()] if c in columns else [""] * count for c in ALIASES}
    for column in ("program", "layer"):
        texts[column] = [v.lower() for v in texts[column]]
    texts["status"] = [_token(s) or SiteStatus.PLANNED.value for s in texts["status"]]
    geometry = parsed.geometry.force_2d().values
    located = ~(shapely.is_missing(np.asarray(geometry)) | shapely.is_empty(np.asarray(geometry)))
    texts["precision"] = [_token(p) or _implied_precision(g, c) for p, g, c in zip(texts["precision"], located, texts["admin_code"])]
    rows = gpd.GeoDataFrame({"row": range(1, count + 1), **texts}, geometry=geometry, crs=WGS84)
    rows["problems"] = [[] for _ in range(len(rows))]
    rows["keep"] = True
    return ImportPreview(fmt, rows[ROW_COLUMNS], parsed.file_problems + file_problems, parsed.read_problems)


def _map_columns(headers: list[str]) -> tuple[dict[str, str], list[Problem]]:
    """Canonical column -> the file's header, and file problems (missing or ambiguous columns)."""
    found: dict[str, list[str]] = {}
    for header in headers:
        for canonical, aliases in ALIASES.items():
            if _key(header) in aliases:
                found.setdefault(canonical, []).append(header)
    problems = [
        Problem("register.import_same_column", c, headers=", ".join(map(quoted, hs)), field_label=field_label(c))
        for c, hs in found.items()
        if len(hs) > 1
    ]
    for c in ("program", "name"):
        if c not in found:
            problems.append(Problem("register.import_missing_column", c, field_label=field_label(c),
                                    headers=clipped(", ".join(map(str, headers)) or "-")))  # fmt: skip
    return {c: hs[0] for c, hs in found.items()}, problems


def _implied_precision(located: bool, code: str) -> str:
    """Precision when the file gives none: a geometry (``located``) means a point, otherwise the BPS code's length says."""
    if located or not code.isdigit():
        return Precision.EXACT.value
    return {digits: precision.value for precision, digits in rules.ADMIN_DIGITS.items()}.get(len(code), Precision.EXACT.value)


def _to_wgs84(geometry: gpd.GeoSeries) -> tuple[gpd.GeoSeries, list[Problem]]:
    """Geometries in EPSG:4326 and any file problem; a declared CRS is reprojected, none means degrees.

    DataError for a CRS that PROJ cannot transform to EPSG:4326 at all (another
    planet's, or a local engineering CRS such as a LOCAL_CS .prj).
    """
    crs = geometry.crs or WGS84  # GeoJSON, CSV and KML are in degrees by definition
    bounds = geometry.bounds
    metric = bounds[(bounds.abs() > 180).any(axis=1)]
    if crs.is_geographic and not metric.empty:
        x, y = metric.iloc[0][["minx", "miny"]]
        return geometry.set_crs(WGS84, allow_override=True), [
            Problem("register.import_metres", x=f"{x:.0f}", y=f"{y:.0f}", crs=crs.name)
        ]
    try:
        result = geometry.set_crs(crs, allow_override=True).to_crs(WGS84)
    except (ProjError, CRSError) as exc:
        raise Problem("register.import_crs_unusable", crs=quoted(crs.name)) from exc
    if (result.bounds.abs() == float("inf")).any(axis=None):  # PROJ marks points it cannot transform as inf
        return result, [Problem("register.import_crs_inf", crs=crs.name)]
    return result, []


def _read_geojson(data: bytes) -> _Parsed:
    """GeoJSON parsed in Python (no GDAL); a legacy ``crs`` member is honoured."""
    obj = _load_json(data)
    features = obj.get("features") if obj["type"] == "FeatureCollection" else [obj]
    if not isinstance(features, list):
        raise Problem("register.import_features_not_list")
    _check_count(len(features))
    records, geometries, problems = [], [], {}
    for row, feature in enumerate(features, start=1):
        properties, geom, trouble = _feature_parts(feature)
        records.append(properties)
        geometries.append(geom)
        if trouble:
            problems[row] = [_at_row(row, "", trouble)]
    geometry, file_problems = _to_wgs84(gpd.GeoSeries(geometries, crs=_geojson_crs(obj)))
    table = pd.DataFrame.from_records(records, index=range(len(records)))
    return _Parsed(table, geometry, problems, file_problems)


def _feature_parts(feature: object) -> tuple[dict, object, Problem | None]:
    """A GeoJSON feature's properties, shapely geometry (None if absent or unreadable) and a problem (None if none)."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return {}, None, Problem("register.import_not_feature")
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        return {}, None, Problem("register.import_properties_not_object")
    if feature.get("geometry") is None:
        return properties, None, None
    try:
        return properties, shape(feature["geometry"]), None
    except RecursionError:  # coordinates nested hundreds deep
        return properties, None, Problem("register.import_geometry_too_deep", "geometry")
    except (KeyError, TypeError, ValueError, AttributeError, ShapelyError) as exc:
        return properties, None, Problem("register.import_geometry_unreadable", "geometry", reason=str(exc)[:200])


def _geojson_crs(obj: dict) -> CRS | None:
    """The CRS named by a legacy (2008) GeoJSON ``crs`` member; only authority codes, never PROJ strings or files."""
    member = obj.get("crs")
    if member is None:
        return None
    name = member.get("properties", {}).get("name", "") if isinstance(member, dict) else ""
    match = CRS_NAME.fullmatch(str(name).strip())
    if match:
        try:
            return CRS.from_authority(match.group(1).upper(), match.group(2))
        except CRSError:
            pass  # reported below with the member as written
    raise Problem("register.import_geojson_crs", member=str(member)[:80])


def _read_csv(data: bytes) -> _Parsed:
    """CSV with ``;``, ``,`` or tab; coordinates in lat/lon columns (decimal comma allowed) or one koordinat column."""
    text = _decode(data)
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", "\t", ","), key=lambda d: len(next(csv.reader([header_line], delimiter=d))))
    try:
        records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:  # e.g. a cell over the csv module's 128 KiB field limit
        raise Problem("register.import_csv_unreadable", reason=str(exc)) from exc
    start = next((i for i, r in enumerate(records) if any(c.strip() for c in r)), None)
    if start is None:
        raise Problem("register.import_csv_empty")
    header = [h.strip() for h in records[start]]
    if len(header) < 2:
        raise Problem("register.import_csv_delimiter")
    # Data rows from 1, as the preview numbers them; blank lines are not rows.
    body = [r for r in records[start + 1 :] if any(c.strip() for c in r)]
    _check_count(len(body))
    kinds = {"lat": LAT_HEADERS, "lon": LON_HEADERS, "pair": PAIR_HEADERS}
    find = {kind: next((h for h in header if _key(h) in names), None) for kind, names in kinds.items()}
    file_problems = []
    if bool(find["lat"]) != bool(find["lon"]):
        file_problems.append(Problem("register.import_csv_lat_only" if find["lat"] else "register.import_csv_lon_only"))
    problems: dict[int, list[Problem]] = {}
    cells, coordinates = [], []
    for row, record in enumerate(body, start=1):
        values = dict(zip(header, record + [""] * (len(header) - len(record))))
        xy = None
        if len(record) != len(header):
            decimal_commas = delimiter == "," and len(record) > len(header)
            key = "register.import_csv_columns_comma" if decimal_commas else "register.import_csv_columns"
            problems.setdefault(row, []).append(_at_row(row, "", Problem(key, found=len(record), header=len(header))))
        else:
            xy, trouble = _csv_point(values, find)
            if trouble:
                problems.setdefault(row, []).append(_at_row(row, *trouble))
        cells.append(values)
        coordinates.append(xy)
    located = [i for i, xy in enumerate(coordinates) if xy is not None]
    geometries = np.full(len(coordinates), None, dtype=object)
    geometries[located] = shapely.points([coordinates[i] for i in located]) if located else []  # all at once, in C
    geometry, crs_problems = _to_wgs84(gpd.GeoSeries(geometries, dtype="geometry"))
    table = pd.DataFrame(cells, columns=header)
    return _Parsed(table, geometry, problems, file_problems + crs_problems)


def _csv_point(
    values: dict[str, str], find: dict[str, str | None]
) -> tuple[tuple[float, float] | None, tuple[str, Problem] | None]:
    """A CSV row's point as (lon, lat) (None when it has no coordinates) and a (column, problem) pair when they cannot be read."""
    if find["lat"] and find["lon"]:
        lat, lon = values[find["lat"]].strip(), values[find["lon"]].strip()
        if not lat and not lon:
            return None, None
        for column, cell in ((find["lat"], lat), (find["lon"], lon)):
            if not NUMBER.fullmatch(cell):
                trouble = Problem("register.import_not_number", "geometry", value=quoted(cell)) if cell else Problem(
                    "register.import_pair_half", "geometry")  # fmt: skip
                return None, (column, trouble)
        return (float(lon.replace(",", ".")), float(lat.replace(",", "."))), None
    pair = values[find["pair"]].strip() if find["pair"] else ""
    if pair:
        try:
            lat, lon = parse_coordinates(pair)
        except DataError:
            return None, (find["pair"], Problem("register.import_not_pair", "geometry", value=quoted(pair)))
        return (lon, lat), None
    return None, None


def _read_kml(data: bytes) -> _Parsed:
    """KML through GDAL's (LIB)KML driver; Placemark XML ids are dropped, they are not site ids."""
    if KML_FORBIDDEN.search(_decode(data)):
        raise Problem("register.import_kml_forbidden")
    parsed = _read_copy(data, ".kml", ("LIBKML", "KML"), "KML")
    parsed.records = parsed.records.drop(columns=["id"], errors="ignore")
    return parsed


def _read_gpkg(data: bytes) -> _Parsed:
    """Every table of a GeoPackage, through GDAL's GPKG driver."""
    return _read_copy(data, ".gpkg", ("GPKG",), "GeoPackage")


def _read_copy(data: bytes, suffix: str, drivers: tuple[str, ...], label: str) -> _Parsed:
    """The upload written as ``sites<suffix>`` into a private temporary directory and read there by GDAL."""
    with tempfile.TemporaryDirectory(prefix="peta-import-") as directory:
        path = Path(directory) / f"sites{suffix}"
        path.write_bytes(data)
        return _read_with_gdal(path, drivers, label)


def _read_shp_zip(data: bytes) -> _Parsed:
    """A zipped shapefile: members checked, then only its parts extracted under fixed names and read by GDAL."""
    with _open_zip(data) as archive, tempfile.TemporaryDirectory(prefix="peta-import-") as directory:
        infos = archive.infolist()
        _check_members(infos)
        members = _shapefile_members([i.filename for i in infos])
        written = 0
        for ext, name in members.items():
            written = _extract(archive, archive.getinfo(name), Path(directory) / f"sites{ext}", written)
        path = Path(directory) / "sites.shp"
        if not path.read_bytes()[:4] == SHP_MAGIC:
            raise Problem("register.import_zip_not_shp", name=clipped(members[".shp"]))
        return _read_with_gdal(path, ("ESRI Shapefile",), "Shapefile")


def _check_members(infos: list[zipfile.ZipInfo]) -> None:
    """DataError for too many members, a zip bomb, or any unsafe, linked or encrypted member, before extracting."""
    if len(infos) > MAX_ZIP_MEMBERS:
        raise Problem("register.import_zip_members", count=len(infos), limit=MAX_ZIP_MEMBERS)
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNPACKED_BYTES:
        raise Problem("register.import_zip_bomb", size=_mb(unpacked), limit=_mb(MAX_UNPACKED_BYTES))
    for info in infos:
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or re.match(r"[A-Za-z]:", name) or ".." in PurePosixPath(name).parts:
            raise Problem("register.import_zip_path", name=quoted(info.filename))
        if stat.S_ISLNK(info.external_attr >> 16):
            raise Problem("register.import_zip_link", name=quoted(info.filename))
        if info.flag_bits & 0x1:
            raise Problem("register.import_zip_encrypted", name=quoted(info.filename))


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, written: int) -> int:
    """Copy one member to ``target``, counting real bytes (headers can lie); the new running total."""
    try:
        with archive.open(info) as source, target.open("wb") as sink:
            while chunk := source.read(1 << 16):
                written += len(chunk)
                if written > MAX_UNPACKED_BYTES:
                    raise Problem("register.import_zip_bomb_real", limit=_mb(MAX_UNPACKED_BYTES))
                sink.write(chunk)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError) as exc:
        raise Problem("register.import_zip_member", name=quoted(info.filename), reason=str(exc)) from exc
    return written


def _read_with_gdal(path: Path, drivers: tuple[str, ...], label: str) -> _Parsed:
    """All layers of a file this module wrote, after checking GDAL opened it with one of ``drivers``."""

    def readable(exc: Exception) -> DataError:
        """GDAL's error with the temporary path shortened to the file name."""
        return Problem("register.import_gdal_unreadable", format=label, reason=str(exc).replace(str(path), path.name))

    try:
        names = [name for name, _ in pyogrio.list_layers(path)]
        infos = [pyogrio.read_info(path, layer=name, force_feature_count=True) for name in names]
    except GDAL_ERRORS as exc:
        raise readable(exc) from exc
    used = {info["driver"] for info in infos}
    if not used <= set(drivers):
        raise Problem("register.import_gdal_driver", drivers=", ".join(sorted(used)), format=label)
    _check_count(sum(max(info["features"], 0) for info in infos))
    records, geometries, problems = [], [], []
    for name in names:
        try:
            frame = pyogrio.read_dataframe(path, layer=name, force_2d=True, on_invalid="ignore")
        except GDAL_ERRORS as exc:
            raise readable(exc) from exc
        if not isinstance(frame, gpd.GeoDataFrame):  # a table without geometry: admin-level sites only
            frame = gpd.GeoDataFrame(frame, geometry=[None] * len(frame))
        geometry, found = _to_wgs84(frame.geometry)
        records.append(pd.DataFrame(frame.drop(columns=frame.geometry.name)))
        geometries.append(geometry)
        problems += [Problem("register.import_in_layer", table=name, problem=p) if len(names) > 1 else p for p in found]
    table = pd.concat(records, ignore_index=True) if records else pd.DataFrame()
    geometry = gpd.GeoSeries(pd.concat(geometries, ignore_index=True) if geometries else [], crs=WGS84)
    return _Parsed(table, geometry, {}, problems)


READERS = {"geojson": _read_geojson, "gpkg": _read_gpkg, "shp-zip": _read_shp_zip, "kml": _read_kml, "csv": _read_csv}


# --- checking ------------------------------------------------------------------------------------


def check_rows(
    preview: ImportPreview, domain: Domain, existing_sites: list[Site], progress: Callable[[int, int], None] | None = None
) -> ImportPreview:
    """A checked copy of ``preview``: an omitted layer filled from the program, every row's problems listed.

    Each row is checked against ``domain`` by the register's own rules
    (:mod:`register.rules`, as :meth:`register.store.SiteStore.add` will check
    it again), for markup, and for duplicates. ``existing_sites`` are the
    register's sites, retired ones included (``SiteStore.sites(include_retired=True)``):
    their ids are taken, but a retired site's place may be used again.
    Duplicates are looked for among kept rows only, so check again after
    changing ``keep`` or applying a fix (:func:`to_sites` insists on it).

    Rows are checked in chunks of :data:`CHUNK_ROWS`; ``progress(done, total)``
    is called after each, and once more (``done == total``) after the duplicate
    check across the whole file.
    """
    rows = preview.rows.copy()
    programs = domain.programs
    rows["layer"] = [
        layer or (programs[program].layer if program in programs else "") for program, layer in zip(rows["program"], rows["layer"])
    ]
    found = {row: list(problems) for row, problems in preview.read_problems.items()}
    total = len(rows) + 1  # the duplicate check counts as the last step
    for start in range(0, len(rows), CHUNK_ROWS):
        for row, column, problem in _domain_problems(rows.iloc[start : start + CHUNK_ROWS], domain):
            found.setdefault(row, []).append(_at_row(row, column, problem))
        if progress is not None:
            progress(min(start + CHUNK_ROWS, len(rows)), total)
    for row, column, problem in _duplicate_problems(rows, existing_sites):
        found.setdefault(row, []).append(_at_row(row, column, problem))
    if progress is not None:
        progress(total, total)
    rows["problems"] = [found.get(row, []) for row in rows["row"]]
    return dataclasses.replace(preview, rows=rows, checked=_fingerprint(rows))


def _domain_problems(rows: gpd.GeoDataFrame, domain: Domain):
    """(row, column, problem) for every rule of :mod:`register.rules` a row breaks, and for markup in its text."""
    regions = domain.regions(rows.geometry)
    texts = [c for c in ALIASES if c in rules.MAX_LENGTH]
    for r, region in zip(_records(rows), regions):
        for column in ALIASES:
            value = getattr(r, column)
            if ("<" in value or ":" in value) and MARKUP.search(value):  # both patterns need one of the two
                yield r.row, field_label(column), Problem("register.import_markup", column)
        row_problems = [p for c in texts if c != "evidence_url" for p in rules.text_problems(c, getattr(r, c), required=c == "name")]
        row_problems += rules.url_problems("evidence_url", r.evidence_url)
        if not any(p.field in ("program", "layer") for p in row_problems):
            row_problems += rules.program_problems(r.program, r.layer, domain)
        row_problems += rules.choice_problems("status", r.status, SiteStatus)
        precision = rules.choice_problems("precision", r.precision, Precision)
        row_problems += precision
        if not precision and not any(p.field == "admin_code" for p in row_problems):
            geom = r.geometry if _present(r.geometry) else None
            exact = r.precision == Precision.EXACT.value
            # Beside a point, a code is ignored (the point locates the site; :func:`_site` drops it).
            located = rules.location_problems(r.program, r.layer, Precision(r.precision), geom, "" if exact else r.admin_code, region, domain)
            row_problems += [_with_fix(p, geom) for p in located]
        for problem in row_problems:
            # A problem that names its field needs no column; neither does one about the geometry or the whole row.
            named = "field_label" in problem.params or problem.field in ("", "geometry")
            yield r.row, "" if named else field_label(problem.field), problem


_Record = namedtuple("_Record", ["row", *ALIASES, "geometry"])


def _records(rows: gpd.GeoDataFrame):
    """The rows as :data:`_Record` tuples, from plain lists: many times faster than itertuples over Arrow-backed text."""
    columns = [rows["row"].tolist(), *(rows[c].tolist() for c in ALIASES), np.asarray(rows.geometry.values)]
    return map(_Record._make, zip(*columns))


def _with_fix(problem: Problem, geom) -> Problem:
    """An import's own reading of a location problem: the fix :data:`FIXES` offers for it, if any."""
    if problem.key == "register.outside" and _looks_swapped(geom):
        return Problem("register.import_swapped", "geometry", lat=problem.params["lat"], lon=problem.params["lon"])
    if problem.key == "register.invalid_geometry":
        return Problem("register.import_invalid_geometry", "geometry", reason=problem.params["reason"])
    return problem


def _duplicate_problems(rows: gpd.GeoDataFrame, existing: list[Site]):
    """Kept rows that repeat a register site or an earlier kept row: same id, same program and BPS code, or within 25 m."""
    kept = rows[rows["keep"].astype(bool)].sort_values("row")
    exact = Precision.EXACT.value
    live = [not s.retired for s in existing]  # a retired site keeps its id but frees its place
    # References in order: the register (order -1), then the kept rows; a row is compared with earlier ones only.
    order = np.array([-1] * len(existing) + list(kept["row"]))
    ids = [s.id for s in existing] + list(kept["id"])
    programs = np.array([s.program for s in existing] + list(kept["program"]), dtype=object)
    places = [s.admin_code if s.precision is not Precision.EXACT and on else "" for s, on in zip(existing, live)] + [
        c if p != exact else "" for c, p in zip(kept["admin_code"], kept["precision"])
    ]
    points = [s.geometry if s.precision is Precision.EXACT and on else None for s, on in zip(existing, live)] + [
        g if p == exact else None for g, p in zip(kept.geometry, kept["precision"])
    ]

    def label(i: int) -> Problem:
        """What reference ``i`` is, as a message names it (built only for a duplicate found)."""
        if order[i] < 0:
            return Problem("register.import_registered", site=existing[i].id, name=existing[i].name)
        return Problem("register.import_row_label", row=int(order[i]))

    first_id: dict[str, int] = {}
    first_place: dict[tuple[str, str], int] = {}
    for i, (row, site_id, program, place) in enumerate(zip(order, ids, programs, places)):
        if site_id:
            if row > 0 and site_id in first_id:
                yield int(row), field_label("id"), Problem("register.import_id_taken", "id", site=site_id, by=label(first_id[site_id]))
            first_id.setdefault(site_id, i)
        if place:
            key = (program, place)
            if row > 0 and key in first_place:
                yield int(row), "", Problem("register.import_same_place", code=place, by=label(first_place[key]))
            first_place.setdefault(key, i)
    # Near points: one index query for all pairs within DUPLICATE_M, then the pairs that count chosen column-wise.
    geometries = np.fromiter(points, dtype=object, count=len(points))
    usable = np.flatnonzero(shapely.is_valid(geometries) & ~shapely.is_empty(geometries))
    metric = gpd.GeoSeries(geometries[usable], crs=WGS84).to_crs(METRIC_CRS).values
    later, earlier = gpd.GeoSeries(metric).sindex.query(metric, predicate="dwithin", distance=DUPLICATE_M)
    this, other = usable[later], usable[earlier]
    counts = (order[this] > 0) & (order[other] < order[this]) & (programs[this] == programs[other])
    metres = shapely.distance(metric[later[counts]], metric[earlier[counts]])
    for a, b, m in zip(this[counts], other[counts], metres):
        yield int(order[a]), "", Problem("register.import_near", metres=round(float(m)), by=label(b))


def _fingerprint(rows: gpd.GeoDataFrame) -> str:
    """A hash of everything :func:`to_sites` reads, so a change after checking is noticed."""
    values = pd.DataFrame(rows[["row", "keep", *ALIASES]]).assign(
        geometry=rows.geometry.to_wkb(hex=True), problems=rows["problems"].map(repr)
    )
    return hashlib.sha1(pd.util.hash_pandas_object(values, index=False).values.tobytes()).hexdigest()


# --- fixes the planner may accept ----------------------------------------------------------------


def _looks_swapped(geom):
    """True when the geometry lies outside the Tangerang box but would lie inside it with x and y exchanged.

    Also for an array of geometries at once (a boolean array).
    """
    x0, y0, x1, y1 = REGION_BOUNDS
    minx, miny, maxx, maxy = np.moveaxis(shapely.bounds(geom), -1, 0)
    inside = (x0 <= minx) & (maxx <= x1) & (y0 <= miny) & (maxy <= y1)
    return ~inside & (x0 <= miny) & (maxy <= x1) & (y0 <= minx) & (maxx <= y1)


def _swap(geom):
    """The geometry with x and y exchanged."""
    return shapely.transform(geom, lambda coords: coords[:, ::-1])


def _make_valid(geom):
    """A valid version of the geometry, polygonal if it was polygonal."""
    # "structure" keeps a polygon polygonal (a spike does not leave a stray line); other types use GEOS's default.
    if isinstance(geom, (Polygon, MultiPolygon)):
        return shapely.make_valid(geom, method="structure", keep_collapsed=False)
    return shapely.make_valid(geom)


# Fix name -> (which geometries it applies to: one or an array of them, what it does).
FIXES = {
    "tukar_koordinat": (_looks_swapped, _swap),
    "perbaiki_geometri": (lambda geom: ~shapely.is_valid(geom), _make_valid),
}


def fix_candidates(preview: ImportPreview) -> dict[str, list[int]]:
    """For each fix in ``FIXES``, the row numbers it would change (empty lists left out)."""
    geometries = np.asarray(preview.rows.geometry.values, dtype=object)
    present = np.flatnonzero(~shapely.is_missing(geometries) & ~shapely.is_empty(geometries))
    rows = preview.rows["row"].to_numpy()[present]
    candidates = {name: rows[applies(geometries[present])].tolist() for name, (applies, _) in FIXES.items()}
    return {name: rows for name, rows in candidates.items() if rows}


def apply_fix(preview: ImportPreview, fix: str, rows: list[int]) -> ImportPreview:
    """A copy of ``preview`` with ``fix`` applied to those of ``rows`` it applies to; check it again afterwards."""
    if fix not in FIXES:
        raise Problem("register.import_unknown_fix", fix=quoted(fix), fixes=", ".join(FIXES))
    applies, repair = FIXES[fix]
    fixed = preview.rows.copy()
    chosen = set(rows)
    fixed["geometry"] = [
        repair(geom) if row in chosen and _present(geom) and applies(geom) else geom
        for row, geom in zip(fixed["row"], fixed.geometry)
    ]
    return dataclasses.replace(preview, rows=fixed)


# --- committing ------------------------------------------------------------------------------------


def drop_rows(preview: ImportPreview, rows: list[int]) -> ImportPreview:
    """A copy of ``preview`` keeping every row except ``rows`` (row numbers); check it again afterwards."""
    kept = preview.rows.assign(keep=~preview.rows["row"].isin(rows))
    return replace(preview, rows=kept)


def to_sites(preview: ImportPreview, today: str) -> list[Site]:
    """Sites for the kept rows, or DataError if the file or any kept row has a problem (all or nothing).

    Rows without an id get ``imp-<program>-<hash>``, the hash of the place
    (geometry rounded to 1e-7 degrees, or the BPS code) and the name, so
    uploading the same site again gives the same id.
    """
    if preview.checked != _fingerprint(preview.rows):
        raise Problem("register.import_unchecked")
    if preview.file_problems:
        raise Problem("register.import_file_problems", problems=preview.file_problems)
    kept = preview.rows[preview.rows["keep"].astype(bool)]
    if kept.empty:
        raise Problem("register.import_nothing_kept")
    blocking = [p for problems in kept["problems"] for p in problems]
    if blocking:
        count = sum(1 for problems in kept["problems"] if problems)
        raise Problem("register.import_rows_problems", count=count, problems=blocking)
    return [_site(r, today) for r in _records(kept)]


def _generated_id(r, exact: bool) -> str:
    """The id of a row that has none: ``imp-<program>-<hash of the place and the name>``."""
    place = shapely.to_wkt(r.geometry, rounding_precision=7) if exact else r.admin_code
    return f"imp-{r.program}-{hashlib.sha1(f'{place}|{r.name}'.encode()).hexdigest()[:10]}"


def _site(r, today: str) -> Site:
    """One kept, problem-free row as a Site; a point keeps no BPS code (a site is located by exactly one)."""
    exact = r.precision == Precision.EXACT.value
    return Site(
        id=r.id or _generated_id(r, exact),
        program=r.program,
        layer=r.layer,
        name=r.name,
        precision=Precision(r.precision),
        status=SiteStatus(r.status),
        admin_code="" if exact else r.admin_code,
        geometry=r.geometry if exact else None,
        source=r.source,
        evidence_url=r.evidence_url,
        updated=today,
    )


def commit(preview: ImportPreview, store: SiteStore, actor: object, today: str, note: str = "") -> str:
    """Store every kept row of a checked preview as one import batch and return its id.

    DataError (nothing stored) if any kept row or the file has a problem;
    ``actor`` is the logged-in planner the store requires.
    """
    return store.add(to_sites(preview, today), actor, note)
