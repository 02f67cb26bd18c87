"""Loading the installed boundaries, population, crosswalk and reference layers."""

from __future__ import annotations

import pytest

from geo import boundaries
from geo.display import simplify_for_display
from geo.errors import DataError


def test_counts_per_region(kecamatan, desa):
    assert kecamatan["kode_kab"].value_counts().to_dict() == {"3603": 29, "3671": 13, "3674": 7}
    assert desa["kode_kab"].value_counts().to_dict() == {"3603": 274, "3671": 104, "3674": 54}
    assert kecamatan.crs.to_epsg() == 4326 and desa.crs.to_epsg() == 4326


def test_population_keeps_the_latest_year_per_kecamatan(data_root):
    pop = boundaries.kecamatan_population(data_root).set_index("kode_kec")
    assert len(pop) == 36  # Tangsel 7 + Kab. Tangerang 29; Kota Tangerang has none
    assert pop.loc["3674030", "year"] == 2025 and pop.loc["3674030", "population"] == 339_054  # Pamulang, DKB 2025
    assert pop.loc["3603010", "year"] == 2015  # Kabupaten figures are from 2015


def test_crosswalk_maps_kemendagri_codes_to_bps(data_root):
    crosswalk = boundaries.load_crosswalk(data_root)
    assert boundaries.to_bps("36.74.07", crosswalk) == "3674010"  # Setu: not a reformatting of the code
    with pytest.raises(DataError, match="not in the BPS–Kemendagri crosswalk"):
        boundaries.to_bps("99.99.99", crosswalk)


def test_missing_installation_says_how_to_install(tmp_path):
    with pytest.raises(DataError, match="is missing. Install the data with `scripts/setup.sh`"):
        boundaries.load_kecamatan(tmp_path)


@pytest.mark.parametrize(
    "name, count", [("facilities_hospital_osm.geojson", 39), ("facilities_sma_smk_pt_osm.geojson", 101), ("rivers_osm_tangsel.geojson", 39)]
)
def test_reference_layers_load(data_root, name, count):
    assert len(boundaries.load_reference(name, data_root)) == count


def test_display_simplification_shrinks_but_keeps_valid_shapes(kecamatan):
    simple = simplify_for_display(kecamatan)
    assert simple.is_valid.all() and len(simple) == len(kecamatan)
    before = kecamatan.geometry.count_coordinates().sum()
    after = simple.geometry.count_coordinates().sum()
    assert after < before / 4
    # Areas stay within 1 % of the surveyed outline.
    ratio = simple.to_crs(32748).area / kecamatan.to_crs(32748).area
    assert ratio.between(0.99, 1.01).all()
