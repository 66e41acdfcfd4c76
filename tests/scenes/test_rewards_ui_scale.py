"""The rewards page at every text scale a kiosk or projector uses (en, zh): every text lies inside its
box (the page, a panel's scrolling content, a tier row, a theme chip, the Back button), none is cut short
with "…", no two texts overlap, the panels sit under the header and inside the screen, each panel can
scroll to its end, and Back is at least touch size. Measured from what the page drew
(``RewardsScene.placed``)."""

from __future__ import annotations

import pygame
import pytest

from game.actions import Action, Kind
from game.app import App
from game.services import Services
from game.ui.display import UI_SCALE_RANGE
from game.ui.layout import LOGICAL_SIZE, MIN_TOUCH
from game.ui.widgets import lighten
from scenes.rewards import RewardsScene
from tests.scenes.conftest import SceneAtScale

SCALES = [("normal", 1.0), ("normal", 1.5), ("normal", UI_SCALE_RANGE[1]), ("large", 1.0),
          ("large", UI_SCALE_RANGE[1])]
SCREEN = pygame.Rect((0, 0), LOGICAL_SIZE)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("text_size", "scale"), SCALES)
def test_rewards_texts_fit_their_boxes_at_every_scale(scene_at_scale: SceneAtScale, lang: str, text_size: str,
                                                      scale: float) -> None:
    seen: dict[str, object] = {}

    def hook(app: App, services: Services) -> None:
        if app.frame == 2:
            scene = app.stack.top
            assert isinstance(scene, RewardsScene)
            services.text.clear_cache()  # the page's strings are rendered afresh, so the cache lists them
            scene._page = None
            scene.draw(pygame.Surface(LOGICAL_SIZE))
            seen["scene"], seen["cut"] = scene, [t for t in services.text.cached_texts() if "…" in t]

    scene_at_scale("rewards", RewardsScene, lang, text_size, scale, each_frame=hook)
    scene = seen["scene"]
    assert isinstance(scene, RewardsScene)
    what = f"{lang} {text_size} {scale}"
    assert not seen["cut"], f"{what}: cut short: {seen['cut']}"

    back = pygame.Rect(scene.back.rect.as_tuple())
    assert SCREEN.contains(back) and min(back.size) >= MIN_TOUCH, f"{what}: Back {back}"
    views = {"tasks": scene.tasks, "steps": scene.steps}
    contents = {"tasks": scene._page[2], "steps": scene._page[3]}  # type: ignore[index]
    for name, view in views.items():
        rect = pygame.Rect(view.view.as_tuple())
        assert SCREEN.contains(rect), f"{what}: the {name} panel leaves the screen"
        assert not rect.colliderect(back), f"{what}: the {name} panel runs under Back"
        assert view.room == max(0, contents[name].get_height() - rect.height), f"{what}: {name} cannot scroll to its end"
    assert not pygame.Rect(scene.tasks.view.as_tuple()).colliderect(scene.steps.view.as_tuple())

    roles = {t.role for t in scene.placed}
    assert {"title", "month", "button:back", "steps", "tiers heading", "tier name", "tier reward", "task chip",
            "task name", "task status", "task meta"} <= roles, what
    for t in scene.placed:
        assert t.rect.width and t.box.contains(t.rect), f"{what}: {t.role} {t.text!r} {t.rect} leaves {t.box}"
        if t.space == "screen":
            assert SCREEN.contains(t.box), f"{what}: {t.role}'s box leaves the screen"
            for name, view in views.items():
                assert not t.rect.colliderect(view.view.as_tuple()), f"{what}: {t.role} lies on the {name} panel"
    for space in ("screen", "tasks", "steps"):
        texts = [t for t in scene.placed if t.space == space and not t.role.startswith("button:")]
        for i, a in enumerate(texts):
            for b in texts[i + 1:]:
                assert not a.rect.colliderect(b.rect), f"{what}: {a.role} {a.text!r} overlaps {b.role} {b.text!r}"
    n_tasks = sum(1 for t in scene.placed if t.role == "task name")
    assert n_tasks == sum(1 for t in scene.placed if t.role == "task meta") > 0  # every task with its steps
    pygame.quit()


def _plain(screen: pygame.Surface, view: pygame.Rect, y: int, fill: tuple[int, int, int]) -> bool:
    """Whether a row of pixels across a panel's view (its scroll bar left out) is the panel's fill."""
    return all(all(abs(a - b) <= 6 for a, b in zip(tuple(screen.get_at((x, y)))[:3], fill, strict=True))
               for x in range(view.x + 6, view.right - 14, 5))


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("text_size", "scale"), [("normal", 1.5), ("normal", UI_SCALE_RANGE[1]),
                                                  ("large", UI_SCALE_RANGE[1])])
def test_a_scrolling_panel_fades_the_line_its_edge_cuts(scene_at_scale: SceneAtScale, lang: str, text_size: str,
                                                         scale: float) -> None:
    """Where a panel's text goes on past its foot (or, scrolled, above its head), the edge shows the panel's
    fill, not half a line of glyphs; the fade is about a line tall, and goes once the end is reached."""
    seen: dict[str, object] = {}

    def hook(app: App, services: Services) -> None:
        if app.frame == 2:
            scene = app.stack.top
            assert isinstance(scene, RewardsScene)
            fill = lighten(services.palette.paper, 0.55)
            screen = pygame.Surface(LOGICAL_SIZE)
            edges: dict[str, bool] = {}
            for name, scroll in (("tasks", scene.tasks), ("steps", scene.steps)):
                scene.draw(screen)
                if not scroll.room:
                    continue
                view = pygame.Rect(scroll.view.as_tuple())
                middle = (view.centerx, view.centery)
                edges[f"{name} foot at the top"] = _plain(screen, view, view.bottom - 1, fill)
                scene.handle(Action(Kind.SCROLL, pos=middle, delta=(0.0, -1.0)))  # one wheel notch down
                scene.draw(screen)
                edges[f"{name} head scrolled"] = scroll.more_above and _plain(screen, view, view.y, fill)
                edges[f"{name} foot scrolled"] = not scroll.more_below or _plain(screen, view, view.bottom - 1, fill)
                scroll.scroll_by(scroll.room)
                edges[f"{name} at the end"] = not scroll.more_below
            seen["edges"] = edges
            seen["fade about a line"] = services.text.px(25) <= scene.fade_height() <= 2 * services.text.px(25)

    scene_at_scale("rewards", RewardsScene, lang, text_size, scale, each_frame=hook)
    edges = seen["edges"]
    assert isinstance(edges, dict) and edges, f"{lang} {text_size} {scale}: no panel scrolls at this scale"
    assert all(edges.values()), f"{lang} {text_size} {scale}: {[k for k, v in edges.items() if not v]}"
    assert seen["fade about a line"], "the fade is about a line of the panel's text tall"
    pygame.quit()
