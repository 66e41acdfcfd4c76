"""Command-line entry points of the vision package (wired into main.py by the lead)."""

from __future__ import annotations

from pathlib import Path

import cv2

from game.vision.rating import rate_marker, write_rating_report


def rate_marker_main(path: str, out: str | None = None) -> int:
    """Rate a marker image, print the result, write <name>.rating.png; returns the exit code."""
    src = Path(path)
    if not src.is_file():
        print(f"error: no such file: {path}")
        return 2
    img = cv2.imread(str(src), cv2.IMREAD_UNCHANGED)
    if img is None:
        print(f"error: cannot read {path} as an image (PNG/JPEG/BMP/WebP expected)")
        return 2
    try:
        rating = rate_marker(img)
    except (ValueError, TypeError) as err:
        print(f"error: {err}")
        return 2
    print(f"{src.name}: marker score {rating.score}/100 ({rating.mode} mode)")
    for name, val in rating.components.items():
        print(f"  {name:<11} {val:5.0f}")
    for line in rating.advice:
        print(f"  - {line}")
    report = Path(out) if out else src.with_name(src.stem + ".rating.png")
    try:
        write_rating_report(rating, img, report)
    except OSError as err:
        print(f"error: {err}")
        return 1
    print(f"report: {report}")
    return 0
