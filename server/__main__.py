"""Entry point: ``python -m server [--host H --port P --workers N ...] [enroll|import-campaign|...]``."""

from __future__ import annotations

import sys

from server.cli import main

if __name__ == "__main__":
    sys.exit(main())
