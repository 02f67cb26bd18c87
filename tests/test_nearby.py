"""Near me: coordinate parsing, desa search, distances in metres and the radius."""

from __future__ import annotations

import pytest
from pyproj import Geod
from shapely.geometry import Point

from geo import boundaries
from geo.errors import DataError
from geo.locate import locate, normalize, parse_coordinates, search_desa
from layers.model import Precision, Site
from layers.nearby import nearby_sites
from layers.seed import seed_sites
from layers.sites import site_frame

PONDOK_AREN = (-6.2745, 106.7180)
GEOD = Geod(ellps="WGS84")


@pytest.mark.parametrize(
    "text",
    ["-6.2745, 106.7180", "106.7180, -6.2745", "-6,2745; 106,7180", "-6,2745 106,7180", "106,718 -6,2745", " -6.2745,106.718 "],
)
def test_coordinates_in_either_order_and_with_decimal_commas(text):
    assert parse_coordinates(text) == pytest.approx(PONDOK_AREN)


@pytest.mark.parametrize("text", ["", "hello", "-6.27", "-6.27, 106.7, 3", "95, 200", "-6.27 abc 106.7"])
def test_garbage_is_refused_with_a_message(text):
    with pytest.raises(DataError, match="coordinate pair|valid position"):
        parse_coordinates(text)


def test_out_of_region_and_sign_hint(desa):
    with pytest.raises(DataError, match="outside Kota Tangerang Selatan"):
        locate(-6.2088, 106.8456, desa)  # central Jakarta
    with pytest.raises(DataError, match="latitude is negative"):
        locate(6.2745, 106.7180, desa)
    place = locate(*PONDOK_AREN, desa)
    assert place["kecamatan"] == "Pondok Aren" and place["kode_kab"] == "3674"


def test_desa_search_ignores_case_accents_and_spacing(desa, data_root):
    found = search_desa("pondok kacang", desa)
    assert set(found["desa"]) == {"Pondok Kacang Timur", "Pondok Kacang Barat"}
    assert set(search_desa("PONDÓK  kacang timur", desa)["desa"]) == {"Pondok Kacang Timur"}
    assert "Pondok Kacang Barat" in set(search_desa("pondokkacang", desa)["desa"])
    crosswalk = boundaries.load_crosswalk(data_root)
    assert set(search_desa("jurangmangu", desa, crosswalk)["desa"]) == {"Jurang Manggu Barat", "Jurang Manggu Timur"}
    assert search_desa("", desa).empty and search_desa("zzzz", desa).empty
    assert normalize("Ciputat  Timur!") == "ciputat timur"


def test_distances_order_and_radius_match_geodesics(catalog, kecamatan, desa):
    lat0, lon0 = PONDOK_AREN
    offsets = [(0.004, 0.0), (0.0, -0.012), (0.015, 0.015), (-0.02, 0.01), (0.03, -0.02)]
    extra = [
        Site(id=f"p{i}", program="tsl-4-7-05", layer="posko_bencana", name=f"Posko {i}", precision=Precision.EXACT,
             geometry=Point(lon0 + dx, lat0 + dy), updated="2026-11-23")
        for i, (dy, dx) in enumerate(offsets)
    ]
    frame = site_frame(seed_sites(catalog, kecamatan) + extra, catalog, kecamatan, desa)
    place = locate(lat0, lon0, desa)
    result = nearby_sites(frame, lat0, lon0, 3000, place)
    expected = {
        f"p{i}": GEOD.inv(lon0, lat0, lon0 + dx, lat0 + dy)[2] for i, (dy, dx) in enumerate(offsets)
    }
    inside = sorted((d, k) for k, d in expected.items() if d <= 3000)
    assert list(result.within["id"]) == [k for _, k in inside]
    for site_id, dist in zip(result.within["id"], result.within["distance_m"]):
        assert dist == pytest.approx(expected[site_id], abs=1.0)
    # Imprecise sites get no distance: listed apart, by area.
    assert set(result.in_area["layer"]) == {"smp_baru", "spku"} and set(result.in_area["scope"]) == {"kecamatan"}
    assert set(result.in_region["kode_kab"]) == {"3674"} and "distance_m" not in result.in_area
