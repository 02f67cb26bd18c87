"""Site import: format sniffing, safe reading, row checks, fixes and the all-or-nothing commit.

The corpus in ``tests/data/import`` holds the same five Tangsel sites as GeoJSON,
GeoJSON in UTM 48S (legacy ``crs`` member), GeoPackage, zipped Shapefile (UTM
48S with a .prj), KML and an Indonesian spreadsheet CSV (``;``, decimal
commas, Windows-1252), plus one file per kind of bad input. Files too big to
commit (the 10x oversized upload, zip bombs) are generated here.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point, mapping

from geo.errors import DataError
from register import importer
from register.rules import field_label
from layers.model import Precision, Site
from layers.seed import seed_sites
from conftest import store_state

CORPUS = Path(__file__).resolve().parents[1] / "data" / "import"
TODAY = "2025-06-30"
CEMPAKA_PUTIH = Point(106.754318, -6.301945)  # inside Kel. Cempaka Putih, Ciputat Timur (Tangsel)
MONAS = Point(106.8272, -6.1754)  # Jakarta: inside the Tangerang box, outside the three regions
POSKO = {"program": "tsl-4-7-05", "name": "Posko Uji"}


def geojson(*features: tuple[dict, object]) -> bytes:
    """A FeatureCollection of (properties, shapely geometry or None) pairs."""
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": props, "geometry": mapping(geom) if geom is not None else None}
                for props, geom in features
            ],
        }
    ).encode()


def zipped(members: dict[str, bytes]) -> bytes:
    """A zip archive holding ``members`` (name -> content)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.fixture
def check(domain):
    """Read and check an upload against the register's domain and (optionally) existing sites."""

    def run(data: bytes, existing: list[Site] = ()) -> importer.ImportPreview:
        return importer.check_rows(importer.read_upload(data), domain, list(existing))

    return run


def problems(preview: importer.ImportPreview, lang: str = "id") -> list[str]:
    """Every row problem of a preview as text in ``lang``, in row order."""
    return [p.text(lang) for row in preview.rows["problems"] for p in row]


@pytest.fixture
def store(any_store, catalog, kecamatan):
    """A register seeded like the real one, on each backend."""
    any_store.seed(seed_sites(catalog, kecamatan, TODAY))
    return any_store


# --- formats --------------------------------------------------------------------------------------

GOOD = {
    "sites.geojson": "geojson",
    "sites_utm48s.geojson": "geojson",
    "sites.gpkg": "gpkg",
    "sites_shp.zip": "shp-zip",
    "sites.kml": "kml",
    "sites.csv": "csv",
}


@pytest.mark.parametrize("name, fmt", GOOD.items())
def test_format_is_sniffed_from_content(name, fmt):
    assert importer.sniff((CORPUS / name).read_bytes()) == fmt


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "Berkas kosong"),
        (b"%PDF-1.7\n...", "dokumen PDF"),
        (zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}), "dokumen Office (.xlsx/.docx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "berkas Office lama"),
        (b"<!DOCTYPE html><html><body>login</body></html>", "halaman HTML"),
        (b'<?xml version="1.0"?><gpx version="1.1"></gpx>', "XML dengan elemen akar <gpx>, bukan KML"),
        (b'{"type": "Topology", "objects": {}}', "JSON ini bukan GeoJSON (type 'Topology')"),
        (b"SQLite format 3\x00" + bytes(200), "basis data SQLite"),
        (zipped({"doc.kml": b"<kml/>"}), "tidak berisi berkas .shp (KMZ?"),
        (zipped({"a.shp": b"x", "a.dbf": b"x"}), "a.shp tanpa .shx"),
        (zipped({"a.shp": b"", "a.shx": b"", "a.dbf": b"", "b.shp": b"", "b.shx": b"", "b.dbf": b""}), "berisi 2 berkas .shp"),
        (b"\x00\x00\x27\x0a" + bytes(96), "berkas .shp saja"),
        (bytes(range(256)), "Berkas biner yang tidak dikenal"),
    ],
)
def test_unknown_content_is_named(data, message):
    with pytest.raises(DataError, match=re.escape(message)):
        importer.sniff(data)


def test_the_same_sites_from_every_format(check):
    reference = importer.to_sites(check((CORPUS / "sites.geojson").read_bytes()), TODAY)
    assert [s.precision for s in reference] == [Precision.EXACT] * 4 + [Precision.KECAMATAN]
    for name in GOOD:
        sites = importer.to_sites(check((CORPUS / name).read_bytes()), TODAY)
        fields = [(s.program, s.layer, s.name, s.status, s.precision, s.admin_code, s.source, s.evidence_url) for s in sites]
        assert fields == [(s.program, s.layer, s.name, s.status, s.precision, s.admin_code, s.source, s.evidence_url) for s in reference], name
        for site, expected in zip(sites, reference):
            assert (site.geometry is None) == (expected.geometry is None), name
            if expected.geometry is not None:
                assert site.geometry.equals_exact(expected.geometry, tolerance=1e-7), (name, site.geometry, expected.geometry)
        # Ids come from the place rounded to 1e-7 degrees and the name, so they agree too.
        assert [s.id for s in sites] == [s.id for s in reference], name


def test_spreadsheet_export_is_read_as_windows_1252_with_decimal_commas(check):
    data = (CORPUS / "sites.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the corpus file really is Windows-1252
    preview = check(data)
    assert list(preview.rows["row"]) == [1, 2, 3, 4, 5]  # data rows, as the preview numbers them
    assert preview.rows["name"].iloc[0] == "Posko Cempaka Putih – Ciputat Timur"
    assert preview.rows["layer"].iloc[0] == "posko_bencana"  # no lapisan column: filled from the program
    assert preview.rows.geometry.iloc[0].equals_exact(CEMPAKA_PUTIH, 1e-9)


@pytest.mark.parametrize(
    "text",
    [
        "\ufeffnama,program,latitude,longitude\nPosko Uji,tsl-4-7-05,-6.301945,106.754318\n",
        "nama\tprogram\ty\tx\nPosko Uji\ttsl-4-7-05\t-6,301945\t106,754318\n",
        'nama;program;koordinat\nPosko Uji;tsl-4-7-05;"106,754318 -6,301945"\n',
    ],
    ids=["utf8-bom-comma", "tab-decimal-comma", "koordinat-column"],
)
def test_csv_variants(check, text):
    preview = check(text.encode("utf-8"))
    assert problems(preview) == [] and preview.file_problems == []
    assert preview.rows.geometry.iloc[0].equals_exact(CEMPAKA_PUTIH, 1e-9)


@pytest.mark.parametrize(
    "text, message",
    [
        ("nama;program;lintang;bujur\nPosko Uji;tsl-4-7-05;-6.30.1;106,75\n", "baris 1, kolom lintang: '-6.30.1' bukan angka"),
        ("nama;program;lintang;bujur\nPosko Uji;tsl-4-7-05;;106,75\n", "baris 1, kolom lintang: kosong, padahal kolom pasangannya terisi"),
        ("nama;program;koordinat\n\nPosko Uji;tsl-4-7-05;dekat pasar\n", "baris 1, kolom koordinat: 'dekat pasar' bukan pasangan koordinat yang sah"),
    ],
)
def test_unreadable_csv_coordinates_are_row_problems(check, text, message):
    found = problems(check(text.encode()))
    assert any(p.startswith(message) for p in found), found


def test_missing_columns_and_ambiguous_aliases_are_file_problems():
    preview = importer.read_upload(b"judul;keterangan\nPosko;x\n")
    assert [p.text("id") for p in preview.file_problems] == [
        "kolom program tidak ditemukan; kolom yang ada: judul, keterangan",
        "kolom nama tidak ditemukan; kolom yang ada: judul, keterangan",
    ]
    preview = importer.read_upload(geojson(({"name": "a", "nama": "b", "program": "tsl-4-7-05"}, CEMPAKA_PUTIH)))
    [problem] = preview.file_problems
    assert problem.text("id") == "kolom 'name', 'nama' sama-sama berarti nama; hapus salah satunya"
    assert problem.text("en") == "columns 'name', 'nama' both mean name; remove one of them"


# --- the bad-file corpus: each gives its message and leaves the register unchanged -----------------

BAD = {
    "bad_malformed.geojson": "JSON tidak valid di baris 49, kolom 13 (Unterminated string",
    "bad_metres.geojson": "koordinat tampak dalam meter (mis. x=694070, y=9303091), padahal berkas menyatakan derajat (WGS 84)",
    "bad_swapped.geojson": "baris 1: lintang dan bujur tampak tertukar (lintang 106.75432, bujur -6.30194); perbaikan tersedia: tukar koordinat",
    "bad_self_intersecting.geojson": "baris 1: geometri tidak valid (Self-intersection[106.745 -6.295]); perbaikan tersedia: perbaiki geometri",
    "bad_zip_slip.zip": "Zip berisi path tidak aman '../situs.cpg' (absolut atau dengan '..'); berkas ditolak",
    "bad_markup.geojson": "baris 1, kolom nama: berisi markup HTML/skrip; hapus",
    "bad_decimal_comma.csv": "baris 1: 6 kolom, padahal baris judul 4 kolom (koma desimal di berkas berpemisah koma?",
}


@pytest.fixture
def import_into(store, domain, planner):
    """Run the whole import of an upload into ``store`` as a planner; the DataError message that stopped it."""

    def run(data: bytes) -> str:
        with pytest.raises(DataError) as stopped:
            preview = importer.read_upload(data)
            preview = importer.check_rows(preview, domain, store.sites(include_retired=True))
            importer.commit(preview, store, planner, TODAY)
        return str(stopped.value)

    return run


@pytest.mark.parametrize("name, message", BAD.items())
def test_bad_file_gives_its_message_and_leaves_the_store_unchanged(store, import_into, name, message):
    before = store_state(store)
    assert message in import_into((CORPUS / name).read_bytes())
    assert store_state(store) == before


def nested_geojson(depth: int) -> bytes:
    """A small GeoJSON whose coordinates are nested ``depth`` lists deep (Python's parsers recurse on nesting)."""
    coordinates = "[" * depth + "106.75, -6.3" + "]" * depth
    return ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"nama": "Posko", '
            '"program": "tsl-4-7-05"}, "geometry": {"type": "Point", "coordinates": ' + coordinates + "}}]}").encode()  # fmt: skip


def with_crs(tmp_path: Path, driver: str, suffix: str, crs: str | None, prj: str = "") -> bytes:
    """One Tangsel posko written by GDAL in ``crs`` (or with the given .prj text); a shapefile comes zipped."""
    frame = gpd.GeoDataFrame({"nama": ["Posko"], "program": ["tsl-4-7-05"]}, geometry=[Point(10, 10)], crs=crs)
    path = tmp_path / f"sites{suffix}"
    frame.to_file(path, driver=driver)
    if suffix != ".shp":
        return path.read_bytes()
    if prj:
        path.with_suffix(".prj").write_text(prj)
    return zipped({f"sites.{ext}": path.with_suffix(f".{ext}").read_bytes() for ext in ("shp", "shx", "dbf", "prj")})


LOCAL_CS = 'LOCAL_CS["site grid",LOCAL_DATUM["arbitrary",0],UNIT["metre",1],AXIS["X",EAST],AXIS["Y",NORTH]]'


@pytest.mark.filterwarnings("ignore:.crs. was not provided")  # the LOCAL_CS .prj is written by hand
@pytest.mark.parametrize(
    "make, key, message",
    [
        (lambda tmp: nested_geojson(900), "register.import_geometry_too_deep", "unreadable geometry (coordinates nested too deep)"),
        (lambda tmp: nested_geojson(100_000), "register.import_too_deep", "The JSON is nested too deep to read"),
        (lambda tmp: with_crs(tmp, "GPKG", ".gpkg", "IAU_2015:49900"), "register.import_crs_unusable", "The file's CRS 'Mars (2015) - Sphere / Ocentric' cannot be transformed"),
        (lambda tmp: with_crs(tmp, "ESRI Shapefile", ".shp", None, LOCAL_CS), "register.import_crs_unusable", "cannot be transformed to EPSG:4326"),
    ],
    ids=["geojson-900-deep", "json-too-deep", "mars-gpkg", "local-cs-shapefile"],
)
def test_hostile_files_give_a_message_not_a_traceback(store, import_into, tmp_path, make, key, message):
    data = make(tmp_path)
    before = store_state(store)
    with pytest.raises(DataError) as refused:
        [[problem]] = importer.read_upload(data).read_problems.values()  # a problem of the row, which cannot be stored
        raise problem
    assert refused.value.key == key or problem_keys(refused.value)[-1] == key
    assert message in refused.value.text("en") and refused.value.text("id") != refused.value.text("en")
    import_into(data)  # and the whole import stops with a message, storing nothing
    assert store_state(store) == before


def problem_keys(error: DataError) -> list[str]:
    """The message ids of a refusal and of the problems nested in it, outermost first."""
    nested = error.params.get("problem")
    return [error.key] + (problem_keys(nested) if isinstance(nested, DataError) else [])


def test_problems_are_numbered_as_the_preview_shows_them_and_dropped_by_that_number(check, domain):
    text = "nama;program;lintang;bujur\n\nPosko A;tsl-4-7-05;-6,2900;106,7300\nPosko B;tsl-4-7-05;-6,3100;106,7100\n" \
           "Posko C;tsl-9-9-99;-6,3000;106,7200\n"  # fmt: skip
    preview = check(text.encode())
    assert list(preview.rows["row"]) == [1, 2, 3]
    assert problems(preview) == ["baris 3, kolom program: program 'tsl-9-9-99' tidak ada di katalog program"]  # was "baris 5"
    kept = importer.check_rows(importer.drop_rows(preview, [3]), domain, [])
    assert list(kept.rows["keep"]) == [True, True, False]
    assert [s.name for s in importer.to_sites(kept, TODAY)] == ["Posko A", "Posko B"]


def test_markup_is_reported_in_every_text_field(check):
    preview = check((CORPUS / "bad_markup.geojson").read_bytes())
    flagged = [p for p in problems(preview) if p.endswith("berisi markup HTML/skrip; hapus")]
    assert flagged == [f"baris 1, kolom {field_label(column)}: berisi markup HTML/skrip; hapus" for column in importer.ALIASES]


def test_twice_oversized_file_is_refused_before_parsing(store, import_into):
    before = store_state(store)
    padding = b" " * (2 * importer.MAX_BYTES)
    message = import_into(b'{"type": "FeatureCollection", "features": []' + padding + b"}")
    assert message == "Berkas 64 MB melebihi batas 32 MB"
    assert store_state(store) == before


def test_feature_and_vertex_limits():
    many = geojson(*[(POSKO, CEMPAKA_PUTIH)] * (importer.MAX_FEATURES + 1))
    with pytest.raises(DataError, match=re.escape("Berkas berisi 100.001 fitur/baris, melebihi batas 100.000")):
        importer.read_upload(many)
    # Integer coordinates keep 200,001 vertices under the byte limit.
    line = json.dumps({"type": "Feature", "properties": POSKO, "geometry": {"type": "LineString", "coordinates": [[0, 0]] * 200_001}})
    with pytest.raises(DataError, match=re.escape("200.001 titik sudut (vertex), melebihi batas 200.000")):
        importer.read_upload(line.replace(" ", "").encode())


@pytest.mark.parametrize(
    "members, message",
    [
        ({f"f{i}.txt": b"" for i in range(importer.MAX_ZIP_MEMBERS)} | {"a.shp": b"", "a.shx": b"", "a.dbf": b""}, "melebihi batas 20"),
        ({"a.shp": bytes(importer.MAX_UNPACKED_BYTES + 1), "a.shx": b"", "a.dbf": b""}, "setelah dibuka, melebihi batas 128 MB (zip bomb?)"),
        ({"/etc/a.shp": b"", "/etc/a.shx": b"", "/etc/a.dbf": b""}, "path tidak aman '/etc/a.shp'"),
        ({"C:\\a.shp": b"", "C:\\a.shx": b"", "C:\\a.dbf": b""}, "path tidak aman"),
        ({"a.shp": b"not a shapefile", "a.shx": b"", "a.dbf": b""}, "a.shp di dalam zip bukan Shapefile"),
    ],
    ids=["members", "zip-bomb", "absolute", "drive", "not-shp"],
)
def test_unsafe_zips_are_refused_before_extraction(members, message):
    with pytest.raises(DataError, match=re.escape(message)):
        importer.read_upload(zipped(members))


def test_symlink_in_zip_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for ext in ("shp", "shx"):
            archive.writestr(f"a.{ext}", b"")
        link = zipfile.ZipInfo("a.dbf")
        link.external_attr = 0o120777 << 16  # a symbolic link to /etc/passwd
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(DataError, match="tautan simbolik 'a.dbf'"):
        importer.read_upload(buffer.getvalue())


def test_kml_that_fetches_or_expands_entities_is_refused():
    kml = b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><NetworkLink><Link><href>http://x/y.kml</href></Link></NetworkLink></kml>'
    with pytest.raises(DataError, match="NetworkLink"):
        importer.read_upload(kml)


def test_declared_crs_is_reprojected_and_an_unknown_one_refused():
    preview = importer.read_upload((CORPUS / "sites_utm48s.geojson").read_bytes())
    assert preview.file_problems == [] and preview.rows.crs.to_epsg() == 4326
    data = json.loads(geojson((POSKO, CEMPAKA_PUTIH)))
    data["crs"] = {"type": "name", "properties": {"name": "+proj=longlat +nadgrids=/etc/passwd"}}
    with pytest.raises(DataError, match="Anggota 'crs' GeoJSON tidak dikenali"):
        importer.read_upload(json.dumps(data).encode())


# --- row checks -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kab_tangerang_point(desa) -> Point:
    return desa[desa["kode_kab"] == "3603"].geometry.iloc[0].representative_point()


@pytest.mark.parametrize(
    "props, geom, message",
    [
        ({"program": "tsl-9-9-99", "name": "x"}, CEMPAKA_PUTIH, "baris 1, kolom program: program 'tsl-9-9-99' tidak ada di katalog program"),
        ({"program": "", "name": "x"}, CEMPAKA_PUTIH, "baris 1: program kosong"),
        ({"program": "tsl-1-1-01a", "name": "x"}, CEMPAKA_PUTIH, "program tsl-1-1-01a tidak dipetakan ke lapisan mana pun"),
        (POSKO | {"layer": "jembatan"}, CEMPAKA_PUTIH, "baris 1, kolom lapisan: 'jembatan' bukan lapisan program yang dikenal"),
        (POSKO | {"layer": "tps3r"}, CEMPAKA_PUTIH, "'tps3r' tidak cocok: program tsl-4-7-05 memakai lapisan 'posko_bencana'"),
        (POSKO | {"status": "planned"}, CEMPAKA_PUTIH, "baris 1: status 'planned' bukan salah satu dari: direncanakan, dalam_pembangunan"),
        (POSKO | {"presisi": "rt"}, CEMPAKA_PUTIH, "baris 1: presisi 'rt' bukan salah satu dari: titik, desa, kecamatan, wilayah"),
        (POSKO | {"name": " "}, CEMPAKA_PUTIH, "baris 1: nama kosong"),
        (POSKO | {"bukti": "ftp://x/y"}, CEMPAKA_PUTIH, "baris 1: bukti 'ftp://x/y' bukan tautan http(s)"),
        (POSKO | {"presisi": "titik"}, None, "baris 1: presisi titik perlu koordinat atau geometri"),
        (POSKO, LineString([(106.75, -6.30), (106.76, -6.30)]), "geometri LineString, padahal lapisan posko_bencana berisi titik"),
        (POSKO, MONAS, "baris 1: -6.17540, 106.82720 di luar Kota Tangerang Selatan, Kabupaten Tangerang, Kota Tangerang"),
        (POSKO | {"presisi": "kecamatan", "kode": "3674030"}, CEMPAKA_PUTIH, "presisi kecamatan tidak boleh membawa geometri"),
        (POSKO | {"presisi": "kecamatan", "kode": "36740"}, None, "kolom kode: presisi kecamatan perlu kode BPS 7 digit, bukan '36740'"),
        (POSKO | {"kode": "3674990"}, None, "baris 1, kolom kode: 3674990 tidak ada di antara wilayah"),
        (POSKO | {"kode": "3603010"}, None, "berada di Kabupaten Tangerang, padahal program tsl-4-7-05 milik Kota Tangerang Selatan"),
        (POSKO | {"name": "Posko \u202egpj.exe"}, CEMPAKA_PUTIH, "baris 1: nama berisi karakter kendali atau pembalik arah teks"),
        (POSKO | {"name": "x" * 301}, CEMPAKA_PUTIH, "baris 1: nama sepanjang 301 karakter, melebihi batas 300"),
    ],
)
def test_row_problem(check, props, geom, message):
    found = problems(check(geojson((props, geom))))
    assert any(message in p for p in found), found


def test_row_problems_are_shown_in_the_planners_language(check):
    preview = check(geojson((POSKO | {"status": "planned"}, MONAS)))
    assert problems(preview, "en") == [
        "row 1: status 'planned' is not one of: direncanakan, dalam_pembangunan, selesai, dibatalkan",
        "row 1: -6.17540, 106.82720 lies outside Kota Tangerang Selatan, Kabupaten Tangerang, Kota Tangerang",
    ]


def test_point_in_the_other_region_is_named(check, kab_tangerang_point):
    found = problems(check(geojson((POSKO, kab_tangerang_point))))
    assert found == ["baris 1: berada di Kabupaten Tangerang, padahal program tsl-4-7-05 milik Kota Tangerang Selatan"]


def test_precision_is_implied_by_geometry_or_code_length(check):
    preview = check(geojson((POSKO, CEMPAKA_PUTIH), (POSKO | {"kode": "3674030"}, None), (POSKO | {"kode": "3674"}, None)))
    assert list(preview.rows["precision"]) == ["titik", "kecamatan", "wilayah"]
    assert problems(preview) == []


def test_duplicates_of_register_sites(store, check):
    rempoa = Point(106.758625, -6.289342)
    existing = store.sites(include_retired=True) + [
        Site("posko-1", "tsl-4-7-05", "posko_bencana", "Posko Lama", Precision.EXACT, geometry=CEMPAKA_PUTIH),
        Site("posko-kec", "tsl-4-7-05", "posko_bencana", "Posko Kec.", Precision.KECAMATAN, admin_code="3674030"),
        Site("posko-2", "tsl-4-7-05", "posko_bencana", "Posko Ditarik", Precision.EXACT, geometry=rempoa, retired=True),
    ]
    nearby = Point(CEMPAKA_PUTIH.x + 0.0001, CEMPAKA_PUTIH.y)  # about 11 m east
    preview = check(
        geojson(
            (POSKO | {"id": "posko-1"}, Point(106.775827, -6.316145)),
            (POSKO, nearby),
            ({"program": "tsl-4-6-01a", "name": "TPS-3R di sebelah posko"}, nearby),
            (POSKO | {"kode": "3674030"}, None),
            (POSKO, rempoa),
            (POSKO | {"id": "posko-2"}, Point(106.737095, -6.282281)),
        ),
        existing,
    )
    assert [[str(p) for p in row] for row in preview.rows["problems"]] == [
        ["baris 1, kolom id: posko-1 sudah dipakai situs terdaftar posko-1 (Posko Lama)"],
        ["baris 2: 11 m dari situs terdaftar posko-1 (Posko Lama) dengan program sama; duplikat?"],
        [],  # another program may share the place
        ["baris 4: program dan kode 3674030 sama dengan situs terdaftar posko-kec (Posko Kec.); duplikat?"],
        [],  # a retired site frees its place ...
        ["baris 6, kolom id: posko-2 sudah dipakai situs terdaftar posko-2 (Posko Ditarik)"],  # ... but not its id
    ]


def test_duplicates_within_the_file_flag_the_later_row_until_one_is_dropped(check, domain):
    preview = check(geojson((POSKO, CEMPAKA_PUTIH), (POSKO | {"name": "Posko Uji lagi"}, CEMPAKA_PUTIH)))
    assert [[str(p) for p in row] for row in preview.rows["problems"]] == [[], ["baris 2: 0 m dari baris 1 dengan program sama; duplikat?"]]
    preview.rows["keep"] = [False, True]
    rechecked = importer.check_rows(preview, domain, [])
    assert problems(rechecked) == []
    assert [s.name for s in importer.to_sites(rechecked, TODAY)] == ["Posko Uji lagi"]


# --- fixes and the commit ---------------------------------------------------------------------------


def test_swap_is_offered_and_applied_only_when_accepted(check, domain):
    preview = check((CORPUS / "bad_swapped.geojson").read_bytes())
    assert importer.fix_candidates(preview) == {"tukar_koordinat": [1]}
    with pytest.raises(DataError, match="1 baris yang dipilih masih bermasalah"):
        importer.to_sites(preview, TODAY)
    fixed = importer.apply_fix(preview, "tukar_koordinat", [1, 2])  # row 2 is fine: left alone
    assert fixed.rows.geometry.iloc[0].equals_exact(CEMPAKA_PUTIH, 1e-9)
    assert fixed.rows.geometry.iloc[1].equals(preview.rows.geometry.iloc[1])
    with pytest.raises(DataError, match="periksa ulang"):
        importer.to_sites(fixed, TODAY)  # a fix must be checked again
    sites = importer.to_sites(importer.check_rows(fixed, domain, []), TODAY)
    assert [s.name for s in sites] == ["Posko Cempaka Putih – Ciputat Timur", "TPS-3R Pondok Ranji Ñ"]


def test_make_valid_fix_repairs_a_self_intersecting_polygon(check, domain):
    preview = check((CORPUS / "bad_self_intersecting.geojson").read_bytes())
    assert importer.fix_candidates(preview) == {"perbaiki_geometri": [1]}
    fixed = importer.check_rows(importer.apply_fix(preview, "perbaiki_geometri", [1]), domain, [])
    assert problems(fixed) == []
    (site,) = importer.to_sites(fixed, TODAY)
    assert site.geometry.geom_type == "MultiPolygon" and site.geometry.is_valid
    with pytest.raises(DataError, match="Perbaikan 'sulap' tidak dikenal"):
        importer.apply_fix(preview, "sulap", [1])


def test_unchecked_or_edited_preview_is_not_committed(check):
    preview = importer.read_upload((CORPUS / "sites.geojson").read_bytes())
    with pytest.raises(DataError, match="belum diperiksa"):
        importer.to_sites(preview, TODAY)
    checked = check((CORPUS / "sites.geojson").read_bytes())
    checked.rows.loc[0, "problems"].clear()  # hiding a problem is an edit too
    checked.rows.loc[1, "name"] = "diubah"
    with pytest.raises(DataError, match="berubah sejak diperiksa"):
        importer.to_sites(checked, TODAY)


def test_commit_stores_the_kept_rows_as_one_batch_and_a_repeat_is_caught(store, check, planner, domain):
    before = len(store.sites())
    preview = check((CORPUS / "sites.csv").read_bytes(), store.sites(include_retired=True))
    preview = importer.drop_rows(preview, [2])  # the second site, as the preview numbers it
    preview = importer.check_rows(preview, domain, store.sites(include_retired=True))
    batch = importer.commit(preview, store, planner, TODAY, note="sites.csv")
    assert len(store.sites()) == before + 4
    assert store.batches(1)[0] | {"at": None} == {
        "batch": batch, "kind": "import", "who": "rina", "at": None, "note": "sites.csv", "sites": 4, "undone_by": None,
    }
    assert store.get("imp-tsl-4-7-05-7f84132481").name == "Posko Cempaka Putih – Ciputat Timur"
    again = check((CORPUS / "sites.gpkg").read_bytes(), store.sites(include_retired=True))
    assert ["duplikat?" in " ".join(map(str, row)) for row in again.rows["problems"]] == [True, False, True, True, True]
    snapshot = store_state(store)
    with pytest.raises(DataError, match="4 baris yang dipilih masih bermasalah"):
        importer.commit(again, store, planner, TODAY)
    assert store_state(store) == snapshot


def test_nothing_kept_is_refused(check, domain):
    preview = check((CORPUS / "sites.geojson").read_bytes())
    preview.rows["keep"] = False
    with pytest.raises(DataError, match="Tidak ada baris yang dipilih"):
        importer.to_sites(importer.check_rows(preview, domain, []), TODAY)
