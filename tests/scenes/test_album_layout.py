"""The album holds its texts in place at both text sizes and in both languages: the title, count and
hint do not collide, and every card's name, rarity row and description stay apart and inside the card
(with everything owned, so the long descriptions show)."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pygame
import pytest

from game.app import App
from game.services import Services
from game.store import LocalStore
from game.ui.display import text_scale
from scenes.album import AlbumScene
from tests.scenes.harness import run_app


class Setup:
    """Sets the text size (as main.py does for --text-size) and, with ``own``, stores the server's word
    that this player owns every collectible (as a sync would); remembers the album drawn."""

    def __init__(self, size: str, own: bool) -> None:
        self.size, self.own = size, own
        self.album: AlbumScene | None = None

    def __call__(self, app: App, services: Services) -> None:
        session = services.session
        if self.album is None:
            services.text.set_scale(text_scale(self.size))
        if self.album is None and self.own:
            rows = [{"collectible_id": c.id, "serial": 7 if c.supply else None} for c in services.campaign.collectibles]
            session.store.settle(session.player_id, [], {"collectibles": rows}, None)
        if isinstance(app.stack.top, AlbumScene):
            self.album = app.stack.top


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", ["normal", "large"])
def test_album_texts_stay_apart_and_inside_their_cards(tmp_path: Path, size: str, lang: str) -> None:
    watch = Setup(size, own=True)
    store = LocalStore.open(tmp_path / "progress.db")
    try:
        run = run_app(tmp_path, store, scene="album", lang=lang, frames=8, wait_for_art=False, on_frame=watch)
        album = watch.album
        assert album is not None and album._cards
        items = run.services.campaign.collectibles
        assert set(album.owned()) == {c.id for c in items}
    finally:
        store.close()
    boxes = album.text_boxes
    header = [boxes["title"], boxes["count"]]
    assert not boxes["title"].colliderect(boxes["count"])
    assert boxes["count"].right <= album.scan.rect.x
    first_row = min(rect.top for rect, _ in album._cards)
    assert all(box.bottom <= first_row for box in header)
    inside = pygame.Rect(0, 0, album.grid.card_w, album.grid.card_h).inflate(-6, -6)  # the card as drawn
    for item in items:
        parts = {part: boxes[f"{item.id}:{part}"] for part in ("name", "rarity", "desc")}
        for part, box in parts.items():
            assert inside.contains(box), f"{item.id} {part} {box} leaves the card ({size}, {lang})"
        for (a, box_a), (b, box_b) in combinations(parts.items(), 2):
            assert not box_a.colliderect(box_b), f"{item.id}: {a} runs into {b} ({size}, {lang})"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_empty_album_hint_sits_between_the_title_and_the_cards(tmp_path: Path, lang: str) -> None:
    watch = Setup("large", own=False)
    store = LocalStore.open(tmp_path / "progress.db")
    try:
        run_app(tmp_path, store, scene="album", lang=lang, frames=6, wait_for_art=False, on_frame=watch)
    finally:
        store.close()
    album = watch.album
    assert album is not None
    title, hint = album.text_boxes["title"], album.text_boxes["hint"]
    assert hint.top >= title.bottom
    assert hint.bottom <= min(rect.top for rect, _ in album._cards)
