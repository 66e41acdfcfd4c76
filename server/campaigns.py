"""Campaign packs for the server: loaded once per app, served as JSON with a strong ETag."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, select

from game.content import load_campaign
from game.rules.content import Campaign, ContentError, Rarity
from server.models import supply


@dataclass(frozen=True)
class LoadedCampaign:
    campaign: Campaign
    body: bytes  # the public document: the pack without its quiz answers
    etag: str
    answers: dict[str, int]  # landmark id → the quiz's answer index (enrolled devices only)


def public_document(campaign: Campaign) -> dict:
    """The pack as the public ``GET /v1/campaigns/{id}`` serves it: every quiz without ``answer``
    (the server judges answers; enrolled devices fetch them from the authenticated route)."""
    doc = campaign.model_dump(mode="json")
    for landmark in doc["city"]["landmarks"]:
        if landmark.get("quiz") is not None:
            landmark["quiz"].pop("answer", None)
    return doc


class CampaignCatalog:
    """Validated campaigns by id, cached for the life of the app (packs change only on deploy)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, LoadedCampaign] = {}
        self._lock = threading.Lock()

    def get(self, campaign_id: str) -> LoadedCampaign:
        """Raise ``ContentError`` (unknown or invalid pack)."""
        found = self._cache.get(campaign_id)
        if found is not None:
            return found
        with self._lock:
            found = self._cache.get(campaign_id)
            if found is None:
                campaign = load_campaign(campaign_id, self.root)
                body = json.dumps(
                    public_document(campaign), ensure_ascii=False, separators=(",", ":"), sort_keys=True
                ).encode("utf-8")
                etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
                answers = {lm.id: lm.quiz.answer for lm in campaign.city.landmarks if lm.quiz is not None}
                found = LoadedCampaign(campaign, body, etag, answers)
                self._cache[campaign_id] = found
            return found

    def find(self, campaign_id: str) -> LoadedCampaign | None:
        try:
            return self.get(campaign_id)
        except ContentError:
            return None


def seed_supply(conn: Connection, campaign: Campaign) -> list[str]:
    """Create missing supply rows for limited items (existing rows are never reset). Returns new ids."""
    existing = set(conn.scalars(select(supply.c.collectible_id).where(supply.c.campaign_id == campaign.id)))
    created = []
    for item in campaign.collectibles:
        if item.rarity is Rarity.LIMITED and item.supply is not None and item.id not in existing:
            conn.execute(
                supply.insert().values(
                    campaign_id=campaign.id, collectible_id=item.id, total=item.supply, remaining=item.supply
                )
            )
            created.append(item.id)
    return created
