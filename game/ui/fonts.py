"""The bundled font faces and the characters each one draws (read from the subset's sidecar list,
so no font library is needed to know the coverage)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

FONTS_DIR = Path(__file__).resolve().parent.parent.parent / "assets" / "fonts"
FACES: dict[str, str] = {
    "sans": "NotoSansSC-Regular.otf",
    "bold": "NotoSansSC-Bold.otf",
    "serif": "NotoSerifSC-Bold.otf",
}


@dataclass(frozen=True)
class Face:
    path: Path | None  # None = pygame's built-in default font (the fallback)
    chars: frozenset[str] | None  # None = assume it covers everything


def load_face(name: str, fonts_dir: Path = FONTS_DIR) -> Face:
    path = fonts_dir / FACES[name]
    if not path.is_file():
        raise FileNotFoundError(f"bundled font missing: {path}")
    sidecar = path.with_suffix(".chars.txt")
    chars = frozenset(sidecar.read_text(encoding="utf-8")) if sidecar.is_file() else None
    return Face(path, chars)


@cache
def common_glyphs(fonts_dir: Path = FONTS_DIR) -> frozenset[str]:
    """The characters every bundled face draws: text limited to these never shows a box."""
    sets = [load_face(name, fonts_dir).chars for name in FACES]
    known = [s for s in sets if s is not None]
    if not known:
        raise FileNotFoundError(f"no glyph lists (*.chars.txt) in {fonts_dir}")
    return frozenset.intersection(*known)
