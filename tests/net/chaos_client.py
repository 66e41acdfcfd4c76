"""The client as a separate process for the kill test (``test_chaos.py``): plays and syncs.

    python tests/net/chaos_client.py DATA_DIR URL CODE TARGET SEED

Plays real actions through ``game.session.Session`` (learn check-ins in unlock order, as many
as the campaign allows in an hour, one share, then the next guest) until the outbox holds TARGET actions, while the
sync worker drains it through URL (the fault proxy), enrolling with CODE. It may be SIGKILLed at
any point and started again on the same data dir; it prints ``DRAINED`` and exits 0 once
everything it recorded is acknowledged.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from game.content import load_campaign
from game.rules.content import Campaign, CheckinMode
from game.rules.progress import Action, CheckIn, Progress, Share
from game.session import Session
from game.store import LocalStore
from net.api import ApiClient
from net.retry import Backoff
from net.sync import SyncWorker

CAMPAIGN_ID = "jade-rabbit-chongqing"


def next_action(campaign: Campaign, progress: Progress) -> Action | None:
    """The next action this player can take today, or None when they are done for the day."""
    done = {c.landmark_id for c in progress.checkins}
    if len(done) >= campaign.meta.max_checkins_per_hour:
        return None if progress.shares else Share("qr")  # more within the hour would be implausible
    for lm in sorted(campaign.city.landmarks, key=lambda lm: (lm.unlock_after, lm.id)):
        if lm.id not in done and lm.unlock_after <= len(done) and lm.quiz is not None:
            return CheckIn(lm.id, CheckinMode.LEARN, quiz_choice=lm.quiz.answer)
    if not progress.shares:
        return Share("qr")
    return None


def main(data_dir: str, url: str, code: str, target: int, seed: int) -> int:
    campaign = load_campaign(CAMPAIGN_ID)
    store = LocalStore.open(Path(data_dir) / "progress.db")
    rng = random.Random(seed)
    worker = SyncWorker(store, ApiClient(url), campaign, server_identity=url, enroll_code=code, rng=rng,
                        backoff=Backoff(base_s=0.05, cap_s=0.5))
    worker.start()
    while store.get_meta("device_token") is None:  # installed and enrolled before the first visitor
        time.sleep(0.02)
    session = Session(campaign, store, lambda: datetime.now(UTC))
    recorded = len(store.entries())
    while recorded < target:
        action = next_action(campaign, session.progress)
        if action is None:
            session.end_guest()
            continue
        outcome = session.attempt(action)
        if not outcome.applied:
            raise SystemExit(f"the rules refused {action}: {outcome.reason}")
        recorded += 1
        worker.nudge()
        if rng.random() < 0.1:
            time.sleep(rng.uniform(0.0, 0.05))
        if recorded % 100 == 0:
            print(f"recorded {recorded}", flush=True)
    while store.pending_count():
        worker.nudge()
        time.sleep(0.05)
    worker.stop()
    store.close()
    print("DRAINED", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])))
