"""Safe text in a real browser: what Streamlit's Markdown makes of escaped data, and a hostile site name on every page.

Streamlit rewrites some plain text after Markdown is parsed (bare URLs and e-mail addresses become links,
``:name:`` an icon, ``->`` an arrow), so what :func:`texts.safe.markdown_text` must do is decided by the frontend,
not by a Markdown specification: these tests run Debian's chromium against ``streamlit run``. Requests are recorded:
an image in Markdown would be fetched from 127.0.0.1:9. Screenshots land in tests/artifacts/.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode, urlsplit

import pytest
from shapely.geometry import Point

from geo.config import PROJECT_ROOT
from layers.model import Precision, Site
from register.auth import require_planner
from register.store import SQLiteSiteStore
from conftest import ARTIFACTS, MAP_FRAME, PLANNER_PASSWORD, streamlit_server

pytestmark = pytest.mark.browser

PAYLOAD = "[x](http://evil.example) ![i](http://127.0.0.1:9/b.png)"
HOSTILE = ("evil.example", "127.0.0.1:9")
WJ = "\u2060"
CORPUS = [
    PAYLOAD,
    "http://evil.example/x HTTPS://EVIL.EXAMPLE www.evil.example WWW.evil.example a@evil.example <http://evil.example/a>",
    "Pos :smile: :fire: :+1: :material/home: :material_home: :streamlit: jam 08:00",
    "A -> B <- C <-> D -- E >= 1 <= 2 ~= 3 a-->b",
    "**tebal** _miring_ ~~coret~~ `kode` $x^2$ $$y$$ \\(a\\)",
    ":red[merah] :blue-background[biru] :small[kecil] :help[h]",
    "<b>html</b> &amp; &lt; &#60; [ref]: http://evil.example x[^1]",
    "# judul",
    "1. daftar",
    "- butir",
    "> kutipan | a | b",
    "garis miring terbalik di akhir \\",
    'Jl. Raya Serpong km 7 (RT 01/02) "Pos" it\'s 50% =HYPERLINK("http://x","y")',
]
# Every place Streamlit renders Markdown that a page of this app puts data into.
CORPUS_APP = """
import json, sys
sys.path.insert(0, {root!r})
import streamlit as st
from texts.safe import markdown_text

for i, text in enumerate(json.loads(open({corpus!r}).read())):
    shown = markdown_text(text)
    with st.container(key=f"item{{i}}"):
        st.markdown(shown)
        st.caption(shown)
        st.warning(shown)
        st.success(shown)
        st.header(shown, anchor=False)
        with st.expander(shown):
            st.write("isi")
        st.radio(shown, [shown], key=f"radio{{i}}")
        st.tabs([shown])
        st.metric(shown, 1, help=shown)
        st.table({{"kolom": [shown]}})
        st.button(shown, key=f"button{{i}}")
st.write("selesai")
"""
KINDS = 12  # Markdown texts per item: markdown, caption, 2 alerts, header, expander, radio label and option, tab, metric, table cell, button


def record(page) -> list[str]:
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    return requests


def assert_no_hostile_link_or_image(page, requests: list[str]) -> None:
    frames = [page.main_frame, *page.main_frame.child_frames]
    for frame in frames:
        for host in HOSTILE:
            assert frame.locator(f'a[href*="{host}"]').count() == 0, (frame.url, host)
            assert frame.locator(f'img[src*="{host}"]').count() == 0, (frame.url, host)
    assert [u for u in requests if urlsplit(u).netloc in HOSTILE] == []


def test_escaped_text_reads_as_typed_in_every_markdown_place(browser, tmp_path):  # noqa: F811
    corpus = tmp_path / "corpus.json"
    corpus.write_text(json.dumps(CORPUS))
    script = tmp_path / "corpus_app.py"
    script.write_text(CORPUS_APP.format(root=str(PROJECT_ROOT), corpus=str(corpus)))
    with streamlit_server(script, {}, tmp_path / "streamlit.log") as url:
        page = browser.new_page(viewport={"width": 1200, "height": 1000})
        requests = record(page)
        page.goto(url)
        page.get_by_text("selesai").wait_for(timeout=90_000)
        # Elements whose code or Markdown plugins (emoji, math) load lazily show a skeleton until then.
        page.wait_for_function("() => !document.querySelector('[data-testid=stSkeleton]')", timeout=60_000)
        page.wait_for_timeout(1000)
        for i, text in enumerate(CORPUS):
            item = page.locator(f".st-key-item{i}")
            texts = item.locator('[data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"]').all_inner_texts()
            data = [t.replace(WJ, "") for t in texts if t not in ("", "1", "kolom")]  # "" is the closed expander's body
            assert len(data) >= KINDS and set(data) == {text}, (text, set(data))
            assert item.locator("a, img, [role=img], .katex, strong, em, del, code, h1, blockquote, li").count() == 0
        assert_no_hostile_link_or_image(page, requests)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1200, "height": 2400})
        page.screenshot(path=str(ARTIFACTS / "safe-text-corpus.png"))
        page.close()


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory, planner, domain):
    """The app on a register holding an exact-point posko in Pondok Aren whose name and source are the payload."""
    store_path = tmp_path_factory.mktemp("store") / "sites.sqlite"
    SQLiteSiteStore(store_path, require_planner, domain).add(
        [Site(id="payload", program="tsl-4-7-05", layer="posko_bencana", name=PAYLOAD, precision=Precision.EXACT,
              geometry=Point(106.7180, -6.2745), source=PAYLOAD, updated="2026-11-23")],
        planner,
    )  # fmt: skip
    log = tmp_path_factory.mktemp("log") / "streamlit.log"
    with streamlit_server(PROJECT_ROOT / "app.py", {"PETA_STORE": str(store_path)}, log) as url:
        yield url


def _wait_for_map(page) -> None:
    page.frame_locator(MAP_FRAME).first.locator("path.leaflet-interactive >> visible=true").first.wait_for(timeout=90_000)


def test_hostile_site_name_is_text_on_every_page(hostile_server, browser, tmp_path):  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    requests = record(page)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{hostile_server}/?kec=3674060")
    _wait_for_map(page)
    marker = page.frame_locator(MAP_FRAME).locator("path.leaflet-interactive[d*='a7,7']")
    page.wait_for_timeout(1000)
    marker.first.click()
    popup = page.frame_locator(MAP_FRAME).locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    assert PAYLOAD in popup.inner_text()
    assert_no_hostile_link_or_image(page, requests)

    page.goto(f"{hostile_server}/?hal=dekat&lat=-6.2745&lon=106.718")
    item = page.locator('[data-testid="stExpander"]').filter(has_text="[x](http")  # the word joiner follows "http:"
    item.first.wait_for(timeout=90_000)
    item.first.locator("summary").click()
    item.first.get_by_text("Sumber").wait_for(timeout=10_000)
    assert item.first.inner_text().replace(WJ, "").count(PAYLOAD) == 2  # the label and the source line
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / "safe-text-near.png"))
    assert_no_hostile_link_or_image(page, requests)

    page.goto(f"{hostile_server}/?hal=cakupan&lap=posko_bencana")
    _wait_for_map(page)
    assert_no_hostile_link_or_image(page, requests)

    page.goto(f"{hostile_server}/?hal=janji")
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=90_000)
    assert_no_hostile_link_or_image(page, requests)

    page.goto(f"{hostile_server}/?hal=ringkasan&area=3674060")
    page.get_by_role("heading", name="Kecamatan Pondok Aren").wait_for(timeout=90_000)
    table = page.locator('[data-testid="stTable"]').filter(has_text="[x](http")
    table.first.wait_for(timeout=60_000)
    assert PAYLOAD in table.first.inner_text().replace(WJ, "")
    table.first.scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / "safe-text-briefing.png"))
    assert_no_hostile_link_or_image(page, requests)

    # A link whose parameter names are Markdown: the notice names them as text.
    names = {"hal": "peta", "[Masuk ulang](http://evil.example)": "1", "![i](http://127.0.0.1:9/b.png)": "1"}
    page.goto(f"{hostile_server}/?{urlencode(names)}")
    notice = page.locator('[data-testid="stAlert"]').filter(has_text="diabaikan")
    notice.wait_for(timeout=90_000)
    assert "[Masuk ulang](http://evil.example)" in notice.inner_text().replace(WJ, "")
    page.screenshot(path=str(ARTIFACTS / "safe-text-parameters.png"))
    assert_no_hostile_link_or_image(page, requests)

    # The planner's page: the site in the edit list, and an upload whose error quotes the file.
    upload = tmp_path / "bukan.json"
    upload.write_text(json.dumps({"type": PAYLOAD}))
    page.goto(f"{hostile_server}/?hal=kelola")
    page.get_by_text("Masuk sebagai perencana").click(timeout=90_000)
    page.get_by_label("Nama pengguna").fill("rina")
    page.get_by_label("Kata sandi").fill(PLANNER_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    refused = page.locator('[data-testid="stAlert"]').filter(has_text="Berkas ditolak")
    refused.wait_for(timeout=60_000)
    assert PAYLOAD in refused.inner_text().replace(WJ, "")
    page.get_by_role("tab", name="Ubah lokasi").click()
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Lokasi").first.click()
    page.keyboard.type("(payload)")
    page.get_by_role("option", name=f"{PAYLOAD} (payload)").wait_for(timeout=30_000)  # a plain-text option, as typed
    page.screenshot(path=str(ARTIFACTS / "safe-text-manage.png"), full_page=True)
    assert_no_hostile_link_or_image(page, requests)
    assert dialogs == []
    page.close()
