"""Where is the user: typed coordinates, a desa/kelurahan name, or a point on the map.

Coordinates are checked against the three regions, so a location elsewhere gets
a clear message rather than an empty "near me" list.
"""

from __future__ import annotations

import re
import unicodedata

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from geo.errors import DataError

NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")


def parse_coordinates(text: str) -> tuple[float, float]:
    """``(lat, lon)`` from text such as ``-6.2851, 106.7134``, ``106,7134 -6,2851`` or ``-6,2851; 106,7134``.

    Decimal commas are accepted; the order is detected (the value above 90 in
    magnitude is the longitude, otherwise latitude comes first). Raises
    DataError for anything that is not two numbers forming a valid position.
    """
    numbers = NUMBER.findall(text or "")
    if len(numbers) != 2 or NUMBER.sub("", text).strip(" ,;/\t") != "":
        raise DataError(f"{text!r} is not a coordinate pair: write latitude and longitude, e.g. -6.2851, 106.7134")
    a, b = (float(n.replace(",", ".")) for n in numbers)
    lat, lon = (b, a) if abs(a) > 90 >= abs(b) else (a, b)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise DataError(f"{text!r} is not a valid position (latitude must be within ±90, longitude within ±180)")
    return lat, lon


def locate(lat: float, lon: float, desa: gpd.GeoDataFrame) -> pd.Series:
    """The desa row (with kecamatan and region) containing the point; DataError outside the three regions."""
    hits = desa[desa.contains(Point(lon, lat))]
    if hits.empty:
        hint = " (south of the equator the latitude is negative, e.g. -6.28)" if 5 <= lat <= 7 else ""
        raise DataError(
            f"{lat:.5f}, {lon:.5f} is outside Kota Tangerang Selatan, Kabupaten Tangerang and Kota Tangerang{hint}"
        )
    return hits.iloc[0]


def normalize(text: str) -> str:
    """Lower case, accents removed, runs of spaces and punctuation folded to one space."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", plain.lower()).strip()


def search_desa(query: str, desa: pd.DataFrame, crosswalk: pd.DataFrame | None = None) -> pd.DataFrame:
    """Desa/kelurahan whose BPS (or Kemendagri) name contains every word of ``query``.

    Case, accents and spacing are ignored ("pondok kacang" finds Pondok Kacang
    Timur and Barat; "jurangmangu" finds BPS "Jurang Manggu ..." through its
    Kemendagri spelling). Names starting with the query come first.
    """
    words = normalize(query).split()
    if not words:
        return desa.iloc[0:0]
    names = desa["desa"].map(normalize)
    if crosswalk is not None:
        other = crosswalk.loc[crosswalk["level"] == "desa"].set_index("kode_bps")["nama_kemendagri"]
        names = names + " | " + desa["kode_desa"].map(other).fillna("").map(normalize)
    squashed = names.str.replace(" ", "", regex=False)
    match = pd.Series(True, index=desa.index)
    for word in words:
        match &= names.str.contains(word, regex=False) | squashed.str.contains(word, regex=False)
    found = desa[match].assign(_first=~names[match].str.startswith(" ".join(words)))
    return found.sort_values(["_first", "desa"]).drop(columns="_first")
