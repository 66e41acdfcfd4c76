"""The album at every text scale, in both languages, with everything owned (the longest texts): each card's
name, rarity, status and whole description stay inside the card and apart; the cards stay on the screen
below the header and apart; the grid scrolls to its last card; Back and Scan hold their labels."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pygame
import pytest

from game.actions import Action, Kind
from game.app import App
from game.services import Services
from game.store import LocalStore
from game.ui.layout import LOGICAL_SIZE, MIN_TOUCH
from scenes.album import AlbumScene
from tests.scenes.conftest import SceneAtScale
from tests.scenes.layout_checks import SCALES

PARTS = ("name", "rarity", "status", "desc")


def _album(scene_at_scale: SceneAtScale, db: Path, lang: str, size: str, scale: float,
           scroll: bool = False) -> tuple[AlbumScene, Services]:
    """The album with every collectible owned, in a real local store at ``db``."""

    def own_all(app: App, services: Services) -> None:
        if app.frame == 0:
            session = services.session
            rows = [{"collectible_id": c.id, "serial": 7 if c.supply else None} for c in services.campaign.collectibles]
            session.store.settle(session.player_id, [], {"collectibles": rows}, None)
        album = app.stack.top
        if isinstance(album, AlbumScene) and app.frame == 6:  # the cards scrolled out of view are painted too
            owned = album.owned()
            for item in services.campaign.collectibles:
                album._card(item, item.id in owned, album._status(item, owned), album.grid)

    script = [(4, Action(Kind.SCROLL, delta=(0.0, -100.0)))] if scroll else []  # wheel all the way down
    store = LocalStore.open(db)
    try:
        return scene_at_scale("album", AlbumScene, lang, size, scale, frames=7, store=store, each_frame=own_all,
                              script=script)
    finally:
        store.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("size", "scale"), SCALES)
def test_every_card_holds_its_whole_texts(scene_at_scale: SceneAtScale, tmp_path: Path, lang: str, size: str,
                                          scale: float) -> None:
    album, services = _album(scene_at_scale, tmp_path / "progress.db", lang, size, scale)
    where = f"{lang} {size} {scale}"
    grid, boxes = album.grid, album.text_boxes
    inside = pygame.Rect(0, 0, grid.card_w, grid.card_h).inflate(-6, -6)
    for item in services.campaign.collectibles:
        parts = {part: boxes[f"{item.id}:{part}"] for part in PARTS if f"{item.id}:{part}" in boxes}
        assert {"name", "rarity", "desc"} <= set(parts), f"{where}: {item.id} lacks a text"
        for part, box in parts.items():
            assert inside.contains(box), f"{where}: {item.id} {part} {box} leaves its card {inside}"
        for (a, box_a), (b, box_b) in combinations(parts.items(), 2):
            assert not box_a.colliderect(box_b), f"{where}: {item.id}: {a} runs into {b}"
        drawn = "".join(album.desc_lines[item.id]).replace(" ", "")
        assert drawn == item.description.get(lang).replace(" ", ""), f"{where}: {item.id}'s description was cut"

    screen = pygame.Rect(0, 0, *LOGICAL_SIZE)
    cards = [rect for rect, _ in album._cards]
    header = [boxes["title"], boxes["count"], pygame.Rect(album.back.rect.as_tuple())]
    for rect in cards:
        assert rect.left >= 0 and rect.right <= LOGICAL_SIZE[0], f"{where}: a card {rect} leaves the screen"
        assert rect.top >= album.grid_view.top and all(rect.top > h.bottom for h in header)
    for a, b in combinations(cards, 2):
        assert not a.colliderect(b), f"{where}: cards {a} and {b} overlap"
    for button in (album.back, album.scan):
        rect = pygame.Rect(button.rect.as_tuple())
        label_w, label_h = services.text.size(button.label, 30, "bold")
        assert min(rect.size) >= MIN_TOUCH and screen.contains(rect), f"{where}: {button.id} {rect}"
        assert label_w <= rect.w - 24 and label_h <= rect.h, f"{where}: {button.id} is smaller than its label"
    assert not pygame.Rect(album.back.rect.as_tuple()).colliderect(boxes["title"])
    assert boxes["count"].right <= album.scan.rect.x


@pytest.mark.parametrize(("size", "scale"), [("normal", 1.0), ("normal", 2.0)])
def test_the_grid_scrolls_to_its_last_card(scene_at_scale: SceneAtScale, tmp_path: Path, size: str,
                                           scale: float) -> None:
    album, _ = _album(scene_at_scale, tmp_path / "progress.db", "en", size, scale, scroll=True)
    last = max(rect.bottom for rect, _ in album._cards)
    assert last <= LOGICAL_SIZE[1], f"the last card ends at {last}, off the screen, after scrolling down"
    first = min(rect.top for rect, _ in album._cards)
    if album.grid_h > album.grid_view.height:  # it scrolled: the first row went up under the header
        assert first < album.grid_view.top
    else:  # everything fits: nothing moves
        assert first == album.grid_view.top


def test_larger_text_gets_fewer_wider_cards(scene_at_scale: SceneAtScale, tmp_path: Path) -> None:
    small, _ = _album(scene_at_scale, tmp_path / "a.db", "en", "normal", 1.0)
    big, _ = _album(scene_at_scale, tmp_path / "b.db", "en", "normal", 2.0)
    assert big.grid.cols < small.grid.cols and big.grid.card_w > small.grid.card_w
    assert small.grid_h <= small.grid_view.height  # at the normal size the whole album fits, as designed
    pygame.quit()
