"""Installing and validating the third-party data: good data installs, bad data stops with a clear message."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from geo.sources import FILES
from geo import install
from geo.config import PROJECT_ROOT
from geo.errors import DataError
from geo.sources import FILES


def _edit_geojson(path, edit):
    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")


def test_install_copies_and_records_checksums(source_copy, tmp_path):
    target = tmp_path / "installed"
    manifest = install.install(source_copy, target)
    assert (target / "boundaries" / "kecamatan.geojson").read_bytes() == (source_copy / "boundaries" / "kecamatan.geojson").read_bytes()
    assert len(manifest["files"]) == sum(len(names) for names in FILES.values())
    assert (target / "evidence" / "evidence.csv").read_bytes() == (source_copy / "evidence" / "evidence.csv").read_bytes()
    assert json.loads((target / "INSTALLED.json").read_text())["source"] == str(source_copy)


def test_missing_source_directory_says_how_to_fix(tmp_path):
    with pytest.raises(DataError, match="does not exist.*PETA_DATA_SOURCE"):
        install.install(tmp_path / "nowhere", tmp_path / "installed")


def test_missing_file_is_named(source_copy, tmp_path):
    (source_copy / "boundaries" / "desa.geojson").unlink()
    with pytest.raises(DataError, match="lacks: boundaries/desa.geojson"):
        install.install(source_copy, tmp_path / "installed")


def test_unparseable_boundary_file(source_copy, tmp_path):
    (source_copy / "boundaries" / "kecamatan.geojson").write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(DataError, match="kecamatan.geojson cannot be read as GeoJSON"):
        install.install(source_copy, tmp_path / "installed")


def test_self_intersecting_polygon_is_named_by_code(source_copy, tmp_path):
    def bowtie(doc):
        feature = doc["features"][3]
        feature["geometry"] = {"type": "Polygon", "coordinates": [[[106.6, -6.2], [106.7, -6.3], [106.7, -6.2], [106.6, -6.3], [106.6, -6.2]]]}

    path = source_copy / "boundaries" / "kecamatan.geojson"
    _edit_geojson(path, bowtie)
    code = json.loads(path.read_text())["features"][3]["properties"]["kode_kec"]
    with pytest.raises(DataError, match=rf"feature 4 \(kode_kec {code}\): invalid geometry \(Self-intersection"):
        install.install(source_copy, tmp_path / "installed")


def test_missing_feature_breaks_the_official_count(source_copy, tmp_path):
    _edit_geojson(source_copy / "boundaries" / "desa.geojson", lambda doc: doc["features"].pop(0))
    with pytest.raises(DataError, match="273 desa for kode_kab 3603, expected 274"):
        install.install(source_copy, tmp_path / "installed")


def test_swapped_coordinates_are_detected(source_copy, tmp_path):
    def swap(doc):
        for feature in doc["features"]:
            feature["geometry"]["coordinates"] = [[[y, x] for x, y in ring] for ring in feature["geometry"]["coordinates"]]

    _edit_geojson(source_copy / "boundaries" / "kecamatan.geojson", swap)
    with pytest.raises(DataError, match="longitude and latitude swapped"):
        install.install(source_copy, tmp_path / "installed")


def test_missing_column_is_named(source_copy, tmp_path):
    def drop(doc):
        for feature in doc["features"]:
            del feature["properties"]["kode_kab"]

    _edit_geojson(source_copy / "boundaries" / "kecamatan.geojson", drop)
    with pytest.raises(DataError, match="missing column\\(s\\): kode_kab"):
        install.install(source_copy, tmp_path / "installed")


def test_failed_install_leaves_the_previous_installation_intact(source_copy, tmp_path):
    target = tmp_path / "installed"
    install.install(source_copy, target)
    before = {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    (source_copy / "boundaries" / "desa.geojson").write_text("not json", encoding="utf-8")
    with pytest.raises(DataError):
        install.install(source_copy, target)
    after = {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    assert after == before


def test_command_line_prints_one_clear_line_without_traceback(tmp_path):
    env = {"PETA_DATA_SOURCE": str(tmp_path / "missing"), "PETA_DATA_DIR": str(tmp_path / "installed"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "geo.install"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.startswith("Data installation failed: Data source directory")
    assert "Traceback" not in result.stderr


def test_a_bad_evidence_row_is_named_and_nothing_is_installed(source_copy, tmp_path):
    path = source_copy / "evidence" / "evidence.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    first = lines[1].split(",")
    lines[1] = ",".join([first[0], "tsl-9-9-99", *first[2:]])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = tmp_path / "installed"
    with pytest.raises(DataError, match=rf"{first[0]}: program 'tsl-9-9-99' is not in the catalog"):
        install.install(source_copy, target)
    assert not (target / "evidence").exists() and not (target / "boundaries").exists()


def test_a_search_log_line_with_an_unknown_program_is_named(source_copy, tmp_path):
    path = source_copy / "evidence" / "searched_kab.tsv"
    path.write_text(path.read_text(encoding="utf-8") + "kab-99-99\t0\tsome query\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"searched_kab.tsv is not valid:\n.*\(kab-99-99\): program 'kab-99-99' is not in the catalog"):
        install.install(source_copy, tmp_path / "installed")


def test_a_linked_data_folder_is_replaced_not_emptied(source_copy, tmp_path):
    elsewhere = tmp_path / "other-checkout" / "boundaries"
    elsewhere.mkdir(parents=True)
    (elsewhere / "keep.txt").write_text("kept", encoding="utf-8")
    target = tmp_path / "installed"
    target.mkdir()
    (target / "boundaries").symlink_to(elsewhere)
    install.install(source_copy, target)
    assert (elsewhere / "keep.txt").read_text(encoding="utf-8") == "kept"
    assert not (target / "boundaries").is_symlink() and (target / "boundaries" / "kecamatan.geojson").is_file()
