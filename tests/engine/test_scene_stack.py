"""Scene stack: lifecycle pairs, event routing, transparency, requested transitions."""

from __future__ import annotations

from game.actions import Action, Kind
from game.scene import Pop, Push, Quit, Replace, Scene, SceneStack


class Recorder(Scene):
    def __init__(self, name: str, log: list[str], *, consume: bool = False, transparent: bool = False,
                 modal: bool = False) -> None:
        super().__init__()
        self.name, self.log, self.consume = name, log, consume
        self.transparent, self.modal = transparent, modal
        self.updates = 0
        self.drawn = 0

    def enter(self) -> None:
        self.log.append(f"{self.name}.enter")

    def exit(self) -> None:
        self.log.append(f"{self.name}.exit")

    def pause(self) -> None:
        self.log.append(f"{self.name}.pause")

    def resume(self) -> None:
        self.log.append(f"{self.name}.resume")

    def handle(self, action: Action) -> bool:
        self.log.append(f"{self.name}.handle")
        return self.consume

    def update(self, dt: float) -> None:
        self.updates += 1

    def draw(self, surface: object) -> None:
        self.drawn += 1


def test_push_pop_pairs_pause_and_resume() -> None:
    log: list[str] = []
    stack = SceneStack()
    a, b = Recorder("a", log), Recorder("b", log)
    stack.push(a)
    stack.push(b)
    stack.pop()
    stack.pop()
    assert log == ["a.enter", "a.pause", "b.enter", "b.exit", "a.resume", "a.exit"]
    assert stack.pop() is None


def test_replace_clear_exits_everything_without_resume() -> None:
    log: list[str] = []
    stack = SceneStack()
    stack.push(Recorder("a", log))
    stack.push(Recorder("b", log))
    log.clear()
    stack.replace(Recorder("c", log), clear=True)
    assert log == ["b.exit", "a.exit", "c.enter"]
    assert [s.name for s in stack.scenes] == ["c"]


def test_top_scene_gets_events_first_and_consumption_stops_them() -> None:
    log: list[str] = []
    stack = SceneStack()
    stack.push(Recorder("map", log, consume=True))
    stack.push(Recorder("hud", log, consume=False, transparent=True, modal=False))
    log.clear()
    assert stack.dispatch(Action(Kind.CONFIRM)) is True
    assert log == ["hud.handle", "map.handle"]


def test_modal_overlay_blocks_scene_below() -> None:
    log: list[str] = []
    stack = SceneStack()
    stack.push(Recorder("map", log, consume=True))
    stack.push(Recorder("card", log, consume=False, transparent=True, modal=True))
    log.clear()
    assert stack.dispatch(Action(Kind.CONFIRM)) is False
    assert log == ["card.handle"]


def test_transparent_overlay_updates_and_draws_scene_below_but_opaque_does_not() -> None:
    log: list[str] = []
    stack = SceneStack()
    base, overlay = Recorder("map", log), Recorder("card", log, transparent=True)
    stack.push(base)
    stack.push(overlay)
    stack.update(0.016)
    stack.draw(None)  # type: ignore[arg-type]
    assert (base.updates, base.drawn, overlay.updates, overlay.drawn) == (1, 1, 1, 1)
    opaque = Recorder("rewards", log)
    stack.push(opaque)
    stack.update(0.016)
    stack.draw(None)  # type: ignore[arg-type]
    assert (base.updates, overlay.updates, opaque.updates) == (1, 1, 1)


def test_scenes_only_request_and_the_stack_applies_in_order() -> None:
    log: list[str] = []
    stack = SceneStack()
    a = Recorder("a", log)
    stack.push(a)
    b = Recorder("b", log)
    a.request(Push(b))
    assert len(stack) == 1  # nothing happens until the stack processes requests
    stack.process_requests()
    assert stack.top is b
    b.request(Pop())
    stack.process_requests()
    assert stack.top is a
    a.request(Replace(Recorder("c", log)))
    stack.process_requests()
    assert stack.top is not None and stack.top.name == "c"
    stack.top.request(Quit())
    stack.process_requests()
    assert stack.quit_requested


def test_request_loop_is_bounded() -> None:
    class Spawner(Scene):
        def enter(self) -> None:
            self.request(Push(Spawner()))

    stack = SceneStack()
    stack.push(Spawner())
    stack.process_requests()
    assert 1 < len(stack) <= 18
