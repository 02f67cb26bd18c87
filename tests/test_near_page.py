"""The near-me page read as a resident: the picker follows the location, links keep 5 decimals, region-wide targets count."""

from __future__ import annotations

from test_app import fresh, map_script


def test_typed_coordinates_put_their_desa_in_the_picker_and_keep_5_decimals(tmp_path, monkeypatch, desa):
    at = fresh(tmp_path, monkeypatch, hal="dekat")
    at.text_input(key="n_q").input("pondok kacang").run()
    at.selectbox(key="n_desa").set_value(desa.loc[desa["desa"] == "Pondok Kacang Barat", "kode_desa"].iloc[0]).run()
    at.text_input(key="n_coord").input("-6.27453, 106.71805").run()
    assert at.query_params["lat"] == "-6.27453" and at.query_params["lon"] == "106.71805"
    pondok_jaya = desa.loc[desa["desa"] == "Pondok Jaya", "kode_desa"]
    assert at.selectbox(key="n_desa").value in set(pondok_jaya)
    assert at.text_input(key="n_q").value == "Pondok Jaya"
    assert "Kel./Desa Pondok Jaya" in " ".join(m.value for m in at.markdown)


def test_region_wide_targets_are_listed_for_the_resident(tmp_path, monkeypatch):
    at = fresh(tmp_path, monkeypatch, hal="dekat", lat="-6.2745", lon="106.7180")
    heading = next(m.value for m in at.markdown if "Berlaku untuk seluruh Kota Tangerang Selatan" in m.value)
    [table] = [d for d in at.dataframe if "Program" in d.value.columns and "Target" in d.value.columns]
    assert f"({len(table.value)})" in heading and len(table.value) >= 4
    assert table.value["Target"].str.contains("1.000").any()  # thousands in the Indonesian format


def test_near_map_outlines_and_names_the_residents_desa_and_kecamatan(tmp_path, monkeypatch):
    at = fresh(tmp_path, monkeypatch, hal="dekat", lat="-6.2745", lon="106.7180", bahasa="en")
    script = map_script(at)
    assert '"Pondok Jaya","home"' in script and '"Pondok Aren","home"' in script
    assert "#ad1457" in script  # the desa outline
    [component] = at.get("component_instance")
    assert "Your village" in component.proto.json_args and "Search radius" in component.proto.json_args


def test_an_inventory_in_the_radius_lists_the_nearest_50_not_one_expander_per_site(tmp_path, monkeypatch, planner, domain):
    from register.auth import require_planner
    from register.store import SQLiteSiteStore
    from register.synthetic import synthetic_sites

    SQLiteSiteStore(tmp_path / "sites.sqlite", require_planner, domain).add(synthetic_sites(domain, 2_000), planner)
    at = fresh(tmp_path, monkeypatch, hal="dekat", lat="-6.2745", lon="106.7180", r="10")
    note = next(c.value for c in at.caption if "terdekat dari" in c.value)
    assert note.startswith("50 terdekat dari ")
    assert len([e for e in at.expander if e.label[:1].isdigit()]) == 50  # expanders of exact sites start with their distance
    # The program's target in each site's details, in the UI language's digits (this read "10000 titik").
    targets = [m.value for m in at.markdown if "**Target:**" in m.value]
    assert targets and all(r"10\.000 titik" in v for v in targets[:50])  # Markdown-escaped dot
