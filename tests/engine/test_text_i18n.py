"""Fonts, fallback, wrapping, caching, and the string tables."""

from __future__ import annotations

import pygame
import pytest

from game.i18n import Translator, load_tables, placeholders
from game.ui.text import FACES, FONTS_DIR, TextRenderer, load_face, split_runs, wrap_words


@pytest.fixture(scope="module")
def text() -> TextRenderer:
    pygame.font.init()
    return TextRenderer()


def test_bundled_fonts_and_licence_exist() -> None:
    for name in FACES:
        face = load_face(name)
        assert face.path is not None and face.path.stat().st_size > 100_000
        assert face.chars is not None and "重" in face.chars and "A" in face.chars
    licence = (FONTS_DIR / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE" in licence


def test_every_string_is_covered_by_every_font() -> None:
    tables = load_tables()
    for name in FACES:
        chars = load_face(name).chars
        assert chars is not None
        missing = {ch for table in tables.values() for s in table.values() for ch in s
                   if ch not in chars and not ch.isspace()}
        assert not missing, (name, missing)


def test_split_runs_marks_uncovered_characters() -> None:
    runs = split_runs("ab✕c", frozenset("abc"))
    assert runs == [("ab", True), ("✕", False), ("c", True)]


def test_render_uses_fallback_for_missing_glyphs(text: TextRenderer) -> None:
    surf = text.render("打卡 ✕ 𠀀", 32, (0, 0, 0))
    assert surf.get_width() > 60 and surf.get_height() > 20


def test_render_is_cached(text: TextRenderer) -> None:
    before = text.misses
    a = text.render("山城步数", 40, (10, 20, 30))
    b = text.render("山城步数", 40, (10, 20, 30))
    assert a is b and text.misses == before + 1


def test_wrapping_english_at_spaces_and_chinese_anywhere(text: TextRenderer) -> None:
    en = text.wrap("The quick brown fox jumps over the lazy dog again and again", 30, 300)
    assert len(en) > 1 and all(text.size(line, 30)[0] <= 300 for line in en)
    assert all(not line.startswith(" ") for line in en)
    zh = text.wrap("洪崖洞是依山而建的吊脚楼建筑群，夜景灯火辉煌。" * 2, 30, 300)
    assert len(zh) > 2 and all(text.size(line, 30)[0] <= 300 for line in zh)


def test_wrap_truncates_with_ellipsis() -> None:
    lines = wrap_words("one two three four five six", lambda s: len(s) <= 9, max_lines=2)
    assert len(lines) == 2 and lines[-1].endswith("…") and len(lines[-1]) <= 9


def test_string_tables_have_the_same_keys_and_placeholders() -> None:
    tables = load_tables()
    assert set(tables["zh"]) == set(tables["en"])
    for key in tables["zh"]:
        assert placeholders(tables["zh"][key]) == placeholders(tables["en"][key]), key


def test_translator_switches_live_and_survives_missing_keys() -> None:
    t = Translator(load_tables(), "zh")
    assert t.t("attract.touch") == "轻触开始"
    t.toggle()
    assert t.t("attract.touch") == "Touch to start"
    assert t.t("no.such.key") == "no.such.key" and "no.such.key" in t.missing
    assert "12" in t.t("map.next_tier", n=12, tier="Gold")
    with pytest.raises(ValueError, match="unknown language"):
        t.set_lang("fr")
