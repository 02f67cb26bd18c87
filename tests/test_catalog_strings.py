"""Every interface string exists in both languages and format placeholders agree."""

import re

from texts.catalog import STRINGS, translator


def test_same_keys_in_both_languages():
    assert set(STRINGS["id"]) == set(STRINGS["en"])


def test_placeholders_match():
    for key, text in STRINGS["id"].items():
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", STRINGS["en"][key])), key


def test_translator_switches_language():
    assert translator("id")("status_selesai") == "Selesai"
    assert translator("en")("status_selesai") == "Built"
