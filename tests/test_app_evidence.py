"""The evidence in the app: the promise page (?hal=janji&program=...) and the tracker's search record, run with AppTest."""

from __future__ import annotations

import json

from tests.test_app import fresh


def texts(at) -> str:
    return "\n".join(e.value for kind in ("markdown", "caption", "warning", "info", "subheader") for e in getattr(at, kind))


def links(at) -> list[str]:
    return [b.proto.url for b in at.get("link_button")]


def test_promise_page_in_indonesian_shows_the_dated_evidence_with_links(tmp_path, monkeypatch):
    at = fresh(tmp_path, monkeypatch, hal="janji", program="tsl-1-1-01")
    shown = texts(at)
    assert "Pembangunan 4 unit sekolah baru SMP, satu di wilayah Kecamatan Setu" in shown  # verbatim, with its line
    assert "baris 41" in shown and "4 unit sekolah baru SMP" in shown
    # newest first, each dated with its precision and status
    assert shown.index("**15 Desember 2025** · Berjalan") < shown.index("**17 Oktober 2025** · Rencana")
    # SMPN 18 and 20 are rebuilds of existing schools, in Pondok Benda (Pamulang) and Bakti Jaya (Setu) ...
    assert "SMPN 18 \\(Pondok Benda, Pamulang\\) dan SMPN 20 \\(Bakti Jaya, Setu\\)" in shown
    assert "rebuilds of EXISTING schools" in shown
    # ... and the only new SMP planned, SMPN 25 and 26, are in Serua and Jombang, Ciputat: not a named kecamatan
    assert "SMPN 25 dan SMPN 26 baru di Serua dan Jombang, Ciputat" in shown
    assert "tidak disebut janji: **Ciputat**" in shown and "Di luar kecamatan yang disebut janji:** Ciputat" in shown
    assert "Dalam proses" in at.warning[0].value
    assert any("tangselpos.id" in url for url in links(at)) and all(url.startswith("https://") for url in links(at))
    assert at.code[0].value.endswith("?hal=janji&program=tsl-1-1-01")
    # the map draws the evidence desa as areas (Serua is BPS "Sarua")
    [component] = at.get("component_instance")
    script = json.loads(component.proto.json_args)["script"]
    assert "Sarua" in script and "Bakti Jaya" in script


def test_promise_page_in_english(tmp_path, monkeypatch):
    at = fresh(tmp_path, monkeypatch, hal="janji", program="tsl-1-1-01", bahasa="en")
    shown = texts(at)
    assert "**15 December 2025** · Under way · counts as delivery" in shown
    assert "SMPN 18 \\(Pondok Benda, Pamulang\\) and SMPN 20 \\(Bakti Jaya, Setu\\)" in shown
    assert "two new state junior high schools \\(SMPN 25 and 26\\) in Serua and Jombang, Ciputat" in shown
    assert "does not name: **Ciputat**" in shown
    assert "In progress" in at.warning[0].value
    assert len(links(at)) == 3
    assert at.code[0].value.endswith("?hal=janji&program=tsl-1-1-01&bahasa=en")


def test_back_to_all_promises(tmp_path, monkeypatch):
    at = fresh(tmp_path, monkeypatch, hal="janji", program="tsl-1-1-01")
    at.button(key="t_back").click().run()
    assert not at.exception
    assert at.dataframe and "program" not in at.query_params


def test_tracker_says_griya_sehat_was_searched_and_nothing_found(tmp_path, monkeypatch):
    at = fresh(tmp_path, monkeypatch, hal="janji", q="Griya Sehat")
    table = at.dataframe[0].value
    row = table[table["ID"] == "tsl-1-2-08"].iloc[0]
    assert row["Status"] == "Belum ada bukti"
    assert row["Alasan status"] == "Belum ada bukti: dicari, tidak ditemukan (per Februari 2026)."
    assert "Griya Sehat Tangsel" in row["Pencarian"]
    assert row["Halaman janji"] == "./?hal=janji&program=tsl-1-2-08"
    # its own page lists the queries too
    page = fresh(tmp_path, monkeypatch, hal="janji", program="tsl-1-2-08")
    assert "dicari, tidak ditemukan" in page.info[0].value
    assert "Griya Sehat Tangsel" in texts(page) and not links(page)


def test_near_me_lists_the_evidence_in_my_desa_and_kecamatan(tmp_path, monkeypatch, desa):
    sarua = desa.loc[desa["kode_desa"] == "3674040001"].geometry.iloc[0].representative_point()
    at = fresh(tmp_path, monkeypatch, hal="dekat", lat=f"{sarua.y:.5f}", lon=f"{sarua.x:.5f}")
    shown = texts(at)
    assert "Yang terjadi di dekat saya" in shown
    mine, kecamatan = (frame.value for frame in at.dataframe[-2:])  # the near page ends with my desa, then my kecamatan
    assert any("SMPN 25 dan SMPN 26" in c for c in mine["Yang terjadi"])
    assert "Sarua (Ciputat)" in mine["Tempat"].iloc[0]
    # the rest of Ciputat: e.g. the tandon in Jombang, not this desa
    assert len(kecamatan) and not kecamatan["Tempat"].str.contains("Sarua \\(Ciputat\\)$").all()
    assert all(u.startswith("https://") for u in mine["Sumber"])
