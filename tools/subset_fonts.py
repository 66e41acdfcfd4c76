"""Build the bundled font subsets from Debian's Noto CJK (SIL OFL 1.1) with fontTools.

Run once by a developer (``apt-get install fonts-noto-cjk``); the output is committed, so the
product never needs the system fonts. The subset keeps ASCII, Latin-1, CJK punctuation, the
GB2312 level-1 hanzi (the 3,755 most common characters) and every character that the string
tables and campaign packs use, so new content in ordinary Chinese renders without a rebuild.
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


def gb2312_level1() -> str:
    chars = []
    for hi in range(0xB0, 0xD8):
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
    return "".join(sorted(set(base + punct + extra + gb2312_level1() + content_text())))


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
