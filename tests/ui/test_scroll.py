"""A scrolling view (game/ui/layout.py Scroll): its offset stays within the content, and it says on which
edges the content goes on (what the scenes fade and cue)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from game.ui.layout import Rect, Scroll

heights = st.floats(min_value=1, max_value=5000, allow_nan=False)


@given(view_h=heights, content_h=heights, moves=st.lists(st.floats(min_value=-3000, max_value=3000), max_size=8))
def test_the_offset_stays_in_the_content_and_the_edges_say_where_it_goes_on(view_h: float, content_h: float,
                                                                           moves: list[float]) -> None:
    scroll = Scroll(Rect(0, 0, 400, view_h))
    scroll.set_content(scroll.view, content_h)
    assert not scroll.more_above and scroll.more_below == (content_h - round(view_h) > 0.5)
    for dy in moves:
        scroll.scroll_by(dy)
        assert 0 <= scroll.offset <= scroll.room
        assert scroll.more_above == (scroll.offset > 0.5)
        assert scroll.more_below == (scroll.offset < scroll.room - 0.5)
    scroll.scroll_by(scroll.room)
    assert not scroll.more_below and scroll.more_above == (scroll.room > 0.5)
