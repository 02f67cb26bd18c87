"""Cached data for the views: loaded once per process, re-read when the store changes."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import boundaries, config, supply as existing_supply
from geo.coverage import Coverage, coverage as compute_coverage
from geo.demand import Demand, build_demand
from geo.display import simplify_for_display
from layers.catalog import Catalog, load_catalog
from layers import need, proposals as location_models, targets
from layers.model import Layer
from layers.registry import load_layers, reference_layers
from register.seed import ensure_evidence_seeded, ensure_seeded
from layers.sites import site_frame
from register.rules import Domain, domain_of
from register.store import SiteStore
from register.open import open_store, store_setting
from reports import briefing_pdf as briefing_pdf_export, briefing_xlsx as briefing_xlsx_export
from reports.briefing import Briefing, BriefingInputs, coverage_table, kecamatan_briefing
from layers.progress import program_progress
from evidence.items import COLUMNS as EVIDENCE_COLUMNS, load_searched
from evidence.places import resolve_places
from evidence.status import apply_judgement, judge


@st.cache_resource(show_spinner=False)
def catalog() -> Catalog:
    return load_catalog()


@st.cache_resource(show_spinner=False)
def layers() -> dict[str, Layer]:
    return load_layers(catalog())


def admin() -> dict:
    """Full-resolution and display-simplified boundaries, outlines by code, and population."""
    return _admin(str(config.data_dir()))


@st.cache_resource(show_spinner=False)
def _admin(root: str) -> dict:
    kecamatan = boundaries.load_kecamatan(root)
    desa = boundaries.load_desa(root, kecamatan)
    kec_display = simplify_for_display(kecamatan)
    desa_display = simplify_for_display(desa)
    outlines = dict(zip(kec_display["kode_kec"], kec_display.geometry)) | dict(zip(desa_display["kode_desa"], desa_display.geometry))
    return {
        "kecamatan": kecamatan,
        "desa": desa,
        "kecamatan_display": kec_display,
        "desa_display": desa_display,
        "outlines": outlines,
        "population": boundaries.kecamatan_population(root),
        "crosswalk": boundaries.load_crosswalk(root),
    }


def references() -> dict[str, gpd.GeoDataFrame]:
    """The OSM reference layers, by layer id."""
    return _references(str(config.data_dir()))


@st.cache_resource(show_spinner=False)
def _references(root: str) -> dict[str, gpd.GeoDataFrame]:
    return {lid: boundaries.load_reference(layer.source, root) for lid, layer in reference_layers(layers()).items()}


@st.cache_resource(show_spinner=False)
def domain() -> Domain:
    """What the register may hold (:mod:`register.rules`), from the loaded catalog, layers and desa."""
    return domain_of(catalog(), layers(), admin()["desa"])


@st.cache_resource(show_spinner=False)
def _store(setting: str) -> SiteStore:
    """The site register ``setting`` names (see :func:`register.open.open_store`), seeded on first use with what the
    documents place and with the installed evidence."""
    s = open_store(setting, domain())
    ensure_seeded(s, catalog(), admin()["kecamatan"])
    ensure_evidence_seeded(s, catalog(), config.data_dir())
    return s


def store() -> SiteStore:
    """The site register in use (``PETA_STORE_URL``, else the SQLite file), seeded on first use."""
    return _store(store_setting())


def _key() -> tuple[str, int]:
    """The register's setting and revision: caches of what it holds are keyed on both."""
    setting = store_setting()
    return setting, _store(setting).revision()


def register_key() -> tuple[str, int]:
    """The register's setting and revision, for page caches of what is drawn from it."""
    return _key()


@st.cache_resource(show_spinner=False, max_entries=4)
def _shared_sites(path: str, revision: int) -> gpd.GeoDataFrame:
    """The one site table per register revision, shared by every session: never handed out itself (see :func:`_sites`).

    A resource, not ``st.cache_data``, which would unpickle a copy on every call (0.5 s at 100,000 sites).
    """
    a = admin()
    return site_frame(_store(path).sites(), catalog(), a["kecamatan"], a["desa"])


def _sites(path: str, revision: int) -> gpd.GeoDataFrame:
    # A shallow copy: with pandas' copy-on-write whatever a page or a library function changes in it is copied
    # first, so the shared table stays as read.
    return _shared_sites(path, revision).copy(deep=False)


def sites() -> gpd.GeoDataFrame:
    """The site table, re-read whenever the register changes."""
    return _sites(*_key())


def sites_within(lon: float, lat: float, radius_m: float) -> list[tuple[str, float]]:
    """(id, metres) of the exact sites within ``radius_m`` (:meth:`register.store.SiteStore.sites_within`: the spatial
    index on PostGIS); cached per register revision and place."""
    return _sites_within(*_key(), round(lon, 6), round(lat, 6), float(radius_m))


@st.cache_data(show_spinner=False, max_entries=64)
def _sites_within(path: str, revision: int, lon: float, lat: float, radius_m: float) -> list[tuple[str, float]]:
    return _store(path).sites_within(lon, lat, radius_m)


def population() -> pd.DataFrame:
    return admin()["population"]


def crosswalk() -> pd.DataFrame:
    return admin()["crosswalk"]


def region_name(code: str) -> str:
    return boundaries.REGION_NAMES.get(code, code)


def demand() -> Demand:
    """Population spread over 1 km cells clipped to the desa of both program regions."""
    return _demand(str(config.data_dir()))


@st.cache_resource(show_spinner=False)
def _demand(root: str) -> Demand:
    return build_demand(config.PROGRAM_REGIONS, root=root)


def supply() -> gpd.GeoDataFrame:
    """Every existing facility (:func:`geo.supply.load_supply`), loaded once per process."""
    return _supply(str(config.data_dir()))


@st.cache_resource(show_spinner=False)
def _supply(root: str) -> gpd.GeoDataFrame:
    return existing_supply.load_supply(root, admin()["desa"])


def promise_need(program_id: str, layer_id: str, radius_m: float, model_counts: tuple[int, ...]) -> tuple[list[need.Option], list[str]]:
    """Promise vs need for a program against a layer's facilities (:func:`layers.need.promise_vs_need`) and the evidence ids of its planned sites (cached)."""
    return _promise_need(*_key(), program_id, layer_id, float(radius_m), model_counts)


@st.cache_data(show_spinner=False, max_entries=16)
def _promise_need(path: str, revision: int, program_id: str, layer_id: str, radius_m: float, model_counts: tuple[int, ...]):
    return need.program_need(
        catalog().program(program_id), layer_id, demand().cells, _sites(path, revision),
        existing_supply.counterpart_sites(supply(), layer_id), admin()["kecamatan"], evidence(), evidence_places()[0],
        radius_m, model_counts,
    )  # fmt: skip


def coverage(layer_id: str, radius_m: float) -> Coverage:
    """Coverage of a layer's sites within ``radius_m`` (:func:`layers.targets.coverage_inputs`; cached)."""
    return _coverage(*_key(), layer_id, float(radius_m))


@st.cache_data(show_spinner=False, max_entries=64)
def _coverage(path: str, revision: int, layer_id: str, radius_m: float) -> Coverage:
    cells, sites = targets.coverage_inputs(demand().cells, _sites(path, revision), catalog(), layers(), layer_id)
    return compute_coverage(cells, sites, radius_m, supply=existing_supply.counterpart_sites(supply(), layer_id))


def targets_table() -> pd.DataFrame:
    """Every program's site target and counts (:func:`layers.targets.target_table`), re-read when the register changes."""
    return _targets_table(*_key())


@st.cache_data(show_spinner=False, max_entries=8)
def _targets_table(path: str, revision: int) -> pd.DataFrame:
    return targets.target_table(catalog(), layers(), _sites(path, revision), admin()["kecamatan"])


def proposal(layer_id: str, program_id: str, radius_m: float, model: str, n_new: int, in_named: bool, quotas: bool):
    """Model proposals for a program's remaining sites (:func:`layers.proposals.program_proposal`; cached by inputs)."""
    return _proposal(*_key(), layer_id, program_id, float(radius_m), model, n_new, in_named, quotas)


@st.cache_data(show_spinner=False, max_entries=32)
def _proposal(path, revision, layer_id, program_id, radius_m, model, n_new, in_named, quotas):
    return location_models.program_proposal(
        demand().cells, _sites(path, revision), admin()["kecamatan"], catalog(), layers(), layer_id, program_id,
        radius_m, model=model, n_new=n_new, in_named=in_named, quotas=quotas,
        supply=existing_supply.counterpart_sites(supply(), layer_id),
    )  # fmt: skip


def progress(lang: str = "id") -> pd.DataFrame:
    """The promise tracker (:func:`layers.progress.program_progress`), re-read whenever the store file changes."""
    return _progress(*_key(), lang)


@st.cache_data(show_spinner=False, max_entries=8)
def _progress(path: str, revision: int, lang: str) -> pd.DataFrame:
    statuses = _store(path).program_statuses()
    progress = program_progress(catalog(), layers(), _sites(path, revision), statuses, admin()["kecamatan"], lang)
    return apply_judgement(progress, _judgement(path, revision), lang)


def evidence() -> pd.DataFrame:
    """The evidence events (:data:`evidence.items.COLUMNS`) the register holds, retired ones left out: the installed
    file as seeded, with the planners' additions and edits; re-read whenever the register changes."""
    return _evidence(*_key())


@st.cache_data(show_spinner=False, max_entries=4)
def _evidence(path: str, revision: int) -> pd.DataFrame:
    return pd.DataFrame(_store(path).evidence(), columns=list(EVIDENCE_COLUMNS))


def searched() -> pd.DataFrame:
    """What was searched for each program (:func:`evidence.items.read_searched`)."""
    return _searched(str(config.data_dir()))


@st.cache_resource(show_spinner=False)
def _searched(root: str) -> pd.DataFrame:
    return load_searched(root, catalog())


def evidence_places() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The areas the evidence names and the rows not placed (:func:`evidence.places.resolve_places`)."""
    return _evidence_places(*_key())


@st.cache_data(show_spinner=False, max_entries=4)
def _evidence_places(path: str, revision: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    a = admin()
    return resolve_places(evidence(), catalog(), a["desa"], a["kecamatan"], a["crosswalk"])


def judgement() -> pd.DataFrame:
    """Every program's status from its evidence and the planners' records (:func:`evidence.status.judge`)."""
    return _judgement(*_key())


@st.cache_data(show_spinner=False, max_entries=8)
def _judgement(path: str, revision: int) -> pd.DataFrame:
    return judge(catalog(), evidence(), searched(), _store(path).program_statuses())


def briefing(code: str, lang: str) -> Briefing:
    """The briefing of a kecamatan or region (cached on the code, language, register revision and date)."""
    return _briefing(*_briefing_key(code, lang))


def briefing_map_png(code: str, lang: str) -> bytes:
    return _briefing_map_png(*_briefing_key(code, lang))


def briefing_pdf(code: str, lang: str) -> bytes:
    return _briefing_pdf(*_briefing_key(code, lang))


def briefing_xlsx(code: str, lang: str) -> bytes:
    return _briefing_xlsx(*_briefing_key(code, lang))


def _briefing_key(code: str, lang: str) -> tuple[str, float, str, str, str]:
    return (*_key(), code, lang, date.today().isoformat())


@st.cache_data(show_spinner=False, max_entries=64)
def _briefing(path: str, revision: int, code: str, lang: str, today: str) -> Briefing:
    a = admin()
    inputs = BriefingInputs(
        catalog(), layers(), a["kecamatan"], a["population"], _sites(path, revision), _progress(path, revision, lang), lang,
        evidence(), evidence_places()[0],
    )
    return kecamatan_briefing(code, inputs, coverage=_briefing_coverage(path, revision, lang), today=today, supply=supply())


def _briefing_coverage(path: str, revision: int, lang: str) -> pd.DataFrame | None:
    """Coverage within each layer's default radius, for the layers with a site that covers people (else None)."""
    counted = sorted(set(targets.coverage_sites(_sites(path, revision))["layer"]))
    results = [(layers()[lid], coverage(lid, layers()[lid].radius_m)) for lid in counted if layers()[lid].radius_m > 0]
    return coverage_table(results, lang)


@st.cache_data(show_spinner=False, max_entries=64)
def _briefing_map_png(path: str, revision: int, code: str, lang: str, today: str) -> bytes:
    return briefing_pdf_export.briefing_map_png(_briefing(path, revision, code, lang, today))


@st.cache_data(show_spinner=False, max_entries=64)
def _briefing_pdf(path: str, revision: int, code: str, lang: str, today: str) -> bytes:
    return briefing_pdf_export.briefing_pdf(_briefing(path, revision, code, lang, today))


@st.cache_data(show_spinner=False, max_entries=64)
def _briefing_xlsx(path: str, revision: int, code: str, lang: str, today: str) -> bytes:
    return briefing_xlsx_export.briefing_xlsx(_briefing(path, revision, code, lang, today))
