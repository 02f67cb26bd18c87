"""The tracker and the briefing pages as a council member reads them (AppTest): groups, links, notes, sources."""

from __future__ import annotations

from tests.test_app import fresh

CURUG = "3603050"


def plain(text: str) -> str:
    """Markdown source as it reads: without the escapes and word joiners of texts.safe.markdown_text."""
    return text.replace("\\", "").replace("\u2060", "")


def test_curug_briefing_names_its_corridor_region_wide_programs_and_its_own_sources(tmp_path, monkeypatch):
    at = fresh(tmp_path, monkeypatch, hal="ringkasan", area=CURUG)
    assert at.header[0].value == "Kecamatan Curug"
    subheaders = [s.value for s in at.subheader]
    assert "Ruas jalan yang disebut untuk Curug" in subheaders and "Berlaku untuk seluruh Kabupaten Tangerang" in subheaders
    tables = [t.value.map(lambda v: plain(v) if isinstance(v, str) else v) for t in at.table]
    corridors = next(t for t in tables if "Ruas yang disebut" in t.columns)
    assert list(corridors["Ruas yang disebut"]) == ["Jalan Raya Curug \u2013 Legok"]
    region_wide = next(t for t in tables if "Program" in t.columns and t["Program"].str.contains("(kab-11-01)", regex=False).any())
    assert len(region_wide) == 2
    captions = plain(" ".join(c.value for c in at.caption))
    assert "termasuk Curug" in captions and "75 program lain" in captions
    # Sources by name, of Kabupaten Tangerang only, in Indonesian, with Indonesian dates.
    assert "angka kecamatan Kabupaten Tangerang 2015" in captions and "25 Oktober 2023" in captions
    for absent in ("Disdukcapil", "github", "values as", "Population", "Oct "):
        assert absent not in captions, absent


def tracker_table(at):
    return at.dataframe[0].value


def test_kabupaten_lists_15_program_unggulan_with_their_kegiatan_under_them(tmp_path, monkeypatch):
    at = fresh(tmp_path, monkeypatch, hal="janji", j_wil="3603")
    table = tracker_table(at)
    names = table["Program"]
    flagship = ~names.str.startswith("\u2003\u21b3 ")
    assert flagship.sum() == 15 and (~flagship).sum() == 67
    assert names.iloc[0].startswith("1. ") and names.iloc[-1].startswith("\u2003\u21b3 15.")
    # Each kegiatan comes after its program unggulan and before the next one.
    group = flagship.cumsum()
    numbers = names.str.extract(r"^(?:\u2003\u21b3 )?(\d+)")[0].astype(int)
    assert (numbers == group).all()
    assert "15 program unggulan, 67 kegiatan" in " ".join(c.value for c in at.caption)
    # Beside the name, the link to its promise page.
    pekat = table.set_index("ID").loc["kab-14"]
    assert pekat["Program"] == "14. PEKAT LANTAS (Pengendalian Kemacetan Lalu Lintas)"
    assert pekat["Halaman janji"] == "./?hal=janji&program=kab-14"


def test_a_kecamatan_filter_says_how_many_region_wide_programs_it_hides(tmp_path, monkeypatch):
    at = fresh(tmp_path, monkeypatch, hal="janji")
    assert not at.info  # no kecamatan filter: nothing hidden
    at = fresh(tmp_path, monkeypatch, hal="janji", j_kec="3674030")
    [note] = [i.value for i in at.info]
    shown = set(tracker_table(at)["ID"])
    assert "tsl-4-2-13" not in shown  # the 1.000 WiFi points: for the whole city, no place yet
    n = int(note.split()[0])
    assert n > 100 and "seluruh kota/kabupaten" in note and "saringan kecamatan" in note
