"""Seed sites and the site table's joins to kecamatan and desa (the register itself: test_store.py)."""

from __future__ import annotations

import pandas as pd
import pytest
from shapely.geometry import Point

from layers.model import Precision, Site
from layers.seed import seed_sites
from layers.sites import site_frame, skipped_sites
from layers.targets import target_table

SETU, PAMULANG, SERPONG_UTARA, PONDOK_AREN = "3674010", "3674030", "3674070", "3674060"


def exact_site(site_id, point, name="Titik uji"):
    return Site(id=site_id, program="tsl-4-7-05", layer="posko_bencana", name=name, precision=Precision.EXACT,
                geometry=point, source="uji", updated="2026-11-23")


def test_seeds_place_only_what_the_documents_place(catalog, kecamatan):
    sites = seed_sites(catalog, kecamatan, today="2026-11-23")
    by_program = {}
    for s in sites:
        by_program.setdefault(s.program, []).append(s)
    smp = by_program["tsl-1-1-01"]
    assert sorted(s.admin_code for s in smp) == sorted([SETU, PAMULANG, SERPONG_UTARA, PONDOK_AREN])
    assert {s.precision for s in smp} == {Precision.KECAMATAN}
    assert len(by_program["tsl-4-7-13"]) == 7  # an SPKU in every Tangsel kecamatan
    assert len(by_program["kab-05-03"]) == 29  # a stadion mini in every Kabupaten kecamatan
    assert all(s.geometry is None for s in sites), "no seed site may carry an invented coordinate"
    assert "tsl-4-6-01a" not in by_program  # 38 TPS-3R: no place in the document, so no site
    assert all("baris" in s.source and s.source.count("\u201c") == 1 for s in sites)


def test_points_join_spatially_and_admin_sites_by_code(catalog, kecamatan, desa):
    target = desa[desa["desa"] == "Pondok Kacang Timur"].iloc[0]
    inside = target.geometry.representative_point()
    sites = [
        exact_site("p1", inside),
        exact_site("p2", Point(106.0, -5.0)),  # far outside the three regions
        Site(id="k", program="tsl-1-1-01", layer="smp_baru", name="SMP", precision=Precision.KECAMATAN, admin_code=SETU),
        Site(id="d", program="tsl-1-1-01", layer="smp_baru", name="SMP", precision=Precision.DESA, admin_code=target.kode_desa),
        Site(id="r", program="tsl-4-2-09", layer="tpu", name="TPU", precision=Precision.REGION, admin_code="3674"),
    ]
    frame = site_frame(sites, catalog, kecamatan, desa).set_index("id")
    assert frame.loc["p1", ["kode_desa", "kode_kec", "kode_kab"]].tolist() == [target.kode_desa, target.kode_kec, "3674"]
    assert frame.loc["p2", ["kode_desa", "kode_kec"]].isna().all()
    assert frame.loc["k", "kecamatan"] == "Setu" and pd.isna(frame.loc["k", "kode_desa"])
    assert frame.loc["d", "desa"] == "Pondok Kacang Timur" and frame.loc["d", "kode_kec"] == target.kode_kec
    assert frame.loc["r", "kode_kab"] == "3674" and pd.isna(frame.loc["r", "kode_kec"])
    # Display geometry: the point, the desa, the kecamatan, nothing for region level.
    assert frame.loc["p1", "geometry"].equals(inside)
    assert frame.loc["d", "geometry"].equals(target.geometry)
    assert frame.loc["k", "geometry"].equals(kecamatan.set_index("kode_kec").loc[SETU, "geometry"])
    assert frame.loc["r", "geometry"] is None


def test_a_site_of_an_unknown_program_is_skipped_and_reported(catalog, kecamatan, desa, caplog):
    # One bad stored row used to make site_frame raise, and with it every page.
    ghost = Site(id="g", program="no-such-program", layer="tpu", name="?", precision=Precision.REGION, admin_code="3674")
    good = Site(id="k", program="tsl-1-1-01", layer="smp_baru", name="SMP", precision=Precision.KECAMATAN, admin_code=SETU)
    with caplog.at_level("WARNING", logger="layers.sites"):
        frame = site_frame([ghost, good], catalog, kecamatan, desa)
    assert list(frame["id"]) == ["k"] and skipped_sites(frame) == ("g",)
    assert "no-such-program" not in frame["program"].tolist() and "g" in caplog.text
    only_ghost = site_frame([ghost], catalog, kecamatan, desa)
    assert only_ghost.empty and skipped_sites(only_ghost) == ("g",)
    assert skipped_sites(site_frame([good], catalog, kecamatan, desa)) == ()


def test_seed_targets_not_yet_located(catalog, layers, kecamatan, desa):
    frame = site_frame(seed_sites(catalog, kecamatan), catalog, kecamatan, desa)
    missing = target_table(catalog, layers, frame, kecamatan).set_index("program")
    assert missing.loc["tsl-4-6-01a", "remaining"] == 38  # TPS-3R
    assert missing.loc["tsl-4-7-05", "remaining"] == 14  # posko bencana
    assert missing.loc["tsl-4-7-01", "remaining"] == 10  # tandon / long storage
    # The 4 SMP are known only to their kecamatan: registered, not located.
    assert missing.loc["tsl-1-1-01", ["located", "known_area", "remaining"]].tolist() == [0, 4, 4]
    assert "tsl-4-2-11" not in missing.index  # 166,2 km of road is a length, not a number of sites
