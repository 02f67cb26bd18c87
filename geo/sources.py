"""The third-party datasets: which files, where they install, how to credit them.

These files are never committed; :mod:`geo.install` copies them from the data
source directory into the git-ignored data directory at set-up.
"""

from __future__ import annotations

BOUNDARIES = "boundaries"
REFERENCE = "reference"
EVIDENCE = "evidence"
EVIDENCE_FILE = "evidence.csv"
SEARCHED_FILES = ("searched_tsl.tsv", "searched_kab.tsv")

FILES = {
    BOUNDARIES: ("kecamatan.geojson", "desa.geojson", "kode_crosswalk_bps_kemendagri.csv", "PROVENANCE.md"),
    REFERENCE: (
        "population_kecamatan.csv",
        "population_desa.csv",
        "facilities_hospital_osm.geojson",
        "facilities_sma_smk_pt_osm.geojson",
        "facilities_kantor_pemerintahan_osm.geojson",
        "rivers_osm_tangsel.geojson",
        "schools_kemendikbud_2019.csv",
        "health_facilities_kemenkes_2019.csv",
        "facilities_market_osm.geojson",
        "krl_stations.csv",
        "PROVENANCE.md",
    ),
    EVIDENCE: (EVIDENCE_FILE, *SEARCHED_FILES, "PROVENANCE.md"),
}

BOUNDARY_ATTRIBUTION = (
    "Administrative boundaries: BPS – Statistics Indonesia, via OCHA HDX (COD-AB Indonesia, 2020), CC BY-IGO"
)
OSM_ATTRIBUTION = "Facilities and rivers: © OpenStreetMap contributors, ODbL"
CROSSWALK_ATTRIBUTION = "BPS–Kemendagri code crosswalk: cahyadsn/wilayah_boundaries (MIT)"
POPULATION_ATTRIBUTION = (
    "Population: Disdukcapil Kota Tangerang Selatan (DKB Semester I 2025); "
    "Kabupaten Tangerang 2015 (BPS-style tables, publisher undocumented)"
)

# Short forms for the map's attribution control (the full ones are under the map).
MAP_ATTRIBUTIONS = ("Batas/boundaries: BPS via OCHA HDX COD-AB (CC BY-IGO)", "Data: \u00a9 OpenStreetMap contributors (ODbL)")

SUPPLY_ATTRIBUTION = (
    "Existing facilities: schools Kemendikbud/Dapodik (June 2019); puskesmas Kemenkes BPPSDMK (2019); "
    "hospitals and markets © OpenStreetMap contributors, ODbL (2026, incomplete); KRL stations from the KRL GTFS "
    "of Jabodetabek-Transit-Equity-Mapper (2026, CC BY 4.0)"
)

ATTRIBUTIONS = (BOUNDARY_ATTRIBUTION, OSM_ATTRIBUTION, CROSSWALK_ATTRIBUTION, POPULATION_ATTRIBUTION, SUPPLY_ATTRIBUTION)
