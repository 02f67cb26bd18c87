"""Cached data for the views: loaded once per process, re-read when the store changes."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import boundaries, config
from geo.display import simplify_for_display
from layers.catalog import Catalog, load_catalog
from layers.model import Layer
from layers.registry import load_layers, reference_layers
from layers.seed import ensure_seeded
from layers.sites import site_frame
from layers.store import SQLiteSiteStore


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
def _store(path: str) -> SQLiteSiteStore:
    """The site register at ``path``, seeded on first use with what the documents place."""
    s = SQLiteSiteStore(path)
    ensure_seeded(s, catalog(), admin()["kecamatan"])
    return s


def _store_version() -> float:
    path = config.store_path()
    return path.stat().st_mtime if path.exists() else 0.0


@st.cache_data(show_spinner=False)
def _sites(path: str, version: float) -> gpd.GeoDataFrame:
    a = admin()
    return site_frame(_store(path).sites(), catalog(), a["kecamatan"], a["desa"])


def sites() -> gpd.GeoDataFrame:
    """The site table, re-read whenever the store file changes."""
    path = str(config.store_path())
    _store(path)  # seed before reading the version, so the first read is not stale
    return _sites(path, _store_version())


def population() -> pd.DataFrame:
    return admin()["population"]


def crosswalk() -> pd.DataFrame:
    return admin()["crosswalk"]
