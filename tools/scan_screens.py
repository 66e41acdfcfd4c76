"""Make the README's AR hunt screenshots: the scan with the figure on the card, the album, the share card.

A throwaway data dir gets a player who has found a few rabbits (the limited one still pending),
then ``main.py --headless`` renders each scene, as QA does.

    .venv/bin/python tools/scan_screens.py [--out docs/img]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = "2027-01-20T20:30:00+08:00"


def seed_player(data_dir: Path) -> None:
    from game.content import load_campaign
    from game.rules.content import CheckinMode
    from game.rules.progress import CheckIn, Collect
    from game.session import Session
    from game.store import LocalStore

    campaign = load_campaign("jade-rabbit-chongqing")
    store = LocalStore.open(data_dir / "progress.db")
    session = Session(campaign, store, lambda: datetime.fromisoformat(NOW))
    for lm in [lm for lm in campaign.city.landmarks if lm.unlock_after == 0 and lm.quiz][:5]:
        session.attempt(CheckIn(lm.id, CheckinMode.LEARN, quiz_choice=lm.quiz.answer))  # type: ignore[union-attr]
    for item in ("lantern-rabbit", "hotpot-rabbit", "golden-jade-rabbit"):
        session.attempt(Collect(item))
    store.close()


def shot(data_dir: Path, scene: str, out: Path, frames: int, lang: str = "zh") -> None:
    cmd = [sys.executable, str(ROOT / "main.py"), "--headless", "--server", "offline", "--data-dir", str(data_dir),
           "--camera", "synthetic", "--scene", scene, "--frames", str(frames), "--screenshot", str(out),
           "--now", NOW, "--seed", "35", "--lang", lang]
    subprocess.run(cmd, check=True, cwd=ROOT, timeout=600)
    print(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    ns = parser.parse_args()
    ns.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        shot(data, "scan", ns.out / "scan.png", 300)  # before any collecting: the figure on the card
        seed_player(data)
        shot(data, "album", ns.out / "album.png", 3)
        shot(data, "share:golden-jade-rabbit", ns.out / "share.png", 3)
        cards = sorted((data / "share").glob("*.png"))
        if cards:
            import pygame

            card = pygame.image.load(str(cards[-1]))
            small = pygame.transform.smoothscale(card, (540, 675))
            pygame.image.save(small, str(ns.out / "share-card.png"))
            print(ns.out / "share-card.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
