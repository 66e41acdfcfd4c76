"""Shared checks for the UI-scale layout tests: every text inside its box and the screen, no two texts on
top of each other, buttons at least touch size and holding their labels (measured from what was drawn)."""

from __future__ import annotations

from itertools import combinations

import pygame

from game.ui.layout import LOGICAL_SIZE, MIN_TOUCH
from game.ui.text import PlacedText
from game.ui.widgets import Button

SCALES = [("normal", 1.0), ("normal", 1.5), ("normal", 2.0), ("large", 2.0)]  # (--text-size, --ui-scale)
SCREEN = pygame.Rect(0, 0, *LOGICAL_SIZE)


def assert_texts_fit(texts: list[PlacedText], where: str, *, apart: bool = True) -> None:
    assert texts, f"{where}: nothing was drawn"
    for t in texts:
        assert t.rect.width > 0 and t.rect.height > 0, f"{where}: {t.role} drew nothing"
        assert t.box.contains(t.rect), f"{where}: {t.role} {t.rect} leaves its box {t.box}"
        assert SCREEN.contains(t.rect), f"{where}: {t.role} {t.rect} leaves the screen"
    if apart:
        for a, b in combinations(texts, 2):
            assert not a.rect.colliderect(b.rect), f"{where}: {a.role} {a.rect} runs into {b.role} {b.rect}"


def assert_buttons_fit(buttons: list[Button], where: str) -> None:
    assert buttons, f"{where}: no buttons were drawn"
    for b in buttons:
        rect = pygame.Rect(b.rect.as_tuple())
        assert min(rect.size) >= MIN_TOUCH, f"{where}: {b.id} {rect} is under touch size"
        assert SCREEN.contains(rect), f"{where}: {b.id} {rect} leaves the screen"
    for a, b in combinations(buttons, 2):
        assert not pygame.Rect(a.rect.as_tuple()).colliderect(pygame.Rect(b.rect.as_tuple())), \
            f"{where}: {a.id} overlaps {b.id}"


def assert_apart(texts: list[PlacedText], others: list[pygame.Rect], where: str) -> None:
    for t in texts:
        for o in others:
            assert not t.rect.colliderect(o), f"{where}: {t.role} {t.rect} runs into {o}"
