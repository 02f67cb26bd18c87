"""The third-party datasets: which files, where they install, how to credit them.

These files are never committed; :mod:`geo.install` copies them from the data
source directory into the git-ignored data directory at set-up.
"""

from __future__ import annotations

from geo import config
from texts.catalog import REPORT_LABELS, lang_of

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

# Credits as readers see them, by id; the wording is texts.catalog REPORT_LABELS "credit_<id>" in each
# language. The technical trail (repositories, commits, files) stays in README and the PROVENANCE.md files.
CREDITS = ("boundaries", "osm", "crosswalk", "population", "supply")
# What a briefing draws on: no OSM rivers or offices (the map's reference layers), only its own region's population.
BRIEFING_CREDITS = ("boundaries", "crosswalk", "population", "supply")
# The population figures each region's latest vintage comes from, by (region, year).
POPULATION_CREDITS = {(config.TANGSEL, 2025): "population_tangsel_2025", (config.KAB_TANGERANG, 2015): "population_kab_2015"}


def population_credit(region: str, year: int | None, lang: str = "id") -> str:
    """The human name of a region's population figures of ``year`` (a vintage not listed points to PROVENANCE.md)."""
    key = POPULATION_CREDITS.get((region, year))
    return REPORT_LABELS[lang_of(lang)]["credit_" + key] if key else REPORT_LABELS[lang_of(lang)]["credit_population_other"]


def credits(region: str | None = None, lang: str = "id", which: tuple[str, ...] = CREDITS) -> tuple[str, ...]:
    """One line per credit in ``which``, in ``lang``; the population line names only ``region``'s figures (all without one)."""
    words = REPORT_LABELS[lang_of(lang)]
    lines = []
    for key in which:
        if key != "population":
            lines.append(words["credit_" + key])
            continue
        vintages = [(r, y) for r, y in POPULATION_CREDITS if region in (None, r)]
        names = "; ".join(population_credit(r, y, lang) for r, y in vintages)
        lines.append(words["credit_population"].format(names=names))
    return tuple(lines)


# Short forms for the map's attribution control (the full ones are under the map).
MAP_ATTRIBUTIONS = ("Batas/boundaries: BPS via OCHA HDX COD-AB (CC BY-IGO)", "Data: \u00a9 OpenStreetMap contributors (ODbL)")

ATTRIBUTIONS = credits(lang="en")
