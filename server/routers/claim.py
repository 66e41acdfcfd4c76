"""GET /claim/{code}: the page a kiosk's hand-off QR opens on a phone.

Plain server-rendered HTML (no scripts, one small inline style sheet), bilingual (中文 first, English
under it), showing the claim code's player only: this month's steps, tier, check-ins and collectibles.
The claim code is the key: an unknown or malformed code gets the same 404 page, saying nothing more.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import escape
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from game.rules.content import Campaign
from game.rules.progress import Progress, summarize
from server.context import AppContext, Ctx
from server.db import read_tx
from server.ledger import load_progress
from server.models import players
from server.queries import Raw
from server.security import normalize_code, token_hash
from server.strict import StrictRoute

router = APIRouter(tags=["claim"], route_class=StrictRoute)
CODE = re.compile(r"^[A-Za-z0-9 -]{4,32}$")

STYLE = """
body{margin:0;font:17px/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans SC",sans-serif;background:#f4ead6;color:#262422}
main{max-width:34rem;margin:0 auto;padding:1.2rem}
h1{font-size:1.5rem;margin:.2rem 0;color:#7a1020}.en{color:#4a4540;font-size:.92em}
.card{background:#fffaf0;border:2px solid #c9a24a;border-radius:14px;padding:1rem;margin:1rem 0}
.big{font-size:2.6rem;font-weight:700;color:#7a1020;line-height:1.1}
.bar{height:12px;background:#e3d6bb;border-radius:6px;overflow:hidden}.bar i{display:block;height:100%;background:#b4142d}
.qr{text-align:center;margin:.6rem 0}.qr svg{background:#fff;max-width:100%;height:auto}
ul{padding-left:1.2rem;margin:.4rem 0}li{margin:.2rem 0}.code{font:600 1.2rem ui-monospace,monospace;letter-spacing:.12em}
"""


def _page(title_zh: str, title_en: str, body: str, status: int = 200) -> HTMLResponse:
    html = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f'<meta name="robots" content="noindex"><title>{escape(title_zh)} · {escape(title_en)}</title>'
            f"<style>{STYLE}</style></head><body><main>{body}</main></body></html>")
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store",
                                                           "Referrer-Policy": "no-referrer"})


def _both(zh: str, en: str) -> str:
    return f'{escape(zh)}<br><span class="en">{escape(en)}</span>'


SHOW_QR = _both("在任何一台自助机的摄像头前出示这个二维码，即可继续游戏。领取码：",
                "Show this QR code to any kiosk's camera to continue there. Claim code:")


def qr_svg(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_inline(scale=5, border=4)


def render(campaign: Campaign, code: str, progress: Progress, now: datetime, qr_svg: str = "") -> str:
    s = summarize(campaign, progress, now)
    top = campaign.tiers[-1].threshold if campaign.tiers else 1
    pct = min(100, round(100 * s.month_steps / max(1, top)))
    tier = (_both(s.tier.name.zh, s.tier.name.en) if s.tier else _both("尚未达到奖励等级", "No reward tier yet"))
    nxt = (_both(f"距离「{s.next_tier.name.zh}」还差 {s.steps_to_next} 步",
                 f"{s.steps_to_next} steps to “{s.next_tier.name.en}”") if s.next_tier else _both("已达最高等级！", "Top tier reached!"))
    names = {lm.id: lm.name for lm in campaign.city.landmarks}
    visited = sorted(s.checked_in_ever, key=lambda i: [lm.id for lm in campaign.city.landmarks].index(i)
                     if i in names else 999)
    checkins = "".join(f"<li>{_both(names[i].zh, names[i].en)}</li>" for i in visited if i in names)
    items = []
    for owned in progress.collectibles:
        item = campaign.collectible(owned.collectible_id)
        if item is not None:
            serial = f" · No.{owned.serial}" if owned.serial is not None else ""
            items.append(f"<li>{_both(item.name.zh + serial, item.name.en + serial)}</li>")
    return (
        f"<h1>{_both(campaign.meta.name.zh, campaign.meta.name.en)}</h1>"
        f'<div class="card"><div>{_both("本月步数", "Steps this month")}</div>'
        f'<div class="big">{s.month_steps}</div><div class="bar"><i style="width:{pct}%"></i></div>'
        f"<p>{tier}</p><p>{nxt}</p></div>"
        f'<div class="card"><b>{_both(f"已打卡地标（{len(visited)}）", f"Landmarks checked in ({len(visited)})")}</b>'
        f"<ul>{checkins or '<li>' + _both('还没有', 'None yet') + '</li>'}</ul></div>"
        f'<div class="card"><b>{_both(f"藏品（{len(items)}）", f"Collectibles ({len(items)})")}</b>'
        f"<ul>{''.join(items) or '<li>' + _both('还没有', 'None yet') + '</li>'}</ul></div>"
        f'<div class="card">{SHOW_QR}<div class="qr">{qr_svg}</div>'
        f'<span class="code">{escape(code)}</span></div>'
    )


def _lookup(ctx: AppContext, code: str) -> tuple[Campaign, Progress] | None:
    """The player of an unexpired claim code (stored as its hash, as ``server.accounts.claim_player`` reads it)."""
    with read_tx(ctx.engine) as conn:
        row = conn.execute(select(players.c.id, players.c.campaign_id)
                           .where(players.c.claim_hash == token_hash(code),
                                  players.c.claim_expires_at > ctx.settings.clock())).first()
        if row is None:
            return None
        loaded = ctx.catalog.find(row.campaign_id)
        if loaded is None:
            return None
        return loaded.campaign, load_progress(Raw(conn), row.id)


NOT_FOUND = _both("找不到这个领取码。请检查链接，或在自助机上重新生成。",
                  "This claim code was not found. Check the link, or make a new one at a kiosk.")


@router.get("/claim/{code}", response_class=HTMLResponse, include_in_schema=False)
async def claim_page(ctx: Ctx, request: Request, code: str) -> HTMLResponse:
    """The visitor's progress as a phone page (the hand-off QR's link)."""
    if not CODE.match(code):
        return _page("找不到", "Not found", f"<h1>{NOT_FOUND}</h1>", 404)
    normalized = normalize_code(code)
    found: Any = await ctx.run_db(_lookup, ctx, normalized)
    if found is None:
        return _page("找不到", "Not found", f"<h1>{NOT_FOUND}</h1>", 404)
    campaign, progress = found
    return _page(campaign.meta.name.zh, campaign.meta.name.en,
                 render(campaign, code.upper(), progress, ctx.settings.clock(),
                        qr_svg(str(request.url.replace(query="", fragment="")))))
