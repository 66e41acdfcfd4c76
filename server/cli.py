"""``python -m server``: serve (default) and operator commands: enroll, import-campaign,
create-admin-token, stats. Output for operators goes to stdout; logs go to stderr as JSON lines."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from sqlalchemy import Engine

from game.rules.content import ContentError
from server.campaigns import CampaignCatalog
from server.settings import Settings

DEFAULT_DATA_DIR = Path("server-data")


class OneLineParser(argparse.ArgumentParser):
    """Bad input gives one line naming the flag (and exit 2), not a usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"must be 1-65535, got {port}")
    return port


def _workers(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 1 <= n <= 64:
        raise argparse.ArgumentTypeError(f"must be 1-64, got {n}")
    return n


def _db_url(value: str) -> str:
    if not value.startswith(("sqlite:", "postgresql")):
        raise argparse.ArgumentTypeError("expected sqlite:///PATH or postgresql+psycopg://USER@HOST/DB")
    return value


def _ip_list(value: str) -> tuple[str, ...]:
    from server.settings import parse_ip_list

    try:
        return parse_ip_list(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _ident(value: str) -> str:
    import re

    if not re.match(r"^[a-z0-9][a-z0-9_-]{0,63}$", value):
        raise argparse.ArgumentTypeError(f"not an id: {value!r}")
    return value


def _common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--data-dir", type=Path, default=default, help="SQLite file and state (default ./server-data)")
    parser.add_argument("--database-url", type=_db_url, default=default, help="overrides DATABASE_URL / SQLite")
    parser.add_argument("--campaign", type=_ident, default=default, help="default campaign id")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="python -m server", description="Cloud Tour Treasure Hunt reference server")
    _common(parser, suppress=False)
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default loopback)")
    parser.add_argument("--port", type=_port, default=8000)
    parser.add_argument("--workers", type=_workers, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--forwarded-allow-ips", type=_ip_list, default=None, metavar="IPS",
        help="comma-separated proxy addresses/CIDRs whose X-Forwarded-For is believed (default: none)",
    )
    sub = parser.add_subparsers(dest="command", parser_class=OneLineParser)
    enroll = sub.add_parser("enroll", help="print a one-time enrolment code")
    _common(enroll, suppress=True)
    enroll.add_argument("--kind", choices=["kiosk", "laptop", "qa"], required=True)
    enroll.add_argument("--landmark", type=_ident, default=None, help="landmark the kiosk stands at")
    enroll.add_argument("--count", type=_workers, default=1, help="how many codes to print (one a line, ≤ 64)")
    imp = sub.add_parser("import-campaign", help="validate a pack and create its supply rows")
    _common(imp, suppress=True)
    imp.add_argument("campaign_id", type=_ident)
    admin = sub.add_parser("create-admin-token", help="print a new admin bearer token")
    _common(admin, suppress=True)
    admin.add_argument("--label", default="operator")
    stats = sub.add_parser("stats", help="print the funnel, check-ins and supply report")
    _common(stats, suppress=True)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    base = Settings.from_env()
    changes: dict[str, object] = {}
    if getattr(args, "data_dir", None):
        changes["data_dir"] = args.data_dir
    elif "SERVER_DATA_DIR" not in os.environ:
        changes["data_dir"] = DEFAULT_DATA_DIR
    if getattr(args, "database_url", None):
        changes["database_url"] = args.database_url
    if getattr(args, "campaign", None):
        changes["campaign_id"] = args.campaign
    if getattr(args, "forwarded_allow_ips", None):
        changes["forwarded_allow_ips"] = args.forwarded_allow_ips
    return base.with_(**changes)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from server.app import create_app
    from server.logs import configure_json_logging, log_config
    from server.transport import http_protocol

    configure_json_logging()
    # access_log=False: server.middleware writes the one structured line per request instead.
    # server_header=False: no "server: uvicorn" on every response (one header less to build and
    # validate per request, and nothing to fingerprint). http: one socket write per response.
    if args.workers == 1:
        app = create_app(settings, server_process=True)
        uvicorn.run(
            app, host=args.host, port=args.port, log_config=log_config(), access_log=False, server_header=False,
            http=http_protocol(), proxy_headers=False,
        )
        return 0
    # Several workers: each imports the factory and reads settings from the environment; each runs
    # the (locked, idempotent) migration at start.
    os.environ.update(settings.to_env())
    uvicorn.run(
        "server.app:create_app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=log_config(),
        access_log=False,
        server_header=False,
        http=http_protocol(),
        proxy_headers=False,  # X-Forwarded-For is read by the app, from --forwarded-allow-ips only
    )
    return 0


def _engine_for(settings: Settings) -> tuple[Engine, CampaignCatalog]:
    from server.db import make_engine, upgrade

    engine = make_engine(settings)
    upgrade(engine)
    return engine, CampaignCatalog(settings.campaigns_root)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = settings_from(args)
    if args.command is None:
        return _serve(args, settings)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    engine, catalog = _engine_for(settings)
    try:
        now = settings.clock()
        if args.command == "enroll":
            from server.accounts import create_enrollment_code

            if args.landmark is not None:
                campaign = catalog.get(settings.campaign_id).campaign
                if campaign.landmark(args.landmark) is None:
                    print(f"unknown landmark {args.landmark!r} in campaign {campaign.id}", file=sys.stderr)
                    return 2
            for _ in range(args.count):
                code = create_enrollment_code(
                    engine, kind=args.kind, landmark_id=args.landmark, now=now, ttl_s=settings.enrollment_ttl_s
                )
                print(code)
        elif args.command == "import-campaign":
            from server.campaigns import seed_supply
            from server.db import write_tx

            campaign = catalog.get(args.campaign_id).campaign
            with write_tx(engine) as conn:
                created = seed_supply(conn, campaign)
            print(
                f"campaign {campaign.id}: {len(campaign.city.landmarks)} landmarks, "
                f"{len(campaign.collectibles)} collectibles; new supply rows: {', '.join(created) or 'none'}"
            )
        elif args.command == "create-admin-token":
            from server.accounts import create_admin_token

            print(create_admin_token(engine, label=args.label, now=now))
        elif args.command == "stats":
            from server.db import read_tx
            from server.stats import compute_stats, format_stats

            with read_tx(engine) as conn:
                print(format_stats(compute_stats(conn, settings.campaign_id)))
    except ContentError as err:
        print(str(err), file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0
