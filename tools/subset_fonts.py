"""Build the bundled font subsets from Debian's Noto CJK (SIL OFL 1.1) with fontTools.

Run once by a developer (``apt-get install fonts-noto-cjk``); the output is committed, so the
product never needs the system fonts. The subset keeps ASCII, Latin-1, CJK punctuation, all of
GB 2312 (6,763 hanzi plus its symbol rows) and every character that the string tables, the
campaign packs and the code use, so new content in ordinary Chinese renders without a rebuild
(``main.py --check-campaign`` reports any character a pack uses that the fonts lack).
"""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parent.parent
NOTO = Path("/usr/share/fonts/opentype/noto")
SC_INDEX = 2  # Simplified Chinese face inside each .ttc
OUTPUTS = {
    "NotoSansSC-Regular.otf": "NotoSansCJK-Regular.ttc",
    "NotoSansSC-Bold.otf": "NotoSansCJK-Bold.ttc",
    "NotoSerifSC-Bold.otf": "NotoSerifCJK-Bold.ttc",
}


def gb2312() -> str:
    """Every character of GB 2312: symbols, Latin/Greek/Cyrillic/kana rows and both hanzi levels
    (6,763 characters), so any ordinary Simplified Chinese text renders."""
    chars = []
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def content_text() -> str:
    texts = []
    for path in sorted((ROOT / "assets").rglob("*.toml")):
        texts.extend(_strings(tomllib.loads(path.read_text(encoding="utf-8"))))
    for path in sorted((ROOT / "game").rglob("*.py")) + sorted((ROOT / "scenes").rglob("*.py")):
        texts.append(path.read_text(encoding="utf-8"))
    return "".join(texts)


def charset() -> str:
    base = "".join(chr(c) for c in range(0x20, 0x7F)) + "".join(chr(c) for c in range(0xA0, 0x100))
    punct = "".join(chr(c) for c in range(0x3000, 0x3040)) + "".join(chr(c) for c in range(0xFF01, 0xFF5F))
    extra = "·—–…‘’“”•←→↑↓✓✔★☆●○◆◇■□▲△▶◀♪¥€№℃"
    return "".join(sorted(set(base + punct + extra + gb2312() + content_text())))


def build(out_dir: Path) -> None:
    text = charset()
    out_dir.mkdir(parents=True, exist_ok=True)
    for out_name, source in OUTPUTS.items():
        font = TTCollection(str(NOTO / source)).fonts[SC_INDEX]
        options = subset.Options()
        options.layout_features = ["kern", "liga", "vert", "palt"]
        options.name_IDs = ["*"]
        options.name_legacy = True
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        font.save(str(out_dir / out_name))
        covered = "".join(chr(cp) for cp in sorted(font.getBestCmap()))
        # The text renderer reads this to pick a fallback font per character without fontTools.
        (out_dir / out_name).with_suffix(".chars.txt").write_text(covered, encoding="utf-8")
        print(f"{out_name}: {(out_dir / out_name).stat().st_size / 1e6:.2f} MB, {len(text)} chars")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "assets" / "fonts")
    build(parser.parse_args().out)


if __name__ == "__main__":
    main()
