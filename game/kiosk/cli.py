"""``python main.py kiosk-pin [--config FILE]``: ask for the admin PIN twice, store its scrypt hash."""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from collections.abc import Callable
from pathlib import Path

from game.kiosk.pin import PIN_DIGITS, hash_pin, valid_pin_format

PIN_LINE = re.compile(r"^\s*pin_hash\s*=.*$", re.MULTILINE)
ADMIN_HEADER = re.compile(r"^\s*\[admin\]\s*$", re.MULTILINE)


def with_pin_hash(text: str, digest: str) -> str:
    """The config text with ``[admin] pin_hash`` set (replaced in place, or the section added)."""
    line = f'pin_hash = "{digest}"'
    if PIN_LINE.search(text):
        return PIN_LINE.sub(lambda _m: line, text, count=1)
    if ADMIN_HEADER.search(text):
        return ADMIN_HEADER.sub(lambda m: f"{m.group(0)}\n{line}", text, count=1)
    return text.rstrip("\n") + ("\n\n" if text.strip() else "") + f"[admin]\n{line}\n"


def kiosk_pin_main(args: list[str], ask: Callable[[str], str] = getpass.getpass) -> int:
    parser = argparse.ArgumentParser(prog="main.py kiosk-pin",
                                     description="Set the kiosk admin PIN (stored as a salted scrypt hash).")
    parser.add_argument("--config", type=Path, default=None, help="kiosk config to write the hash into")
    ns = parser.parse_args(args)
    pin = ask(f"New admin PIN ({PIN_DIGITS[0]}-{PIN_DIGITS[1]} digits): ")
    if not valid_pin_format(pin):
        print(f"main.py kiosk-pin: error: the PIN must be {PIN_DIGITS[0]} to {PIN_DIGITS[1]} digits", file=sys.stderr)
        return 2
    if ask("Repeat the PIN: ") != pin:
        print("main.py kiosk-pin: error: the two PINs differ; nothing changed", file=sys.stderr)
        return 2
    digest = hash_pin(pin)
    if ns.config is None:
        print(f'[admin]\npin_hash = "{digest}"')
        return 0
    from game.kiosk.settings import KioskConfigError, parse_kiosk_file

    text = ns.config.read_text(encoding="utf-8") if ns.config.exists() else ""
    updated = with_pin_hash(text, digest)
    try:
        parse_kiosk_file(updated, str(ns.config))
    except KioskConfigError as err:
        print(f"main.py kiosk-pin: error: {err}", file=sys.stderr)
        return 2
    ns.config.write_text(updated, encoding="utf-8")
    print(f"admin PIN set in {ns.config}")
    return 0
