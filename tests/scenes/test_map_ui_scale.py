"""The map's top bar at every UI scale the flag accepts: no text is clipped, cut short or shrunk apart
from its row, because the bar, its buttons and chips grow with the scale (game/ui/display.py)."""

from __future__ import annotations

import pygame
import pytest

from game.app import App
from game.services import Services
from game.ui.display import UI_SCALE_RANGE
from game.ui.layout import LOGICAL_SIZE, MIN_TOUCH
from scenes.map import MapScene
from tests.scenes.conftest import SceneAtScale

GROUPS = {"title": "name", "subtitle": "name", "steps label": "steps", "steps": "steps", "hint": "steps"}


def _top_bar(scene_at_scale: SceneAtScale, lang: str, scale: float, text_size: str = "normal"
             ) -> tuple[MapScene, Services]:
    def draw_bar(app: App, _services: Services) -> None:
        if app.frame == 2 and isinstance(app.stack.top, MapScene):
            app.stack.top._hud_surface()  # the bar is drawn over the painting; here without waiting for it

    return scene_at_scale("map", MapScene, lang, text_size, scale, each_frame=draw_bar)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("text_size", "scale"), [("normal", 1.0), ("normal", UI_SCALE_RANGE[1]),
                                                  ("large", UI_SCALE_RANGE[1])])
def test_the_top_bar_holds_every_text_at_one_size_per_row(scene_at_scale: SceneAtScale, lang: str, text_size: str,
                                                          scale: float) -> None:
    scene, services = _top_bar(scene_at_scale, lang, scale, text_size)
    texts = scene.hud_texts  # type: ignore[attr-defined]
    bar = pygame.Rect(0, 0, LOGICAL_SIZE[0], scene.hud_solid)  # type: ignore[attr-defined]
    roles = {t.role for t in texts}
    assert {"title", "subtitle", "steps label", "steps", "hint"} <= roles
    assert {f"button:{b}" for b in ("scan", "rewards", "album", "finish", "lang")} <= roles

    for t in texts:
        assert bar.contains(t.rect), f"{t.role} {t.rect} leaves the bar {bar}"
        assert t.rect.width <= t.max_w + 1, f"{t.role} is wider than its column"
        assert "…" not in t.text and "..." not in t.text, f"{t.role} was cut short: {t.text!r}"
    subtitle = "".join(t.text for t in texts if t.role == "subtitle").replace(" ", "")
    assert subtitle == services.campaign.meta.name.get(lang).replace(" ", "")  # all of it, over one or two lines

    buttons = [t for t in texts if t.role.startswith("button:")]
    for t in buttons:
        assert t.box is not None and t.box.contains(t.rect.inflate(4, 0)), f"{t.role}'s label leaves its button"
        assert bar.contains(t.box) and min(t.box.size) >= MIN_TOUCH
    rows: dict[int, set[int]] = {}
    for t in buttons:
        rows.setdefault(t.box.y, set()).add(t.size)  # type: ignore[union-attr]
    assert all(len(sizes) == 1 for sizes in rows.values()), f"button labels differ in size within a row: {rows}"

    # blocks (name, steps, each button) never overlap one another
    blocks = [t.box for t in buttons]
    for group in set(GROUPS.values()):
        members = [t.rect for t in texts if GROUPS.get(t.role) == group]
        blocks.append(members[0].unionall(members[1:]))
    for i, a in enumerate(blocks):
        for b in blocks[i + 1:]:
            assert not a.colliderect(b), f"{a} overlaps {b}"


def test_the_bar_and_its_buttons_grow_with_the_scale(scene_at_scale: SceneAtScale) -> None:
    small, _ = _top_bar(scene_at_scale, "en", 1.0)
    big, _ = _top_bar(scene_at_scale, "en", 1.5)
    assert big.hud_solid > small.hud_solid  # type: ignore[attr-defined]
    height = {b.id: b.rect.h for b in small.buttons}  # type: ignore[attr-defined]
    for b in big.buttons:  # type: ignore[attr-defined]
        assert b.rect.h > height[b.id] * 1.2
    pygame.quit()
