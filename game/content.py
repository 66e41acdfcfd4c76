"""Disk adapter for campaign packs: reads TOML files and hands them to the pure validator."""

from __future__ import annotations

import tomllib
from pathlib import Path

from game.rules.content import PACK_FILES, Campaign, ContentError, ContentIssue, glyph_issues, parse_campaign

ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"
CAMPAIGNS_DIR = ASSETS_DIR / "campaigns"
DEFAULT_CAMPAIGN = "jade-rabbit-chongqing"


def campaign_dir(campaign_id: str, root: Path = CAMPAIGNS_DIR) -> Path:
    return root / campaign_id


def available_campaigns(root: Path = CAMPAIGNS_DIR) -> list[str]:
    return sorted(p.name for p in root.iterdir() if (p / "campaign.toml").is_file()) if root.is_dir() else []


def load_campaign(campaign_id: str, root: Path = CAMPAIGNS_DIR, glyphs: frozenset[str] | None = None) -> Campaign:
    """Load and validate ``root/campaign_id``; raise ``ContentError`` naming file, field, problem.

    With ``glyphs`` (the characters the bundled fonts draw), text using any other character is an
    error too, reported with the rest."""
    folder = campaign_dir(campaign_id, root)
    if not folder.is_dir():
        known = ", ".join(available_campaigns(root)) or "none"
        raise ContentError(campaign_id, [ContentIssue(str(folder), "(folder)", f"no such campaign; known: {known}")])
    docs: dict[str, dict] = {}
    issues: list[ContentIssue] = []
    for name in sorted(set(PACK_FILES.values())):
        path = folder / name
        if not path.is_file():
            issues.append(ContentIssue(name, "(file)", "missing file"))
            continue
        try:
            docs[name] = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            issues.append(ContentIssue(name, "(syntax)", str(err)))
    if glyphs is not None:
        issues.extend(glyph_issues(docs, glyphs))
    assets = frozenset(p.name for p in folder.iterdir() if p.suffix.lower() != ".toml")
    return parse_campaign(campaign_id, docs, asset_names=assets, pre_issues=issues)


def logo_path(campaign: Campaign, root: Path = CAMPAIGNS_DIR) -> Path:
    return campaign_dir(campaign.id, root) / campaign.brand.logo


def check_pack(target: str, glyphs: frozenset[str] | None = None) -> Campaign:
    """``--check-campaign``: load a pack id under assets/campaigns/ or the path of a pack folder
    being written elsewhere, and raise ``ContentError`` with every problem at once, text the
    bundled fonts cannot draw included (``glyphs`` defaults to what every bundled face draws)."""
    from game.ui.fonts import common_glyphs

    glyphs = glyphs if glyphs is not None else common_glyphs()
    folder = Path(target)
    if folder.is_dir():
        return load_campaign(folder.name, folder.parent, glyphs)
    return load_campaign(target, glyphs=glyphs)
