"""The painted scroll kept on disk, so only the first start after a change pays seconds of painting.

The painting is deterministic: the same landmarks, palette, seed, texts, font and painting code give
the same pixels. Those inputs (with the painting modules' source) are hashed into the cache key, so
a change to any of them paints afresh. Layers are stored as TGA (RLE: ~0.4 s to write, ~0.4 s to
read, against ~4 s of painting) next to a JSON file with the geometry and anchors. Writes go to a
temporary folder that is renamed into place, so a killed process never leaves a half cache; only
the current entry is kept. Thread-safe: no display calls.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

import pygame

from game.ui import ink, landmark_icons, scroll_art
from game.ui.scroll_art import COLORKEY, LandmarkSpot, ScrollArt, ScrollPalette

log = logging.getLogger(__name__)
FORMAT = 1  # bump when the stored layout changes


def cache_key(spots: Sequence[LandmarkSpot], palette: ScrollPalette, options: dict[str, object]) -> str:
    """A digest of everything that shapes the painting, including the painting code itself."""
    h = hashlib.sha256()
    h.update(json.dumps([FORMAT, [asdict(s) for s in spots], asdict(palette), options], sort_keys=True,
                        default=str).encode())
    font = options.get("font_path")
    if isinstance(font, str) and os.path.isfile(font):
        st = os.stat(font)
        h.update(f"{st.st_size}:{st.st_mtime_ns}".encode())
    for module in (scroll_art, landmark_icons, ink):
        h.update(Path(module.__file__ or "").read_bytes())
    return h.hexdigest()[:20]


def load(folder: Path) -> ScrollArt:
    meta = json.loads((folder / "scroll.json").read_text(encoding="utf-8"))
    layers = []
    for i, factor in enumerate(meta["factors"]):
        surf = pygame.image.load(str(folder / f"layer{i}.tga"))
        if meta["keyed"][i]:
            surf.set_colorkey(COLORKEY)
        layers.append((surf, float(factor)))
    anchors = {k: (int(v[0]), int(v[1])) for k, v in meta["anchors"].items()}
    tops = {k: int(v) for k, v in meta.get("tops", {}).items()}
    return ScrollArt(layers=layers, width=int(meta["width"]), height=int(meta["height"]), anchors=anchors,
                     tops=tops)


def save(art: ScrollArt, folder: Path) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".scroll-", dir=folder.parent))
    try:
        for i, (surf, _f) in enumerate(art.layers):
            plain = surf
            if surf.get_colorkey() is not None:  # the TGA writer would bake the key; store the key colour as is
                plain = surf.copy()
                plain.set_colorkey(None)
            pygame.image.save(plain, str(tmp / f"layer{i}.tga"))
        meta = {"width": art.width, "height": art.height, "anchors": art.anchors, "tops": art.tops,
                "factors": [f for _, f in art.layers],
                "keyed": [surf.get_colorkey() is not None for surf, _ in art.layers]}
        (tmp / "scroll.json").write_text(json.dumps(meta), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)  # a stale or unreadable entry under the same key
        os.replace(tmp, folder)  # atomic: readers see the whole entry or none
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def cached(cache_dir: Path | None, spots: Sequence[LandmarkSpot], palette: ScrollPalette,
           paint: Callable[[], ScrollArt], options: dict[str, object]) -> ScrollArt:
    """The stored painting for these inputs, or ``paint()`` stored for next time."""
    if cache_dir is None:
        return paint()
    folder = cache_dir / f"scroll-{cache_key(spots, palette, options)}"
    if folder.is_dir():
        try:
            return load(folder)
        except (OSError, ValueError, KeyError, TypeError, pygame.error) as err:
            log.warning("scroll cache unreadable; painting afresh", extra={"error": str(err)})
    art = paint()
    try:
        for old in cache_dir.glob("scroll-*"):  # keep only the current entry
            shutil.rmtree(old, ignore_errors=True)
        save(art, folder)
    except (OSError, pygame.error) as err:
        log.warning("scroll cache not written", extra={"error": str(err)})
    return art
