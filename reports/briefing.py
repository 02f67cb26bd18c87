"""The kecamatan briefing: what one kecamatan (or a whole region) gets, as plain data.

:func:`kecamatan_briefing` gathers, for a council member's briefing, the
programs with sites in the area and how far along each is, the sites
themselves, the targets of the region that have no place yet (region-wide: the
document does not say which kecamatan gets them), the area's share of
region-wide site targets, population with its year and source, and the
sources to cite. :mod:`reports.briefing_pdf` and :mod:`reports.briefing_xlsx`
render it; :data:`LABELS` holds their wording in Indonesian and English.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import boundaries, config
from geo.errors import DataError
from geo.sources import BRIEFING_CREDITS, credits, population_credit
from layers import targets
from layers.catalog import Catalog, load_catalog
from layers.model import Layer, Precision, SiteStatus
from layers.progress import program_progress, status_counts
from evidence.items import COLUMNS as EVIDENCE_COLUMNS, load_searched
from evidence.places import kecamatan_named, resolve_places
from evidence.status import apply_judgement, judge
from reports.briefing_evidence import area_evidence
from reports.briefing_supply import supply_table
from texts.numbers import format_number, format_partial_date
from texts.catalog import REPORT_LABELS as LABELS, translator
from layers.registry import load_layers
from layers.sites import site_frame
from register.store import SiteStore

LEVEL_KECAMATAN, LEVEL_REGION = "kecamatan", "wilayah"

# Map margin around the area, as a share of its larger side: enough to show the neighbours.
MAP_MARGIN = 0.15
# Kecamatan drawn around the area reach further than the margin, so that a map
# widened to its frame's proportions still has no blank edge.
MAP_UNITS_REACH = 1.0

PROGRAM_COLUMNS = [
    "program", "name", "document", "misi", "status", "here", "built_here",
    "target_sites", "share_text", "progress_text", "evidence", "updated",
]  # fmt: skip
SITE_COLUMNS = [
    "map_no", "id", "name", "program", "program_name", "layer", "layer_label",
    "precision", "status", "kecamatan", "desa", "updated", "source", "evidence_url",
]  # fmt: skip
NOT_LOCATED_COLUMNS = ["program", "name", "target_sites", "target_unit", "located", "known_area", "not_located", "progress_text"]
REGION_SITE_COLUMNS = ["id", "name", "program", "program_name", "precision", "status", "updated", "source", "evidence_url"]
REGION_PROGRAM_COLUMNS = ["program", "name", "status", "progress_text"]
PLACE_COLUMNS = ["program", "name", "places", "status", "progress_text"]



def label(key: str, lang: str = "id", **values) -> str:
    """The report wording for ``key`` in ``lang`` ("id" or "en"), filled with ``values``."""
    return LABELS["en" if lang == "en" else "id"][key].format(**values)


@dataclass(frozen=True)
class BriefingInputs:
    """Everything a briefing reads; build it with :func:`load_briefing_inputs` or from cached parts.

    ``sites`` is a :func:`layers.sites.site_frame` table and ``progress`` the
    :func:`layers.progress.program_progress` table in ``lang``.
    """

    catalog: Catalog
    layers: dict[str, Layer]
    kecamatan: gpd.GeoDataFrame
    population: pd.DataFrame
    sites: gpd.GeoDataFrame
    progress: pd.DataFrame
    lang: str = "id"
    evidence: pd.DataFrame | None = None  # the evidence.items table
    evidence_places: pd.DataFrame | None = None  # its placed areas (evidence.places.resolve_places)


@dataclass(frozen=True)
class Briefing:
    """One area's briefing, ready to render; tables use the ``*_COLUMNS`` of this module."""

    code: str  # BPS code: 7-digit kecamatan or 4-digit kabupaten/kota
    name: str
    level: str  # LEVEL_KECAMATAN or LEVEL_REGION
    region: str
    region_name: str
    document: str  # citation of the region's program document
    population: int | None
    population_year: int | None
    population_source: str  # the figures' human name in ``lang`` (geo.sources.population_credit)
    population_confidence: str  # in ``lang``
    programs: pd.DataFrame  # programs with a site in the area
    sites: gpd.GeoDataFrame  # sites in the area with their display geometry (EPSG:4326)
    not_located: pd.DataFrame  # region-wide site targets not yet fully located (layers.targets.open_region_targets)
    region_targets: int  # region-wide site targets the document sets at all (0: none, not "all located")
    region_sites: pd.DataFrame  # sites known only to the kabupaten/kota
    status_counts: pd.DataFrame  # promise statuses of the region's document
    map_units: gpd.GeoDataFrame  # kecamatan to draw: the area's and its neighbours, ``selected`` marks the area
    coverage: pd.DataFrame | None
    generated: str  # ISO date
    attributions: tuple[str, ...]  # in ``lang``: the document, then this region's data credits
    lang: str = "id"
    region_programs: pd.DataFrame | None = None  # region-wide programs with a stated target (REGION_PROGRAM_COLUMNS)
    region_programs_rest: int = 0  # region-wide programs without a measurable target (counted, not listed)
    places: pd.DataFrame | None = None  # named road corridors that name a kecamatan of the area (PLACE_COLUMNS)
    evidence: pd.DataFrame | None = None  # "Yang terjadi di sini": reports.briefing_evidence.area_evidence
    supply: pd.DataFrame | None = None  # existing facilities per kecamatan (reports.briefing_supply)


def load_briefing_inputs(store: SiteStore, lang: str = "id", root: Path | None = None) -> BriefingInputs:
    """Read the catalog, the installed boundaries and population, and the store's sites and evidence (not seeded here)."""
    catalog = load_catalog()
    layers = load_layers(catalog)
    kecamatan = boundaries.load_kecamatan(root)
    desa = boundaries.load_desa(root, kecamatan=kecamatan)
    sites = site_frame(store.sites(), catalog, kecamatan, desa)
    records = store.program_statuses()
    evidence = pd.DataFrame(store.evidence(), columns=list(EVIDENCE_COLUMNS))
    judgement = judge(catalog, evidence, load_searched(root or config.data_dir(), catalog), records)
    progress = apply_judgement(program_progress(catalog, layers, sites, records, kecamatan, lang), judgement, lang)
    placed, _ = resolve_places(evidence, catalog, desa, kecamatan, boundaries.load_crosswalk(root))
    population = boundaries.kecamatan_population(root)
    return BriefingInputs(catalog, layers, kecamatan, population, sites, progress, lang, evidence, placed)


def briefing_areas(kecamatan: pd.DataFrame) -> list[tuple[str, str]]:
    """``(code, name)`` of every kecamatan a program document covers, by code."""
    rows = kecamatan[kecamatan["kode_kab"].isin(config.PROGRAM_REGIONS)].sort_values("kode_kec")
    return list(zip(rows["kode_kec"], rows["kecamatan"]))


def kecamatan_briefing(
    code_or_region: str,
    inputs: BriefingInputs,
    coverage: pd.DataFrame | None = None,
    today: str | None = None,
    supply: gpd.GeoDataFrame | None = None,
) -> Briefing:
    """The briefing for a kecamatan (7-digit BPS code) or a whole region (4-digit code).

    ``coverage`` is an optional table with a ``kode_kec`` column (e.g. service
    coverage per kecamatan); its rows for the area are passed through as they
    are. ``today`` (ISO date) fixes the generated date, for reproducible
    files. ``supply`` (existing facilities, :func:`geo.supply.load_supply`)
    adds their counts per kecamatan (:mod:`reports.briefing_supply`).
    Raises :class:`DataError` for a code outside Tangsel and Kabupaten
    Tangerang, the two regions with a program document.
    """
    code = str(code_or_region).strip()
    kec = inputs.kecamatan
    lang = inputs.lang
    if code in config.PROGRAM_REGIONS:
        level, region, name = LEVEL_REGION, code, boundaries.REGION_NAMES[code]
        area_codes = list(kec.loc[kec["kode_kab"] == code, "kode_kec"])
    elif code in set(kec["kode_kec"]):
        row = kec.loc[kec["kode_kec"] == code].iloc[0]
        level, region, name = LEVEL_KECAMATAN, row["kode_kab"], row["kecamatan"]
        area_codes = [code]
    else:
        regions = ", ".join(config.PROGRAM_REGIONS)
        raise DataError(f"{code!r} is neither a BPS kecamatan code (7 digits) nor a region code ({regions})")
    if region not in config.PROGRAM_REGIONS:
        raise DataError(
            f"{name} ({code}) is in {boundaries.REGION_NAMES.get(region, region)}, which has no program document; "
            f"briefings cover {', '.join(boundaries.REGION_NAMES[r] for r in config.PROGRAM_REGIONS)}"
        )
    document = next(d for d in inputs.catalog.documents if d.region == region)
    citation = f"{document.title} ({document.publisher}, {format_partial_date(document.published or str(document.year), lang)})"
    progress = inputs.progress[inputs.progress["region"] == region]
    sites = _area_sites(inputs, area_codes)
    population, year, confidence = _population(inputs.population, area_codes)
    region_programs, rest = _region_programs(inputs.catalog, progress)
    region_sites = inputs.sites[
        (inputs.sites["precision"] == Precision.REGION.value) & (inputs.sites["kode_kab"] == region)
    ]
    table = targets.target_table(inputs.catalog, inputs.layers, inputs.sites, kec)
    open_rows, region_targets = targets.open_region_targets(table, region)
    not_located = open_rows.rename(columns={"program_name": "name", "remaining": "not_located"}).merge(
        progress[["id", "progress_text"]].rename(columns={"id": "program"}), on="program", how="left"
    )
    return Briefing(
        code=code,
        name=name,
        level=level,
        region=region,
        region_name=boundaries.REGION_NAMES[region],
        document=citation,
        population=population,
        population_year=year,
        population_source=population_credit(region, year, lang) if population is not None else "",
        population_confidence="; ".join(translator(lang)(f"confidence_{c}") for c in confidence),
        programs=_area_programs(inputs.progress, sites, lang),
        sites=sites,
        not_located=not_located[NOT_LOCATED_COLUMNS],
        region_targets=region_targets,
        region_sites=region_sites[REGION_SITE_COLUMNS].reset_index(drop=True),
        status_counts=status_counts(progress),
        map_units=_map_units(kec, area_codes),
        coverage=_area_coverage(coverage, area_codes),
        generated=today or date.today().isoformat(),
        supply=None if supply is None else supply_table(supply, kec, area_codes, lang),
        attributions=(citation, *credits(region, lang, BRIEFING_CREDITS)),
        lang=lang,
        region_programs=region_programs,
        region_programs_rest=rest,
        places=_named_places(inputs.catalog, progress, kec[kec["kode_kab"] == region], area_codes),
        evidence=None if inputs.evidence is None else area_evidence(
            area_codes, region, level == LEVEL_REGION, inputs.evidence, inputs.evidence_places, inputs.catalog, lang
        ),
    )


def _area_sites(inputs: BriefingInputs, area_codes: list[str]) -> gpd.GeoDataFrame:
    """Sites located in the area, numbered for the map where they have a point or a desa."""
    sites = inputs.sites[inputs.sites["kode_kec"].isin(area_codes)].copy()
    sites = sites.sort_values(["program", "name"]).reset_index(drop=True)
    sites["layer_label"] = [inputs.layers[lid].label(inputs.lang) for lid in sites["layer"]]
    drawn_apart = sites["precision"].isin([Precision.EXACT.value, Precision.DESA.value])
    # Kecamatan-level sites cover the whole kecamatan on the map, so they get no number.
    sites["map_no"] = pd.Series(range(1, int(drawn_apart.sum()) + 1), index=sites.index[drawn_apart], dtype="Int64")
    return gpd.GeoDataFrame(sites[SITE_COLUMNS + ["geometry"]], geometry="geometry", crs=inputs.sites.crs)


def _area_programs(progress: pd.DataFrame, sites: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Programs with a site in the area (whichever document they come from), with the area's count against their target."""
    live = targets.active_sites(sites)
    here = live.groupby("program").size()
    built = live[live["status"] == SiteStatus.BUILT.value].groupby("program").size()
    rows = progress[progress["id"].isin(sites["program"])].rename(columns={"id": "program"}).copy()
    rows["here"] = [int(here.get(p, 0)) for p in rows["program"]]
    rows["built_here"] = [int(built.get(p, 0)) for p in rows["program"]]
    rows["share_text"] = [
        label("share_of", lang, here=n, target=format_number(t, lang)) if pd.notna(t) else label("sites_n", lang, n=n)
        for n, t in zip(rows["here"], rows["target_sites"])
    ]
    return rows[PROGRAM_COLUMNS].reset_index(drop=True)


def sites_here(briefing: Briefing) -> tuple[int, int]:
    """Active sites in the area and how many of them are built (cancelled ones count for nothing)."""
    live = targets.active_sites(briefing.sites)
    return len(live), int((live["status"] == SiteStatus.BUILT.value).sum())


def open_targets(briefing: Briefing) -> tuple[str, str]:
    """The headline on region-wide targets not yet located, as ``(value, detail)``: the same on the page, PDF and XLSX.

    Targets are counted per program, each in its own unit, never summed. A
    region whose document sets no region-wide site target says so, rather
    than reading as if everything were located.
    """
    lang, region = briefing.lang, briefing.region_name
    if not briefing.region_targets:
        return label("targets_open_undefined", lang), label("not_located_undefined", lang, region=region)
    if briefing.not_located.empty:
        return format_number(0, lang), label("not_located_none", lang, region=region)
    n = briefing.not_located
    detail = "; ".join(
        label("target_remaining", lang, name=name, remaining=f"{format_number(r, lang)} {unit}".strip())
        for name, r, unit in zip(n["name"], n["not_located"], n["target_unit"])
    )
    return label("targets_open_value", lang, programs=format_number(len(n), lang)), detail


def region_programs_note(briefing: Briefing) -> str:
    """What the region-wide program list means, and how many other region-wide programs it leaves out: page, PDF and XLSX."""
    lang, region, name = briefing.lang, briefing.region_name, briefing.name
    note_key = "region_programs_note" if briefing.level == LEVEL_KECAMATAN else "region_programs_note_region"
    rest = label("region_programs_rest", lang, n=format_number(briefing.region_programs_rest, lang), region=region)
    return f"{label(note_key, lang, region=region, name=name)} {rest}"


def _population(population: pd.DataFrame, area_codes: list[str]) -> tuple[int | None, int | None, tuple[str, ...]]:
    """Population of the area with year and confidence grades; None unless every kecamatan has a figure of one vintage.

    The source is named by region and year (:func:`geo.sources.population_credit`), not by the file's technical trail.
    """
    rows = population[population["kode_kec"].isin(area_codes)]
    if len(rows) != len(area_codes) or rows["year"].nunique() != 1 or rows["source"].nunique() != 1:
        return None, None, ()
    return int(rows["population"].sum()), int(rows["year"].iloc[0]), tuple(rows["confidence"].unique())


def _region_programs(catalog: Catalog, progress: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The region's programs that apply everywhere in it: those with a stated target, and how many others there are.

    Region-wide means the text names neither a kecamatan nor a place
    (:func:`layers.targets.region_wide`, no ``wilayah`` place: those are the
    region-level sites). Site targets are left out: the open-targets table
    counts them. Group headings (``kelompok``) are no program of their own.
    """
    wide = {p.id for p in catalog.programs if targets.region_wide(p) and p.placement is None and p.kind != "kelompok"}
    rows = progress[progress["id"].isin(wide) & progress["target_sites"].isna()]
    stated = rows["target_qty"].notna() | (rows["target_text"].fillna("") != "")
    listed = rows[stated].rename(columns={"id": "program"})[REGION_PROGRAM_COLUMNS].reset_index(drop=True)
    return listed, int((~stated).sum())


def _named_places(catalog: Catalog, progress: pd.DataFrame, region_kecamatan: pd.DataFrame, area_codes: list[str]) -> pd.DataFrame:
    """The region's programs whose named places (road corridors) name a kecamatan of the area, with those places verbatim.

    A corridor is placed by the kecamatan names it contains
    (:func:`evidence.places.kecamatan_named`), never by geometry.
    """
    wanted, ids = set(area_codes), set(progress["id"])  # progress holds the region's programs only
    rows = [
        {"program": p.id, "places": "; ".join(here)}
        for p in catalog.programs
        if p.id in ids and (here := [place for place in p.places if wanted & set(kecamatan_named(place, region_kecamatan))])
    ]
    found = pd.DataFrame(rows, columns=["program", "places"])
    details = progress.rename(columns={"id": "program"})[["program", "name", "status", "progress_text"]]
    return found.merge(details, on="program", how="left")[PLACE_COLUMNS]


def _map_units(kecamatan: gpd.GeoDataFrame, area_codes: list[str]) -> gpd.GeoDataFrame:
    """The area's kecamatan and every kecamatan within :data:`MAP_UNITS_REACH` around it."""
    metric = kecamatan.to_crs(config.METRIC_CRS)
    selected = metric["kode_kec"].isin(area_codes)
    minx, miny, maxx, maxy = metric[selected].total_bounds
    margin = MAP_UNITS_REACH * max(maxx - minx, maxy - miny)
    window = metric.cx[minx - margin : maxx + margin, miny - margin : maxy + margin].index
    units = kecamatan.loc[window, ["kode_kec", "kecamatan", "kode_kab", "geometry"]].copy()
    units["selected"] = units["kode_kec"].isin(area_codes)
    return units.reset_index(drop=True)


def _area_coverage(coverage: pd.DataFrame | None, area_codes: list[str]) -> pd.DataFrame | None:
    """The coverage rows of the area's kecamatan (None when no table is given or it has no row for the area)."""
    if coverage is None:
        return None
    if "kode_kec" not in coverage.columns:
        raise DataError(f"The coverage table needs a kode_kec column; it has {', '.join(map(str, coverage.columns))}")
    rows = coverage[coverage["kode_kec"].astype(str).isin(area_codes)].reset_index(drop=True)
    return rows if len(rows) else None


def coverage_table(results: list[tuple[Layer, object]], lang: str = "id") -> pd.DataFrame | None:
    """The coverage figures of a briefing: per kecamatan and layer, people within the layer's service radius.

    ``results`` pairs program layers with their :func:`geo.coverage.coverage`
    result. A layer whose coverage counts no site (no exact point yet) has no
    analysis and is left out; None when no layer is left. Columns: ``kode_kec``
    (for :func:`kecamatan_briefing`), then kecamatan, layer, radius in km, sites
    counted (over the layer's whole area of analysis), population, covered
    people and covered share in percent, headed in ``lang``.
    """
    rows = []
    for layer, result in results:
        if not result.sites_counted:
            continue
        for r in result.kecamatan.itertuples(index=False):
            rows.append(
                {
                    "kode_kec": r.kode_kec,
                    label("col_kecamatan", lang): r.kecamatan,
                    label("col_layer", lang): layer.label(lang),
                    label("col_radius_km", lang): result.radius_m / 1000,
                    label("col_sites_counted", lang): int(result.sites_counted),
                    label("population", lang): int(round(r.population)),
                    label("col_covered", lang): int(round(r.covered)),
                    label("col_covered_pct", lang): round(100 * r.share, 1) if pd.notna(r.share) else None,
                }
            )
    return pd.DataFrame(rows) if rows else None
