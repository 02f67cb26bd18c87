"""Filtering the site table, per-kecamatan figures and the CSV/GeoJSON downloads."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from shapely.geometry import Point

from geo import boundaries
from reports.export import to_csv, to_geojson
from layers.filters import SiteFilter
from layers.model import Precision, Site
from layers.seed import seed_sites
from layers.sites import site_frame
from layers.summary import kecamatan_metrics


@pytest.fixture(scope="module")
def frame(catalog, kecamatan, desa):
    extra = Site(id="pt", program="tsl-4-7-05", layer="posko_bencana", name="Posko uji", precision=Precision.EXACT,
                 geometry=Point(106.72, -6.27), updated="2026-11-23")
    return site_frame(seed_sites(catalog, kecamatan) + [extra], catalog, kecamatan, desa)


def test_empty_filter_keeps_everything(frame):
    everything = SiteFilter().apply(frame)
    pd.testing.assert_frame_equal(everything, frame)
    # A frame of its own: changing it leaves the filtered one as it was.
    before = frame.copy(deep=True)
    everything["name"] = "diubah"
    pd.testing.assert_frame_equal(frame, before)


def test_each_filter_narrows(frame):
    assert set(SiteFilter(regions=("3674",)).apply(frame)["region"]) == {"3674"}
    assert set(SiteFilter(layers=("spku",)).apply(frame)["kecamatan"]) == {
        "Setu", "Serpong", "Pamulang", "Ciputat", "Ciputat Timur", "Pondok Aren", "Serpong Utara"}
    pamulang = SiteFilter(kecamatan=("3674030",)).apply(frame)
    assert sorted(pamulang["layer"]) == ["rs", "smp_baru", "spku"]
    assert set(SiteFilter(precisions=("titik",)).apply(frame)["id"]) == {"pt"}
    assert len(SiteFilter(statuses=("selesai",)).apply(frame)) == 0
    misi1 = SiteFilter(misi=("tsl2024:1",)).apply(frame)
    assert set(misi1["layer"]) == {"smp_baru", "rs"}
    sasaran = SiteFilter(sasaran=("tsl2024:4:7",)).apply(frame)
    assert set(sasaran["layer"]) == {"spku", "sungai_situ", "posko_bencana"}


def test_kecamatan_metrics(frame, kecamatan, data_root):
    pop = boundaries.kecamatan_population(data_root)
    metrics = kecamatan_metrics(frame, kecamatan, pop).set_index("kode_kec")
    assert len(metrics) == 49
    pamulang = metrics.loc["3674030"]
    assert (pamulang["sites"], pamulang["programs"], pamulang["pop_year"]) == (3, 3, 2025)
    assert pamulang["per_10k"] == pytest.approx(3 / 339_054 * 10_000)
    assert metrics.loc["3671010", "sites"] == 0 and pd.isna(metrics.loc["3671010", "per_10k"])  # context, no population
    cancelled = frame.assign(status=frame["status"].where(frame["kode_kec"] != "3674030", "dibatalkan"))
    assert kecamatan_metrics(cancelled, kecamatan, pop).set_index("kode_kec").loc["3674030", ["sites", "programs"]].tolist() == [0, 0]


def test_downloads_round_trip(frame):
    subset = SiteFilter(layers=("smp_baru", "posko_bencana", "tpu")).apply(frame)
    table = pd.read_csv(io.BytesIO(to_csv(subset)), encoding="utf-8-sig", dtype=str)
    assert len(table) == len(subset) and "Posko uji" in set(table["name"])
    doc = json.loads(to_geojson(subset))
    kinds = {f["properties"]["id"]: (f["geometry"] or {}).get("type") for f in doc["features"]}
    assert kinds["pt"] == "Point"
    assert kinds["tsl-1-1-01-3674010"] in ("Polygon", "MultiPolygon")
    assert kinds["tsl-4-2-09-3674"] is None  # region-level: no geometry is made up
