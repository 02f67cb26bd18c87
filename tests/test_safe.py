"""The escapers of texts.safe, one per context.

What Streamlit's Markdown does with the escaped text (links, images, icons, arrows) is checked in a real browser by
``tests/test_browser_safetext.py``; here each function's contract is pinned down.
"""

from __future__ import annotations

import json
import math
import re

import pandas as pd
import pytest

from texts.safe import (
    MISSING, cell_frame, cell_text, csv_bytes, has_control, html_text, http_url, markdown_link, markdown_text, script_json,
)

WJ = "\u2060"  # word joiner: invisible, splits what Streamlit would rewrite after parsing
PAYLOAD = "[x](http://evil.example) ![i](http://127.0.0.1:9/b.png)"


def unescape(markdown: str) -> str:
    """What a CommonMark reader shows for escaped text: backslash escapes resolved, word joiners invisible."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WJ, "")


# --- html_text ---


def test_html_text_escapes_markup_and_quotes():
    assert html_text('"a"&<b>\'') == "&quot;a&quot;&amp;&lt;b&gt;&#x27;"
    assert html_text("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    assert html_text("{{ 7*7 }}") == "&#123;&#123; 7*7 &#125;&#125;"  # folium renders the HTML as a Jinja template again


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA])
def test_html_and_markdown_show_a_missing_value_as_a_dash(missing):
    assert html_text(missing) == MISSING and markdown_text(missing) == MISSING


def test_html_text_of_numbers_is_their_plain_text():
    assert html_text(3) == "3" and html_text(2.5) == "2.5"


# --- script_json ---


@pytest.mark.parametrize(
    "value",
    ["</script><script>alert(1)</script>", "<!-- x", "a & b > c", "\u2028\u2029", 'say "hi" \\ n', "{{ 7*7 }} {% if %} {# x #}",
     [[106.7, -6.2, "Pos {{x}} </script>"]], {"nama": "a\"}{b", "n": {"m": 1}}],
)  # fmt: skip
def test_script_json_cannot_leave_the_script_or_open_a_template_and_reads_back(value):
    literal = script_json(value)
    assert not set("<>&") & set(literal) and "\u2028" not in literal
    assert not any(mark in literal for mark in ("{{", "{%", "{#"))
    assert json.loads(literal) == value


# --- markdown_text ---


@pytest.mark.parametrize(
    "text",
    [
        PAYLOAD,
        "**tebal** _miring_ ~~coret~~ `kode` $x^2$ $$y$$",
        ":red[merah] :blue-background[biru] :small[kecil] :material/home: :streamlit: :smile:",
        "<b>html</b> &amp; &lt; &#60; <http://evil.example/auto>",
        "# judul",
        "1. daftar",
        "- butir",
        "+ butir",
        "> kutipan",
        "a | b | c",
        "[ref]: http://evil.example",
        "x[^1] y",
        "akhir dengan garis miring terbalik \\",
        'Jl. Raya Serpong km 7 (RT 01/02), 08:00-10:00 "Pos" it\'s 50%',
        "Pondok Aren",
        "",
    ],
)
def test_markdown_text_reads_as_the_original(text):
    escaped = markdown_text(text)
    assert unescape(escaped) == text
    # Every Markdown punctuation mark is escaped, so nothing can open a construct.
    assert not re.search(r"(?<!\\)[\[\]()!*_`~<>#|$:&]", escaped.replace("\\\\", ""))


def test_markdown_text_keeps_text_on_one_line():
    assert markdown_text("Baris satu\n\n# dua\r\n  > tiga\t empat") == r"Baris satu \# dua \> tiga empat"


def test_markdown_text_breaks_bare_links_and_emails():
    # GFM turns these into links from the plain text, after backslash escapes are resolved.
    escaped = markdown_text("http://evil.example/x HTTPS://evil.example www.evil.example WWW.evil.example a@evil.example")
    assert "http\\:" + WJ + "//" in escaped and "HTTPS\\:" + WJ + "//" in escaped
    assert "www" + WJ + "\\." in escaped and "WWW" + WJ + "\\." in escaped
    assert "@" + WJ + "evil" in escaped


def test_markdown_text_breaks_shortcodes_and_arrows():
    escaped = markdown_text(":smile: :material/home: :streamlit: A -> B <- C <-> D -- E >= 1 <= 2 ~= 3 a-->b")
    assert not re.search(r":[\w+-]+\\?:", escaped.replace("\\", ""))  # no ":name:" left for emoji or icons
    for arrow in ("->", "<-", "<->", "--", ">=", "<=", "~="):
        spaced = escaped.replace("\\", "").replace(WJ, "|")
        assert f" {arrow} " not in spaced
    assert "a\\-\\-\\>b" in escaped  # not a stand-alone arrow: left as typed


def test_markdown_text_of_numbers_and_plain_words_is_unchanged():
    assert markdown_text("Pondok Aren") == "Pondok Aren"
    assert markdown_text(12) == "12"


# --- markdown_link ---


def test_markdown_link_escapes_its_text_and_encloses_the_url():
    assert markdown_link("[x](y)", "https://example.org/a_(b)") == r"[\[x\]\(y\)](<https://example.org/a_(b)>)"


def test_markdown_link_encodes_what_could_end_the_destination():
    assert markdown_link("x", "https://e.org/a<b>c\\d") == "[x](<https://e.org/a%3Cb%3Ec%5Cd>)"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "//evil.example", "http://", None, "ftp://e.org"])
def test_markdown_link_without_a_web_url_is_plain_text(url):
    assert markdown_link("[bukti](x)", url) == r"\[bukti\]\(x\)"


# --- http_url ---


@pytest.mark.parametrize("url", ["http://example.org", "https://example.org/a?b=c#d", " HTTPS://Example.org/x "])
def test_http_url_accepts_web_links(url):
    assert http_url(url) == url.strip()


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:x", "file:///etc/passwd", "ftp://example.org", "//example.org", "example.org", "http://", "https:///x",
        "http://exa mple.org", "http://example.org/\u202egpj.exe", "http://example.org/\nx", "http://[::1", "", None, 42,
    ],
)  # fmt: skip
def test_http_url_refuses_everything_else(url):
    assert http_url(url) is None


# --- has_control ---


@pytest.mark.parametrize("text", ["a\u202eb", "a\u200fb", "a\x00b", "a\x1bb", "a\u2066b", "a\ufeffb", "a\rb"])
def test_has_control_finds_control_and_bidi_characters(text):
    assert has_control(text)


@pytest.mark.parametrize("text", ["Pondok Aren", "baris\nbaru\tdan tab", "Café – ‘kutip’ 😀", ""])
def test_has_control_lets_ordinary_text_pass(text):
    assert not has_control(text)


# --- cell_text / cell_frame ---


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://x","y")', "+62 21 123", "-1+1", "@SUM(A1)", "\t=1", "\r=1", " =1+1", "\u3000=1", "\uff1d1+1",
     "\uff0b1", "\uff0d1", "\uff201"],
)  # fmt: skip
def test_cell_text_neutralises_formula_starts(text):
    assert cell_text(text) == "'" + text


@pytest.mark.parametrize("value", ["Pondok Aren", "a=b", "50%", "", "'quoted", 3, -2.5, None, True])
def test_cell_text_leaves_other_values(value):
    assert cell_text(value) == value


def test_cell_text_keeps_missing_numbers():
    assert math.isnan(cell_text(float("nan")))


def test_cell_frame_neutralises_text_columns_only():
    frame = pd.DataFrame({"name": ["=1+1", "Pos", None], "n": [-1, 2, 3], "mixed": ["@x", 4, "ok"]})
    out = cell_frame(frame)
    assert out["name"].tolist()[:2] == ["'=1+1", "Pos"] and pd.isna(out["name"].iloc[2])
    assert out["n"].tolist() == [-1, 2, 3] and out["n"].dtype == frame["n"].dtype
    assert out["mixed"].tolist() == ["'@x", 4, "ok"]
    assert frame["name"].iloc[0] == "=1+1"  # the input is left as it was


def test_csv_bytes_neutralises_and_quotes_text_and_leaves_numbers_bare():
    frame = pd.DataFrame({"name": ["a;=1+1", "=2"], "n": [1.5, float("nan")], "k": [3, 4]})
    assert csv_bytes(frame).decode("utf-8-sig").splitlines() == ['"name","n","k"', '"a;=1+1",1.5,3', '"\'=2","",4']
    assert csv_bytes(frame).startswith("\ufeff".encode())
