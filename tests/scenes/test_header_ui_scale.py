"""The album's header at the top of the UI scale range: Back and Scan grow to hold their labels at the
size asked for (no shrinking), and the title and count sit between them."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.app import App
from game.services import Services
from game.ui.display import UI_SCALE_RANGE, text_scale
from game.ui.layout import LOGICAL_SIZE
from scenes.album import AlbumScene
from tests.fakes import MemoryStore
from tests.scenes.harness import run_app


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_album_header_buttons_hold_their_labels_and_the_title_sits_between(tmp_path: Path, lang: str) -> None:
    seen: dict[str, AlbumScene] = {}

    def scaled(app: App, services: Services) -> None:
        if app.frame == 0:
            services.text.set_scale(text_scale("normal", UI_SCALE_RANGE[1]))
        if isinstance(app.stack.top, AlbumScene):
            seen["album"] = app.stack.top

    run = run_app(tmp_path, MemoryStore(), scene="album", lang=lang, frames=4, wait_for_art=False, on_frame=scaled)
    album, text = seen["album"], run.services.text
    for button in (album.back, album.scan):
        label_w, label_h = text.size(button.label, 30, "bold")
        assert label_w <= button.rect.w - 24 and label_h <= button.rect.h, f"{button.id} is smaller than its label"
        assert button.rect.x >= 0 and button.rect.x + button.rect.w <= LOGICAL_SIZE[0]
    assert album.text_boxes["title"].left >= album.back.rect.x + album.back.rect.w
    assert album.text_boxes["count"].right <= album.scan.rect.x
