"""Resolution independence: a 1920×1080 logical canvas letterboxed into any window (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field

LOGICAL_SIZE = (1920, 1080)
MIN_TOUCH = 48  # logical px: the smallest hit target we allow


@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle in logical pixels."""

    x: float
    y: float
    w: float
    h: float

    def contains(self, px: float, py: float) -> bool:
        return self.x <= px < self.x + self.w and self.y <= py < self.y + self.h

    def inflated_to(self, minimum: float = MIN_TOUCH) -> Rect:
        """Grow around the centre so both sides are at least ``minimum`` (touch targets)."""
        w, h = max(self.w, minimum), max(self.h, minimum)
        return Rect(self.x - (w - self.w) / 2, self.y - (h - self.h) / 2, w, h)

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.w / 2, self.y + self.h / 2)

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (round(self.x), round(self.y), round(self.w), round(self.h))


@dataclass(frozen=True)
class Layout:
    """Maps window pixels to logical pixels with uniform scale and centred letterbox bars."""

    window: tuple[int, int]
    logical: tuple[int, int] = LOGICAL_SIZE

    def __post_init__(self) -> None:
        if min(self.window) <= 0 or min(self.logical) <= 0:
            raise ValueError(f"sizes must be positive: window={self.window} logical={self.logical}")

    @property
    def scale(self) -> float:
        return min(self.window[0] / self.logical[0], self.window[1] / self.logical[1])

    @property
    def viewport(self) -> Rect:
        """Where the logical canvas lands in the window (window pixels)."""
        w, h = self.logical[0] * self.scale, self.logical[1] * self.scale
        return Rect((self.window[0] - w) / 2, (self.window[1] - h) / 2, w, h)

    def to_logical(self, wx: float, wy: float) -> tuple[float, float] | None:
        """Window pixel -> logical pixel, or None when it falls on a letterbox bar."""
        vp = self.viewport
        if not vp.contains(wx, wy):
            return None
        return ((wx - vp.x) / self.scale, (wy - vp.y) / self.scale)

    def normalised_to_logical(self, nx: float, ny: float) -> tuple[float, float] | None:
        """Touch coordinates (0..1 of the window, as SDL FINGER events give) -> logical."""
        return self.to_logical(nx * self.window[0], ny * self.window[1])

    def to_window(self, lx: float, ly: float) -> tuple[float, float]:
        vp = self.viewport
        return (vp.x + lx * self.scale, vp.y + ly * self.scale)


@dataclass
class Scroll:
    """A window of ``view`` onto content ``content_h`` tall, scrolled by ``offset`` (0 = the top).

    Panels whose text outgrows them at large text sizes scroll instead of cutting it (wheel, drag, keys).
    """

    view: Rect
    content_h: float = 0.0
    offset: float = field(default=0.0)

    @property
    def room(self) -> float:
        """How far the content can scroll (0 when it fits the view)."""
        return max(0.0, self.content_h - round(self.view.h))

    @property
    def more_above(self) -> bool:
        """Content is scrolled off the view's top."""
        return self.offset > 0.5

    @property
    def more_below(self) -> bool:
        """Content goes on under the view's foot."""
        return self.offset < self.room - 0.5

    def scroll_by(self, dy: float) -> None:
        self.offset = min(self.room, max(0.0, self.offset + dy))

    def set_content(self, view: Rect, content_h: float) -> None:
        """New view or content (a repaint): keep the offset where it still makes sense."""
        self.view, self.content_h = view, content_h
        self.scroll_by(0.0)

    def thumb(self, track_y: float, track_h: float, minimum: float = 40.0) -> tuple[float, float]:
        """(y, height) of a scroll bar's thumb on a track, for content longer than the view."""
        if self.content_h <= 0:
            return track_y, track_h
        h = min(track_h, max(minimum, track_h * self.view.h / self.content_h))
        return track_y + (track_h - h) * (self.offset / self.room if self.room else 0.0), h
